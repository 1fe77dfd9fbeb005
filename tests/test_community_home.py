"""The community home (/c/SLUG/) as a living front page: what is being discussed, by
whom, what waits for an answer; the two primary actions; the animators' tools in one
card; people linked to their profiles; the small profile card behind them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.communities.models import Audience, Community, Entry, Role, Space, Visibility
from cercle.conversations import actions
from cercle.conversations.models import Kind, Topic
from cercle.events import actions as event_actions
from cercle.membership import actions as membership_actions
from cercle.people import actions as people_actions
from cercle.personas import actions as persona_actions
from tests.communities import client_for, community, html, internal_domain, join, make_person


@pytest.fixture
def members_corner(cargo: Community, coordinator: User) -> Space:
    return membership_actions.do_create_space(
        coordinator, cargo, name="Members corner", is_private=True
    )


@pytest.fixture
def general(cargo: Community) -> Space:
    return cargo.spaces.get(is_default=True)


def start(author: User, space: Space, title: str, kind: str = Kind.DISCUSSION) -> Topic:
    return actions.do_start_topic(author, space, kind=kind, title=title, body="What do you do?")


# --- What a reader sees -------------------------------------------------------------------


def test_a_visitor_reads_the_latest_public_topics_but_none_from_a_private_space(
    cargo: Community,
    general: Space,
    members_corner: Space,
    alice: User,
    coordinator: User,
) -> None:
    start(alice, general, "Which trailer for a cargo bike?")
    start(coordinator, members_corner, "Budget of the spring meetup")

    page = html(client_for(None), cargo.get_absolute_url())

    assert "Latest discussions" in page
    assert "Which trailer for a cargo bike?" in page
    assert "Budget of the spring meetup" not in page


def test_a_coordinator_sees_the_private_topics_on_the_home(
    cargo: Community, members_corner: Space, coordinator: User
) -> None:
    start(coordinator, members_corner, "Budget of the spring meetup")
    assert "Budget of the spring meetup" in html(client_for(coordinator), cargo.get_absolute_url())


def test_a_topic_line_shows_replies_solved_state_and_the_faces_of_its_posters(
    cargo: Community, general: Space, alice: User, bob: User, coordinator: User
) -> None:
    question = start(alice, general, "Which cargo bike for three children?", Kind.QUESTION)
    answer = actions.do_reply(bob, question, body="A long-tail.")
    actions.do_reply(coordinator, question, body="Or a trike.")
    question.refresh_from_db()
    actions.do_accept_answer(alice, question, answer)

    page = html(client_for(None), cargo.get_absolute_url())
    line = page[page.index("Which cargo bike for three children?") :]
    line = line[: line.index("</li>")]

    assert "Solved" in line
    assert "2 replies" in line
    faces = re.findall(r'class="face" href="/people/([^/]+)/"', line)
    # The asker first, then the most recent posters.
    assert faces == [alice.handle, coordinator.handle, bob.handle]


def test_a_persona_is_a_face_without_a_link_to_its_writer(
    cargo: Community, general: Space, coordinator: User, alice: User
) -> None:
    lola = persona_actions.do_create_persona(coordinator, cargo, name="Lola the Cargo Bike")
    topic = actions.do_start_topic(
        coordinator,
        general,
        kind=Kind.DISCUSSION,
        title="Hello from Lola",
        body="Hi!",
        persona=lola,
    )
    actions.do_reply(alice, topic, body="Hello Lola!")

    page = html(client_for(alice), cargo.get_absolute_url())
    line = page[page.index("Hello from Lola") :]
    line = line[: line.index("</li>")]

    assert "Lola the Cargo Bike" in line
    assert f"/people/{coordinator.handle}/" not in line
    assert f"/people/{alice.handle}/" in line


def test_unanswered_questions_wait_on_the_home_until_someone_replies(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    question = start(alice, general, "How do you count cyclists?", Kind.QUESTION)
    url = cargo.get_absolute_url()

    assert "Waiting for an answer" in html(client_for(bob), url)

    actions.do_reply(bob, question, body="With a counter.")

    assert "Waiting for an answer" not in html(client_for(bob), url)


def test_a_visitor_to_a_members_only_community_sees_its_purpose_and_no_conversation(
    coordinator: User, charlie: User
) -> None:
    closed = community(
        coordinator,
        slug="closed",
        entry=Entry.REQUEST,
        visibility=Visibility.MEMBERS,
        charter="Be kind.",
        benefits="Answers from peers",
    )
    space = closed.spaces.get(is_default=True)
    start(coordinator, space, "Members only talk")

    page = html(client_for(charlie), closed.get_absolute_url())

    assert "Members only talk" not in page
    assert "Latest discussions" not in page
    assert "open to its members" in page
    assert "Carry more, drive less." in page
    assert "Answers from peers" in page
    assert 'id="charter"' in page
    assert "Ask to join" in page


def test_an_internal_community_is_not_shown_to_an_outsider_and_shows_its_life_inside(
    coordinator: User, charlie: User
) -> None:
    domain = internal_domain()
    insider = make_person(f"ines@{domain}", "Ines Inside")
    coordinator_inside = make_person(f"clara@{domain}", "Clara Inside")
    inside = community(
        coordinator_inside, slug="inside", audience=Audience.INTERNAL, members=[insider]
    )
    start(insider, inside.spaces.get(is_default=True), "Our intranet migration")

    assert client_for(charlie).get(inside.get_absolute_url()).status_code == 404
    assert client_for(None).get(inside.get_absolute_url()).status_code == 404
    assert "Our intranet migration" in html(client_for(insider), inside.get_absolute_url())


# --- The primary actions ------------------------------------------------------------------


def test_ask_a_question_leads_to_the_composer_with_the_question_kind(
    cargo: Community, general: Space, alice: User
) -> None:
    page = html(client_for(alice), cargo.get_absolute_url())
    composer = reverse("topic_new", kwargs={"slug": cargo.slug, "space": general.slug})

    assert f'href="{composer}?kind=question"' in page
    assert f'href="{composer}?kind=discussion"' in page
    form = html(client_for(alice), f"{composer}?kind=question")
    assert re.search(r'value="question"[^>]*checked', form)


def test_with_several_spaces_ask_a_question_asks_in_which(
    cargo: Community, general: Space, members_corner: Space, coordinator: User
) -> None:
    page = html(client_for(coordinator), cargo.get_absolute_url())

    assert "In which space?" in page
    for space in (general, members_corner):
        composer = reverse("topic_new", kwargs={"slug": cargo.slug, "space": space.slug})
        assert f'href="{composer}?kind=question"' in page


def test_a_member_is_not_offered_a_private_space_to_ask_in(
    cargo: Community, general: Space, members_corner: Space, alice: User
) -> None:
    page = html(client_for(alice), cargo.get_absolute_url())
    private = reverse("topic_new", kwargs={"slug": cargo.slug, "space": members_corner.slug})

    assert private not in page
    assert "In which space?" not in page


def test_a_visitor_is_offered_to_log_in_to_ask(cargo: Community) -> None:
    page = html(client_for(None), cargo.get_absolute_url())
    assert "Log in to ask a question" in page
    assert "?kind=question" not in page


# --- The animators' card --------------------------------------------------------------------


def test_the_coordinator_finds_the_tools_in_one_animate_card(
    cargo: Community, coordinator: User
) -> None:
    page = html(client_for(coordinator), cargo.get_absolute_url())
    card = page[page.index('aria-labelledby="animate-title"') :]
    card = card[: card.index("</section>")]

    for tool in [
        reverse("analytics:cockpit", kwargs={"slug": cargo.slug}),
        reverse("nextactions:queue", kwargs={"slug": cargo.slug}),
        reverse("animation:calendar", kwargs={"slug": cargo.slug}),
        reverse("events:new", kwargs={"slug": cargo.slug}),
        reverse("activities:new_poll", kwargs={"slug": cargo.slug}),
        reverse("contests:new", kwargs={"slug": cargo.slug}),
        reverse("onboarding:newcomers", kwargs={"slug": cargo.slug}),
    ]:
        assert f'href="{tool}"' in card, tool
    # One card, not a stack of them.
    assert page.count('id="animate-title"') == 1
    assert 'id="cockpit-title"' not in page
    assert 'id="animation-title"' not in page


@pytest.mark.parametrize("who", ["member", "moderator", "visitor"])
def test_others_see_no_animate_card(who: str, cargo: Community, alice: User) -> None:
    mona = make_person("mona@example.org", "Mona Moderator")
    join(mona, cargo, Role.MODERATOR)
    person = {"member": alice, "moderator": mona, "visitor": None}[who]
    page = html(client_for(person), cargo.get_absolute_url())
    assert "animate-title" not in page
    assert reverse("analytics:cockpit", kwargs={"slug": cargo.slug}) not in page


# --- Empty states ----------------------------------------------------------------------------


def test_a_new_community_says_what_each_place_is_for_and_offers_the_first_action(
    cargo: Community, general: Space, coordinator: User
) -> None:
    page = html(client_for(coordinator), cargo.get_absolute_url())
    composer = reverse("topic_new", kwargs={"slug": cargo.slug, "space": general.slug})

    assert "No conversation has started yet." in page
    assert f'href="{composer}"' in page  # "Start the first discussion"
    assert "Plan the first event" in page
    assert "Start the library" in page
    assert "Open the wiki" in page


# --- People --------------------------------------------------------------------------------


def test_leaders_and_newest_members_link_to_their_profiles(
    cargo: Community, coordinator: User, alice: User
) -> None:
    page = html(client_for(alice), cargo.get_absolute_url())
    leaders = page[page.index('id="recognized-title"') :]
    leaders = leaders[: leaders.index("</ul>")]
    newest = page[page.index('id="newest-title"') :]
    newest = newest[: newest.index("</ul>")]

    assert f'href="/people/{coordinator.handle}/"' in leaders
    assert coordinator.display_name in leaders
    assert f'href="/people/{alice.handle}/"' in newest or f'href="/people/{alice.handle}/"' in page


def test_the_profile_card_shows_the_person_to_who_may_see_them(
    cargo: Community, coordinator: User, alice: User
) -> None:
    card = html(client_for(alice), reverse("profile_card", kwargs={"handle": coordinator.handle}))

    assert coordinator.display_name in card
    assert "Coordinator" in card
    assert cargo.name in card
    assert "Follow" in card
    assert "<html" not in card  # a fragment, not a page


def test_the_profile_card_is_refused_to_who_may_not_see_the_person(
    cargo: Community, alice: User, charlie: User
) -> None:
    url = reverse("profile_card", kwargs={"handle": alice.handle})

    assert client_for(charlie).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404


def test_a_public_profile_has_a_card_for_visitors_without_roles_or_follow(
    cargo: Community, alice: User
) -> None:
    people_actions.do_update_profile(alice, alice, headline="Bike mechanic", is_public=True)
    card = html(client_for(None), reverse("profile_card", kwargs={"handle": alice.handle}))

    assert alice.display_name in card
    assert "Bike mechanic" in card
    assert cargo.name not in card
    assert "Follow" not in card


# --- The member's home -------------------------------------------------------------------


def test_the_member_home_is_a_feed_with_faces_and_the_upcoming_events(
    cargo: Community,
    general: Space,
    members_corner: Space,
    alice: User,
    bob: User,
    coordinator: User,
) -> None:
    topic = start(bob, general, "Winter tyres for cargo bikes")
    actions.do_reply(coordinator, topic, body="Studded ones.")
    start(coordinator, members_corner, "Budget of the spring meetup")
    soon = timezone.now() + timedelta(days=3)
    event_actions.do_create_event(
        coordinator,
        general,
        title="Spring ride",
        place="Lyon",
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
    )
    event_actions.do_create_event(
        coordinator,
        members_corner,
        title="Coordinators' dinner",
        place="Lyon",
        starts_at=soon,
        ends_at=soon + timedelta(hours=2),
    )

    page = html(client_for(alice), reverse("home"))
    line = page[page.index("Winter tyres for cargo bikes") :]
    line = line[: line.index("</li>")]

    assert re.findall(r'class="face" href="/people/([^/]+)/"', line) == [
        bob.handle,
        coordinator.handle,
    ]
    assert "1 reply" in line
    assert "Spring ride" in page
    assert "Coordinators' dinner" not in page
    assert "Budget of the spring meetup" not in page
