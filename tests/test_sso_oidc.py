"""OpenID Connect sign-in: the operator's configuration, and the protocol's checks
(state, nonce, PKCE) against a real provider (tests/idp_oidc.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.sso.oidc import openid_connect_apps, socialaccount_providers
from cercle.sso.oidc_logout import SESSION_KEY
from tests.communities import make_person
from tests.idp_oidc import (
    PROVIDER_ID,
    IdentityProvider,
    configure,
    oidc_idp,
    oidc_settings,
    sign_in_at_provider,
)

__all__ = ["oidc_idp", "oidc_settings"]  # fixtures used here

LOGIN = f"/accounts/oidc/{PROVIDER_ID}/login/"


def providers(*entries: dict[str, Any], **environ: str) -> list[dict[str, Any]]:
    return openid_connect_apps({"CERCLE_OIDC_PROVIDERS": json.dumps(list(entries)), **environ})


def entry(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "corp",
        "name": "Corp",
        "server_url": "https://id.example.org/realms/corp",
        "client_id": "cercle",
        "secret": "s3cret",
    }
    base.update(fields)
    return {key: value for key, value in base.items() if value is not None}


# --- Configuration ------------------------------------------------------------------


def test_no_variable_means_no_provider() -> None:
    assert openid_connect_apps({}) == []
    assert socialaccount_providers({}) == {"APPS": [], "OAUTH_PKCE_ENABLED": True}


def test_a_provider_becomes_an_allauth_app_with_pkce_and_the_organisation_flag() -> None:
    (app,) = providers(
        entry(organisation=True, groups_claim="roles", secret=None, secret_env="CORP_SECRET"),
        CORP_SECRET="from-the-environment",
    )
    assert app == {
        "provider_id": "corp",
        "name": "Corp",
        "client_id": "cercle",
        "secret": "from-the-environment",
        "settings": {
            "server_url": "https://id.example.org/realms/corp",
            "scope": ["openid", "email", "profile"],
            "organisation": True,
            "oauth_pkce_enabled": True,
            "groups_claim": "roles",
        },
    }


def test_defaults_and_several_providers() -> None:
    first, second = providers(entry(), entry(id="partners", scopes="openid email"))
    assert first["settings"]["organisation"] is False
    assert "groups_claim" not in first["settings"]
    assert second["provider_id"] == "partners"
    assert second["settings"]["scope"] == ["openid", "email"]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "CERCLE_OIDC_PROVIDERS is not valid JSON"),
        ('{"id": "corp"}', "must be a JSON list"),
        ("[1]", "entry 0: each provider must be a JSON object"),
    ],
)
def test_malformed_variable_is_refused(raw: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        openid_connect_apps({"CERCLE_OIDC_PROVIDERS": raw})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"id": "Corp Inc"}, r"entry 0: 'id' is required"),
        ({"name": ""}, r"\(id 'corp'\): 'name' is required"),
        ({"server_url": "http://id.example.org"}, r"'server_url' .* must be an https:// URL"),
        ({"server_url": "ftp://id.example.org"}, "must be an https:// URL"),
        ({"client_id": None}, "'client_id' is required"),
        ({"secret": None}, "give exactly one of 'secret'"),
        ({"secret_env": "X"}, "give exactly one of 'secret'"),
        ({"secret": None, "secret_env": "ABSENT_VAR"}, "names ABSENT_VAR, which is not set"),
        ({"scopes": ["email"]}, "'scopes' must include 'openid'"),
        ({"scopes": [1]}, "'scopes' must be a list"),
        ({"organisation": "yes"}, "'organisation' must be true or false"),
        ({"groups_claim": ""}, "'groups_claim' is required and must be"),
        ({"redirect": "x"}, "unknown field.s. redirect"),
    ],
)
def test_bad_field_is_named(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        providers(entry(**fields))


def test_the_same_id_twice_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="the id 'corp' is used twice"):
        providers(entry(), entry())


def test_plain_http_is_accepted_for_a_provider_on_this_machine() -> None:
    (app,) = providers(entry(server_url="http://127.0.0.1:4000/"))
    assert app["settings"]["server_url"] == "http://127.0.0.1:4000"


def test_the_settings_fail_at_start_up_on_a_bad_variable(tmp_path: Any) -> None:
    environ = {**os.environ, "CERCLE_OIDC_PROVIDERS": '[{"id": "corp"}]'}
    result = subprocess.run(
        [sys.executable, "-c", "import cercle.settings"],
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "CERCLE_OIDC_PROVIDERS: entry 0 (id 'corp'): 'server_url' is required" in (result.stderr)


# --- The protocol, against the real provider ----------------------------------------


def refusals() -> list[tuple[str, str]]:
    """(provider, reason) of each SSO_REFUSED row (written by the social adapter)."""
    return [
        (event.detail["provider"], event.detail["reason"])
        for event in SecurityEvent.objects.filter(kind=SecurityKind.SSO_REFUSED)
    ]


def start(client: Client) -> tuple[str, dict[str, list[str]]]:
    response = client.post(LOGIN)
    assert response.status_code == 302
    location = response["Location"]
    return location, parse_qs(urlsplit(location).query)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def relative(url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == "testserver", url
    return f"{parts.path}?{parts.query}"


@pytest.mark.django_db
def test_authorization_request_carries_state_nonce_and_pkce(
    oidc_settings: IdentityProvider,
) -> None:
    location, query = start(Client())
    assert location.startswith(f"{oidc_settings.issuer}/auth?")
    assert query["client_id"] == ["cercle-tests"]
    assert query["redirect_uri"] == [
        f"http://testserver/accounts/oidc/{PROVIDER_ID}/login/callback/"
    ]
    assert sorted(query["scope"][0].split()) == ["email", "groups", "openid", "profile"]
    assert len(query["state"][0]) >= 12
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43


@pytest.mark.django_db
def test_sign_in_through_the_provider_creates_the_account(
    oidc_settings: IdentityProvider,
) -> None:
    oidc_settings.set_account(
        "ada", email="ada@corp.example", name="Ada Lovelace", groups=["cop-agile-leads"]
    )
    client = Client()
    authorize, _ = start(client)
    callback = sign_in_at_provider(authorize, "ada")
    response = client.get(relative(callback))
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(email="ada@corp.example")
    account = SocialAccount.objects.get(user=person)
    assert account.provider == PROVIDER_ID
    assert account.uid == "ada"
    assert account.extra_data["id_token"]["groups"] == ["cop-agile-leads"]
    assert client.session["_auth_user_id"] == str(person.pk)
    kept = client.session[SESSION_KEY]
    assert kept["provider_id"] == PROVIDER_ID
    assert kept["id_token"].count(".") == 2


@pytest.mark.django_db
def test_a_wrong_state_is_refused_and_nobody_is_signed_in(
    oidc_settings: IdentityProvider,
) -> None:
    oidc_settings.set_account("ada", email="ada@corp.example", name="Ada Lovelace")
    client = Client()
    authorize, _ = start(client)
    callback = sign_in_at_provider(authorize, "ada")
    response = client.get(relative(with_query(callback, state="forged-state-value")))
    assert response.status_code == 401
    page = response.content.decode()
    assert "Sign-in failed" in page
    assert "could not be matched with one started here" in page
    assert refusals() == [(PROVIDER_ID, "state")]
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="ada@corp.example").exists()
    # The genuine state still completes: only the forged one was refused.
    assert client.get(relative(callback)).status_code == 302
    assert User.objects.filter(email="ada@corp.example").exists()


@pytest.mark.django_db
def test_a_callback_in_another_browser_is_refused(oidc_settings: IdentityProvider) -> None:
    """The state belongs to the session that started the sign-in: a code sent to
    another browser (login CSRF) is refused there."""
    oidc_settings.set_account("ada", email="ada@corp.example", name="Ada Lovelace")
    authorize, _ = start(Client())
    callback = sign_in_at_provider(authorize, "ada")
    other = Client()
    other.get(relative(callback))
    assert refusals() == [(PROVIDER_ID, "state")]
    assert "_auth_user_id" not in other.session
    assert not User.objects.filter(email="ada@corp.example").exists()


@pytest.mark.django_db
def test_a_wrong_nonce_is_refused(oidc_settings: IdentityProvider) -> None:
    """The provider echoes the nonce it was sent: one that is not the one kept in the
    session (a replayed ID token) is refused."""
    oidc_settings.set_account("ada", email="ada@corp.example", name="Ada Lovelace")
    client = Client()
    authorize, _ = start(client)
    callback = sign_in_at_provider(with_query(authorize, nonce="not-the-one-kept"), "ada")
    response = client.get(relative(callback))
    assert response.status_code == 401
    assert refusals() == [(PROVIDER_ID, "exchange")]
    error = SecurityEvent.objects.get(kind=SecurityKind.SSO_REFUSED).detail["error"]
    assert "nonce is not the one sent" in error
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="ada@corp.example").exists()


@pytest.mark.django_db
def test_pkce_is_required_by_the_provider_and_checked(oidc_settings: IdentityProvider) -> None:
    """Without the code verifier kept in Cercle's session the code is worth nothing:
    an authorization request stripped of its challenge is refused by the provider."""
    client = Client()
    authorize, _ = start(client)
    stripped = urlsplit(authorize)
    query = {
        key: values[0]
        for key, values in parse_qs(stripped.query).items()
        if not key.startswith("code_challenge")
    }
    back = sign_in_at_provider(urlunsplit(stripped._replace(query=urlencode(query))), "ada")
    assert parse_qs(urlsplit(back).query)["error"] == ["invalid_request"]
    client.get(relative(back))
    assert "_auth_user_id" not in client.session
    assert refusals() == [(PROVIDER_ID, "denied")]


@pytest.mark.django_db
def test_logout_goes_through_the_providers_end_session(oidc_settings: IdentityProvider) -> None:
    oidc_settings.set_account("ada", email="ada@corp.example", name="Ada Lovelace")
    client = Client()
    authorize, _ = start(client)
    client.get(relative(sign_in_at_provider(authorize, "ada")))
    id_token = client.session[SESSION_KEY]["id_token"]
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{oidc_settings.issuer}/session/end"
    assert parse_qs(end.query) == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://testserver/"],
        "client_id": ["cercle-tests"],
    }
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logout_after_a_password_sign_in_stays_in_cercle(
    oidc_settings: IdentityProvider, django_user_model: Any
) -> None:
    person = make_person("bea@example.org", "Bea")
    client = Client()
    client.force_login(person)
    response = client.post("/accounts/logout/")
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_groups_claim_names_the_claim_read_as_groups(
    settings: Any, oidc_idp: IdentityProvider
) -> None:
    """Entra ID sends app roles in `roles`: with "groups_claim": "roles" the mapping
    rules on `groups` read them."""
    configure(settings, oidc_idp, groups_claim="roles")
    oidc_idp.set_account(
        "ada", email="ada@corp.example", name="Ada", groups=["ignored"], roles=["cop-leads"]
    )
    client = Client()
    authorize, _ = start(client)
    assert client.get(relative(sign_in_at_provider(authorize, "ada"))).status_code == 302
    data = SocialAccount.objects.get(uid="ada").extra_data
    assert data["id_token"]["groups"] == ["cop-leads"]
    assert data["userinfo"]["groups"] == ["cop-leads"]
    assert data["id_token"]["roles"] == ["cop-leads"]
