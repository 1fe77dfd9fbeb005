"""Signing in through the organisation's OpenID Connect provider, in Chromium: a real
`oidc-provider` process (tests/idp_oidc.py), its own log-in page, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Audience, Community, Entry, Membership, Role, Status
from cercle.sso.models import MappingRule
from tests.communities import community, make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page, settle
from tests.e2e.journeys import log_out
from tests.idp_oidc import (
    PROVIDER_ID,
    IdentityProvider,
    callback_path,
    oidc_idp,
    oidc_settings,
)
from tests.idp_oidc import sign_in_at_provider as answer_outside_the_browser

__all__ = ["oidc_idp", "oidc_settings"]  # fixtures used here

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "i15-oidc"


def start_sign_in(page: Page, base: str) -> None:
    """From Cercle, through allauth's "continue to the provider" page."""
    page.goto(f"{base}/accounts/oidc/{PROVIDER_ID}/login/")
    page.locator("main form button[type=submit]").click()


def sign_in_at_provider(page: Page, idp: IdentityProvider, account_id: str) -> None:
    """The provider's own (development) log-in page: an account id, any password."""
    page.wait_for_url(f"{idp.issuer}/interaction/**")
    page.locator("input[name=login]").fill(account_id)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()


def signed_in(page: Page) -> None:
    expect(page.locator(".user-menu .menu__toggle")).to_be_visible()


def agile_practices() -> Community:
    """An internal community, and the rule that makes `cop-agile-leads` its coordinators."""
    agile = community(
        make_person("founder@corp.example", "Founder"),
        slug="pratiques-agiles",
        name="Pratiques agiles",
        audience=Audience.INTERNAL,
        entry=Entry.INVITATION,
    )
    MappingRule.objects.create(
        provider_id=PROVIDER_ID,
        attribute="groups",
        value="cop-agile-leads",
        community=agile,
        role=Role.COORDINATOR,
    )
    return agile


def role_in(place: Community, email: str) -> tuple[str, str]:
    membership = Membership.objects.get(community=place, person__email=email)
    return membership.status, membership.role


def signed_out(page: Page) -> None:
    expect(page.locator(".user-menu a[href$='/accounts/login/']")).to_be_visible()
    expect(page.locator(".user-menu .menu__toggle")).to_have_count(0)


def test_first_sign_in_makes_an_internal_coordinator_and_logout_ends_the_providers_session(
    page: Page, live_server: Any, oidc_settings: IdentityProvider
) -> None:
    idp = oidc_settings
    agile = agile_practices()
    # An address outside any internal domain: the organisation's provider vouches for her.
    idp.set_account(
        "ada", email="ada@corp.example", name="Ada Lovelace", groups=["cop-agile-leads"]
    )
    base = live_server.url
    page.goto(f"{base}{agile.get_absolute_url()}")
    expect(page.locator("h1")).not_to_have_text("Pratiques agiles")

    start_sign_in(page, base)
    sign_in_at_provider(page, idp, "ada")
    page.wait_for_url(f"{base}/**")
    signed_in(page)
    person = User.objects.get(email="ada@corp.example")
    assert person.display_name == "Ada Lovelace"
    assert person.organisation_provider == PROVIDER_ID
    account = SocialAccount.objects.get(user=person)
    assert (account.provider, account.uid) == (PROVIDER_ID, "ada")
    assert role_in(agile, "ada@corp.example") == (Status.ACTIVE, Role.COORDINATOR)
    # Internal: the internal community opens to her, as its coordinator.
    page.goto(f"{base}{agile.get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("Pratiques agiles")

    # (d) Logging out of Cercle goes through the provider's end_session and back.
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    log_out(page)
    page.wait_for_url(f"{idp.issuer}/session/end**")
    end = next(url for url in seen if url.startswith(f"{idp.issuer}/session/end?"))
    query = parse_qs(urlsplit(end).query)
    assert query["post_logout_redirect_uri"] == [f"{base}/"]
    assert query["id_token_hint"][0].count(".") == 2
    # oidc-provider asks the person to confirm, as many providers do.
    page.locator("button[autofocus], button[name=logout]").first.click()
    page.wait_for_url(f"{base}/")
    signed_out(page)

    # The provider's session ended too: signing in again asks for the account again.
    start_sign_in(page, base)
    page.wait_for_url(f"{idp.issuer}/interaction/**")
    expect(page.locator("input[name=login]")).to_be_visible()


def test_second_sign_in_after_the_groups_changed_updates_the_role(
    page: Page, live_server: Any, oidc_settings: IdentityProvider
) -> None:
    idp = oidc_settings
    agile = agile_practices()
    base = live_server.url
    idp.set_account(
        "ada", email="ada@corp.example", name="Ada Lovelace", groups=["cop-agile-leads"]
    )
    start_sign_in(page, base)
    sign_in_at_provider(page, idp, "ada")
    page.wait_for_url(f"{base}/**")
    signed_in(page)
    assert role_in(agile, "ada@corp.example") == (Status.ACTIVE, Role.COORDINATOR)
    log_out(page)
    page.wait_for_url(f"{idp.issuer}/session/end**")
    page.locator("button[autofocus], button[name=logout]").first.click()
    page.wait_for_url(f"{base}/")

    # She left the leads at the provider: the next sign-in makes her a member again.
    idp.set_account("ada", email="ada@corp.example", name="Ada Lovelace", groups=["everyone"])
    start_sign_in(page, base)
    sign_in_at_provider(page, idp, "ada")
    page.wait_for_url(f"{base}/**")
    signed_in(page)
    account = SocialAccount.objects.get(user__email="ada@corp.example")
    assert account.extra_data["id_token"]["groups"] == ["everyone"]
    assert User.objects.filter(email="ada@corp.example").count() == 1
    assert role_in(agile, "ada@corp.example") == (Status.ACTIVE, Role.MEMBER)
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityKind.ROLE_CHANGED, subject__email="ada@corp.example"
        ).count()
        == 2
    )


