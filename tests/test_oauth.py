"""OAuth 2.0 for third-party applications: staff register them, a person consents
(authorization code with PKCE S256, nothing else), the API reads the token as its
person with its scopes, and the person revokes it from their account."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.urls import reverse
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from cercle.accounts.models import User
from cercle.api import caller as api_caller
from cercle.api.auth import BearerAuth
from cercle.api.caller import Scope
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.oauth import actions, scopes
from cercle.oauth.actions import Registration
from cercle.oauth.models import AllowedScopes
from cercle.privacy import export
from tests.communities import client_for, staff_person

REDIRECT = "https://client.example/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def register(
    *, confidential: bool = True, allowed: tuple[str, ...] = ("read", "write")
) -> tuple[Application, str]:
    return actions.do_register_application(
        staff_person(),
        Registration("Intranet", [REDIRECT], confidential=confidential, scopes=list(allowed)),
    )


def authorize_url(
    app: Application, challenge: str | None, scope: str = "read", **extra: str
) -> str:
    query = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "s-123",
    }
    if challenge is not None:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    query |= extra
    return f"{reverse('oauth:authorize')}?{urlencode(query)}"


def consent_fields(html: str) -> dict[str, str]:
    """The hidden fields of the consent form, as the browser would send them back."""
    fields = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html):
        fields[name] = unescape(value)
    return fields


def consent(
    person_client: Client,
    app: Application,
    challenge: str,
    *,
    allow: bool,
    scope: str = "read",
    **extra: str,
) -> Any:
    page = person_client.get(authorize_url(app, challenge, scope=scope, **extra))
    if page.status_code == 302 and allow:
        return page  # allowed before with the same scopes: not asked again
    assert page.status_code == 200, page.content
    data = consent_fields(page.content.decode())
    if allow:
        data["allow"] = "Authorize"
    return person_client.post(reverse("oauth:authorize"), data)


def redirect_params(response: Any) -> dict[str, str]:
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def exchange(app: Application, secret: str, code: str, verifier: str) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": app.client_id,
        "code_verifier": verifier,
    }
    if secret:
        data["client_secret"] = secret
    return Client().post(reverse("oauth:token"), data)


def access_token_for(person: User, app: Application, secret: str, scope: str = "read") -> str:
    verifier, challenge = pkce()
    params = redirect_params(consent(client_for(person), app, challenge, allow=True, scope=scope))
    answer = exchange(app, secret, params["code"], verifier)
    assert answer.status_code == 200, answer.content
    return str(answer.json()["access_token"])


def me(token: str) -> Any:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")


# --- The flow ---------------------------------------------------------------------------------


def test_allowing_gives_a_code_that_pkce_turns_into_a_token_of_the_person(alice: User) -> None:
    app, secret = register()
    verifier, challenge = pkce()
    params = redirect_params(consent(client_for(alice), app, challenge, allow=True))
    assert params["state"] == "s-123"
    answer = exchange(app, secret, params["code"], verifier)
    assert answer.status_code == 200
    body = answer.json()
    assert body["scope"] == "read"
    assert body["expires_in"] == 3600
    assert body["refresh_token"]
    seen = me(body["access_token"])
    assert seen.status_code == 200
    assert seen.json()["id"] == alice.pk
    assert seen.json()["via"] == "oauth"
    assert seen.json()["scopes"] == ["read"]
    consented = SecurityEvent.objects.get(kind=SecurityKind.OAUTH_APP_AUTHORIZED)
    assert consented.subject == alice
    assert consented.detail["scopes"] == "read"


def test_denying_sends_the_person_back_with_access_denied_and_no_code(alice: User) -> None:
    app, _secret = register()
    _verifier, challenge = pkce()
    params = redirect_params(consent(client_for(alice), app, challenge, allow=False))
    assert params["error"] == "access_denied"
    assert "code" not in params
    assert not Grant.objects.exists()
    assert not SecurityEvent.objects.filter(kind=SecurityKind.OAUTH_APP_AUTHORIZED).exists()


def test_the_consent_screen_names_the_application_and_what_each_scope_lets_it_do(
    alice: User,
) -> None:
    app, _secret = register()
    _verifier, challenge = pkce()
    page = client_for(alice).get(authorize_url(app, challenge, scope="read write"))
    text = page.content.decode()
    assert "Allow “Intranet” to use Cercle for you?" in text
    assert str(scopes.SCOPE_LABELS["read"]) in text
    assert "Write as you: post, react, vote, answer invitations" in text
    assert "Coordinate" not in text
    assert "form-action 'self' https://client.example" in page["Content-Security-Policy"]


def test_the_consent_screen_speaks_french(alice: User) -> None:
    alice.language = "fr"
    alice.save()
    app, _secret = register()
    _verifier, challenge = pkce()
    text = client_for(alice).get(authorize_url(app, challenge)).content.decode()
    assert "Autoriser" in text
    assert "Allow “Intranet”" not in text


def test_a_person_who_already_allowed_the_same_scopes_is_not_asked_again(alice: User) -> None:
    app, secret = register()
    access_token_for(alice, app, secret)
    _verifier, challenge = pkce()
    again = client_for(alice).get(authorize_url(app, challenge))
    assert "code" in redirect_params(again)
    # Straight after Cercle's own log-in form: through a page that moves on by itself.
    after_login = client_for(alice).get(
        authorize_url(app, challenge), HTTP_REFERER="http://testserver/accounts/login/"
    )
    assert after_login.status_code == 200
    refresh = re.search(
        r'<meta http-equiv="refresh" content="0;url=([^"]+)">', after_login.content.decode()
    )
    assert refresh is not None
    assert unescape(refresh.group(1)).startswith(f"{REDIRECT}?code=")
    # More than was allowed: asked.
    wider = client_for(alice).get(authorize_url(app, challenge, scope="read write"))
    assert wider.status_code == 200


def test_a_logged_out_visitor_logs_in_first_and_comes_back(db: None) -> None:
    app, _secret = register()
    _verifier, challenge = pkce()
    url = authorize_url(app, challenge)
    answer = Client().get(url)
    assert answer.status_code == 302
    login = urlsplit(answer["Location"])
    assert login.path == reverse("account_login")
    assert parse_qs(login.query)["next"] == [url]


def test_pkce_is_required(alice: User) -> None:
    app, _secret = register()
    answer = client_for(alice).get(authorize_url(app, None))
    params = redirect_params(answer)
    assert params["error"] == "invalid_request"
    assert params["error_description"] == "Code challenge required."
    assert not Grant.objects.exists()


def test_the_plain_pkce_method_is_refused(alice: User) -> None:
    app, _secret = register()
    verifier, _challenge = pkce()
    answer = consent(client_for(alice), app, verifier, allow=True, code_challenge_method="plain")
    params = redirect_params(answer)
    assert params["error"] == "invalid_request"
    assert "code" not in params
    assert not Grant.objects.exists()


def test_a_wrong_verifier_is_refused(alice: User) -> None:
    app, secret = register()
    _verifier, challenge = pkce()
    params = redirect_params(consent(client_for(alice), app, challenge, allow=True))
    other_verifier, _other = pkce()
    answer = exchange(app, secret, params["code"], other_verifier)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()


def test_a_public_client_has_no_secret_and_uses_pkce_alone(alice: User) -> None:
    app, secret = register(confidential=False)
    assert secret == ""
    assert app.client_type == Application.CLIENT_PUBLIC
    token = access_token_for(alice, app, "")
    assert me(token).json()["id"] == alice.pk


def test_a_confidential_client_needs_its_secret(alice: User) -> None:
    app, _secret = register()
    verifier, challenge = pkce()
    params = redirect_params(consent(client_for(alice), app, challenge, allow=True))
    answer = exchange(app, "not-the-secret", params["code"], verifier)
    assert answer.status_code == 401
    assert not AccessToken.objects.exists()


def test_only_the_authorization_code_grant_is_accepted(alice: User) -> None:
    app, secret = register()
    password = Client().post(
        reverse("oauth:token"),
        {
            "grant_type": "password",
            "username": alice.email,
            "password": "x",
            "client_id": app.client_id,
            "client_secret": secret,
        },
    )
    assert password.status_code in {400, 401}
    assert not AccessToken.objects.exists()
    _verifier, challenge = pkce()
    implicit = client_for(alice).get(authorize_url(app, challenge, response_type="token"))
    assert "access_token" not in implicit.get("Location", "")


def test_scopes_narrow_the_token_and_stay_within_what_staff_allowed(alice: User) -> None:
    app, secret = register(allowed=("read",))
    token = access_token_for(alice, app, secret)
    found = AccessToken.objects.get()
    assert found.scope == "read"
    request = Client().get("/").wsgi_request
    request.META["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    caller = BearerAuth().authenticate(request, token)
    assert caller is not None
    assert caller.allows(Scope.READ)
    assert not caller.allows(Scope.WRITE)
    assert caller.key == f"oauth:{app.pk}:{alice.pk}"
    # A scope staff did not allow cannot even be asked for.
    _verifier, challenge = pkce()
    params = redirect_params(client_for(alice).get(authorize_url(app, challenge, scope="write")))
    assert params["error"] == "invalid_scope"


def test_a_deactivated_persons_token_is_refused(alice: User) -> None:
    app, secret = register()
    token = access_token_for(alice, app, secret)
    alice.is_active = False
    alice.save()
    assert me(token).status_code == 401


def test_an_expired_or_unknown_token_is_refused(alice: User) -> None:
    app, secret = register()
    token = access_token_for(alice, app, secret)
    assert me("not-a-token").status_code == 401
    AccessToken.objects.update(expires="2000-01-01T00:00:00Z")
    assert me(token).status_code == 401


def test_the_client_may_revoke_its_own_token(alice: User) -> None:
    app, secret = register()
    token = access_token_for(alice, app, secret)
    answer = Client().post(
        reverse("oauth:revoke-token"),
        {"token": token, "client_id": app.client_id, "client_secret": secret},
    )
    assert answer.status_code == 200
    assert me(token).status_code == 401


# --- The person's side --------------------------------------------------------------------------


def test_the_account_lists_the_application_and_revoking_ends_its_access(
    alice: User, bob: User
) -> None:
    app, secret = register()
    token = access_token_for(alice, app, secret, scope="read write")
    bobs = access_token_for(bob, app, secret)
    page = client_for(alice).get(reverse("oauth:authorized"))
    text = page.content.decode()
    assert "Intranet" in text
    assert "Write as you" in text
    assert 'aria-current="page">Authorized applications' in text
    answer = client_for(alice).post(reverse("oauth:revoke", args=[app.pk]))
    assert answer.status_code == 302
    assert me(token).status_code == 401
    assert not AccessToken.objects.filter(user=alice).exists()
    assert not RefreshToken.objects.filter(user=alice).exists()
    assert me(bobs).status_code == 200  # only hers
    assert (
        SecurityEvent.objects.filter(kind=SecurityKind.OAUTH_APP_REVOKED, subject=alice).count()
        == 1
    )
    assert "Intranet" not in client_for(alice).get(reverse("oauth:authorized")).content.decode()


def test_the_account_page_pins_its_queries(alice: User, django_assert_max_num_queries: Any) -> None:
    app, secret = register()
    for _ in range(3):
        access_token_for(alice, app, secret)
    other, other_secret = actions.do_register_application(
        User.objects.get(email="op@example.org"),
        Registration("Dashboard", [REDIRECT], confidential=True, scopes=["read"]),
    )
    access_token_for(alice, other, other_secret)
    person = client_for(alice)
    with django_assert_max_num_queries(12):
        text = person.get(reverse("oauth:authorized")).content.decode()
    assert "Intranet" in text
    assert "Dashboard" in text


# --- Staff ------------------------------------------------------------------------------------


def test_staff_pages_refuse_everyone_else(alice: User) -> None:
    app, _secret = register()
    person = client_for(alice)
    for url in (
        reverse("oauth:applications"),
        reverse("oauth:register"),
        reverse("oauth:application", args=[app.pk]),
        reverse("oauth:edit", args=[app.pk]),
        reverse("oauth:delete", args=[app.pk]),
    ):
        assert person.get(url).status_code == 403
        assert person.post(url, {"name": "x"}).status_code in {403, 405}
    assert Client().get(reverse("oauth:applications")).status_code == 302
    assert Application.objects.get().name == "Intranet"


def test_staff_register_an_application_and_see_its_secret_once(db: None) -> None:
    operator = staff_person()
    staff = client_for(operator)
    form = staff.get(reverse("oauth:register")).content.decode()
    once = re.search(r'name="once" value="([^"]+)"', form)
    data = {
        "name": "Intranet",
        "redirect_uris": f"{REDIRECT}\nhttps://client.example/other",
        "client_type": "confidential",
        "scopes": ["read", "write"],
        "once": once.group(1) if once else "",
    }
    answer = staff.post(reverse("oauth:register"), data)
    assert answer.status_code == 200
    assert answer["Cache-Control"] == "no-store"
    app = Application.objects.get()
    text = answer.content.decode()
    secret = re.search(r'id="client-secret">([^<]+)<', text)
    assert secret is not None
    # Stored hashed: the shown secret is not in the database, but it checks.
    assert app.client_secret != secret.group(1)
    assert app.hash_client_secret
    assert check_password(secret.group(1), app.client_secret)
    assert app.redirect_uris == f"{REDIRECT} https://client.example/other"
    assert app.authorization_grant_type == Application.GRANT_AUTHORIZATION_CODE
    assert app.allowed_scopes.names == ["read", "write"]
    # Never again: not on its page, not on the same submission sent twice.
    shown_again = staff.get(reverse("oauth:application", args=[app.pk])).content.decode()
    assert secret.group(1) not in shown_again
    again = staff.post(reverse("oauth:register"), data)
    assert again.status_code == 302
    assert Application.objects.count() == 1
    registered = SecurityEvent.objects.get(kind=SecurityKind.OAUTH_APP_REGISTERED)
    assert registered.actor == operator
    assert secret.group(1) not in str(registered.detail)
    listing = staff.get(reverse("oauth:applications")).content.decode()
    assert "Intranet" in listing
    assert "OAuth applications" in staff.get(reverse("staff_tools")).content.decode()


def test_a_redirect_uri_that_is_not_absolute_is_refused_next_to_the_form(db: None) -> None:
    staff = client_for(staff_person())
    answer = staff.post(
        reverse("oauth:register"),
        {"name": "X", "redirect_uris": "not a uri", "client_type": "public", "scopes": ["read"]},
    )
    assert answer.status_code == 200
    assert "A redirect URI is not valid" in answer.content.decode()
    assert not Application.objects.exists()


def test_staff_edit_the_scopes_and_delete_the_application(alice: User) -> None:
    app, secret = register()
    token = access_token_for(alice, app, secret)
    staff = client_for(User.objects.get(email="op@example.org"))
    edited = staff.post(
        reverse("oauth:edit", args=[app.pk]),
        {"name": "Intranet 2", "redirect_uris": REDIRECT, "scopes": ["read"]},
    )
    assert edited.status_code == 302
    app.refresh_from_db()
    assert app.name == "Intranet 2"
    assert AllowedScopes.objects.get(application=app).names == ["read"]
    assert app.client_type == Application.CLIENT_CONFIDENTIAL
    deleted = staff.post(reverse("oauth:delete", args=[app.pk]))
    assert deleted.status_code == 302
    assert not Application.objects.exists()
    assert me(token).status_code == 401
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {SecurityKind.OAUTH_APP_CHANGED, SecurityKind.OAUTH_APP_DELETED} <= kinds


def test_no_management_view_of_the_toolkit_is_served(alice: User) -> None:
    person = client_for(alice)
    for url in (
        "/oauth/applications/",
        "/oauth/authorized_tokens/",
        "/oauth/introspect/",
        "/o/applications/",
    ):
        assert person.get(url).status_code == 404


def test_the_scope_labels_are_the_apis() -> None:
    assert {str(scope): str(label) for scope, label in api_caller.SCOPE_LABELS.items()} == {
        name: str(label) for name, label in scopes.SCOPE_LABELS.items()
    }
    assert tuple(scope.value for scope in Scope) == scopes.SCOPE_NAMES


@pytest.mark.parametrize("path", ["/api/v1/me"])
def test_a_personal_path_without_token_is_refused(db: None, path: str) -> None:
    assert Client().get(path).status_code == 401


def test_the_persons_export_lists_the_authorizations_without_the_tokens(alice: User) -> None:
    app, secret = register()
    token = access_token_for(alice, app, secret)
    rows = export.sections(alice)["oauth_authorizations"]
    assert len(rows) == 1
    assert rows[0]["application_id"] == app.pk
    assert rows[0]["scope"] == "read"
    assert {"created", "expires", "updated"} <= set(rows[0])
    assert token not in str(rows)


def test_an_unregistered_redirect_uri_is_never_redirected_to(alice: User) -> None:
    app, _secret = register()
    _verifier, challenge = pkce()
    url = authorize_url(app, challenge, redirect_uri="https://evil.example/steal")
    answer = client_for(alice).get(url)
    assert answer.status_code == 400
    assert "This authorization request cannot go on" in answer.content.decode()
    unknown = client_for(alice).get(authorize_url(app, challenge, client_id="nobody"))
    assert unknown.status_code in {400, 401}
    assert "evil.example" not in answer.get("Location", "")


def test_the_staff_list_pins_its_queries(
    alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    app, secret = register()
    access_token_for(alice, app, secret)
    access_token_for(bob, app, secret)
    operator = User.objects.get(email="op@example.org")
    for name in ("Dashboard", "Mobile"):
        actions.do_register_application(
            operator, Registration(name, [REDIRECT], confidential=False, scopes=["read"])
        )
    staff = client_for(operator)
    with django_assert_max_num_queries(8):
        text = staff.get(reverse("oauth:applications")).content.decode()
    for name in ("Intranet", "Dashboard", "Mobile"):
        assert name in text
    assert re.search(r'People who authorized it">\s*2\s*<', text)


def test_http_redirect_uris_go_only_to_this_device_and_tokens_are_stored_hashed(
    alice: User,
) -> None:
    from cercle.errors import ActionRefused  # noqa: PLC0415

    app, secret = register()
    staff = User.objects.get(email="op@example.org")
    for uri in ("http://client.example/callback", "http://10.0.0.5/cb"):
        with pytest.raises(ActionRefused, match="only to this device"):
            actions.do_register_application(
                staff, Registration("Plain", [uri], confidential=True, scopes=["read"])
            )
    assert not Application.objects.filter(name="Plain").exists()
    native, _ = actions.do_register_application(
        staff,
        Registration("Desktop", ["http://127.0.0.1:8765/cb"], confidential=False, scopes=["read"]),
    )
    assert native.redirect_uris == "http://127.0.0.1:8765/cb"
    # RFC 9700: the database keeps no usable token, yet the token works.
    token = access_token_for(alice, app, secret)
    stored = AccessToken.objects.get(user=alice, application=app)
    assert stored.token != token
    assert me(token).status_code == 200
