"""SAML 2.0 sign-in in Chromium through a real identity provider process (pysaml2's
IdP, tests/idp/saml/idp.py): SP-initiated (HTTP-Redirect request, HTTP-POST answer),
a second sign-in after the person's groups changed, and IdP-initiated sign-in."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Browser, Page, expect

from cercle import permissions
from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    Membership,
    Role,
    Status,
)
from cercle.sso.models import MappingRule
from cercle.sso.saml import form_action_origins, saml_apps
from tests.communities import community, make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.idp_saml import (
    PROVIDER_ID,
    SamlIdP,
    forged_response,
    person,
    provider_entry,
    running_idp,
)


@pytest.fixture
def saml_idp(live_server: Any, settings: Any, tmp_path: Path) -> Iterator[SamlIdP]:
    sp = f"{live_server.url}/accounts/saml/{PROVIDER_ID}"
    with running_idp(tmp_path / "idp", f"{sp}/metadata/") as idp:
        # Cercle reads the IdP's own metadata, as an operator would give it.
        metadata = tmp_path / "idp-metadata.xml"
        metadata.write_text(idp.metadata())
        environ = {"CERCLE_SAML_PROVIDERS": json.dumps([provider_entry(metadata)])}
        apps = saml_apps(environ)
        settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": apps}}
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"] += form_action_origins(apps)
        settings.CONTENT_SECURITY_POLICY = policy
        yield idp


def sign_in_at_idp(page: Page, login: str) -> None:
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("User name").fill(login)
    page.get_by_role("button", name="Sign in").click()


def sp_initiated(page: Page, base: str, login: str) -> None:
    """From Cercle's log-in page, its button for the organisation's IdP."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="Log in with Acme IdP").click()
    sign_in_at_idp(page, login)
    page.wait_for_url(f"{base}/**")
    page.wait_for_load_state("load")


def signed_in_as(page: Page, base: str) -> str:
    page.goto(f"{base}/accounts/preferences/")
    return page.url


@pytest.fixture
def agile() -> Community:
    """An internal community whose roles the organisation's groups give."""
    agile = community(
        make_person("founder@acme.example", "Founder"),
        slug="pratiques-agiles",
        name="Pratiques agiles",
        audience=Audience.INTERNAL,
        entry=Entry.INVITATION,
    )
    for value, role in (("cop-agile", Role.MEMBER), ("cop-agile-leads", Role.COORDINATOR)):
        MappingRule.objects.create(
            provider_id=PROVIDER_ID, attribute="groups", value=value, community=agile, role=role
        )
    return agile


def membership(user: User, where: Community) -> tuple[str, str]:
    found = Membership.objects.get(person=user, community=where)
    return found.role, found.status


def test_sp_initiated_sign_in_then_groups_change(
    page: Page, live_server: Any, saml_idp: SamlIdP, agile: Community
) -> None:
    base = live_server.url
    saml_idp.set_person(
        "lea", **person("u-lea", "lea@acme.example", "Léa Martin", ["cop-agile"], "R&D")
    )
    sp_initiated(page, base, "lea")

    user = User.objects.get(email="lea@acme.example")
    account = SocialAccount.objects.get(user=user)
    assert account.provider == PROVIDER_ID
    assert account.uid == "u-lea"
    assert account.extra_data["groups"] == ["cop-agile"]
    assert user.emailaddress_set.get().verified  # type: ignore[attr-defined]
    # The organisation's IdP vouches for Léa: she is internal, and the rule made her a
    # member of the internal community.
    assert user.organisation_provider == PROVIDER_ID
    assert permissions.is_internal(user)
    assert membership(user, agile) == (Role.MEMBER, Status.ACTIVE)
    # Signed in: the account pages open instead of the sign-in form.
    assert "/accounts/login/" not in signed_in_as(page, base)
    assert SecurityEvent.objects.filter(kind=SecurityKind.SSO_SIGN_IN, subject=user).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityKind.SSO_REFUSED).exists()

    # The organisation makes Léa a lead; she signs in again: the role follows.
    page.context.clear_cookies()
    saml_idp.set_person(
        "lea",
        **person("u-lea", "lea@acme.example", "Léa Martin", ["cop-agile", "cop-agile-leads"]),
    )
    sp_initiated(page, base, "lea")
    account.refresh_from_db()
    assert account.extra_data["groups"] == ["cop-agile", "cop-agile-leads"]
    assert User.objects.filter(email="lea@acme.example").count() == 1
    assert membership(user, agile) == (Role.COORDINATOR, Status.ACTIVE)
    assert "/accounts/login/" not in signed_in_as(page, base)

    # She leaves the leads: at the next sign-in the role the rule gave goes back.
    page.context.clear_cookies()
    saml_idp.set_person("lea", **person("u-lea", "lea@acme.example", "Léa Martin", ["cop-agile"]))
    sp_initiated(page, base, "lea")
    assert membership(user, agile) == (Role.MEMBER, Status.ACTIVE)


