"""Two-factor sign-in in Chromium: a WebAuthn security key registered through a
virtual authenticator (Chromium's DevTools protocol), then used as the second factor
and as a passkey; the two-factor and sessions pages pass axe."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import CDPSession, Page, expect

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from tests.communities import PASSWORD, make_person
from tests.e2e.conftest import assert_accessible
from tests.e2e.journeys import log_in


@pytest.fixture
def alice(db: None) -> User:
    return make_person("alice@example.org", "Alice Martin")


def virtual_authenticator(page: Page) -> CDPSession:
    """A platform authenticator that holds passkeys and verifies its user (as a
    fingerprint reader would), attached to this page's browser context."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp


def sign_out(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/logout/")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".user-menu .menu__toggle")).to_have_count(0)


def test_a_security_key_is_added_then_signs_in_as_second_factor_and_as_passkey(
    page: Page, live_server: Any, alice: User
) -> None:
    base = live_server.url
    assert base.startswith("http://localhost:")  # a secure context for WebAuthn
    virtual_authenticator(page)
    log_in(page, base, alice.email)

    # Adding a factor asks for the password again, then the key.
    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Add a security key")
    assert_accessible(page)
    page.locator("#id_name").fill("Laptop fingerprint")
    page.locator("#id_passwordless").check()
    page.locator("#mfa_webauthn_add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    key = Authenticator.objects.get(user=alice, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Laptop fingerprint"
    assert key.wrap().is_passwordless
    added = SecurityEvent.objects.get(kind=SecurityKind.FACTOR_ADDED, subject=alice)
    assert added.detail == {"what": "webauthn", "name": "Laptop fingerprint"}

    page.goto(f"{base}/accounts/2fa/")
    expect(page.locator(".mfa-state")).to_contain_text("Two-factor sign-in is on")
    assert_accessible(page)
    page.goto(f"{base}/accounts/2fa/webauthn/")
    expect(page.locator(".mfa-key")).to_contain_text("Laptop fingerprint")
    assert_accessible(page)
    page.locator(".mfa-key a", has_text="Rename").click()
    assert_accessible(page)
    page.locator("#id_name").fill("Laptop")
    page.locator("#mfa_webauthn_edit").click()
    expect(page.locator(".mfa-key__name")).to_contain_text("Laptop")
    page.locator(".mfa-key a", has_text="Remove").click()
    expect(page.locator("h1")).to_have_text("Remove “Laptop”?")
    assert_accessible(page)
    page.goto(f"{base}/accounts/sessions/")
    expect(page.locator(".session--current")).to_contain_text("This device")
    assert_accessible(page)

    # The password is no longer enough: the key is the second step.
    sign_out(page, base)
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill(alice.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").first.click()
    expect(page.locator("h1")).to_have_text("Two-factor sign-in")
    assert_accessible(page)
    page.locator("#mfa_webauthn_authenticate").click()
    expect(page.locator(".user-menu .menu__toggle")).to_be_visible()

    # A passkey signs in with no password at all.
    sign_out(page, base)
    page.goto(f"{base}/accounts/login/")
    page.locator("#passkey_login").click()
    expect(page.locator(".user-menu .menu__toggle")).to_be_visible()
    key.refresh_from_db()
    assert key.last_used_at is not None
