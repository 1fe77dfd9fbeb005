"""Onboarding: the welcome a new member receives (once), their checklist read from
what they really did, and the newcomers animators see and welcome in one click."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Audience, Community, Entry, Membership, Role
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Tag, Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.notifications import actions as notification_actions
from cercle.notifications.models import Frequency, Kind, Notification
from cercle.onboarding import actions, demo, queries
from cercle.onboarding.models import OnboardingSettings, Welcome, WelcomeSent
from cercle.people import actions as people_actions
from cercle.people.models import Level
from cercle.personas.models import Persona
from tests.communities import client_for, community, html, internal_domain, join
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body
from tests.test_badges import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def cargo(coordinator: User) -> Community:
    return community(coordinator, slug="cargo", name="Cargo Riders")


@pytest.fixture
def introductions(cargo: Community, coordinator: User) -> Topic:
    return actions.do_create_introductions_topic(coordinator, cargo)


def welcomes(person: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=Kind.WELCOME).order_by("pk"))


def done(person: User, where: Community) -> dict[str, bool]:
    return {item.key: item.done for item in queries.checklist(person, where).items}


# --- The welcome message ----------------------------------------------------------------------


def test_joining_an_open_community_sends_the_welcome_once(cargo: Community, alice: User) -> None:
    join(alice, cargo)
    told = welcomes(alice)
    assert len(told) == 1
    assert told[0].subject == "your first steps"
    assert told[0].actor is None
    assert told[0].url == reverse("onboarding:welcome", args=["cargo"])
    assert WelcomeSent.objects.filter(person=alice, community=cargo).count() == 1


def test_leaving_and_coming_back_sends_no_second_welcome(
    cargo: Community, coordinator: User, alice: User
) -> None:
    """Decided: the welcome goes once per person and community, ever; a returning
    member has their checklist again and shows among the newcomers, marked returning."""
    join(alice, cargo)
    community_actions.do_leave(alice, cargo)
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        community_actions.do_join(alice, cargo)
        assert len(welcomes(alice)) == 1
        page = html(client_for(coordinator), reverse("onboarding:newcomers", args=["cargo"]))
        assert "Alice Martin" in page
        assert "Returning member" in page


def test_an_approved_request_and_an_accepted_invitation_are_welcomed(
    coordinator: User, alice: User, bob: User
) -> None:
    asked = community(coordinator, slug="asked", entry=Entry.REQUEST)
    community_actions.do_join(alice, asked, message="Hello")
    assert welcomes(alice) == []
    request = Membership.objects.get(person=alice, community=asked)
    community_actions.do_decide_request(coordinator, request, approve=True)
    assert len(welcomes(alice)) == 1

    invited = community(coordinator, slug="invited", entry=Entry.INVITATION)
    community_actions.do_invite(coordinator, invited, [bob.email])
    token = invited.invitations.get().token
    assert welcomes(bob) == []
    community_actions.do_accept_invitation(bob, token)
    assert [n.community for n in welcomes(bob)] == [invited]


def test_a_declined_request_gets_no_welcome(coordinator: User, alice: User) -> None:
    asked = community(coordinator, slug="asked", entry=Entry.REQUEST)
    community_actions.do_join(alice, asked)
    request = Membership.objects.get(person=alice, community=asked)
    community_actions.do_decide_request(coordinator, request, approve=False)
    assert welcomes(alice) == []
    assert not WelcomeSent.objects.exists()


def test_the_community_creator_is_not_a_newcomer(cargo: Community, coordinator: User) -> None:
    assert welcomes(coordinator) == []
    page = html(client_for(coordinator), reverse("community", args=["cargo"]))
    assert "Your first steps" not in page


@pytest.mark.django_db(transaction=True)
def test_the_welcome_is_emailed_as_the_member_chose(
    cargo: Community, alice: User, bob: User, smtp_server: SmtpServer
) -> None:
    notification_actions.do_set_email_preferences(bob, {Kind.WELCOME: Frequency.NEVER})
    join(alice, cargo)
    join(bob, cargo)
    deliver_queued_email()
    [message] = smtp_server.wait_for(alice.email)
    assert str(message["Subject"]) == "[Cercle] Welcome to Cargo Riders: your first steps"
    assert reverse("onboarding:welcome", args=["cargo"]) not in text_body(message)
    assert [m for m in smtp_server.messages if bob.email in str(m["To"])] == []


def test_the_welcome_can_come_from_a_persona(
    cargo: Community, coordinator: User, alice: User, introductions: Topic
) -> None:
    emma = Persona.objects.create(community=cargo, name="Emma", slug="emma", story="I ride.")
    actions.do_update_settings(
        coordinator,
        cargo,
        welcome_message="Bienvenue ! **Présentez-vous** dans le fil dédié.",
        introductions_topic=introductions,
        persona=emma,
    )
    join(alice, cargo)
    assert [n.subject for n in welcomes(alice)] == ["a word from Emma"]
    page = html(client_for(alice), reverse("onboarding:welcome", args=["cargo"]))
    assert "A word from Emma" in page
    assert "Persona" in page
    assert "<strong>Présentez-vous</strong>" in page
    assert reverse("personas:detail", args=["cargo", "emma"]) in page


def test_a_persona_of_another_community_is_refused(cargo: Community, coordinator: User) -> None:
    other = community(coordinator, slug="other")
    stranger = Persona.objects.create(community=other, name="Zed", slug="zed")
    with pytest.raises(ActionRefused, match="active personas"):
        actions.do_update_settings(
            coordinator, cargo, welcome_message="", introductions_topic=None, persona=stranger
        )


# --- Settings ---------------------------------------------------------------------------------


def test_only_animators_edit_the_welcome(
    cargo: Community, coordinator: User, alice: User, charlie: User
) -> None:
    join(alice, cargo)
    moderator = make_person("mod@example.org", "Mod")
    join(moderator, cargo, Role.MODERATOR)
    url = reverse("onboarding:settings", args=["cargo"])
    for person in (alice, moderator, charlie):
        assert client_for(person).get(url).status_code == 404
        assert client_for(person).post(url, {"welcome_message": "Hacked"}).status_code == 404
        with pytest.raises(ActionRefused):
            actions.do_update_settings(
                person, cargo, welcome_message="Hacked", introductions_topic=None
            )
    assert client_for(None).get(url).status_code == 302
    assert not OnboardingSettings.objects.exists()


def test_an_animator_writes_the_welcome_and_creates_the_introductions_topic(
    cargo: Community, coordinator: User
) -> None:
    client = client_for(coordinator)
    url = reverse("onboarding:settings", args=["cargo"])
    response = client.post(url, {"create_topic": "1"})
    assert response.status_code == 302
    topic = Topic.objects.get()
    assert topic.is_pinned
    assert topic.title == "Introduce yourself"
    assert topic.space.is_default
    response = client.post(
        url, {"welcome_message": "Hello *rider*!", "introductions_topic": str(topic.pk)}
    )
    assert response.status_code == 302
    saved = OnboardingSettings.objects.get(community=cargo)
    assert saved.welcome_html == "<p>Hello <em>rider</em>!</p>\n"
    assert saved.introductions_topic == topic
    assert ActivityEvent.objects.filter(verb="onboarding.updated").count() == 2
    assert "Create the introductions topic" not in html(client, url)


def test_the_introductions_topic_must_be_one_every_member_reads(
    cargo: Community, coordinator: User
) -> None:
    private = community_actions.do_create_space(coordinator, cargo, name="Core", is_private=True)
    hidden_away = conversation_actions.do_start_topic(
        coordinator, private, kind="discussion", title="Core intros", body="Hi"
    )
    with pytest.raises(ActionRefused, match="every member reads"):
        actions.do_update_settings(
            coordinator, cargo, welcome_message="", introductions_topic=hidden_away
        )
    other = community(coordinator, slug="other")
    elsewhere = conversation_actions.do_start_topic(
        coordinator, other.spaces.get(), kind="discussion", title="Elsewhere", body="Hi"
    )
    with pytest.raises(ActionRefused, match="this community"):
        actions.do_update_settings(
            coordinator, cargo, welcome_message="", introductions_topic=elsewhere
        )
    # The page does not even offer them.
    response = client_for(coordinator).post(
        reverse("onboarding:settings", args=["cargo"]),
        {"welcome_message": "", "introductions_topic": str(elsewhere.pk)},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not OnboardingSettings.objects.exists()


# --- The checklist -----------------------------------------------------------------------------


def test_each_checklist_item_turns_true_from_a_real_action(
    cargo: Community, coordinator: User, alice: User, bob: User, introductions: Topic,
    tmp_path: Any, settings: Any,
) -> None:  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    join(alice, cargo)
    join(bob, cargo)
    tag = conversation_actions.do_create_tag(coordinator, cargo, name="Longtails")
    assert done(alice, cargo) == {
        "profile": False,
        "introduce": False,
        "follow": False,
        "react": False,
    }
    # A bio alone is not enough: a photo or a declared expertise completes it.
    people_actions.do_update_profile(alice, alice, bio="I carry two kids by bike.")
    assert done(alice, cargo)["profile"] is False
    people_actions.do_declare_expertise(alice, tag, Level.PRACTISING)
    assert done(alice, cargo)["profile"] is True
    people_actions.do_update_profile(
        bob,
        bob,
        bio="Mechanic.",
        avatar=SimpleUploadedFile("me.png", png(), content_type="image/png"),
    )
    assert done(bob, cargo)["profile"] is True

    reply = conversation_actions.do_reply(alice, introductions, body="Hi, I am Alice.")
    assert done(alice, cargo) == {
        "profile": True,
        "introduce": True,
        "follow": False,
        "react": False,
    }
    people_actions.do_follow(alice, tag)
    assert done(alice, cargo)["follow"] is True
    people_actions.do_follow(bob, cargo.spaces.get())
    assert done(bob, cargo)["follow"] is True

    conversation_actions.do_toggle_reaction(bob, reply, "thanks")
    assert done(bob, cargo)["react"] is True
    assert done(alice, cargo)["react"] is False
    conversation_actions.do_toggle_reaction(alice, introductions.posts.get(position=0), "agree")
    assert queries.checklist(alice, cargo).is_complete
    # Deleting the introduction takes the step back.
    conversation_actions.do_delete_post(alice, reply)
    assert done(alice, cargo)["introduce"] is False


def test_without_an_introductions_topic_the_checklist_has_three_steps(
    cargo: Community, alice: User
) -> None:
    join(alice, cargo)
    assert list(done(alice, cargo)) == ["profile", "follow", "react"]


def test_activity_in_another_community_does_not_count(
    cargo: Community, coordinator: User, alice: User
) -> None:
    other = community(coordinator, slug="other")
    join(alice, cargo)
    join(alice, other)
    people_actions.do_follow(alice, other.spaces.get())
    post = conversation_actions.do_start_topic(
        coordinator, other.spaces.get(), kind="discussion", title="Hello all", body="Hi"
    ).posts.get()
    conversation_actions.do_toggle_reaction(alice, post, "thanks")
    assert done(alice, cargo) == {"profile": False, "follow": False, "react": False}
    assert done(alice, other) == {"profile": False, "follow": True, "react": True}


def test_checklists_cost_the_same_queries_for_one_or_many(
    coordinator: User, alice: User, django_assert_num_queries: Any
) -> None:
    places = [community(coordinator, slug=f"c{n}") for n in range(6)]
    people = [make_person(f"p{n}@example.org", f"P {n}") for n in range(8)]
    for where in places:
        actions.do_create_introductions_topic(coordinator, where)
        for person in people:
            join(person, where)

    def read(memberships: Any) -> list[queries.Checklist]:
        return [queries.checklist_of(m) for m in queries.with_checklist(memberships)]

    with django_assert_num_queries(1):
        one = read(Membership.objects.filter(person=people[0], community=places[0]))
    with django_assert_num_queries(1):
        many = read(Membership.objects.filter(person__in=people, community__in=places))
    assert [item.done for item in one[0].items] == [False] * 4
    assert len(many) == 48


# --- The welcome page, the landing page and the home page ---------------------------------------


def test_the_welcome_page_is_for_members(
    cargo: Community, coordinator: User, alice: User, charlie: User, introductions: Topic
) -> None:
    join(alice, cargo)
    conversation_actions.do_create_tag(coordinator, cargo, name="Longtails")
    url = reverse("onboarding:welcome", args=["cargo"])
    page = html(client_for(alice), url)
    assert "Welcome to Cargo Riders" in page
    assert "Your first steps" in page
    assert "0 of 4 steps done" in page
    assert introductions.get_absolute_url() in page
    assert "#longtails" in page
    assert client_for(charlie).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_the_welcome_page_of_an_internal_community_is_hidden_from_outsiders(
    alice: User,
) -> None:
    domain = internal_domain()
    boss = make_person(f"boss@{domain}", "Boss")
    internal = community(boss, slug="inside", audience=Audience.INTERNAL)
    url = reverse("onboarding:welcome", args=[internal.slug])
    assert client_for(alice).get(url).status_code == 404


def test_the_landing_page_shows_a_newcomer_their_steps_and_animators_the_newcomers(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    join(alice, cargo)
    landing = reverse("community", args=["cargo"])
    page = html(client_for(alice), landing)
    assert "Your first steps" in page
    assert "0 of 3 steps done" in page
    assert "newcomers this week" not in page
    page = html(client_for(coordinator), landing)
    assert "1 newcomer this week" in page
    assert reverse("onboarding:newcomers", args=["cargo"]) in page
    assert "Your first steps" not in html(client_for(None), landing)
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "Your first steps" not in html(client_for(alice), landing)
        assert "0 newcomers this week" in html(client_for(coordinator), landing)


def test_the_home_page_shows_unfinished_checklists_of_recent_communities(
    cargo: Community, coordinator: User, alice: User
) -> None:
    other = community(coordinator, slug="other", name="Other Riders")
    join(alice, cargo)
    join(alice, other)
    home = html(client_for(alice), reverse("home"))
    assert "Your first steps" in home
    assert "Cargo Riders" in home
    assert "Other Riders" in home
    # Finishing the steps of one community takes it off the home page.
    people_actions.do_follow(alice, other.spaces.get())
    post = conversation_actions.do_start_topic(
        coordinator, other.spaces.get(), kind="discussion", title="Hello all", body="Hi"
    ).posts.get()
    conversation_actions.do_toggle_reaction(alice, post, "thanks")
    tag = Tag.objects.create(community=other, name="Tag", slug="tag")
    people_actions.do_declare_expertise(alice, tag, Level.EXPERT)
    people_actions.do_update_profile(alice, alice, bio="Rider")
    home = html(client_for(alice), reverse("home"))
    assert reverse("onboarding:welcome", args=["cargo"]) in home
    assert reverse("onboarding:welcome", args=["other"]) not in home
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "Your first steps" not in html(client_for(alice), reverse("home"))


# --- Newcomers this week -----------------------------------------------------------------------


def test_the_newcomers_page_is_for_animators_only(
    cargo: Community, coordinator: User, alice: User, charlie: User
) -> None:
    join(alice, cargo)
    moderator = make_person("mod@example.org", "Mod")
    join(moderator, cargo, Role.MODERATOR)
    other_boss = make_person("boss@example.org", "Other Boss")
    community(other_boss, slug="other")
    url = reverse("onboarding:newcomers", args=["cargo"])
    for person in (alice, moderator, charlie, other_boss):
        assert client_for(person).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    assert "Alice Martin" in html(client_for(coordinator), url)


def test_the_newcomers_page_lists_the_last_seven_days(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        join(bob, cargo)
    join(alice, cargo)
    page = html(client_for(coordinator), reverse("onboarding:newcomers", args=["cargo"]))
    assert "Alice Martin" in page
    assert "Bob Leroy" not in page
    assert "Claire Coord</a>" not in page
    assert "1 newcomer this week" in page


def test_an_animator_welcomes_a_newcomer_in_one_click(
    cargo: Community, coordinator: User, alice: User
) -> None:
    join(alice, cargo)
    client = client_for(coordinator)
    url = reverse("onboarding:welcome_newcomer", args=["cargo", alice.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("onboarding:newcomers", args=["cargo"])
    welcome = Welcome.objects.get()
    assert (welcome.welcomer, welcome.newcomer, welcome.community) == (coordinator, alice, cargo)
    personal = welcomes(alice)[-1]
    assert (personal.actor, personal.subject) == (coordinator, "Claire Coord is glad you joined")
    assert ActivityEvent.objects.filter(verb="newcomer.welcomed", actor=coordinator).count() == 1
    page = html(client, reverse("onboarding:newcomers", args=["cargo"]))
    assert "You welcomed them" in page
    # Once per pair: a second click changes nothing.
    client.post(url)
    assert Welcome.objects.count() == 1
    assert len(welcomes(alice)) == 2


def test_the_welcome_button_answers_htmx_with_its_row_and_a_status(
    cargo: Community, coordinator: User, alice: User
) -> None:
    join(alice, cargo)
    response = client_for(coordinator).post(
        reverse("onboarding:welcome_newcomer", args=["cargo", alice.pk]),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<li class="newcomer card" id="newcomer-')
    assert "You welcomed them" in body
    assert 'role="status"' in body
    assert 'hx-swap-oob="true"' in body
    assert "You welcomed Alice Martin." in body


def test_nobody_else_welcomes_and_old_members_are_not_newcomers(
    cargo: Community, coordinator: User, alice: User, bob: User, charlie: User
) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        join(bob, cargo)
    join(alice, cargo)
    for person in (bob, charlie):
        response = client_for(person).post(
            reverse("onboarding:welcome_newcomer", args=["cargo", alice.pk])
        )
        assert response.status_code == 404
    with pytest.raises(ActionRefused, match="no longer a newcomer"):
        actions.do_welcome(coordinator, cargo, bob)
    with pytest.raises(ActionRefused, match="not a member"):
        actions.do_welcome(coordinator, cargo, charlie)
    with pytest.raises(ActionRefused, match="yourself"):
        actions.do_welcome(coordinator, cargo, coordinator)
    assert not Welcome.objects.exists()


@pytest.mark.parametrize("size", [3, 15])
def test_the_newcomers_page_runs_a_fixed_number_of_queries(
    size: int, cargo: Community, coordinator: User, introductions: Topic,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for n in range(size):
        person = make_person(f"new{n}@example.org", f"New {n}")
        join(person, cargo)
        if n % 2:
            actions.do_welcome(coordinator, cargo, person)
    client = client_for(coordinator)
    with django_assert_max_num_queries(15):
        page = html(client, reverse("onboarding:newcomers", args=["cargo"]))
    assert page.count('class="newcomer card"') == size
    with django_assert_max_num_queries(16):
        html(client, reverse("onboarding:welcome", args=["cargo"]))


def test_the_demo_writes_a_french_welcome_and_introductions(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    join(alice, cargo)
    join(bob, cargo)
    demo.populate(cargo, coordinator, [alice, bob])
    saved = OnboardingSettings.objects.get(community=cargo)
    assert "Bienvenue parmi nous" in saved.welcome_message
    assert saved.introductions_topic is not None
    assert saved.introductions_topic.title == "Présentez-vous !"
    assert done(alice, cargo)["introduce"] is True
    assert Welcome.objects.filter(newcomer=alice).exists()
