from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations.models import Topic
from cercle.demo import DEMO_PEOPLE, demo_is_needed, load_demo
from cercle.people.models import Expertise

pytestmark = pytest.mark.django_db


def test_the_demo_is_bilingual_and_every_demo_login_works() -> None:
    assert demo_is_needed()
    load_demo()
    assert not demo_is_needed()
    assert {p.language for p in DEMO_PEOPLE} == {"en", "fr"}
    for person in DEMO_PEOPLE:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, person.email
        home = client.get(reverse("home"))
        assert home["Content-Language"] == person.language
        assert person.display_name in home.content.decode()


def test_the_demo_has_an_administrator() -> None:
    load_demo()
    admins = User.objects.filter(is_superuser=True)
    assert [a.email for a in admins] == ["camille@metropole.example"]


def test_the_demo_has_conversations_experts_and_a_private_working_group() -> None:
    load_demo()
    assert Community.objects.count() == 3
    assert Space.objects.filter(is_private=True).count() == 1
    assert Topic.objects.filter(kind="question").exclude(accepted_answer=None).exists()
    assert Topic.objects.filter(kind="announcement").exists()
    assert {t.community.language for t in Topic.objects.select_related("community")} == {"en", "fr"}
    assert Expertise.objects.filter(level=3).count() == 2
