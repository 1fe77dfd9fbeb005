"""The single sign-on pages in a real browser: the log-in page with its providers'
buttons, allauth's social pages, and the staff pages (providers and domains, rules,
a rule's form, the dry run), in English and French, on a desktop and a phone, with no
accessibility violation. The journeys through real identity providers are in the
OpenID Connect and SAML tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Role
from cercle.sso.models import MappingRule, SsoOnlyDomain
from tests.communities import community, make_person, staff_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page, settle
from tests.e2e.journeys import log_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(autouse=True)
def providers(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "corp",
                    "name": "Acme Corp",
                    "client_id": "cercle",
                    "secret": "s",
                    "settings": {"server_url": "https://corp.idp.invalid", "organisation": True},
                },
                {
                    "provider_id": "partner",
                    "name": "Partner ID",
                    "client_id": "cercle",
                    "secret": "s",
                    "settings": {"server_url": "https://partner.idp.invalid"},
                },
            ]
        }
    }


@pytest.fixture
def operator(db: None) -> User:
    return staff_person("op@example.org", "Olivia Operator")


@pytest.fixture
def agile(operator: User) -> Community:
    agile = community(operator, slug="pratiques-agiles", name="Pratiques agiles")
    MappingRule.objects.create(
        provider_id="corp", attribute="groups", value="cop-agile-leads", community=agile,
        role=Role.COORDINATOR, created_by=operator,
    )  # fmt: skip
    MappingRule.objects.create(
        attribute="department", value="Direction du numérique", community=agile,
        enabled=False,
    )  # fmt: skip
    SsoOnlyDomain.objects.create(domain="acme.example", provider_id="corp")
    return agile


def _look(page: Page, folder: Path, name: str) -> None:
    """Check the page with axe, then keep a full-page picture of it to look at."""
    settle(page)
    assert_accessible(page)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(
    ("locale", "viewport"),
    [("en-GB", DESKTOP), ("fr-FR", PHONE), ("en-GB", PHONE), ("fr-FR", DESKTOP)],
    ids=["en-1280", "fr-390", "en-390", "fr-1280"],
)
def test_the_sso_pages_are_accessible_and_look_finished(
    browser: Browser,
    live_server: Any,
    immediate_tasks: None,
    operator: User,
    agile: Community,
    tmp_path: Path,
    locale: str,
    viewport: dict[str, int],
) -> None:
    errors = BrowserErrors()
    page = new_page(browser, errors, locale=locale, viewport=viewport)
    folder = tmp_path / f"{locale[:2]}-{viewport['width']}"
    base = live_server.url
    french = locale.startswith("fr")

    page.goto(f"{base}/accounts/login/")
    expect(page.locator(".sso-providers__button").first).to_contain_text(
        "Se connecter avec Acme Corp" if french else "Log in with Acme Corp"
    )
    _look(page, folder, "login")

    page.locator("#id_login").fill("hugo@acme.example")
    page.locator("#id_password").fill("whatever-it-is")
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".form-errors")).to_contain_text("acme.example")
    _look(page, folder, "login-refused")

    page.goto(f"{base}/accounts/oidc/corp/login/callback/?state=forged&code=x")
    expect(page.locator("h1")).to_have_text("Échec de connexion" if french else "Sign-in failed")
    _look(page, folder, "authentication-error")

    page.goto(f"{base}/accounts/oidc/partner/login/")
    _look(page, folder, "social-login-confirm")

    log_in(page, base, operator.email)
    SocialAccount.objects.get_or_create(user=operator, provider="corp", uid="olivia")
    page.goto(f"{base}/accounts/3rdparty/")
    _look(page, folder, "connections")

    page.goto(f"{base}/staff/sso/")
    expect(page.locator(".sso-provider").first).to_contain_text("Acme Corp")
    _look(page, folder, "staff-overview")

    page.goto(f"{base}/staff/sso/rules/")
    expect(page.locator("table.sso-rules")).to_contain_text("cop-agile-leads")
    _look(page, folder, "staff-rules")

    page.goto(f"{base}/staff/sso/rules/new/")
    page.locator("form.sso-rule-form button[type=submit]").click()
    expect(page.locator(".form-errors")).to_be_visible()
    _look(page, folder, "staff-rule-refused")

    make_person("dana@elsewhere.example", "Dana Dupont")
    page.goto(f"{base}/staff/sso/dry-run/")
    page.locator("#id_provider").select_option("corp")
    page.locator("#id_email").fill("dana@elsewhere.example")
    page.locator("#id_claims").fill("groups=cop-agile-leads\ndepartment=Direction du numérique")
    page.locator("form.sso-dry-run button[type=submit]").click()
    expect(page.locator(".sso-result table")).to_contain_text("Pratiques agiles")
    _look(page, folder, "staff-dry-run")

    page.context.close()
    assert errors.messages == [], errors.messages
    print(f"screenshots in {folder}")
