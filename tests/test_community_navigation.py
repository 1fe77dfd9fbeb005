"""The shell around every page (issue 14): the header's account menu with the person's
profile and the language, the language form in the footer, and the community
navigation (spaces with unread counts, the places, the Animate section, the one Create
menu), computed in a fixed number of queries."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Audience, Community, Space
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from cercle.membership import actions as community_actions
from cercle.ui import navigation
from tests.communities import client_for, community, html


def side_nav(page: str) -> str:
    """The desktop sidebar of a page (the phone drawer repeats it)."""
    match = re.search(r'<nav class="community-nav community-nav--side".*?</nav>', page, re.S)
    assert match is not None, "no community navigation on the page"
    return match.group(0)


def unread_of(page: str, space_name: str) -> int:
    """The unread count the sidebar shows beside a space (0 when it shows none)."""
    nav = side_nav(page)
    item = re.search(
        r'<span class="community-nav__label">'
        + re.escape(space_name)
        + r'</span>(?:(?!</li>).)*?data-unread="(\d+)"',
        nav,
        re.S,
    )
    return int(item.group(1)) if item else 0


def create_entries(page: str) -> list[str]:
    nav = side_nav(page)
    menu = re.search(r'<details class="menu create-menu">.*?</details>', nav, re.S)
    if menu is None:
        return []
    return re.findall(r'<a href="([^"]+)">', menu.group(0))


# --- Header and footer ----------------------------------------------------------------------


def test_the_account_menu_leads_to_my_profile_and_chooses_the_language(alice: User) -> None:
    page = html(client_for(alice), "/")
    menu = page.split('<nav class="user-menu"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("profile", kwargs={"handle": alice.handle})}"' in menu
    assert "My profile" in menu
    assert 'id="menu-language-select"' in menu


def test_the_language_is_chosen_in_the_footer_not_in_the_header(db: None) -> None:
    page = html(client_for(None), "/")
    header = page.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
    footer = page.split('<footer class="site-footer">', 1)[1]
    assert "language-form" not in header
    assert 'id="footer-language-select"' in footer
    assert f'action="{reverse("set_language")}"' in footer


def test_the_footer_form_changes_the_language_without_javascript(alice: User) -> None:
    client = client_for(alice)
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="fr">' in html(client, "/")


# --- The community navigation ---------------------------------------------------------------


def test_pages_outside_a_community_have_no_community_navigation(alice: User) -> None:
    assert "community-nav" not in html(client_for(alice), "/")


def test_a_community_page_shows_its_spaces_and_places(
    cargo: Community, general: Space, alice: User
) -> None:
    nav = side_nav(html(client_for(alice), general.get_absolute_url()))
    assert general.name in nav
    assert f'href="{general.get_absolute_url()}" aria-current="page"' in nav
    for place in ("Library", "Wiki", "Events", "Activities", "Ideas", "Members"):
        assert f'<span class="community-nav__label">{place}</span>' in nav, place


def test_a_private_space_is_in_the_navigation_only_of_those_listed(
    cargo: Community, lab: Space, alice: User, bob: User
) -> None:
    assert "Lab" in side_nav(html(client_for(alice), cargo.get_absolute_url()))
    assert "Lab" not in side_nav(html(client_for(bob), cargo.get_absolute_url()))


def test_an_unread_count_appears_for_a_new_topic_and_goes_once_read(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    reader = client_for(alice)
    assert unread_of(html(reader, cargo.get_absolute_url()), general.name) == 0
    topic = talk.do_start_topic(bob, general, kind=Kind.QUESTION, title="Brakes?", body="Which?")
    assert unread_of(html(reader, cargo.get_absolute_url()), general.name) == 1
    # The writer's own topic is not unread for them.
    assert unread_of(html(client_for(bob), cargo.get_absolute_url()), general.name) == 0
    html(reader, topic.get_absolute_url())
    assert unread_of(html(reader, cargo.get_absolute_url()), general.name) == 0
    # A new reply makes it unread again.
    talk.do_reply(bob, topic, body="Disc brakes, I think.")
    assert unread_of(html(reader, cargo.get_absolute_url()), general.name) == 1


def test_visitors_see_the_navigation_without_counts_nor_create_menu(
    cargo: Community, general: Space, bob: User
) -> None:
    talk.do_start_topic(bob, general, kind=Kind.DISCUSSION, title="Hello", body="Hi")
    page = html(client_for(None), cargo.get_absolute_url())
    assert general.name in side_nav(page)
    assert "data-unread" not in side_nav(page)
    assert create_entries(page) == []
    assert "Animate" not in side_nav(page)


def test_a_member_may_create_only_what_members_may(
    cargo: Community, general: Space, alice: User
) -> None:
    entries = create_entries(html(client_for(alice), cargo.get_absolute_url()))
    slug = cargo.slug
    assert entries == [
        reverse("topic_new", kwargs={"slug": slug, "space": general.slug}),
        reverse("topic_new", kwargs={"slug": slug, "space": general.slug}) + "?kind=question",
        reverse("wiki_new", kwargs={"slug": slug, "space": general.slug}),
        reverse("knowledge:library", kwargs={"slug": slug}),
        reverse("ideas:new", kwargs={"slug": slug}),
    ]
    assert "Animate" not in side_nav(html(client_for(alice), cargo.get_absolute_url()))


def test_a_coordinator_may_create_everything_and_every_entry_opens(
    cargo: Community, general: Space, coordinator: User
) -> None:
    client = client_for(coordinator)
    page = html(client, cargo.get_absolute_url())
    entries = create_entries(page)
    slug = {"slug": cargo.slug}
    for expected in [
        reverse("activities:new_poll", kwargs=slug),
        reverse("activities:new_quiz", kwargs=slug),
        reverse("activities:new_challenge", kwargs=slug),
        reverse("contests:new", kwargs=slug),
        reverse("events:new", kwargs=slug),
        reverse("events:new_ritual", kwargs=slug),
        reverse("animation:new_post", kwargs=slug),
    ]:
        assert expected in entries, expected
    assert len(entries) == 12
    for url in entries:
        html(client, url)
    nav = side_nav(page)
    assert "Animate" in nav
    for tool in ("Cockpit", "Next actions", "Editorial calendar", "Newcomers"):
        assert f'<span class="community-nav__label">{tool}</span>' in nav, tool
    for link in re.findall(r'href="(/c/[^"]+)"', nav):
        html(client, link)


def test_every_link_of_a_members_navigation_opens(
    cargo: Community, general: Space, alice: User
) -> None:
    client = client_for(alice)
    page = html(client, general.get_absolute_url())
    for link in re.findall(r'href="(/c/[^"]+)"', side_nav(page)):
        html(client, link)
    for link in create_entries(page):
        html(client, link)


def test_the_navigation_runs_the_same_queries_whatever_the_number_of_spaces(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
    django_assert_num_queries: Any,
) -> None:
    def measure() -> int:
        navigation_queries = 0
        with django_assert_num_queries(3) as captured:  # spaces, membership, unread
            nav = navigation.community_nav(alice, cargo.slug)
        navigation_queries = len(captured)
        assert nav is not None
        return navigation_queries

    talk.do_start_topic(bob, general, kind=Kind.DISCUSSION, title="One", body="Text")
    assert measure() == 3
    for number in range(5):
        space = community_actions.do_create_space(coordinator, cargo, name=f"Room {number}")
        talk.do_start_topic(bob, space, kind=Kind.DISCUSSION, title="New", body="Text")
    assert measure() == 3
    nav = navigation.community_nav(alice, cargo.slug)
    assert nav is not None
    assert [item.unread for item in nav.spaces] == [1] * 6


def test_no_navigation_for_a_community_the_person_may_not_see(
    db: None, coordinator: User, alice: User
) -> None:
    hidden = community(coordinator, slug="inside", audience=Audience.INTERNAL)
    assert navigation.community_nav(alice, hidden.slug) is None
    assert navigation.community_nav(alice, "no-such-community") is None


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_navigation_speaks_the_readers_language(
    cargo: Community, alice: User, language: str
) -> None:
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    nav = side_nav(html(client, cargo.get_absolute_url()))
    assert ("Bibliothèque" in nav) == (language == "fr")
    assert ("Créer" in nav) == (language == "fr")
