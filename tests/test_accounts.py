from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from cercle import settings as production_settings
from cercle.accounts.models import User
from tests.conftest import PASSWORD
from tests.smtp import SmtpServer, deliver_queued_email, text_body

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
    response = alice_client.post(reverse("account_delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not EmailAddress.objects.filter(email=alice.email).exists()
    assert User.objects.filter(pk=bob.pk).exists()
    assert alice_client.get(reverse("account_preferences")).status_code == 302
    login = Client().post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert login.status_code == 200
