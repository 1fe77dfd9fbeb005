"""The search page: it finds what the reader may see, and nothing else."""

from __future__ import annotations

import pytest
from django.test import Client

from cercle.accounts.models import User
from cercle.communities.models import Visibility
from cercle.conversations import actions
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def hits(client: Client, text: str, **filters: str) -> str:
    response = client.get("/search/", {"q": text, **filters})
    assert response.status_code == 200
    return response.content.decode()


def test_search_finds_topics_and_replies_with_highlighted_words(alice: User) -> None:
    cargo = community(alice, slug="cargo")
    general = cargo.spaces.get()
    topic = actions.do_start_topic(
        alice, general, kind="question", title="Longtail or front-loader?", body="Steep <streets>"
    )
    bob = make_person("bob2@example.org", "Bob Rider")
    community_actions.do_join(bob, cargo)
    actions.do_reply(bob, topic, body="A longtail with a mid-drive motor climbs best.")
    page = hits(Client(), "longtail")
    assert page.count('class="search-hit"') == 2
    assert "<mark>" in page
    assert "2 results" in page
    solved_only = hits(Client(), "longtail", solved="yes")
    assert solved_only.count('class="search-hit"') == 0


def test_search_never_shows_a_private_space_to_an_unlisted_member(alice: User) -> None:
    cargo = community(alice, slug="cargo", visibility=Visibility.MEMBERS)
    lab = community_actions.do_create_space(alice, cargo, name="Lab", is_private=True)
    actions.do_start_topic(alice, lab, kind="discussion", title="Secret prototype", body="Welded")
    member = make_person("member@example.org", "Member")
    community_actions.do_join(member, cargo)
    reader = Client()
    reader.force_login(member)
    assert 'class="search-hit"' not in hits(reader, "prototype")
    assert 'class="search-hit"' not in hits(Client(), "prototype")
    coordinator = Client()
    coordinator.force_login(alice)
    assert hits(coordinator, "prototype").count('class="search-hit"') == 1


def test_unknown_filter_values_are_ignored_not_errors(alice: User) -> None:
    page = hits(
        Client(), "x", community="nope", kind="bogus", solved="maybe", period="ever", page="abc"
    )
    assert "0 results" in page
