from __future__ import annotations

import http.client
import re
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import Client
from django.urls import reverse

from cercle import settings as production_settings
from cercle.accounts.models import User
from tests.cli import CERCLE, PROJECT_DIR, operator_env
from tests.conftest import PASSWORD
from tests.smtp import SmtpServer, deliver_queued_email, free_port, text_body

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a-fresh-and-long-passphrase"


def _link(body: str, path_part: str) -> str:
    match = re.search(rf"https?://[^\s]+{path_part}[^\s]*", body)
    assert match, f"no link containing {path_part!r} in:\n{body}"
    return match.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_production_settings_hash_passwords_with_argon2(settings: Any) -> None:
    """The suite hashes with MD5 for speed (tests/conftest.py); Cercle itself uses
    Argon2, and a real sign-up stores an Argon2 hash."""
    argon2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert production_settings.PASSWORD_HASHERS[0] == argon2
    assert settings.PASSWORD_HASHERS != production_settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = production_settings.PASSWORD_HASHERS
    response = Client().post(
        reverse("account_signup"),
        {
            "display_name": "Léa Dubois",
            "email": "lea@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="lea@example.org")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_sign_up_sends_a_verification_email_that_activates_the_account(
    smtp_server: SmtpServer,
) -> None:
    client = Client()
    response = client.post(
        reverse("account_signup"),
        {
            "display_name": "Léa Dubois",
            "email": "lea@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="lea@example.org")
    assert user.display_name == "Léa Dubois"
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)
    assert not EmailAddress.objects.get(user=user).verified

    deliver_queued_email()
    [mail] = smtp_server.wait_for("lea@example.org")
    confirm_path = _link(text_body(mail), "/accounts/confirm-email/")

    # Unverified people cannot log in: they are sent back to the verification notice.
    login = Client().post(
        reverse("account_login"), {"login": "lea@example.org", "password": PASSWORD}
    )
    assert login["Location"] == reverse("account_email_verification_sent")

    assert client.get(confirm_path).status_code == 200
    assert client.post(confirm_path).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    login = Client().post(
        reverse("account_login"), {"login": "lea@example.org", "password": PASSWORD}
    )
    assert login.status_code == 302
    assert login["Location"] == reverse("home")


def test_sign_up_refuses_a_blank_name_and_creates_nothing() -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "display_name": "   ",
            "email": "x@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.exists()


def test_the_sign_up_email_is_written_in_the_language_of_the_page(smtp_server: SmtpServer) -> None:
    client = Client(headers={"accept-language": "fr"})
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Léa",
            "email": "lea@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert User.objects.get().language == "fr"
    deliver_queued_email()
    [mail] = smtp_server.wait_for("lea@example.org")
    assert "Confirmez" in str(mail["Subject"]) or "confirm" in text_body(mail).lower()
    assert "adresse" in text_body(mail)


def test_log_in_and_log_out(alice: User) -> None:
    client = Client()
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "Alice Martin" in client.get(reverse("home")).content.decode()
    assert client.post(reverse("account_logout")).status_code == 302
    assert "Alice Martin" not in client.get(reverse("home")).content.decode()


def test_repeated_failed_log_ins_are_rate_limited(alice: User) -> None:
    client = Client()
    for _ in range(5):
        response = client.post(
            reverse("account_login"), {"login": alice.email, "password": "wrong"}
        )
        assert "not correct" in response.content.decode()
    # Even the right password is refused for a while once the limit is reached.
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code in {200, 429}
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(alice: User, smtp_server: SmtpServer) -> None:
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": alice.email})
    assert response.status_code == 302
    deliver_queued_email()
    [mail] = smtp_server.wait_for(alice.email)
    reset_path = _link(text_body(mail), "/accounts/password/reset/key/")
    form_page = client.get(reset_path, follow=True)
    assert form_page.status_code == 200
    set_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_path
    response = client.post(set_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_reveals_nothing(smtp_server: SmtpServer) -> None:
    response = Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")


def test_change_password(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_change_password_refuses_a_wrong_current_password(
    alice: User, alice_client: Client
) -> None:
    response = alice_client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_change_email_takes_effect_once_the_new_address_is_verified(
    alice: User, alice_client: Client, smtp_server: SmtpServer
) -> None:
    response = alice_client.post(
        reverse("account_email"), {"action_add": "", "email": "alice@new.example.org"}
    )
    assert response.status_code == 302
    deliver_queued_email()
    [mail] = smtp_server.wait_for("alice@new.example.org")
    confirm_path = _link(text_body(mail), "/accounts/confirm-email/")
    alice.refresh_from_db()
    assert alice.email == "alice@example.org"

    assert alice_client.post(confirm_path).status_code == 302
    alice.refresh_from_db()
    assert alice.email == "alice@new.example.org"
    assert list(EmailAddress.objects.filter(user=alice).values_list("email", flat=True)) == [
        "alice@new.example.org"
    ]


def test_preferences_change_name_and_language(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        reverse("account_preferences"), {"display_name": "Alice M.", "language": "fr"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.display_name, alice.language) == ("Alice M.", "fr")
    assert "Préférences" in alice_client.get(reverse("account_preferences")).content.decode()


def test_preferences_refuse_an_unknown_language_and_change_nothing(
    alice: User, alice_client: Client
) -> None:
    response = alice_client.post(
        reverse("account_preferences"), {"display_name": "Someone else", "language": "xx"}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    alice.refresh_from_db()
    assert (alice.display_name, alice.language) == ("Alice Martin", "")


def test_account_pages_require_logging_in() -> None:
    for name in [
        "account_preferences",
        "account_delete",
        "account_email",
        "account_change_password",
    ]:
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_delete_account_needs_the_password(alice: User, alice_client: Client) -> None:
    response = alice_client.post(reverse("account_delete"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 200
    assert "This password is not correct." in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()


def test_delete_account_removes_it_and_logs_out(
    alice: User, bob: User, alice_client: Client
) -> None:
    response = alice_client.post(
        reverse("account_delete"), {"password": PASSWORD, "confirm": "on", "contributions": "keep"}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not EmailAddress.objects.filter(email=alice.email).exists()
    assert User.objects.filter(pk=bob.pk).exists()
    assert alice_client.get(reverse("account_preferences")).status_code == 302
    login = Client().post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert login.status_code == 200


# --- The lock-out holds whichever web worker answers --------------------------------------


def _served_database(tmp_path: Path) -> str:
    """A DATABASE_URL for a server process, holding what this test committed: the test
    database itself on PostgreSQL, a file copy of the in-memory one on SQLite."""
    if connection.vendor == "sqlite":
        path = tmp_path / "served.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        copy.close()
        return f"sqlite:///{path}"
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    host = f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    return f"postgres://{database['USER']}{password}@{host}/{database['NAME']}"


def _http(
    port: int, method: str, path: str, form: dict[str, str] | None = None, cookie: str = ""
) -> tuple[int, str, list[str]]:
    """One request on a new connection: status, body and Set-Cookie headers."""
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie}
    if form is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    client.request(method, path, body=urlencode(form) if form else None, headers=headers)
    response = client.getresponse()
    body = response.read().decode()
    cookies = response.headers.get_all("Set-Cookie") or []
    client.close()
    return response.status, body, cookies


def _hold_a_worker(port: int) -> socket.socket:
    """A connection whose request never ends: the sync worker that takes it waits on it,
    so the other worker answers everything else until it is closed."""
    held = socket.create_connection(("127.0.0.1", port), timeout=30)
    held.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.3)  # taken by a worker before the next connection arrives
    return held


def test_the_log_in_lock_out_holds_across_two_web_workers(tmp_path: Path, alice: User) -> None:
    # The server checks passwords with its own hashers (the tests' may be faster).
    argon2 = Argon2PasswordHasher()
    alice.password = argon2.encode(PASSWORD, argon2.salt())
    alice.save(update_fields=["password"])
    env = operator_env(tmp_path, DATABASE_URL=_served_database(tmp_path), CERCLE_DEBUG="true")
    port = free_port()
    login = reverse("account_login")
    server = subprocess.Popen(
        [
            *CERCLE[:1],
            "-m",
            "gunicorn",
            "cercle.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--no-control-socket",
            "--access-logfile",
            "-",
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
        ],
        env=env,
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    held: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, server.communicate()[0]
            try:
                if _http(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        # The log-in form and its CSRF cookie (a worker still starting may answer late).
        csrf_cookie = ""
        while not csrf_cookie:
            status, page, cookies = _http(port, "GET", login)
            csrf_cookie = next((c.split(";")[0] for c in cookies if c.startswith("csrftoken=")), "")
            if not csrf_cookie:
                assert time.monotonic() < deadline, (status, page[:500])
                time.sleep(0.2)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert match is not None
        token = match.group(1)

        def log_in(password: str) -> tuple[int, str]:
            form = {"login": alice.email, "password": password, "csrfmiddlewaretoken": token}
            status, body, _cookies = _http(port, "POST", login, form, csrf_cookie)
            return status, body

        # One worker held: the other sees the five wrong passwords.
        held.append(_hold_a_worker(port))
        for _attempt in range(5):
            status, body = log_in("wrong")
            assert (status, "not correct" in body) == (200, True)
        # That worker held in turn, the first one released: it answers what follows.
        held.append(_hold_a_worker(port))
        held.pop(0).close()
        status, body = log_in("wrong")
        assert "Too many failed login attempts" in body
        status, body = log_in(PASSWORD)
        assert status != 302
        assert "Too many failed login attempts" in body
    finally:
        for connection_held in held:
            connection_held.close()
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=30)[0]
    # Which worker answered each log-in: the five failures one, the last two the other.
    answered = [line.split()[0] for line in output.splitlines() if f"POST {login}" in line]
    assert len(answered) == 7, output
    assert len(set(answered[:5])) == 1
    assert len(set(answered[5:])) == 1
    assert answered[0] != answered[5]
