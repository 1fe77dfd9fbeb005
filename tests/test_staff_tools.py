"""The staff tools page: one place that leads staff to every organisation-side tool."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cercle.accounts.models import User
from tests.communities import make_person, staff_person

pytestmark = pytest.mark.django_db

TOOLS = [
    "sso:overview",
    "scim:tokens",
    "mfa_policy",
    "sessions_staff_search",
    "staff_security_log",
    "privacy_staff_exports",
    "admin:index",
]


@pytest.fixture
def operator() -> User:
    return staff_person("op@example.org", "Olivia Operator")


def test_the_page_links_every_staff_tool_and_the_menu_leads_to_it(operator: User) -> None:
    client = Client()
    client.force_login(operator)
    page = client.get(reverse("staff_tools"))
    assert page.status_code == 200
    text = page.content.decode()
    for name in TOOLS:
        assert f'href="{reverse(name)}"' in text, name
    assert f'href="{reverse("staff_tools")}"' in client.get(reverse("home")).content.decode()


def test_others_do_not_find_it() -> None:
    member = make_person("alice@example.org", "Alice Martin")
    client = Client()
    client.force_login(member)
    assert client.get(reverse("staff_tools")).status_code == 404
    assert f'href="{reverse("staff_tools")}"' not in client.get(reverse("home")).content.decode()
    anonymous = Client().get(reverse("staff_tools"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))


def test_the_page_is_in_french(operator: User) -> None:
    client = Client(headers={"accept-language": "fr"})
    client.force_login(operator)
    operator.language = "fr"
    operator.save(update_fields=["language"])
    text = client.get(reverse("staff_tools")).content.decode()
    assert "Outils de l\u2019équipe" in text
    assert "Journal de sécurité" in text
