"""The first and later sign-ins through an identity provider, run through allauth's own
flow (`complete_social_login`) with a sign-in built by the provider's own code from the
claims an identity provider would send. The real identity providers' browser journeys
are in the OpenID Connect and SAML tests."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Audience, Community, Entry, Membership, Role, Status
from cercle.sso.models import MappingRule, SsoOnlyDomain
from tests.communities import PASSWORD, community, make_person

pytestmark = pytest.mark.django_db


def oidc_app(provider_id: str, name: str, **app_settings: Any) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": f"cercle-{provider_id}",
        "secret": "not-used-here",
        "settings": {"server_url": f"https://{provider_id}.idp.invalid", **app_settings},
    }


@pytest.fixture(autouse=True)
def providers(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                oidc_app("corp", "Acme Corp", organisation=True),
                oidc_app("partner", "Partner ID"),
            ]
        }
    }


@pytest.fixture
def agile(coordinator: User) -> Community:
    agile = community(
        coordinator,
        slug="pratiques-agiles",
        name="Pratiques agiles",
        audience=Audience.INTERNAL,
        entry=Entry.INVITATION,
    )
    MappingRule.objects.create(
        provider_id="corp",
        attribute="groups",
        value="cop-agile-leads",
        community=agile,
        role=Role.COORDINATOR,
    )
    return agile


def _request() -> HttpRequest:
    request = RequestFactory().get("/accounts/oidc/corp/login/callback/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    request.session.save()
    return request


def sign_in(provider_id: str, claims: dict[str, Any]) -> tuple[HttpRequest, HttpResponse]:
    """What allauth does once a provider answered: build the sign-in from its claims
    (the provider's own code) and complete it."""
    request = _request()
    with allauth_context.request_context(request):
        provider = get_adapter(request).get_provider(request, provider_id)
        sociallogin = provider.sociallogin_from_response(
            request, {"id_token": claims, "userinfo": claims}
        )
        sociallogin.state = {"process": "login"}
        response = complete_social_login(request, sociallogin)
    return request, response


def claims(email: str, *groups: str, verified: bool = True, **more: Any) -> dict[str, Any]:
    return {
        "sub": email.split("@", maxsplit=1)[0],
        "email": email,
        "email_verified": verified,
        "groups": list(groups),
        **more,
    }


def test_a_first_sign_in_creates_an_internal_person_mapped_to_coordinator(
    agile: Community,
) -> None:
    request, response = sign_in(
        "corp",
        claims(
            "dana@elsewhere.example",
            "cop-agile-leads",
            verified=False,  # the organisation's provider vouches for it anyway
            given_name="Dana",
            family_name="Dupont",
        ),
    )

    assert response.status_code == 302
    dana = User.objects.get(email="dana@elsewhere.example")
    assert str(request.session["_auth_user_id"]) == str(dana.pk)
    assert dana.display_name == "Dana Dupont"
    assert dana.organisation_provider == "corp"
    assert not dana.has_usable_password()
    assert EmailAddress.objects.get(user=dana).verified
    membership = Membership.objects.get(person=dana, community=agile)
    assert (membership.status, membership.role) == (Status.ACTIVE, Role.COORDINATOR)
    kinds = set(SecurityEvent.objects.filter(subject=dana).values_list("kind", flat=True))
    assert {
        SecurityKind.ACCOUNT_CREATED,
        SecurityKind.SSO_SIGN_IN,
        SecurityKind.MAPPING_APPLIED,
        SecurityKind.ROLE_CHANGED,
    } <= kinds


def test_a_second_sign_in_without_the_group_makes_them_a_member_again(agile: Community) -> None:
    sign_in("corp", claims("dana@elsewhere.example", "cop-agile-leads", name="Dana Dupont"))
    sign_in("corp", claims("dana@elsewhere.example", "everyone", name="Dana Dupont"))

    dana = User.objects.get(email="dana@elsewhere.example")
    assert SocialAccount.objects.filter(user=dana).count() == 1
    membership = Membership.objects.get(person=dana, community=agile)
    assert (membership.status, membership.role) == (Status.ACTIVE, Role.MEMBER)
    assert SecurityEvent.objects.filter(kind=SecurityKind.SSO_SIGN_IN, subject=dana).count() == 2


def test_a_provider_that_is_not_the_organisations_makes_nobody_internal() -> None:
    sign_in("partner", claims("erin@partner.example", name="Erin"))
    erin = User.objects.get(email="erin@partner.example")
    assert erin.organisation_provider == ""
    assert erin.display_name == "Erin"
    assert EmailAddress.objects.get(user=erin).verified  # the provider said so


def test_an_address_the_provider_does_not_vouch_for_stays_unverified() -> None:
    sign_in("partner", claims("finn@partner.example", verified=False, name="Finn"))
    assert not EmailAddress.objects.get(email="finn@partner.example").verified


def test_a_verified_account_is_linked_at_the_first_sign_in(alice: User) -> None:
    request, response = sign_in("corp", claims("alice@example.org", name="Alice from Acme"))

    assert response.status_code == 302
    assert str(request.session["_auth_user_id"]) == str(alice.pk)
    assert SocialAccount.objects.get(provider="corp").user == alice
    assert User.objects.count() == 1
    alice.refresh_from_db()
    assert alice.display_name == "Alice Martin"  # the account keeps its own name
    assert alice.organisation_provider == "corp"
    assert SecurityEvent.objects.filter(kind=SecurityKind.ACCOUNT_LINKED, subject=alice).exists()


def test_an_unverified_address_is_never_linked() -> None:
    mallory = make_person("victim@example.org", "Mallory", verified=False)
    request, response = sign_in("corp", claims("victim@example.org", "cop-agile-leads"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "never verified" in page
    assert "_auth_user_id" not in request.session
    assert not SocialAccount.objects.exists()
    assert User.objects.get() == mallory
    mallory.refresh_from_db()
    assert mallory.organisation_provider == ""
    refused = SecurityEvent.objects.get(kind=SecurityKind.SSO_REFUSED)
    assert refused.detail == {"provider": "corp", "reason": "unverified_account"}
    assert refused.subject_label == "victim@example.org"


def test_an_address_the_provider_does_not_vouch_for_is_never_linked(alice: User) -> None:
    request, response = sign_in("partner", claims("alice@example.org", verified=False))

    assert response.status_code == 403
    assert "did not confirm" in response.content.decode()
    assert "_auth_user_id" not in request.session
    assert not SocialAccount.objects.exists()


def test_an_admin_app_can_be_the_organisations(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {}
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="entra",
        name="Entra",
        client_id="x",
        secret="y",
        settings={"server_url": "https://entra.idp.invalid", "organisation": True},
    )
    sign_in("entra", claims("gil@elsewhere.example", name="Gil"))
    assert User.objects.get(email="gil@elsewhere.example").organisation_provider == "entra"


# --- Organisation-only domains -----------------------------------------------------------


@pytest.fixture
def acme_only(db: None) -> SsoOnlyDomain:
    return SsoOnlyDomain.objects.create(domain="acme.example", provider_id="corp")


def test_an_organisation_only_domain_refuses_password_log_in(acme_only: SsoOnlyDomain) -> None:
    make_person("hugo@acme.example", "Hugo")
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "hugo@acme.example", "password": PASSWORD}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "sign in through their organisation" in page
    assert "Log in with Acme Corp" in page
    assert "_auth_user_id" not in client.session
    # Other addresses log in as before.
    make_person("ines@example.org", "Ines")
    response = client.post(
        reverse("account_login"), {"login": "ines@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_an_organisation_only_domain_refuses_sign_up_and_password_reset(
    acme_only: SsoOnlyDomain,
) -> None:
    response = Client().post(
        reverse("account_signup"),
        {
            "display_name": "Jo",
            "email": "jo@ACME.example",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "sign in through their organisation" in response.content.decode()
    assert not User.objects.exists()

    make_person("kim@acme.example", "Kim")
    response = Client().post(reverse("account_reset_password"), {"email": "kim@acme.example"})
    assert response.status_code == 200
    assert "sign in through their organisation" in response.content.decode()


def test_an_organisation_only_domain_still_signs_in_through_its_provider(
    acme_only: SsoOnlyDomain,
) -> None:
    _request, response = sign_in("corp", claims("lou@acme.example", name="Lou"))
    assert response.status_code == 302
    assert User.objects.get(email="lou@acme.example").organisation_provider == "corp"


# --- The log-in page ------------------------------------------------------------------------


def test_the_log_in_and_sign_up_pages_show_one_button_per_provider() -> None:
    for name in ("account_login", "account_signup"):
        page = Client().get(reverse(name)).content.decode()
        assert page.count('class="button sso-providers__button') == 2
        assert "Log in with Acme Corp" in page
        assert "Log in with Partner ID" in page
        assert page.index("Log in with Acme Corp") < page.index('name="password')
        assert 'action="/accounts/oidc/corp/login/?process=login"' in page


def test_without_providers_the_log_in_page_has_no_button(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = Client().get(reverse("account_login")).content.decode()
    assert "sso-providers" not in page


# --- allauth's pages, in Cercle's words ----------------------------------------------------


def test_a_wrong_state_is_refused_with_a_page_that_says_why() -> None:
    response = Client().get("/accounts/oidc/corp/login/callback/?state=forged&code=anything")
    assert response.status_code == 401
    page = response.content.decode()
    assert "Sign-in failed" in page
    assert "could not be matched with one started here" in page
    refused = SecurityEvent.objects.get(kind=SecurityKind.SSO_REFUSED)
    assert refused.detail["reason"] == "state"
    assert refused.detail["provider"] == "corp"


def test_the_connections_page_lists_connected_and_connectable_providers(alice: User) -> None:
    SocialAccount.objects.create(user=alice, provider="corp", uid="alice")
    client = Client()
    client.force_login(alice)
    page = client.get(reverse("socialaccount_connections")).content.decode()
    assert "Organisation sign-in" in page
    assert "Acme Corp" in page
    assert "Connect Partner ID" in page
    assert 'action="/accounts/oidc/partner/login/?process=connect"' in page


def test_the_log_in_confirmation_and_cancelled_pages_are_cercles() -> None:
    page = Client().get("/accounts/oidc/corp/login/").content.decode()
    assert "Log in with Acme Corp" in page
    assert "You will be sent to Acme Corp" in page
    page = Client().get(reverse("socialaccount_login_cancelled")).content.decode()
    assert "Sign-in cancelled" in page
