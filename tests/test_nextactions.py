"""The queue of next actions: each kind of item appears exactly when its rule says,
experts are suggested only when they may read the question and agreed to be named,
"ask them" tells exactly the chosen experts, every decision is stored and logged, and
only coordinators act (staff read).

Content is built through the actions, as in real use; the count tables
(`MemberLevel`, `MemberDay`, `SpaceDay`) are written directly, as the counting
command would. Emails go through the real worker to a real SMTP server.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.analytics.models import Level, MemberDay, MemberLevel, SpaceDay
from cercle.animation import actions as animation_actions
from cercle.animation import queries as animation_queries
from cercle.animation.models import PlannedPost
from cercle.communities.models import Community, Role, Space, Visibility
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Tag, Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.nextactions import actions, queries
from cercle.nextactions.models import Decision, How, ItemKind, Outcome
from cercle.notifications.actions import do_set_email_preferences
from cercle.notifications.models import Frequency, Notification
from cercle.notifications.models import Kind as NotificationKind
from cercle.onboarding import actions as onboarding_actions
from cercle.onboarding.models import Welcome
from cercle.people import actions as people_actions
from cercle.people.forms import ProfileForm
from cercle.people.models import Level as ExpertiseLevel
from cercle.people.models import Profile, profile_for
from tests.communities import NAVIGATION_QUERIES, client_for, community, html, join, staff_person
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


# --- People, places and builders -------------------------------------------------------------


@pytest.fixture
def dora() -> User:
    """A member of the community who is not listed in the private space."""
    return make_person("dora@example.org", "Dora Member")


@pytest.fixture
def cargo(coordinator: User, moderator: User, alice: User, bob: User, dora: User) -> Community:
    """A public, open community created 90 days ago: Claire coordinates, Mona
    moderates, Alice (listed in the private Lab), Bob and Dora take part."""
    with time_machine.travel(timezone.now() - 90 * DAY):
        created = community(
            coordinator, name="Cargo Riders", members=(alice, bob, dora), moderators=(moderator,)
        )
    Notification.objects.all().delete()
    return created


@pytest.fixture
def lab(cargo: Community, coordinator: User, alice: User) -> Space:
    """A private space, 90 days old, where only Alice (and the coordinators) are listed."""
    with time_machine.travel(timezone.now() - 90 * DAY):
        space = community_actions.do_create_space(coordinator, cargo, name="Lab", is_private=True)
        community_actions.do_list_in_space(coordinator, space, alice)
    return space


@pytest.fixture
def brakes(cargo: Community, coordinator: User) -> Tag:
    return conversation_actions.do_create_tag(coordinator, cargo, name="Brakes")


@pytest.fixture
def wheels(cargo: Community, coordinator: User) -> Tag:
    return conversation_actions.do_create_tag(coordinator, cargo, name="Wheels")


def ask(
    author: User,
    space: Space,
    title: str,
    *,
    hours_ago: float,
    tags: tuple[Tag, ...] = (),
    kind: str = TopicKind.QUESTION,
) -> Topic:
    with time_machine.travel(timezone.now() - hours_ago * HOUR):
        return conversation_actions.do_start_topic(
            author, space, kind=kind, title=title, body="Who knows?", tags=tags
        )


def queue(person: User, when: datetime | None = None) -> queries.Queue:
    return queries.queue(person, "cargo", now=when)


def section(person: User, kind: str, when: datetime | None = None) -> queries.Section:
    return next(s for s in queue(person, when).sections if s.kind == kind)


def ids(person: User, kind: str, when: datetime | None = None) -> list[int]:
    return [item.object_id for item in section(person, kind, when).items]


def questions(person: User, when: datetime | None = None) -> list[str]:
    return [item.label for item in section(person, ItemKind.QUESTION, when).items]


def experts(person: User, topic: Topic) -> list[str]:
    for item in section(person, ItemKind.QUESTION).items:
        if item.object_id == topic.pk:
            assert isinstance(item, queries.QuestionItem)
            return [expert.person.display_name for expert in item.experts]
    raise AssertionError(f"{topic.title} is not in the queue")


def declare(person: User, tag: Tag, level: int) -> None:
    people_actions.do_declare_expertise(person, tag, level)


def unnamed(person: User) -> None:
    """The member unticks "named in the animators' figures"."""
    profile = profile_for(person)
    profile.named_in_analytics = False
    profile.save()


def queue_url(slug: str = "cargo") -> str:
    return reverse("nextactions:queue", args=[slug])


def decide(
    person: User, kind: str, object_id: int, outcome: str = Outcome.DISMISSED, note: str = ""
) -> Any:
    return client_for(person).post(
        reverse("nextactions:decide", args=["cargo"]),
        {"kind": kind, "object_id": object_id, "outcome": outcome, "note": note},
    )


def logged(verb: str) -> list[ActivityEvent]:
    return list(ActivityEvent.objects.filter(verb=verb).order_by("pk"))


# --- 1. Unanswered questions -------------------------------------------------------------------


def test_a_question_waits_48_hours_and_one_answered_at_47_hours_never_shows(
    cargo: Community, general: Space, coordinator: User, alice: User, bob: User
) -> None:
    start = timezone.now()
    answered = ask(alice, general, "Which chain oil in winter?", hours_ago=0)
    waiting = ask(alice, general, "How tight should a chain be?", hours_ago=0)
    assert questions(coordinator, start + 47 * HOUR) == []
    with time_machine.travel(start + 47 * HOUR):
        conversation_actions.do_reply(bob, answered, body="A wax-based one.")
    assert questions(coordinator, start + 49 * HOUR) == [waiting.title]
    assert questions(coordinator, start + 30 * DAY) == [waiting.title]


def test_questions_come_oldest_first_and_only_open_unanswered_questions_count(
    cargo: Community, general: Space, coordinator: User, moderator: User, alice: User, bob: User
) -> None:
    ask(alice, general, "A discussion, not a question", hours_ago=100, kind=TopicKind.DISCUSSION)
    hidden = ask(alice, general, "Hidden question", hours_ago=100)
    conversation_actions.do_hide_post(moderator, hidden.posts.get(position=0), reason="spam")
    locked = ask(alice, general, "Locked question", hours_ago=100)
    conversation_actions.do_set_locked(moderator, locked, True)
    duplicate = ask(alice, general, "Merged question", hours_ago=100)
    target = ask(bob, general, "Question merged into", hours_ago=150)
    conversation_actions.do_merge_topics(moderator, duplicate, target)  # its posts are replies
    kept = ask(bob, general, "Oldest question", hours_ago=200)
    newer = ask(bob, general, "Newer question", hours_ago=60)
    # An answer later deleted leaves the question unanswered again.
    deleted = ask(bob, general, "Question whose answer was deleted", hours_ago=80)
    answer = conversation_actions.do_reply(alice, deleted, body="Try this.")
    conversation_actions.do_delete_post(alice, answer)
    assert questions(coordinator) == [kept.title, deleted.title, newer.title]


def test_experts_are_members_who_practise_or_master_the_questions_tags(
    cargo: Community,
    general: Space,
    coordinator: User,
    moderator: User,
    alice: User,
    bob: User,
    dora: User,
    brakes: Tag,
    wheels: Tag,
) -> None:
    declare(bob, brakes, ExpertiseLevel.PRACTISING)
    declare(dora, brakes, ExpertiseLevel.EXPERT)
    declare(moderator, brakes, ExpertiseLevel.LEARNING)  # learning: not an expert
    declare(alice, brakes, ExpertiseLevel.EXPERT)  # the asker herself
    declare(alice, wheels, ExpertiseLevel.EXPERT)
    declare(coordinator, brakes, ExpertiseLevel.EXPERT)  # the reader: not suggested to herself
    question = ask(alice, general, "Disc or rim brakes?", hours_ago=50, tags=(brakes,))
    assert experts(coordinator, question) == ["Dora Member", "Bob Leroy"]
    untagged = ask(bob, general, "Untagged question", hours_ago=50)
    assert experts(coordinator, untagged) == []
    # Accepted answers with the tag rank experts of the same level.
    declare(bob, brakes, ExpertiseLevel.EXPERT)
    solved = ask(alice, general, "Squeaky brakes", hours_ago=200, tags=(brakes,))
    answer = conversation_actions.do_reply(bob, solved, body="Clean the pads.")
    conversation_actions.do_accept_answer(alice, solved, answer)
    [item] = section(coordinator, ItemKind.QUESTION).items[:1]
    assert isinstance(item, queries.QuestionItem)
    assert item.topic == question
    assert [(e.person, e.evidence) for e in item.experts] == [
        (bob, ["declares: expert on #brakes", "1 accepted answer tagged #brakes"]),
        (dora, ["declares: expert on #brakes"]),
    ]


def test_an_expert_who_cannot_read_the_private_space_is_not_suggested(
    cargo: Community,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
    brakes: Tag,
) -> None:
    declare(alice, brakes, ExpertiseLevel.EXPERT)  # listed in the Lab
    declare(bob, brakes, ExpertiseLevel.EXPERT)  # a member, not listed in the Lab
    question = ask(coordinator, lab, "Secret brake test plan?", hours_ago=50, tags=(brakes,))
    assert experts(coordinator, question) == ["Alice Martin"]
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    assert experts(coordinator, question) == []


def test_an_expert_who_asked_not_to_be_named_or_left_is_not_suggested(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
    dora: User,
    brakes: Tag,
) -> None:
    for person in (alice, bob, dora):
        declare(person, brakes, ExpertiseLevel.EXPERT)
    question = ask(coordinator, general, "Hydraulic or cable?", hours_ago=50, tags=(brakes,))
    assert not Profile.objects.filter(person=bob).exists()  # no profile: named, the default
    profile_for(alice)  # a profile left as it was: named
    unnamed(dora)
    assert experts(coordinator, question) == ["Alice Martin", "Bob Leroy"]
    community_actions.do_leave(alice, cargo)
    assert experts(coordinator, question) == ["Bob Leroy"]


@pytest.mark.django_db(transaction=True)
def test_ask_them_notifies_exactly_the_chosen_experts_in_the_app_and_by_email(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
    dora: User,
    moderator: User,
    brakes: Tag,
    smtp_server: SmtpServer,
) -> None:
    for person in (bob, dora, moderator):
        declare(person, brakes, ExpertiseLevel.EXPERT)
    do_set_email_preferences(dora, {NotificationKind.ASKED_TO_ANSWER: Frequency.NEVER})
    question = ask(alice, general, "Which brake pads for rain?", hours_ago=72, tags=(brakes,))
    assert experts(coordinator, question) == ["Bob Leroy", "Dora Member", "Mona Moderator"]
    Notification.objects.all().delete()

    response = client_for(coordinator).post(
        reverse("nextactions:ask", args=["cargo", question.pk]),
        {"expert": [bob.pk, dora.pk], "note": "Bob and Dora ride in the rain"},
    )
    assert response.status_code == 302
    assert response["Location"] == queue_url() + "#question"
    told = Notification.objects.order_by("recipient__email")
    assert [(n.recipient, n.kind, n.actor, n.subject) for n in told] == [
        (bob, NotificationKind.ASKED_TO_ANSWER, coordinator, question.title),
        (dora, NotificationKind.ASKED_TO_ANSWER, coordinator, question.title),
    ]
    assert told[0].get_absolute_url() == question.get_absolute_url()
    page = html(client_for(bob), reverse("notifications"))
    assert "Claire Coord asks you to answer “Which brake pads for rain?”" in page

    deliver_queued_email()
    [message] = smtp_server.wait_for(bob.email)
    assert " ".join(str(message["Subject"]).split()) == (
        "[Cercle] Claire Coord asks you to answer “Which brake pads for rain?”"
    )
    assert question.get_absolute_url() not in text_body(message)  # through the notification
    recipients = {str(m["To"]) for m in smtp_server.messages}
    assert recipients == {bob.email}  # Dora chose no email; Mona and Alice were not asked

    decision = Decision.objects.get()
    assert (decision.kind, decision.object_id, decision.outcome, decision.how) == (
        ItemKind.QUESTION,
        question.pk,
        Outcome.DONE,
        How.ASKED_EXPERTS,
    )
    assert decision.note == "Bob and Dora ride in the rain"
    assert decision.decided_by == coordinator
    [event] = logged("next_action.done")
    assert (event.actor, event.community, event.level) == (coordinator, cargo, None)
    assert (event.object_type, event.object_id) == ("nextactions.decision", decision.pk)
    assert questions(coordinator) == []


def test_asking_anyone_but_a_suggested_expert_is_refused_and_writes_nothing(
    cargo: Community,
    lab: Space,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
    charlie: User,
    brakes: Tag,
) -> None:
    declare(alice, brakes, ExpertiseLevel.EXPERT)
    declare(bob, brakes, ExpertiseLevel.EXPERT)
    secret = ask(coordinator, lab, "Secret question", hours_ago=50, tags=(brakes,))
    for chosen in ([bob.pk], [alice.pk, charlie.pk], []):
        with pytest.raises(ActionRefused):
            actions.do_ask_experts(coordinator, secret, chosen)
    young = ask(coordinator, general, "Too young a question", hours_ago=2, tags=(brakes,))
    with pytest.raises(ActionRefused, match="no longer in the queue"):
        actions.do_ask_experts(coordinator, young, [bob.pk])
    response = client_for(coordinator).post(
        reverse("nextactions:ask", args=["cargo", secret.pk]),
        {"expert": [str(bob.pk)]},
        follow=True,
    )
    assert "Choose among the experts suggested for this question" in response.content.decode()
    assert not Notification.objects.filter(kind=NotificationKind.ASKED_TO_ANSWER).exists()
    assert not Decision.objects.exists()
    assert logged("next_action.done") == []


# --- 2. Newcomers not yet welcomed ---------------------------------------------------------------


def test_newcomers_show_until_an_animator_welcomes_them(
    cargo: Community, coordinator: User
) -> None:
    old = make_person("old@example.org", "Olga Old")
    with time_machine.travel(timezone.now() - 8 * DAY):
        join(old, cargo)
    eve = make_person("eve@example.org", "Eve Newcomer")
    finn = make_person("finn@example.org", "Finn Newcomer")
    join(eve, cargo)
    join(finn, cargo)
    second = make_person("second@example.org", "Second Coordinator")
    join(second, cargo, Role.COORDINATOR)
    assert ids(coordinator, ItemKind.NEWCOMER) == [finn.pk, eve.pk]  # newest first
    # Welcomed by another animator: no longer waiting, for anyone.
    onboarding_actions.do_welcome(second, cargo, finn)
    assert ids(coordinator, ItemKind.NEWCOMER) == [eve.pk]
    # The queue's one-click welcome is the onboarding app's, and it marks the item done.
    response = client_for(coordinator).post(reverse("nextactions:welcome", args=["cargo", eve.pk]))
    assert response.status_code == 302
    assert Welcome.objects.filter(welcomer=coordinator, newcomer=eve).count() == 1
    assert Notification.objects.filter(recipient=eve, kind=NotificationKind.WELCOME).count() == 2
    decision = Decision.objects.get()
    assert (decision.kind, decision.object_id, decision.how) == (
        ItemKind.NEWCOMER,
        eve.pk,
        How.WELCOMED,
    )
    assert [e.verb for e in ActivityEvent.objects.filter(actor=coordinator).order_by("-pk")][
        :2
    ] == [
        "next_action.done",
        "newcomer.welcomed",
    ]
    assert ids(coordinator, ItemKind.NEWCOMER) == []


def test_a_newcomer_who_asked_not_to_be_named_is_counted_not_listed(
    cargo: Community, coordinator: User
) -> None:
    eve = make_person("eve@example.org", "Eve Newcomer")
    join(eve, cargo)
    unnamed(eve)
    newcomers = section(coordinator, ItemKind.NEWCOMER)
    assert (newcomers.items, newcomers.unnamed, newcomers.count) == ([], 1, 1)
    page = html(client_for(coordinator), queue_url())
    assert "Eve Newcomer" not in page
    assert "1 member who asked not to be named." in page
    with pytest.raises(ActionRefused, match="no longer in the queue"):
        actions.do_decide(coordinator, cargo, kind=ItemKind.NEWCOMER, object_id=eve.pk,
                          outcome=Outcome.DISMISSED)  # fmt: skip


def test_a_dismissed_newcomer_comes_back_after_leaving_and_joining_again(
    cargo: Community, coordinator: User
) -> None:
    eve = make_person("eve@example.org", "Eve Newcomer")
    join(eve, cargo)
    assert decide(coordinator, ItemKind.NEWCOMER, eve.pk).status_code == 302
    assert ids(coordinator, ItemKind.NEWCOMER) == []
    community_actions.do_leave(eve, cargo)
    with time_machine.travel(timezone.now() + 2 * DAY):
        community_actions.do_join(eve, cargo)
        assert ids(coordinator, ItemKind.NEWCOMER) == [eve.pk]


# --- 3. Members drifting away ---------------------------------------------------------------------


def months_ago(today: date, count: int) -> date:
    return queries.months_before(today, count)[-1]


def was(person: User, where: Community, level: str, month: date) -> None:
    MemberLevel.objects.create(community=where, person=person, month=month, level=level, score=9)


def active_on(person: User, where: Community, day: date) -> None:
    MemberDay.objects.create(community=where, person=person, day=day, events=3, level1=1)


@pytest.fixture
def today() -> date:
    return queries.utc_day(timezone.now())


def test_a_member_core_or_active_lately_and_silent_for_30_days_is_drifting_away(
    cargo: Community, coordinator: User, alice: User, bob: User, dora: User, today: date
) -> None:
    mona = make_person("mona2@example.org", "Mona Peripheral")
    paul = make_person("paul@example.org", "Paul Past")
    lea = make_person("lea@example.org", "Léa Left")
    for person in (mona, paul, lea):
        join(person, cargo)
    was(alice, cargo, Level.ACTIVE, months_ago(today, 1))  # silent for 30 days: drifting
    active_on(alice, cargo, today - 30 * DAY)
    was(bob, cargo, Level.CORE, months_ago(today, 3))  # silent for 31 days: drifting
    active_on(bob, cargo, today - 31 * DAY)
    was(dora, cargo, Level.CORE, months_ago(today, 2))  # active 29 days ago: not drifting
    active_on(dora, cargo, today - 29 * DAY)
    was(mona, cargo, Level.PERIPHERAL, months_ago(today, 1))  # only peripheral
    was(paul, cargo, Level.CORE, months_ago(today, 4))  # core too long ago
    was(paul, cargo, Level.ACTIVE, today.replace(day=1))  # this month is not over
    was(lea, cargo, Level.CORE, months_ago(today, 1))  # left the community
    community_actions.do_leave(lea, cargo)
    drifting = section(coordinator, ItemKind.DRIFTING)
    assert [item.object_id for item in drifting.items] == [alice.pk, bob.pk]
    [first, second] = drifting.items
    assert isinstance(first, queries.DriftingItem)
    assert isinstance(second, queries.DriftingItem)
    assert (first.level, first.last_active) == (Level.ACTIVE, today - 30 * DAY)
    assert (second.level, second.level_month) == (Level.CORE, months_ago(today, 3))
    page = html(client_for(coordinator), queue_url())
    assert "Active at the end of" in page
    assert "Core group at the end of" in page


def test_a_drifting_member_who_asked_not_to_be_named_is_counted_not_listed(
    cargo: Community, coordinator: User, alice: User, bob: User, dora: User, today: date
) -> None:
    for person in (alice, bob, dora):
        was(person, cargo, Level.ACTIVE, months_ago(today, 1))
    unnamed(bob)
    unnamed(dora)
    drifting = section(coordinator, ItemKind.DRIFTING)
    assert [item.object_id for item in drifting.items] == [alice.pk]
    assert (drifting.total, drifting.unnamed) == (1, 2)
    page = html(client_for(coordinator), queue_url())
    assert "And 2 members who asked not to be named." in page
    assert "Bob Leroy" not in page
    assert "Dora Member" not in page


def test_a_dismissed_drifting_member_comes_back_only_after_coming_back_and_drifting_again(
    cargo: Community, coordinator: User, alice: User, today: date
) -> None:
    was(alice, cargo, Level.CORE, months_ago(today, 1))
    active_on(alice, cargo, today - 40 * DAY)
    assert decide(coordinator, ItemKind.DRIFTING, alice.pk, note="Called her").status_code == 302
    assert ids(coordinator, ItemKind.DRIFTING) == []
    # She comes back: not drifting. Then nothing for 30 days: drifting again.
    later = timezone.now() + 10 * DAY
    active_on(alice, cargo, queries.utc_day(later))
    assert ids(coordinator, ItemKind.DRIFTING, later) == []
    assert ids(coordinator, ItemKind.DRIFTING, later + 30 * DAY) == [alice.pk]


# --- 4. Gaps in the rhythm ----------------------------------------------------------------------


def plan(coordinator: User, space: Space, when: datetime) -> PlannedPost:
    """Something on the calendar at `when`: published then when it is past, planned else."""
    if when > timezone.now():
        return animation_actions.do_plan_post(
            coordinator, space, topic_kind="discussion", title="Rhythm", body="Hi", publish_at=when
        )
    with time_machine.travel(when):
        return animation_actions.do_plan_post(
            coordinator, space, topic_kind="discussion", title="Rhythm", body="Hi", publish_at=None
        )


def test_gaps_in_the_coming_weeks_come_from_the_calendars_rhythm(
    cargo: Community, general: Space, coordinator: User
) -> None:
    animation_actions.do_set_rhythm_gap(coordinator, cargo, 5)
    start = timezone.localtime(timezone.now(), cargo.zone).replace(hour=12, minute=0)
    # Something every three days, past and future: quiet spells of two days at most.
    planned = {day: plan(coordinator, general, start + day * DAY) for day in range(-8, 40, 3)}
    assert ids(coordinator, ItemKind.RHYTHM_GAP) == []
    # Without the 7th, 10th and 13th days, eleven quiet days from the 5th to the 15th.
    PlannedPost.objects.filter(pk__in=[planned[day].pk for day in (7, 10, 13)]).delete()
    [gap] = section(coordinator, ItemKind.RHYTHM_GAP).items
    assert isinstance(gap, queries.GapItem)
    first_quiet, last_quiet = (start + 5 * DAY).date(), (start + 15 * DAY).date()
    assert (gap.first_day, gap.last_day, gap.days) == (first_quiet, last_quiet, 11)
    assert gap.object_id == int(first_quiet.strftime("%Y%m%d"))
    assert f"view=week&date={first_quiet.isoformat()}" in gap.plan_url
    # Dismissed, it stays away while the spell starts on the same day, even shorter.
    assert decide(coordinator, ItemKind.RHYTHM_GAP, gap.object_id).status_code == 302
    assert ids(coordinator, ItemKind.RHYTHM_GAP) == []
    plan(coordinator, general, start + 14 * DAY)
    assert ids(coordinator, ItemKind.RHYTHM_GAP) == []
    # A new spell (it starts on another day) is a new item.
    plan(coordinator, general, start + 5 * DAY)
    assert ids(coordinator, ItemKind.RHYTHM_GAP) == [int((start + 6 * DAY).strftime("%Y%m%d"))]


def test_a_community_with_nothing_planned_has_one_gap_reaching_beyond_the_horizon(
    cargo: Community, coordinator: User
) -> None:
    [gap] = section(coordinator, ItemKind.RHYTHM_GAP).items
    assert isinstance(gap, queries.GapItem)
    today = animation_queries.local_today(cargo)
    # Quiet since before this month's calendar: shown from today to the horizon.
    assert gap.first_day < today
    assert (gap.from_day, gap.days, gap.runs_beyond) == (today, queries.HORIZON_DAYS, True)


# --- 5. Silent spaces -----------------------------------------------------------------------------


def spoke(space: Space, day: date, **counts: int) -> None:
    SpaceDay.objects.create(space=space, community=space.community, day=day, events=1, **counts)


def test_a_space_is_silent_after_30_days_without_a_topic_answer_or_reply(
    cargo: Community, general: Space, lab: Space, coordinator: User, today: date
) -> None:
    with time_machine.travel(timezone.now() - 90 * DAY):
        quiet = community_actions.do_create_space(coordinator, cargo, name="Quiet corner")
        reacting = community_actions.do_create_space(coordinator, cargo, name="Reactions only")
    community_actions.do_create_space(coordinator, cargo, name="Brand new")  # too young
    spoke(general, today - 29 * DAY, replies=1)  # spoke 29 days ago: not silent
    spoke(lab, today - 30 * DAY, topics=1)  # 30 days ago: silent
    spoke(quiet, today - 60 * DAY, answers=2)
    spoke(reacting, today - 2 * DAY, reactions=5, level1=5)  # reactions are not talk
    silent = section(coordinator, ItemKind.SILENT_SPACE).items
    assert [item.label for item in silent] == ["Reactions only", "Quiet corner", "Lab"]
    assert [getattr(item, "last_active", None) for item in silent] == [
        None,
        today - 60 * DAY,
        today - 30 * DAY,
    ]


def test_a_dismissed_space_comes_back_once_it_spoke_and_fell_silent_again(
    cargo: Community, general: Space, coordinator: User, today: date
) -> None:
    spoke(general, today - 45 * DAY, topics=1)
    response = decide(coordinator, ItemKind.SILENT_SPACE, general.pk, note="Holidays")
    assert response.status_code == 302
    assert response["Location"] == queue_url() + "#silent-space"
    assert ids(coordinator, ItemKind.SILENT_SPACE) == []
    later = timezone.now() + 5 * DAY
    spoke(general, queries.utc_day(later), replies=1)
    assert ids(coordinator, ItemKind.SILENT_SPACE, later + 29 * DAY) == []
    assert ids(coordinator, ItemKind.SILENT_SPACE, later + 31 * DAY) == [general.pk]


# --- 6. Flags ------------------------------------------------------------------------------------


def test_flags_waiting_show_as_one_item_until_dealt_with_or_dismissed(
    cargo: Community, general: Space, coordinator: User, moderator: User, alice: User, bob: User
) -> None:
    topic = ask(alice, general, "A discussion", hours_ago=1, kind=TopicKind.DISCUSSION)
    post = topic.posts.get(position=0)
    assert section(coordinator, ItemKind.FLAGS).items == []
    conversation_actions.do_flag(bob, post, reason="spam")
    newest = conversation_actions.do_flag(moderator, post, reason="off_topic")
    [item] = section(coordinator, ItemKind.FLAGS).items
    assert isinstance(item, queries.FlagsItem)
    assert (item.flags, item.posts, item.object_id) == (2, 1, newest.pk)
    assert item.queue_url == reverse("moderation_queue", args=["cargo"])
    assert decide(coordinator, ItemKind.FLAGS, newest.pk).status_code == 302
    assert section(coordinator, ItemKind.FLAGS).items == []
    # A newer flag brings the item back; moderators dealing with the flags take it away.
    reply = conversation_actions.do_reply(bob, topic, body="Buy cheap bikes here!")
    conversation_actions.do_flag(alice, reply, reason="spam")
    assert len(section(coordinator, ItemKind.FLAGS).items) == 1
    conversation_actions.do_resolve_flags(moderator, post, resolution="kept")
    conversation_actions.do_resolve_flags(moderator, reply, resolution="kept")
    assert section(coordinator, ItemKind.FLAGS).items == []


# --- Decisions ------------------------------------------------------------------------------------


def test_a_decision_stores_who_when_and_the_note_and_is_logged(
    cargo: Community, general: Space, coordinator: User, today: date
) -> None:
    spoke(general, today - 45 * DAY, topics=1)
    moment = timezone.now()
    with time_machine.travel(moment, tick=False):
        decision = actions.do_decide(
            coordinator,
            cargo,
            kind=ItemKind.SILENT_SPACE,
            object_id=general.pk,
            outcome=Outcome.DONE,
            note="  Planned a   meetup  ",
        )
    decision.refresh_from_db()
    assert (decision.decided_by, decision.decided_at, decision.note) == (
        coordinator,
        moment,
        "Planned a meetup",
    )
    [event] = logged("next_action.done")
    assert (event.object_type, event.object_id, event.level) == (
        "nextactions.decision",
        decision.pk,
        None,
    )
    assert event.created_at == moment
    page = html(client_for(coordinator), queue_url())
    assert "Silent space: “General”" in page
    assert "Done by Claire Coord" in page
    assert "Planned a meetup" in page


def test_a_decision_and_its_event_are_written_together_or_not_at_all(
    cargo: Community,
    general: Space,
    coordinator: User,
    today: date,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spoke(general, today - 45 * DAY, topics=1)

    def failing(*args: object, **kwargs: object) -> None:
        raise IntegrityError("the log is full")

    monkeypatch.setattr(actions, "record_event", failing)
    with pytest.raises(IntegrityError):
        actions.do_decide(
            coordinator,
            cargo,
            kind=ItemKind.SILENT_SPACE,
            object_id=general.pk,
            outcome=Outcome.DISMISSED,
        )
    assert not Decision.objects.exists()
    assert ids(coordinator, ItemKind.SILENT_SPACE) == [general.pk]


def test_deciding_on_what_is_not_in_the_queue_is_refused(
    cargo: Community, general: Space, coordinator: User, today: date
) -> None:
    spoke(general, today - 2 * DAY, topics=1)
    refusals = [
        (ItemKind.SILENT_SPACE, general.pk, Outcome.DONE, ""),  # not silent
        (ItemKind.QUESTION, 999_999, Outcome.DONE, ""),
        ("everything", 1, Outcome.DONE, ""),
        (ItemKind.SILENT_SPACE, general.pk, "forgotten", ""),
    ]
    for kind, object_id, outcome, note in refusals:
        with pytest.raises(ActionRefused):
            actions.do_decide(
                coordinator, cargo, kind=kind, object_id=object_id, outcome=outcome, note=note
            )
    spoke(general, today - 50 * DAY, topics=1)
    SpaceDay.objects.filter(day=today - 2 * DAY).delete()
    with pytest.raises(ActionRefused, match="under 500 characters"):
        actions.do_decide(coordinator, cargo, kind=ItemKind.SILENT_SPACE, object_id=general.pk,
                          outcome=Outcome.DONE, note="x" * 501)  # fmt: skip
    client = client_for(coordinator)
    response = client.post(
        reverse("nextactions:decide", args=["cargo"]),
        {"kind": ItemKind.SILENT_SPACE, "object_id": 999_999, "outcome": Outcome.DONE},
        follow=True,
    )
    assert response.redirect_chain == [(queue_url() + "#silent-space", 302)]
    assert "This item is no longer in the queue" in response.content.decode()
    assert not Decision.objects.exists()


# --- The page -------------------------------------------------------------------------------------


def test_the_page_groups_items_by_kind_with_counts_and_buttons(
    cargo: Community, general: Space, coordinator: User, alice: User, bob: User, brakes: Tag
) -> None:
    declare(bob, brakes, ExpertiseLevel.EXPERT)
    question = ask(alice, general, "Where to park a cargo bike?", hours_ago=50, tags=(brakes,))
    page = html(client_for(coordinator), queue_url())
    assert "<h1>Next actions</h1>" in page
    for title in (
        "Unanswered questions",
        "Newcomers not yet welcomed",
        "Members drifting away",
        "Gaps in the rhythm",
        "Silent spaces",
        "Flags waiting",
    ):
        assert f'-title">{title} <span class="badge">' in page
    assert ">Recent decisions</h2>" in page
    assert "Where to park a cargo bike?" in page
    assert reverse("nextactions:ask", args=["cargo", question.pk]) in page
    assert f'name="expert" value="{bob.pk}"' in page
    assert 'Bob Leroy <span class="muted">(declares: expert on #brakes)</span>' in page
    assert 'value="dismissed"' in page
    assert "No decision yet." in page


def test_staff_read_the_queue_without_buttons_and_without_what_they_may_not_read(
    cargo: Community, lab: Space, general: Space, coordinator: User, alice: User
) -> None:
    operator = staff_person()
    ask(alice, lab, "A question in the Lab", hours_ago=50)
    ask(alice, general, "A question for all", hours_ago=50)
    page = html(client_for(operator), queue_url())
    assert "A question for all" in page
    assert "A question in the Lab" not in page
    assert "only the community's coordinators act on it" in page
    assert reverse("nextactions:decide", args=["cargo"]) not in page
    assert "see the editorial calendar and its gaps" in page


def test_the_landing_link_shows_to_those_who_see_the_cockpit(
    cargo: Community, coordinator: User, alice: User
) -> None:
    for person, shown in ((coordinator, True), (alice, False), (staff_person(), True)):
        landing = html(client_for(person), cargo.get_absolute_url())
        assert (queue_url() in landing) is shown


# --- Permissions ----------------------------------------------------------------------------------


@pytest.fixture
def closed(coordinator: User, alice: User) -> Community:
    """A members-only community: outsiders may not read it."""
    created = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, created)
    return created


def test_permission_matrix(
    cargo: Community,
    closed: Community,
    general: Space,
    coordinator: User,
    moderator: User,
    alice: User,
    charlie: User,
    today: date,
) -> None:
    spoke(general, today - 45 * DAY, topics=1)
    operator = staff_person()
    expected = {
        # person: (queue, decide) in the open community
        "coordinator": (coordinator, 200, 302),
        "staff": (operator, 200, 403),
        "moderator": (moderator, 403, 403),
        "member": (alice, 403, 403),
        "outsider": (charlie, 403, 403),
    }
    for name, (person, reading, acting) in expected.items():
        client = client_for(person)
        assert client.get(queue_url()).status_code == reading, name
        response = client.post(
            reverse("nextactions:decide", args=["cargo"]),
            {"kind": ItemKind.SILENT_SPACE, "object_id": general.pk, "outcome": Outcome.DONE},
        )
        assert response.status_code == acting, name
        ask_url = reverse("nextactions:ask", args=["cargo", 999_999])
        welcome_url = reverse("nextactions:welcome", args=["cargo", alice.pk])
        if person == coordinator:
            # Allowed: an unknown question is a 404; Alice is no newcomer (a message).
            assert client.post(ask_url).status_code == 404
            assert client.post(welcome_url).status_code == 302
        else:
            assert client.post(ask_url).status_code == acting, name
            assert client.post(welcome_url).status_code == acting, name
    # Members-only community: outsiders are told nothing (404); members are refused (403).
    assert client_for(charlie).get(queue_url("closed")).status_code == 404
    assert (
        client_for(charlie).post(reverse("nextactions:decide", args=["closed"])).status_code == 404
    )
    assert client_for(alice).get(queue_url("closed")).status_code == 403
    assert client_for(coordinator).get(queue_url("closed")).status_code == 200
    # Anonymous visitors are asked to log in; nothing is written for anyone refused.
    anonymous = client_for(None).get(queue_url())
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert Decision.objects.count() == 1
    assert len(logged("next_action.done")) == 1


def test_the_actions_refuse_everyone_but_coordinators(
    cargo: Community, general: Space, coordinator: User, moderator: User, alice: User, today: date
) -> None:
    spoke(general, today - 45 * DAY, topics=1)
    for person in (moderator, alice, staff_person()):
        with pytest.raises(ActionRefused, match="Only the community's coordinators"):
            actions.do_decide(person, cargo, kind=ItemKind.SILENT_SPACE, object_id=general.pk,
                              outcome=Outcome.DONE)  # fmt: skip
    assert not Decision.objects.exists()


# --- Query count ----------------------------------------------------------------------------------


@pytest.fixture
def crowd(cargo: Community, coordinator: User, today: date) -> Callable[[int], None]:
    def build(size: int) -> None:
        tag = conversation_actions.do_create_tag(coordinator, cargo, name=f"Tag {size}")
        general = cargo.spaces.get(is_default=True)
        for n in range(size):
            with time_machine.travel(timezone.now() - 90 * DAY):
                space = community_actions.do_create_space(coordinator, cargo, name=f"Space {n}")
                drifter = make_person(f"drift{n}@example.org", f"Drifter {n}")
                join(drifter, cargo)
                expert = make_person(f"expert{n}@example.org", f"Expert {n}")
                join(expert, cargo)
            spoke(space, today - 40 * DAY, topics=1)
            was(drifter, cargo, Level.ACTIVE, months_ago(today, 1))
            active_on(drifter, cargo, today - 35 * DAY)
            declare(expert, tag, ExpertiseLevel.EXPERT)
            ask(drifter, general, f"Question {n}", hours_ago=50 + n, tags=(tag,))
            newcomer = make_person(f"new{n}@example.org", f"Newcomer {n}")
            join(newcomer, cargo)
            topic = ask(expert, space, f"Flagged {n}", hours_ago=1, kind=TopicKind.DISCUSSION)
            conversation_actions.do_flag(drifter, topic.posts.get(), reason="spam")
            if n % 3 == 0:
                decide(coordinator, ItemKind.SILENT_SPACE, space.pk)

    return build


@pytest.mark.parametrize("size", [2, 12])
def test_the_queue_runs_a_fixed_number_of_queries(
    size: int, crowd: Callable[[int], None], coordinator: User, django_assert_max_num_queries: Any
) -> None:
    crowd(size)
    client = client_for(coordinator)
    with django_assert_max_num_queries(32 + NAVIGATION_QUERIES):
        page = html(client, queue_url())
    assert page.count('id="item-question-') == size
    assert page.count('id="item-drifting-') == size
    assert page.count('id="item-newcomer-') == size
    decided = len(range(0, size, 3))
    assert page.count('id="item-silent_space-') == size - decided + 1  # and General
    assert page.count('name="expert"') == size * min(size, queries.SUGGESTED_EXPERTS)
    assert page.count('id="item-flags-') == 1


# --- The privacy preference on the profile --------------------------------------------------------


def test_the_profile_form_offers_to_be_named_in_the_animators_figures(alice: User) -> None:
    profile = profile_for(alice)
    form = ProfileForm(profile=profile, email=alice.email)
    field = form["named_in_analytics"]
    assert field.label == "Named in the animators' figures"
    assert "never named" in str(field.help_text)
    assert field.initial is True
    privacy = next(fields for part, _title, fields in form.sections() if part == "privacy")
    assert "named_in_analytics" in [bound.name for bound in privacy]
    data = {"email_visibility": "me", "organization_visibility": "profile",
            "location_visibility": "profile"}  # fmt: skip
    unticked = ProfileForm(data, profile=profile, email=alice.email)
    assert unticked.is_valid(), unticked.errors
    assert unticked.cleaned_data["named_in_analytics"] is False
    ticked = ProfileForm({**data, "named_in_analytics": "on"}, profile=profile, email=alice.email)
    assert ticked.is_valid()
    assert ticked.cleaned_data["named_in_analytics"] is True
    profile.named_in_analytics = False
    profile.save()
    assert ProfileForm(profile=profile, email=alice.email)["named_in_analytics"].initial is False
    page = html(client_for(alice), reverse("profile_edit"))
    assert 'name="named_in_analytics"' in page
    assert "Named in the animators&#x27; figures" in page
    assert 'aria-describedby="id_named_in_analytics_helptext"' in page


@pytest.mark.skipif(
    "named_in_analytics" not in inspect.signature(people_actions.do_update_profile).parameters,
    reason="people.actions.do_update_profile does not take named_in_analytics yet, nor does "
    "people.views.edit_profile pass it",
)
def test_unticking_named_in_the_figures_on_the_profile_page_is_saved(alice: User) -> None:
    data = {"email_visibility": "me", "organization_visibility": "profile",
            "location_visibility": "profile"}  # fmt: skip
    client = client_for(alice)
    assert client.post(reverse("profile_edit"), data).status_code == 302
    assert Profile.objects.get(person=alice).named_in_analytics is False
    client.post(reverse("profile_edit"), {**data, "named_in_analytics": "on"})
    assert Profile.objects.get(person=alice).named_in_analytics is True


# --- The notification kind ------------------------------------------------------------------------


def test_being_asked_to_answer_is_a_kind_of_email_members_choose(alice: User) -> None:
    page = html(client_for(alice), reverse("notification_settings"))
    assert "Coordinators asking me to answer a question" in page
