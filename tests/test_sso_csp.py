"""Providers set on the administration site: the pages that show their buttons let
their forms lead to the provider (CSP form-action), other pages do not; a person
signed in through an OpenID Connect provider may log out through it from any page."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from cercle.sso.oidc_logout import SESSION_KEY
from tests.communities import make_person

pytestmark = pytest.mark.django_db


def form_action(response: HttpResponseBase) -> str:
    header = str(response["Content-Security-Policy"])
    return next(part for part in header.split(";") if part.strip().startswith("form-action"))


@pytest.fixture
def admin_providers() -> None:
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="intranet",
        name="Intranet",
        client_id="cercle",
        secret="s3cret",
        settings={"server_url": "https://id.intranet.example/realms/staff"},
    )
    SocialApp.objects.create(
        provider="saml",
        provider_id="adfs",
        name="ADFS",
        client_id="adfs",
        settings={
            "idp": {
                "entity_id": "https://adfs.example.net/adfs/services/trust",
                "sso_url": "https://adfs.example.net/adfs/ls/",
                "x509cert": "MIIC",
            }
        },
    )


def test_the_log_in_page_lets_its_buttons_lead_to_admin_providers(admin_providers: None) -> None:
    page = Client().get(reverse("account_login"))
    assert "Log in with Intranet" in page.content.decode()
    policy = form_action(page)
    assert "https://id.intranet.example" in policy
    assert "https://adfs.example.net" in policy
    assert "'self'" in policy


def test_a_page_without_buttons_keeps_the_strict_policy(admin_providers: None) -> None:
    policy = form_action(Client().get(reverse("home")))
    assert "intranet.example" not in policy
    assert "adfs.example.net" not in policy


def test_a_person_signed_in_through_a_provider_may_log_out_through_it_anywhere() -> None:
    alice = make_person("alice@example.org", "Alice Martin")
    client = Client()
    client.force_login(alice)
    assert "id.intranet.example" not in form_action(client.get(reverse("home")))
    session = client.session
    session[SESSION_KEY] = {
        "provider_id": "intranet",
        "id_token": "token",
        "origin": "https://id.intranet.example",
    }
    session.save()
    assert "https://id.intranet.example" in form_action(client.get(reverse("home")))
