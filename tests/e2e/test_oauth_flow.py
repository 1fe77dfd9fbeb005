"""OAuth in Chromium: a real third-party client (a small HTTP server started here, the
application's redirect URI) sends a person to Cercle's authorize URL with a PKCE
challenge; they log in, consent, and come back to the client with a code, which the
test exchanges over real HTTP for a token that calls the API as the person. The
consent screen, the staff pages and the account page are checked with axe on a
desktop and a phone."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx2
import pytest
from oauth2_provider.models import AccessToken, Application
from playwright.sync_api import Browser, expect

from cercle.oauth import actions
from cercle.oauth.actions import Registration
from tests.communities import PASSWORD, make_person, staff_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page, settle
from tests.e2e.journeys import log_in

SHOTS = Path(os.environ.get("CERCLE_OAUTH_SHOTS", "var/screenshots-oauth"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


class ThirdPartyClient:
    """The client's side: it records the query its redirect URI receives."""

    def __init__(self) -> None:
        self.received: list[dict[str, str]] = []
        client = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path != "/callback":
                    self.send_response(204)
                    self.end_headers()
                    return
                client.received.append({k: v[0] for k, v in parse_qs(parts.query).items()})
                body = (
                    b"<!doctype html><html lang='en'><title>Client</title>"
                    b"<h1>Back at the client</h1></html>"
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def third_party() -> Iterator[ThirdPartyClient]:
    client = ThirdPartyClient()
    yield client
    client.close()


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def test_an_application_gets_a_token_through_chromium_and_calls_the_api(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    third_party: ThirdPartyClient,
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    alice = make_person("alice@example.org", "Alice Martin")
    app, secret = actions.do_register_application(
        staff_person(),
        Registration(
            "Intranet", [third_party.redirect_uri], confidential=True, scopes=["read", "write"]
        ),
    )
    # The consent screen, before the real run: accessible on a phone, in French too.
    for locale, language in (("en-GB", "en"), ("fr-FR", "fr")):
        phone = new_page(browser, browser_errors, locale=locale, viewport=PHONE)
        log_in(phone, live_server.url, alice.email)
        _verifier, challenge = pkce()
        phone.goto(
            f"{live_server.url}/oauth/authorize/?"
            + urlencode(
                {
                    "response_type": "code",
                    "client_id": app.client_id,
                    "redirect_uri": third_party.redirect_uri,
                    "scope": "read write",
                    "code_challenge": challenge,
                    "code_challenge_method": "S256",
                }
            )
        )
        expect(phone.locator("h1")).to_contain_text("Intranet")
        assert_accessible(phone)
        phone.screenshot(path=str(SHOTS / f"consent-{language}-390.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        settle(phone)
        phone.context.close()

    # The real run: logged out, straight from the client's link.
    page = new_page(browser, browser_errors, viewport=DESKTOP)
    verifier, challenge = pkce()
    state = secrets.token_urlsafe(12)
    page.goto(
        f"{live_server.url}/oauth/authorize/?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": third_party.redirect_uri,
                "scope": "read",
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
    )
    assert urlsplit(page.url).path == "/accounts/login/"
    page.locator("#id_login").fill(alice.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Allow “Intranet” to use Cercle for you?")
    expect(page.locator(".oauth-scopes li")).to_have_count(1)
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "consent-en-1280.png"), full_page=True)
    page.get_by_role("button", name="Allow").click()
    expect(page.locator("h1")).to_have_text("Back at the client")
    assert page.url.startswith(third_party.redirect_uri)
    assert len(third_party.received) == 1
    received = third_party.received[0]
    assert received["state"] == state
    assert "error" not in received

    # The client's server exchanges the code with its verifier, over real HTTP.
    with httpx2.Client(base_url=live_server.url, timeout=30) as http:
        answer = http.post(
            "/oauth/token/",
            data={
                "grant_type": "authorization_code",
                "code": received["code"],
                "redirect_uri": third_party.redirect_uri,
                "code_verifier": verifier,
            },
            auth=(app.client_id, secret),
        )
        if answer.status_code != 200:
            pytest.fail(f"token endpoint: {answer.status_code} {answer.text}")
        token = answer.json()["access_token"]
        me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200
        assert me.json()["id"] == alice.pk
        assert me.json()["scopes"] == ["read"]
    assert AccessToken.objects.filter(user=alice, application=app).count() == 1

    # The person's account lists the application.
    page.goto(f"{live_server.url}/accounts/applications/")
    expect(page.locator(".oauth-authorization__name")).to_have_text("Intranet")
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "authorized-en-1280.png"), full_page=True)
    settle(page)
    page.context.close()

    # Another day, logged out: already approved, so straight back to the client once
    # logged in (through a page that moves on by itself: the log-in form's policy does
    # not name the client).
    again = new_page(browser, browser_errors, viewport=DESKTOP)
    _verifier, challenge = pkce()
    again.goto(
        f"{live_server.url}/oauth/authorize/?"
        + urlencode(
            {
                "response_type": "code",
                "client_id": app.client_id,
                "redirect_uri": third_party.redirect_uri,
                "scope": "read",
                "state": "again",
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
    )
    again.locator("#id_login").fill(alice.email)
    again.locator("#id_password").fill(PASSWORD)
    again.locator("form.form button[type=submit]").click()
    expect(again.locator("h1")).to_have_text("Back at the client")
    assert third_party.received[-1]["state"] == "again"
    assert "code" in third_party.received[-1]
    settle(again)
    again.context.close()
    assert browser_errors.messages == []


def test_the_staff_pages_are_accessible_on_a_desktop_and_a_phone(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    staff_person()
    for locale, language in (("en-GB", "en"), ("fr-FR", "fr")):
        for viewport in (DESKTOP, PHONE):
            size = viewport["width"]
            page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(page, live_server.url, "op@example.org")
            page.goto(f"{live_server.url}/staff/oauth/")
            assert_accessible(page)
            page.screenshot(path=str(SHOTS / f"staff-list-{language}-{size}.png"), full_page=True)
            page.goto(f"{live_server.url}/staff/oauth/new/")
            page.locator("#id_name").fill(f"Intranet {language} {size}")
            page.locator("#id_redirect_uris").fill("https://intranet.example/callback")
            page.locator("#id_scopes_1").check()
            assert_accessible(page)
            page.screenshot(path=str(SHOTS / f"staff-new-{language}-{size}.png"), full_page=True)
            page.locator("form.form button[type=submit]").click()
            expect(page.locator("#client-secret")).to_be_visible()
            assert_accessible(page)
            page.screenshot(path=str(SHOTS / f"staff-secret-{language}-{size}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= size
            page.goto(f"{live_server.url}/staff/oauth/")
            assert_accessible(page)
            page.screenshot(
                path=str(SHOTS / f"staff-list-{language}-{size}-one.png"), full_page=True
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= size
            settle(page)
            page.context.close()
    assert Application.objects.count() == 4
    assert browser_errors.messages == []