def test_idp_initiated_sign_in(
    page: Page, live_server: Any, saml_idp: SamlIdP, agile: Community
) -> None:
    base = live_server.url
    saml_idp.set_person(
        "noe", **person("u-noe", "noe@acme.example", "Noé Petit", ["cop-agile-leads"])
    )
    page.goto(saml_idp.idp_initiated_url(f"{base}/accounts/saml/{PROVIDER_ID}/metadata/"))
    sign_in_at_idp(page, "noe")
    page.wait_for_url(f"{base}/**")
    page.wait_for_load_state("load")
    user = User.objects.get(email="noe@acme.example")
    assert SocialAccount.objects.get(user=user).uid == "u-noe"
    assert user.organisation_provider == PROVIDER_ID
    assert membership(user, agile) == (Role.COORDINATOR, Status.ACTIVE)
    assert "/accounts/login/" not in signed_in_as(page, base)


@pytest.mark.parametrize(
    ("locale", "heading"), [("en-GB", "Sign-in refused"), ("fr-FR", "Connexion refusée")]
)
def test_a_forged_answer_gets_a_clear_page_and_nobody_is_signed_in(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    saml_idp: SamlIdP,
    tmp_path: Path,
    locale: str,
    heading: str,
) -> None:
    base = live_server.url
    sp = f"{base}/accounts/saml/{PROVIDER_ID}"
    unsigned = forged_response(
        saml_idp.keys,
        issuer=saml_idp.entity_id,
        sp_entity_id=f"{sp}/metadata/",
        acs_url=f"{sp}/acs/",
        identity=person("u-eve", "eve@acme.example", "Eve", ["staff"]),
        uid="u-eve",
        sign=False,
    )
    shots = Path(os.environ.get("CERCLE_SCREENSHOTS_DIR", tmp_path))
    for width in (1280, 390):
        page = new_page(
            browser, browser_errors, locale=locale, viewport={"width": width, "height": 900}
        )
        # A page elsewhere that POSTs the answer to Cercle's ACS, as an IdP's page does.
        page.set_content(
            f'<form method="post" action="{sp}/acs/"><input type="hidden" name="SAMLResponse"'
            f' value="{unsigned}"><button>Send</button></form>'
        )
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert_accessible(page)
        page.screenshot(path=str(shots / f"saml-refused-{locale[:2]}-{width}.png"), full_page=True)
        # Nobody is signed in: the account pages send to the sign-in form.
        page.goto(f"{base}/accounts/preferences/")
        assert "/accounts/login/" in page.url
        page.context.close()
    assert not User.objects.filter(email="eve@acme.example").exists()
    reasons = SecurityEvent.objects.filter(kind=SecurityKind.SSO_REFUSED).values_list(
        "detail__reason", flat=True
    )
    assert list(reasons) == ["unsigned", "unsigned"]
    assert browser_errors.messages == []
