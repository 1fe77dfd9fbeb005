"""The single sign-on staff pages: providers and organisation-only domains, mapping
rules, the dry run (docs/sso.md)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client
from django.urls import reverse

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Community, Membership, Role
from cercle.sso.models import MappingRule, SsoOnlyDomain
from tests.communities import client_for, community, html, make_person, staff_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def providers(settings: Any) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "corp",
                    "name": "Acme Corp",
                    "client_id": "cercle",
                    "secret": "s",
                    "settings": {"server_url": "https://corp.idp.invalid", "organisation": True},
                }
            ]
        },
        "saml": {
            "APPS": [
                {
                    "name": "Partner SAML",
                    "provider_id": "partner-saml",
                    "client_id": "partner",
                    "settings": {"idp": {"entity_id": "urn:partner", "metadata_url": "x"}},
                }
            ]
        },
    }


@pytest.fixture
def operator(db: None) -> User:
    return staff_person()


@pytest.fixture
def staff(operator: User) -> Client:
    return client_for(operator)


@pytest.fixture
def agile(coordinator: User) -> Community:
    return community(coordinator, slug="pratiques-agiles", name="Pratiques agiles")


STAFF_PAGES = ("sso:overview", "sso:rules", "sso:new_rule", "sso:dry_run")


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_refuse_members_and_send_visitors_to_log_in(name: str, alice: User) -> None:
    url = reverse(name)
    assert client_for(alice).get(url).status_code == 403
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_members_cannot_write_rules_or_domains(alice: User, agile: Community) -> None:
    rule = MappingRule.objects.create(attribute="groups", value="x", community=agile)
    client = client_for(alice)
    assert client.post(reverse("sso:delete_rule", args=[rule.pk])).status_code == 403
    assert (
        client.post(reverse("sso:overview"), {"domain": "a.example", "provider_id": "corp"})
    ).status_code == 403
    assert MappingRule.objects.filter(pk=rule.pk).exists()
    assert not SsoOnlyDomain.objects.exists()


def test_the_overview_shows_each_provider_and_the_addresses_to_give_it(staff: Client) -> None:
    page = html(staff, reverse("sso:overview"))
    assert "Acme Corp" in page
    assert "The organisation&#x27;s" in page or "The organisation's" in page
    assert "http://127.0.0.1:8000/accounts/oidc/corp/login/callback/" in page
    assert "http://127.0.0.1:8000/accounts/saml/partner/metadata/" in page
    assert "http://127.0.0.1:8000/accounts/saml/partner/acs/" in page
    assert "the environment" in page


def test_staff_add_and_remove_an_organisation_only_domain(staff: Client, operator: User) -> None:
    response = staff.post(
        reverse("sso:overview"), {"domain": "@Acme.Example", "provider_id": "corp"}
    )
    assert response.status_code == 302
    domain = SsoOnlyDomain.objects.get()
    assert (domain.domain, domain.provider_id) == ("acme.example", "corp")
    event = SecurityEvent.objects.get(kind=SecurityKind.SETTING_CHANGED)
    assert event.actor == operator
    assert event.detail["domain"] == "acme.example"

    refused = staff.post(reverse("sso:overview"), {"domain": "not a domain", "provider_id": "nope"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Enter a domain such as example.org" in page
    assert "Choose one of the configured providers." in page
    assert SsoOnlyDomain.objects.count() == 1

    assert staff.post(reverse("sso:remove_domain", args=[domain.pk])).status_code == 302
    assert not SsoOnlyDomain.objects.exists()


def test_staff_create_edit_and_delete_a_rule_and_each_change_is_logged(
    staff: Client, operator: User, agile: Community
) -> None:
    response = staff.post(
        reverse("sso:new_rule"),
        {
            "provider_id": "corp",
            "attribute": " groups ",
            "value": "cop-agile-leads",
            "community": agile.pk,
            "role": Role.COORDINATOR,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    rule = MappingRule.objects.get()
    assert (rule.attribute, rule.role, rule.created_by) == ("groups", Role.COORDINATOR, operator)
    page = html(staff, reverse("sso:rules"))
    assert "cop-agile-leads" in page
    assert "Pratiques agiles" in page

    staff.post(
        reverse("sso:edit_rule", args=[rule.pk]),
        {"provider_id": "", "attribute": "groups", "value": "cop-agile", "community": agile.pk,
         "role": Role.MODERATOR},
    )  # fmt: skip
    rule.refresh_from_db()
    assert (rule.provider_id, rule.value, rule.role, rule.enabled) == (
        "", "cop-agile", Role.MODERATOR, False
    )  # fmt: skip

    staff.post(reverse("sso:delete_rule", args=[rule.pk]))
    assert not MappingRule.objects.exists()
    changes = SecurityEvent.objects.filter(kind=SecurityKind.MAPPING_CHANGED).order_by("pk")
    assert [event.detail["change"] for event in changes] == ["created", "updated", "deleted"]
    assert changes[1].detail["before"]["value"] == "cop-agile-leads"
    assert all(event.actor == operator for event in changes)


def test_a_bad_rule_is_refused_field_by_field_and_nothing_is_written(staff: Client) -> None:
    response = staff.post(
        reverse("sso:new_rule"),
        {"provider_id": "corp", "attribute": "  ", "value": "x", "community": 999, "role": "boss"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This community does not exist." in page
    assert "Select a valid choice" in page  # the role
    assert "This field is required." in page or "Name the attribute" in page
    assert 'value="x"' in page  # what was typed stays
    assert not MappingRule.objects.exists()
    assert not SecurityEvent.objects.exists()


def test_the_rules_page_has_a_bounded_number_of_queries(
    staff: Client, agile: Community, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    def add_rules(count: int) -> None:
        for number in range(count):
            where = community(coordinator, slug=f"c-{MappingRule.objects.count()}-{number}")
            MappingRule.objects.create(
                attribute="groups", value=f"g{number}", community=where, created_by=coordinator
            )

    add_rules(2)
    with django_assert_max_num_queries(12) as few:
        html(staff, reverse("sso:rules"))
    add_rules(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = html(staff, reverse("sso:rules"))
    assert page.count("sso:edit") == 0
    assert page.count("/staff/sso/rules/") >= 10


def test_a_dry_run_shows_what_would_change_and_writes_nothing(
    staff: Client, agile: Community
) -> None:
    MappingRule.objects.create(
        provider_id="corp", attribute="groups", value="cop-agile-leads", community=agile,
        role=Role.COORDINATOR,
    )  # fmt: skip
    dana = make_person("dana@elsewhere.example", "Dana Dupont")
    before = (Membership.objects.count(), SecurityEvent.objects.count())

    page = html(
        staff,
        reverse("sso:dry_run")
        + "?provider=corp&email=dana%40elsewhere.example&claims=groups%3Dcop-agile-leads",
    )
    assert "Pratiques agiles" in page
    assert "Not a member" in page
    assert "Coordinator" in page
    assert "Becomes internal: vouched for by the organisation\u2019s provider Acme Corp." in page
    assert before == (Membership.objects.count(), SecurityEvent.objects.count())
    dana.refresh_from_db()
    assert dana.organisation_provider == ""

    # Without typed claims: what the provider said at the last sign-in.
    SocialAccount.objects.create(
        user=dana, provider="corp", uid="dana",
        extra_data={"userinfo": {"groups": ["cop-agile-leads"]}},
    )  # fmt: skip
    page = html(staff, reverse("sso:dry_run") + "?provider=corp&email=dana%40elsewhere.example")
    assert "with what the provider said at their last sign-in" in page
    assert "Coordinator" in page

    # A first sign-in, from typed claims alone.
    page = html(staff, reverse("sso:dry_run") + "?provider=corp&claims=groups%3Dnothing")
    assert "For a person signing in for the first time" in page
    assert "The rules would change no membership." in page


def test_a_dry_run_says_what_is_wrong(staff: Client) -> None:
    response = staff.get(reverse("sso:dry_run") + "?provider=corp&email=nobody%40x.example")
    assert response.status_code == 400
    assert "No account has this address." in response.content.decode()
    response = staff.get(reverse("sso:dry_run") + "?provider=corp&claims=groups")
    assert "Line 1 is not attribute=value." in response.content.decode()
    response = staff.get(reverse("sso:dry_run") + "?provider=corp")
    assert "Type the claims, or name a person." in response.content.decode()
