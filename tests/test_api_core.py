"""The API's core: personal access tokens (made, shown once, stored hashed, expiring,
revoked), the scopes, problem details, ETags, idempotency keys and rate limits, the
session with its CSRF check, and the pages (tokens, reference)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cercle.accounts.models import User
from cercle.api.models import PersonalToken, hash_token
from cercle.audit.models import SecurityEvent, SecurityKind
from tests.api import ApiClient, api_get, assert_problem, make_token

pytestmark = pytest.mark.django_db


# --- Tokens ------------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_stored_hashed(alice: User, alice_client: Client) -> None:
    response = alice_client.post(
        "/accounts/tokens/", {"name": "Weekly report", "level": "write", "days": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = response.context["secret"]
    assert secret.startswith("cercle_pat_")
    assert secret in response.content.decode()
    token = PersonalToken.objects.get(person=alice)
    assert token.secret_hash == hash_token(secret)
    assert secret not in {token.name, token.hint, token.secret_hash}
    assert secret.endswith(token.hint)
    assert token.scopes == ["read", "write"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert SecurityEvent.objects.filter(
        kind=SecurityKind.TOKEN_CREATED, subject=alice, detail__what="api"
    ).exists()
    # The list shows the token, never its secret again.
    again = alice_client.get("/accounts/tokens/")
    assert "Weekly report" in again.content.decode()
    assert secret not in again.content.decode()
    me = api_get(secret, "/me")
    assert me.status_code == 200, me.content
    assert me.json()["email"] == alice.email
    assert me.json()["scopes"] == ["read", "write"]
    assert me.json()["via"] == "token"


def test_revoked_expired_or_deactivated_tokens_are_refused(alice: User, bob: User) -> None:
    revoked, expired, deactivated = make_token(alice), make_token(alice), make_token(bob)
    PersonalToken.objects.filter(secret_hash=hash_token(revoked)).update(revoked_at=timezone.now())
    PersonalToken.objects.filter(secret_hash=hash_token(expired)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    User.objects.filter(pk=bob.pk).update(is_active=False)
    for secret in (revoked, expired, deactivated, "cercle_pat_unknown", "not-a-token"):
        response = api_get(secret, "/me")
        body = assert_problem(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert body["instance"] == "/api/v1/me"
    assert_problem(ApiClient().get("/me"), 401)


def test_revoking_on_the_page_stops_the_token(alice: User, alice_client: Client) -> None:
    secret = make_token(alice)
    token = PersonalToken.objects.get(person=alice)
    response = alice_client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert SecurityEvent.objects.filter(kind=SecurityKind.TOKEN_REVOKED, subject=alice).exists()
    assert_problem(api_get(secret, "/me"), 401)


def test_nobody_revokes_someone_elses_token(alice: User, bob: User) -> None:
    make_token(alice)
    token = PersonalToken.objects.get(person=alice)
    bob_client = Client()
    bob_client.force_login(bob)
    assert bob_client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_last_use_is_noted_at_most_once_a_minute(alice: User) -> None:
    secret = make_token(alice)
    api_get(secret, "/me")
    first = PersonalToken.objects.get(person=alice).last_used_at
    assert first is not None
    api_get(secret, "/me")
    assert PersonalToken.objects.get(person=alice).last_used_at == first
