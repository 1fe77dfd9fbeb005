"""The API's core: personal access tokens (made, shown once, stored hashed, expiring,
revoked), the scopes, problem details, ETags, idempotency keys and rate limits, the
session with its CSRF check, and the pages (tokens, reference)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.models import IdempotentRequest, PersonalToken, hash_token
from cercle.api.tokens import caller_for_token
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Community
from cercle.errors import ActionRefused
from tests.api import ApiClient, api_get, api_post, assert_problem, make_token

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


# --- Scopes, problems, the session ----------------------------------------------------------


def notes_written(person: User) -> int:
    return SecurityEvent.objects.filter(
        kind=SecurityKind.SETTING_CHANGED, actor=person, detail__has_key="note"
    ).count()


@pytest.mark.urls("tests.api_urls")
def test_a_read_only_token_cannot_write(alice: User) -> None:
    reader = make_token(alice, scopes=("read",))
    body = assert_problem(api_post(reader, "/test/notes", {"text": "hello"}), 403)
    assert "write" in body["detail"]
    assert notes_written(alice) == 0
    assert api_get(reader, "/me").status_code == 200
    writer = make_token(alice)
    assert api_post(writer, "/test/notes", {"text": "hello"}).status_code == 201
    assert notes_written(alice) == 1


@pytest.mark.urls("tests.api_urls")
def test_problems_have_the_rfc_shape_and_speak_french(alice: User) -> None:
    token = make_token(alice)
    response = ApiClient(token, language="fr").post("/test/notes", {"wrong": 1})
    body = assert_problem(response, 422)
    assert body == {
        "type": "about:blank",
        "title": "Refusé",
        "status": 422,
        "detail": body["detail"],
        "instance": "/api/v1/test/notes",
        "errors": body["errors"],
    }
    assert body["errors"][0]["location"].endswith("text")
    english = assert_problem(ApiClient(language="en").get("/me"), 401)
    assert english["title"] == "Authentication needed"
    french = assert_problem(ApiClient(language="fr").get("/me"), 401)
    assert french["title"] == "Authentification requise"


@pytest.mark.urls("tests.api_urls")
def test_the_session_writes_only_with_its_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/api/v1/me").json()["via"] == "session"
    refused = client.post(
        "/api/v1/test/notes", data={"text": "hi"}, content_type="application/json"
    )
    assert_problem(refused, 403)
    assert notes_written(alice) == 0
    client.get("/accounts/tokens/")  # a page sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/test/notes",
        data={"text": "hi"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201, accepted.content
    assert notes_written(alice) == 1


# --- ETags ----------------------------------------------------------------------------------


def test_a_read_carries_an_etag_and_answers_304_when_it_still_matches(alice: User) -> None:
    token = make_token(alice)
    first = api_get(token, "/me")
    etag = first["ETag"]
    assert etag.startswith('"')
    assert etag.endswith('"')
    assert "Authorization" in first["Vary"]
    again = api_get(token, "/me", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert api_get(token, "/me", **{"If-None-Match": '"other", ' + etag}).status_code == 304
    alice.display_name = "Alice Martin-Durand"
    alice.save()
    changed = api_get(token, "/me", **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# --- Idempotency keys -----------------------------------------------------------------------


@pytest.mark.urls("tests.api_urls")
def test_an_idempotency_key_runs_the_action_once(alice: User, bob: User) -> None:
    token = make_token(alice)
    first = api_post(token, "/test/notes", {"text": "once"}, idempotency_key="k-1")
    assert first.status_code == 201
    again = api_post(token, "/test/notes", {"text": "once"}, idempotency_key="k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert notes_written(alice) == 1
    other = assert_problem(
        api_post(token, "/test/notes", {"text": "twice"}, idempotency_key="k-1"), 422
    )
    assert "Idempotency-Key" in other["detail"]
    assert notes_written(alice) == 1
    # Another key, or another caller with the same key, is another request.
    assert (
        api_post(token, "/test/notes", {"text": "once"}, idempotency_key="k-2").status_code == 201
    )
    bobs = make_token(bob)
    assert api_post(bobs, "/test/notes", {"text": "once"}, idempotency_key="k-1").status_code == 201
    assert notes_written(alice) == 2
    assert notes_written(bob) == 1


@pytest.mark.urls("tests.api_urls")
def test_a_refused_request_does_not_keep_its_idempotency_key(alice: User) -> None:
    token = make_token(alice)
    assert_problem(api_post(token, "/test/notes", {"wrong": 1}, idempotency_key="k"), 422)
    # The same key, with the request corrected, is a first request.
    assert api_post(token, "/test/notes", {"text": "ok"}, idempotency_key="k").status_code == 201


def test_answers_are_forgotten_after_a_day(alice: User) -> None:
    IdempotentRequest.objects.create(caller="token:0", key="old", fingerprint="x", status=201)
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    token = make_token(alice)
    api_post(token, "/me", {}, idempotency_key="new")  # any POST with a key tidies up
    assert not IdempotentRequest.objects.filter(key="old").exists()


# --- Rate limits ----------------------------------------------------------------------------


def test_rate_limits_count_per_token_and_answer_429(alice: User, settings: object) -> None:
    settings.CERCLE_API_RATE_READS = 3  # type: ignore[attr-defined]
    token, other = make_token(alice), make_token(alice)
    answers = [api_get(token, "/me") for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert answers[0]["RateLimit-Limit"] == "3"
    assert answers[0]["RateLimit-Remaining"] == "2"
    assert answers[2]["RateLimit-Remaining"] == "0"
    assert answers[0]["RateLimit-Policy"] == '"reads";q=3;w=300'
    assert answers[0]["RateLimit"].startswith('"reads";r=2;t=')
    refused = api_get(token, "/me")
    body = assert_problem(refused, 429)
    assert int(refused["Retry-After"]) >= 1
    assert refused["RateLimit-Remaining"] == "0"
    assert body["detail"]
    # Another token of the same person has its own budget.
    assert api_get(other, "/me").status_code == 200


def test_a_token_without_accept_language_speaks_its_persons_language(alice: User) -> None:
    alice.language = "fr"
    alice.save()
    token = make_token(alice, scopes=("write",))
    body = assert_problem(api_get(token, "/me"), 403)
    assert body["title"] == "Non autorisé"
    english = assert_problem(ApiClient(token, language="en").get("/me"), 403)
    assert english["title"] == "Not allowed"


# --- The admin scope ------------------------------------------------------------------------


def test_the_admin_scope_may_be_limited_to_coordinated_communities(
    coordinator: User, alice: User, cargo: Community
) -> None:
    everywhere = caller_for_token(make_token(coordinator, scopes=("read", "write", "admin")))
    assert everywhere is not None
    assert everywhere.allows(Scope.ADMIN, cargo.pk)
    limited = caller_for_token(
        make_token(coordinator, scopes=("read", "write", "admin"), communities=[cargo])
    )
    assert limited is not None
    assert limited.allows(Scope.ADMIN, cargo.pk)
    assert not limited.allows(Scope.ADMIN, cargo.pk + 1)
    writer = caller_for_token(make_token(coordinator))
    assert writer is not None
    assert not writer.allows(Scope.ADMIN, cargo.pk)
    # Alice is a member, not a coordinator: she may not limit a token to cargo.
    with pytest.raises(ActionRefused):
        make_token(alice, scopes=("read", "admin"), communities=[cargo])
    with pytest.raises(ActionRefused):
        make_token(coordinator, scopes=("read",), communities=[cargo])
    assert not PersonalToken.objects.filter(person=alice).exists()


def test_the_page_offers_coordination_only_to_coordinators(
    coordinator: User, alice_client: Client, cargo: Community
) -> None:
    page = alice_client.get("/accounts/tokens/").content.decode()
    assert 'value="admin"' not in page
    assert "Coordinate only in" not in page
    coordinator_client = Client()
    coordinator_client.force_login(coordinator)
    page = coordinator_client.get("/accounts/tokens/").content.decode()
    assert 'value="admin"' in page
    assert cargo.name in page


def test_a_refused_form_keeps_what_was_typed(alice_client: Client, alice: User) -> None:
    response = alice_client.post("/accounts/tokens/", {"name": "", "level": "read", "days": "90"})
    assert response.status_code == 200
    assert response.context["secret"] == ""
    assert response.context["form"].errors["name"]
    assert not PersonalToken.objects.filter(person=alice).exists()


# --- The reference page ---------------------------------------------------------------------


def test_the_reference_page_lists_every_operation_in_french(client: Client) -> None:
    response = client.get("/api/reference/", headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Référence de l\u2019API" in page
    assert "/api/v1/me" in page
    assert "ProblemOut" in page
    assert 'href="/api/v1/openapi.json"' in page
    spec = client.get("/api/v1/openapi.json").json()
    for path, item in spec["paths"].items():
        for method in item:
            assert f"{method.upper()}</span> <code>{path}</code>" in page


def test_an_unknown_address_or_method_is_a_problem_too(alice: User) -> None:
    token = make_token(alice)
    assert_problem(api_get(token, "/no-such-thing"), 404)
    refused = assert_problem(api_post(token, "/me", {}), 405)
    assert refused["instance"] == "/api/v1/me"


def test_every_request_of_a_token_runs_the_same_queries(alice: User) -> None:
    """Endpoints pin their query counts: what the core adds must not depend on whether
    it is the token's first use, or the window's first request."""
    token = make_token(alice)
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert api_get(token, "/me").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