def with_state(url: str, state: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query["state"] = state
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_a_tampered_state_is_refused_with_a_clear_page(
    page: Page, live_server: Any, oidc_settings: IdentityProvider
) -> None:
    idp = oidc_settings
    base = live_server.url
    idp.set_account("ada", email="ada@corp.example", name="Ada Lovelace")
    # Playwright cannot hold a request reached by a redirect (the provider's way back
    # to Cercle): the browser starts the sign-in, whose authorization request is read
    # on its way; the provider is then answered outside the browser, and the browser
    # is sent back with the code and a tampered state.
    authorizations: list[str] = []
    page.on(
        "request",
        lambda request: (
            authorizations.append(request.url)
            if request.url.startswith(f"{idp.issuer}/auth?")
            else None
        ),
    )
    start_sign_in(page, base)
    page.wait_for_url(f"{idp.issuer}/interaction/**")
    (authorize,) = authorizations
    genuine = answer_outside_the_browser(authorize, "ada")
    assert urlsplit(genuine).path == callback_path()
    assert parse_qs(urlsplit(genuine).query)["code"]

    response = page.goto(with_state(genuine, "tampered-state"))
    assert response is not None
    assert response.status == 401
    expect(page.locator("h1")).to_have_text("Sign-in failed")
    expect(page.locator("main [role=alert]")).to_contain_text(
        "could not be matched with one started here"
    )
    assert_accessible(page)
    signed_out(page)
    assert not User.objects.filter(email="ada@corp.example").exists()
    assert [event.detail["reason"] for event in SecurityEvent.objects.all()] == ["state"]
    page.locator("main a[href$='/accounts/login/']").click()
    page.wait_for_url(f"{base}/accounts/login/")
    # The very same answer with its genuine state signs in: only the state was wrong.
    page.goto(genuine.replace("http://testserver", base))
    signed_in(page)


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("width", [1280, 390])
def test_refusal_page_screenshots(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    oidc_settings: IdentityProvider,
    immediate_tasks: None,
    locale: str,
    width: int,
) -> None:
    page = new_page(
        browser, browser_errors, locale=locale, viewport={"width": width, "height": 900}
    )
    try:
        response = page.goto(f"{live_server.url}{callback_path()}?code=x&state=forged")
        assert response is not None
        assert response.status == 401
        expect(page.locator("html")).to_have_attribute("lang", locale[:2])
        expect(page.locator("main [role=alert]")).to_be_visible()
        assert_accessible(page)
        if width == 390:
            overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
            assert not overflow
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"refused-state-{locale[:2]}-{width}.png"), full_page=True
        )
    finally:
        settle(page)
        page.context.close()
    assert browser_errors.messages == []
