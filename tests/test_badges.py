"""Badges and recognition: the built-in badges the job awards from real activity (once,
set-based, each holder told once), custom badges animators award with a reason, badges
on profiles only where the reader may look, and the members of the month."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override
from PIL import Image

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.badges import actions, awarding, demo, rules
from cercle.badges.models import BadgeAward, CustomBadge, MemberOfTheMonth
from cercle.badges.tasks import award_badges_task
from cercle.communities.models import Audience, Community, Role, Visibility
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Post, Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.notifications.models import Kind, Notification
from cercle.onboarding import actions as onboarding_actions
from cercle.people import actions as people_actions
from tests.communities import client_for, community, html, internal_domain, join
from tests.concurrency import run_together
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


# --- Builders ---------------------------------------------------------------------------


def start(
    person: User, where: Community, title: str = "Which bike?", kind: str = "discussion"
) -> Topic:
    return conversation_actions.do_start_topic(
        person, where.spaces.get(is_default=True), kind=kind, title=title, body="Tell me."
    )


def opening(topic: Topic) -> Post:
    return topic.posts.get(position=0)


def badge_keys(person: User, where: Community) -> set[str]:
    return set(
        BadgeAward.objects.filter(person=person, community=where, custom_badge=None).values_list(
            "badge_key", flat=True
        )
    )


def badge_notifications(person: User) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=Kind.BADGE).order_by("pk"))


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (180, 70, 27)).save(buffer, format="PNG")
    return buffer.getvalue()


# --- The built-in badges --------------------------------------------------------------------


def test_the_job_awards_a_first_post_once_and_tells_the_holder_once(
    cargo: Community, alice: User, bob: User
) -> None:
    start(alice, cargo)
    awarding.run()
    assert badge_keys(alice, cargo) == {"first_post"}
    assert badge_keys(bob, cargo) == set()
    told = badge_notifications(alice)
    assert [n.subject for n in told] == ["First words"]
    assert told[0].url == reverse("badges:community", kwargs={"slug": "cargo"})
    # Running again changes nothing and tells nobody twice.
    start(alice, cargo, title="Another one")
    report = awarding.run()
    assert report.awarded["first_post"] == 0
    assert BadgeAward.objects.filter(person=alice).count() == 1
    assert len(badge_notifications(alice)) == 1
    # One event, naming the award (which says the badge), with the member as actor.
    earned = ActivityEvent.objects.get(verb="badge.earned")
    award = BadgeAward.objects.get(person=alice)
    assert (earned.actor, earned.object_type, earned.object_id) == (
        alice,
        "badges.badgeaward",
        award.pk,
    )
    assert award.badge_key == "first_post"


def test_posts_written_as_a_persona_earn_their_writer_nothing(
    cargo: Community, coordinator: User, alice: User
) -> None:
    from cercle.personas import actions as persona_actions  # noqa: PLC0415

    velia = persona_actions.do_create_persona(coordinator, cargo, name="Vélia")
    space = cargo.spaces.get(is_default=True)
    question = conversation_actions.do_start_topic(
        alice, space, kind=TopicKind.QUESTION, title="How to start?", body="Where?"
    )
    conversation_actions.do_start_topic(
        coordinator, space, kind=TopicKind.DISCUSSION, title="Hello", body="I am Vélia.",
        persona=velia,
    )  # fmt: skip
    answer = conversation_actions.do_reply(coordinator, question, body="Here.", persona=velia)
    conversation_actions.do_accept_answer(alice, question, answer)
    awarding.run()
    # The writer behind the persona earns neither "first post" nor "problem solver".
    assert badge_keys(coordinator, cargo) == set()
    assert badge_keys(alice, cargo) == {"first_post"}


def test_badge_names_are_translated_and_the_notification_speaks_the_communitys_language(
    coordinator: User, alice: User
) -> None:
    french = community(coordinator, slug="velo", name="Vélo")
    french.language = "fr"
    french.save()
    join(alice, french)
    start(alice, french)
    awarding.run()
    with override("fr"):
        french_name = str(rules.BUILTIN_BADGES["first_post"].name)
    with override("en"):
        assert [n.subject for n in badge_notifications(alice)] == [french_name]


def test_an_accepted_answer_earns_problem_solver_but_not_when_you_accept_your_own(
    cargo: Community, alice: User, bob: User
) -> None:
    question = start(alice, cargo, kind=TopicKind.QUESTION)
    mine = conversation_actions.do_reply(alice, question, body="I found it myself.")
    conversation_actions.do_accept_answer(alice, question, mine)
    awarding.run()
    assert "first_accepted_answer" not in badge_keys(alice, cargo)
    answer = conversation_actions.do_reply(bob, question, body="A longtail.")
    conversation_actions.do_accept_answer(alice, question, answer)
    awarding.run()
    assert "first_accepted_answer" in badge_keys(bob, cargo)


def test_ten_helpful_reactions_earn_helping_hand_and_nine_do_not(
    cargo: Community, alice: User
) -> None:
    post = opening(start(alice, cargo))
    readers = [make_person(f"reader{n}@example.org", f"Reader {n}") for n in range(10)]
    for reader in readers:
        join(reader, cargo)
    for reader in readers[:9]:
        conversation_actions.do_toggle_reaction(reader, post, "helpful")
    conversation_actions.do_toggle_reaction(readers[9], post, "thanks")
    awarding.run()
    assert "helpful_ten" not in badge_keys(alice, cargo)
    conversation_actions.do_toggle_reaction(readers[9], post, "helpful")
    awarding.run()
    assert "helpful_ten" in badge_keys(alice, cargo)


def test_welcoming_five_newcomers_earns_welcomer(cargo: Community, coordinator: User) -> None:
    newcomers = [make_person(f"new{n}@example.org", f"New {n}") for n in range(5)]
    for newcomer in newcomers:
        join(newcomer, cargo)
    for newcomer in newcomers[:4]:
        onboarding_actions.do_welcome(coordinator, cargo, newcomer)
    awarding.run()
    assert "welcomer" not in badge_keys(coordinator, cargo)
    onboarding_actions.do_welcome(coordinator, cargo, newcomers[4])
    awarding.run()
    assert "welcomer" in badge_keys(coordinator, cargo)


def test_someone_who_left_earns_nothing_more(cargo: Community, alice: User) -> None:
    start(alice, cargo)
    community_actions.do_leave(alice, cargo)
    awarding.run()
    assert badge_keys(alice, cargo) == set()


def test_badges_are_per_community(cargo: Community, coordinator: User, alice: User) -> None:
    other = community(coordinator, slug="other")
    join(alice, other)
    start(alice, cargo)
    start(alice, other)
    awarding.run()
    assert badge_keys(alice, cargo) == {"first_post"}
    assert badge_keys(alice, other) == {"first_post"}
    assert len(badge_notifications(alice)) == 2


def test_a_rule_whose_app_is_not_ready_is_skipped_cleanly(
    cargo: Community, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "_ready", lambda *args: None)
    start(alice, cargo)
    report = awarding.run()
    assert set(report.skipped) == {"event_regular", "contest_winner", "idea_adopted"}
    assert "Skipped (their app is not ready)" in str(report)
    assert badge_keys(alice, cargo) == {"first_post"}


def test_an_adopted_idea_earns_its_badge_when_the_ideas_app_is_ready(
    cargo: Community, alice: User
) -> None:
    idea_model = rules._ready("ideas", "Idea", ["community", "author", "status"])
    if idea_model is None:
        pytest.skip("the ideas app is not ready")
    idea_model._default_manager.create(
        community=cargo,
        space=cargo.spaces.get(is_default=True),
        title="Repair café",
        author=alice,
        status="new",
    )
    awarding.run()
    assert "idea_adopted" not in badge_keys(alice, cargo)
    idea_model._default_manager.update(status="adopted")
    awarding.run()
    assert "idea_adopted" in badge_keys(alice, cargo)


def test_the_job_runs_the_same_queries_for_three_or_thirty_earners(
    coordinator: User,
) -> None:
    """Set-based: the count depends on badges and communities, never on members."""

    def crowd(slug: str, size: int) -> Community:
        where = community(coordinator, slug=slug)
        for n in range(size):
            person = make_person(f"{slug}{n}@example.org", f"{slug} {n}")
            join(person, where)
            start(person, where, title=f"Topic {n}")
        return where

    small, large = crowd("small", 3), crowd("large", 30)
    counts = []
    for where in (small, large):
        with CaptureQueriesContext(connection) as context:
            awarding.award_builtin_badges(communities=[where.pk])
        counts.append(len(context))
    assert counts[0] == counts[1]
    assert BadgeAward.objects.filter(community=large).count() == 30
    # Pinned: eight rules (one query each, and three table checks), then for the one
    # badge earned: the insert, the read of what it inserted, its community, the
    # notifications (members, people, email preferences, insert) and the log.
    assert counts[0] <= 24, counts


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_award_and_tell_each_holder_once(coordinator: User) -> None:
    where = community(coordinator)
    people = [make_person(f"rider{n}@example.org", f"Rider {n}") for n in range(8)]
    for person in people:
        join(person, where)
        start(person, where, title=f"Hello from {person.display_name}")
    errors = run_together([awarding.award_builtin_badges for _run in range(4)])
    if connection.vendor == "sqlite" and errors:
        pytest.skip("SQLite's shared in-memory database refuses concurrent writers")
    assert errors == []
    assert BadgeAward.objects.filter(badge_key="first_post").count() == 8
    assert Notification.objects.filter(kind=Kind.BADGE).count() == 8


def test_the_command_reports_what_it_did(cargo: Community, alice: User) -> None:
    start(alice, cargo)
    out = io.StringIO()
    call_command("award_badges", "--community", "cargo", stdout=out)
    assert "first_post: 1" in out.getvalue()
    assert "showcases filled: 0" in out.getvalue()


# --- Custom badges --------------------------------------------------------------------------


@pytest.fixture
def mechanic(cargo: Community, coordinator: User) -> CustomBadge:
    return actions.do_create_badge(
        coordinator,
        cargo,
        name="Master mechanic",
        description="Fixed a fellow member's bike.",
        emoji="🔧",
    )


def test_only_animators_create_badges(cargo: Community, alice: User, charlie: User) -> None:
    for person in (alice, charlie):
        with pytest.raises(ActionRefused):
            actions.do_create_badge(person, cargo, name="Mine", description="Self-made.")
    assert not CustomBadge.objects.exists()
    assert client_for(alice).get(reverse("badges:new", args=["cargo"])).status_code == 404


def test_a_badge_name_is_unique_in_its_community(
    cargo: Community, coordinator: User, mechanic: CustomBadge
) -> None:
    with pytest.raises(ActionRefused, match="already has a badge"):
        actions.do_create_badge(coordinator, cargo, name="master MECHANIC", description="Again.")


def test_an_animator_creates_a_badge_with_an_image_through_the_page(
    cargo: Community, coordinator: User, alice: User, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for(coordinator)
    response = client.post(
        reverse("badges:new", args=["cargo"]),
        {
            "name": "Night rider",
            "description": "Rode to the winter meet-up.",
            "image": SimpleUploadedFile("moon.png", png(), content_type="image/png"),
        },
    )
    badge = CustomBadge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("badges:custom", args=["cargo", badge.pk])
    assert badge.image.name.endswith(".png")
    assert "moon" not in badge.image.name
    image = client_for(alice).get(reverse("badges:image", args=["cargo", badge.pk]))
    assert image.status_code == 200
    assert (
        client_for(None).get(reverse("badges:image", args=["cargo", badge.pk])).status_code == 200
    )
    refused = client.post(
        reverse("badges:new", args=["cargo"]),
        {"name": "Broken", "description": "x", "image": SimpleUploadedFile("a.png", b"nope")},
    )
    assert refused.status_code == 200
    assert "Use a PNG, JPEG or WebP image." in refused.content.decode()
    assert CustomBadge.objects.count() == 1


def test_awarding_a_custom_badge_requires_a_reason(
    cargo: Community, coordinator: User, alice: User, mechanic: CustomBadge
) -> None:
    for reason in ("", "   "):
        with pytest.raises(ActionRefused, match="Say why"):
            actions.do_award_badge(coordinator, mechanic, alice, reason=reason)
    client = client_for(coordinator)
    page = client.post(
        reverse("badges:custom", args=["cargo", mechanic.pk]), {"member": "@alice-martin"}
    )
    assert page.status_code == 200
    assert "This field is required." in page.content.decode()
    assert not BadgeAward.objects.exists()
    assert badge_notifications(alice) == []


def test_an_animator_awards_a_custom_badge_and_the_reason_shows_on_the_profile(
    cargo: Community, coordinator: User, alice: User, bob: User, mechanic: CustomBadge
) -> None:
    client = client_for(coordinator)
    response = client.post(
        reverse("badges:custom", args=["cargo", mechanic.pk]),
        {"member": "@alice-martin", "reason": "Trued Bob's wheel before the ride."},
    )
    assert response.status_code == 302
    award = BadgeAward.objects.get()
    assert (award.person, award.awarded_by, award.custom_badge) == (alice, coordinator, mechanic)
    told = badge_notifications(alice)
    assert [(n.subject, n.actor) for n in told] == [("Master mechanic", coordinator)]
    assert ActivityEvent.objects.filter(verb="badge.awarded", actor=coordinator).count() == 1
    profile = html(client_for(bob), reverse("profile", args=[alice.handle]))
    assert "Master mechanic" in profile
    assert "Trued Bob&#x27;s wheel before the ride." in profile
    with pytest.raises(ActionRefused, match="already holds"):
        actions.do_award_badge(coordinator, mechanic, alice, reason="Again")


def test_custom_badges_go_to_members_only_and_not_to_oneself(
    cargo: Community, coordinator: User, alice: User, charlie: User, mechanic: CustomBadge
) -> None:
    with pytest.raises(ActionRefused, match="not a member"):
        actions.do_award_badge(coordinator, mechanic, charlie, reason="Nice")
    with pytest.raises(ActionRefused, match="yourself"):
        actions.do_award_badge(coordinator, mechanic, coordinator, reason="Me")
    with pytest.raises(ActionRefused):
        actions.do_award_badge(alice, mechanic, coordinator, reason="Thanks")
    page = client_for(coordinator).post(
        reverse("badges:custom", args=["cargo", mechanic.pk]),
        {"member": "charlie-outsider", "reason": "Nice"},
    )
    assert "No member of this community has this handle." in page.content.decode()
    assert (
        client_for(alice)
        .post(
            reverse("badges:custom", args=["cargo", mechanic.pk]),
            {"member": "bob-leroy", "reason": "Nice"},
        )
        .status_code
        == 404
    )
    assert not BadgeAward.objects.exists()


def test_an_animator_takes_back_a_custom_badge_but_not_an_earned_one(
    cargo: Community, coordinator: User, alice: User, mechanic: CustomBadge
) -> None:
    award = actions.do_award_badge(coordinator, mechanic, alice, reason="By mistake")
    assert (
        client_for(alice)
        .post(reverse("badges:revoke", args=["cargo", mechanic.pk, award.pk]))
        .status_code
        == 404
    )
    response = client_for(coordinator).post(
        reverse("badges:revoke", args=["cargo", mechanic.pk, award.pk])
    )
    assert response.status_code == 302
    assert not BadgeAward.objects.exists()
    start(alice, cargo)
    awarding.run()
    earned = BadgeAward.objects.get(person=alice)
    with pytest.raises(ActionRefused, match="not taken back"):
        actions.do_revoke_award(coordinator, earned)


# --- Who sees badges --------------------------------------------------------------------------


def test_badges_of_an_internal_community_do_not_show_to_outsiders(
    coordinator: User, alice: User, bob: User, charlie: User
) -> None:
    domain = internal_domain()
    insider = make_person(f"ines@{domain}", "Ines Inside")
    boss = make_person(f"boss@{domain}", "Boss Inside")
    internal = community(boss, slug="inside", audience=Audience.INTERNAL)
    outside = community(coordinator, slug="outside")
    join(insider, internal)
    join(insider, outside)
    join(bob, outside)
    start(insider, internal)
    secret = actions.do_create_badge(boss, internal, name="Secret project", description="Hush.")
    actions.do_award_badge(boss, secret, insider, reason="Shipped the secret thing")
    people_actions.do_update_profile(insider, insider, is_public=True)
    awarding.run()
    url = reverse("profile", args=[insider.handle])
    for outsider in (bob, charlie, None):
        page = html(client_for(outsider), url)
        assert "Secret project" not in page
        assert "Shipped the secret thing" not in page
        assert "First words" not in page
        assert "Inside" not in page.replace("Ines Inside", "")
    colleague = make_person(f"colleague@{domain}", "Colleague")
    join(colleague, internal)
    page = html(client_for(colleague), url)
    assert "Secret project" in page
    assert "First words" in page


def test_badges_of_a_members_only_community_show_to_its_members_only(
    coordinator: User, alice: User, bob: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    start(alice, closed)
    awarding.run()
    people_actions.do_update_profile(alice, alice, is_public=True)
    url = reverse("profile", args=[alice.handle])
    assert "First words" not in html(client_for(charlie), url)
    assert client_for(charlie).get(reverse("badges:community", args=["closed"])).status_code == 404
    join(bob, closed)
    assert "First words" in html(client_for(bob), url)
    assert "First words" in html(client_for(bob), reverse("badges:community", args=["closed"]))


def test_the_badges_page_lists_badges_holders_and_yours(
    cargo: Community, coordinator: User, alice: User, bob: User, mechanic: CustomBadge
) -> None:
    start(alice, cargo)
    awarding.run()
    actions.do_award_badge(coordinator, mechanic, bob, reason="Fixed my brakes")
    page = html(client_for(alice), reverse("badges:community", args=["cargo"]))
    assert "First words" in page
    assert "You have it" in page
    assert "Master mechanic" in page
    assert "Fixed my brakes" in page
    assert "Create a badge" not in page
    assert "Create a badge" in html(
        client_for(coordinator), reverse("badges:community", args=["cargo"])
    )


@pytest.mark.parametrize("size", [2, 12])
def test_badge_pages_run_a_fixed_number_of_queries(
    size: int, cargo: Community, coordinator: User, mechanic: CustomBadge,
    django_assert_max_num_queries: Any,
) -> None:  # fmt: skip
    for n in range(size):
        person = make_person(f"holder{n}@example.org", f"Holder {n}")
        join(person, cargo)
        start(person, cargo, title=f"Topic {n}")
        actions.do_award_badge(coordinator, mechanic, person, reason=f"Reason {n}")
    awarding.run()
    client = client_for(coordinator)
    with django_assert_max_num_queries(14):
        html(client, reverse("badges:community", args=["cargo"]))
    with django_assert_max_num_queries(14):
        html(client, reverse("badges:custom", args=["cargo", mechanic.pk]))
    with django_assert_max_num_queries(12):
        html(client, reverse("badges:showcase", args=["cargo"]))
    holder = User.objects.get(email="holder0@example.org")
    with django_assert_max_num_queries(24):
        html(client, reverse("profile", args=[holder.handle]))


# --- Members of the month ---------------------------------------------------------------------


def log(person: User, where: Community, level: int, when: datetime, times: int = 1) -> None:
    """Activity as the log would hold it, at a given moment."""
    for _n in range(times):
        event = ActivityEvent.objects.create(
            verb="test.activity", actor=person, community=where, level=level
        )
        ActivityEvent.objects.filter(pk=event.pk).update(created_at=when)


def test_members_of_the_month_ranks_last_months_activity_by_level(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    """The written-down example (docs/badges.md): in February, Alice reacted 5 times
    (5 points) and created twice (6): 11; Bob took part 4 times (8) and created once (3):
    11 as well, but created less, so he comes second; Dora reacted 3 times (3);
    Eve reacted once in January and 9 times in March (neither counts); Claire, the
    coordinator, created 20 times but hosts the community and is not ranked."""
    dora = make_person("dora@example.org", "Dora")
    eve = make_person("eve@example.org", "Eve")
    join(dora, cargo)
    join(eve, cargo)
    february = datetime(2026, 2, 10, 12, tzinfo=UTC)
    log(alice, cargo, 1, february, 5)
    log(alice, cargo, 3, february, 2)
    log(bob, cargo, 2, february, 4)
    log(bob, cargo, 3, february)
    log(dora, cargo, 1, february, 3)
    log(eve, cargo, 1, datetime(2026, 1, 31, 12, tzinfo=UTC))
    log(eve, cargo, 1, datetime(2026, 3, 1, 12, tzinfo=UTC), 9)
    log(coordinator, cargo, 3, february, 20)
    now = datetime(2026, 3, 2, 6, tzinfo=UTC)
    assert awarding.fill_members_of_the_month(now) == 1
    showcase = list(MemberOfTheMonth.objects.filter(community=cargo).order_by("rank"))
    assert [(e.rank, e.person, e.score, e.month) for e in showcase] == [
        (1, alice, 11, date(2026, 2, 1)),
        (2, bob, 11, date(2026, 2, 1)),
        (3, dora, 3, date(2026, 2, 1)),
    ]
    # Idempotent: a second run leaves the month alone.
    assert awarding.fill_members_of_the_month(now) == 0
    assert MemberOfTheMonth.objects.count() == 3


def test_the_month_follows_the_communitys_clock(coordinator: User, alice: User) -> None:
    where = community(coordinator, slug="kiwi", time_zone="Pacific/Auckland")
    join(alice, where)
    # 28 February at noon in UTC is already 1 March in Auckland.
    log(alice, where, 3, datetime(2026, 2, 28, 12, tzinfo=UTC))
    assert awarding.fill_members_of_the_month(datetime(2026, 3, 1, 13, tzinfo=UTC)) == 0
    # On 1 April in Auckland, March is the month: the event counts.
    assert awarding.fill_members_of_the_month(datetime(2026, 3, 31, 12, tzinfo=UTC)) == 1
    assert MemberOfTheMonth.objects.get().month == date(2026, 3, 1)


def test_an_animator_overrides_the_showcase_and_the_landing_shows_it(
    cargo: Community, coordinator: User, alice: User, bob: User, charlie: User
) -> None:
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        log(alice, cargo, 3, datetime(2026, 2, 10, tzinfo=UTC))
        awarding.fill_members_of_the_month()
        landing = html(client_for(bob), reverse("community", args=["cargo"]))
        assert "Members of the month: February 2026" in landing
        assert "Alice Martin" in landing
        client = client_for(coordinator)
        response = client.post(
            reverse("badges:showcase", args=["cargo"]),
            {"rank": "1", "member": "bob-leroy", "citation": "Led every Sunday ride"},
        )
        assert response.status_code == 302
        entries = list(MemberOfTheMonth.objects.order_by("rank"))
        assert [(e.rank, e.person, e.chosen_by) for e in entries] == [(1, bob, coordinator)]
        entry = entries[0]
        client.post(
            reverse("badges:showcase", args=["cargo"]),
            {"cite": str(entry.pk), "citation": "Led every ride, rain or shine"},
        )
        landing = html(client_for(charlie), reverse("community", args=["cargo"]))
        assert "Led every ride, rain or shine" in landing
        assert "Alice Martin" not in landing.split("Members of the month")[1].split("</section>")[0]
        # The job does not overwrite a month an animator chose.
        awarding.fill_members_of_the_month()
        assert list(MemberOfTheMonth.objects.values_list("person_id", flat=True)) == [bob.pk]
        assert client_for(alice).get(reverse("badges:showcase", args=["cargo"])).status_code == 404
        client.post(reverse("badges:showcase", args=["cargo"]), {"remove": str(entry.pk)})
        assert not MemberOfTheMonth.objects.exists()


def test_the_showcase_is_hidden_from_outsiders_of_a_members_only_community(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        log(alice, closed, 3, datetime(2026, 2, 10, tzinfo=UTC))
        awarding.fill_members_of_the_month()
        outsider = html(client_for(charlie), reverse("community", args=["closed"]))
        assert "Members of the month" not in outsider
        member = html(client_for(alice), reverse("community", args=["closed"]))
        assert "Members of the month: February 2026" in member


def test_an_old_showcase_is_not_news(cargo: Community, alice: User) -> None:
    with time_machine.travel(datetime(2026, 3, 3, 9, tzinfo=UTC)):
        log(alice, cargo, 3, datetime(2026, 2, 10, tzinfo=UTC))
        awarding.fill_members_of_the_month()
    with time_machine.travel(datetime(2026, 5, 3, 9, tzinfo=UTC)):
        page = html(client_for(alice), reverse("community", args=["cargo"]))
        assert "Members of the month: February 2026" not in page


def test_pinning_checks_the_member_and_the_place(
    cargo: Community, coordinator: User, alice: User, charlie: User
) -> None:
    with pytest.raises(ActionRefused, match="not a member"):
        actions.do_pin_member(coordinator, cargo, rank=1, person=charlie, citation="")
    with pytest.raises(ActionRefused, match="from 1 to 3"):
        actions.do_pin_member(coordinator, cargo, rank=4, person=alice, citation="")
    with pytest.raises(ActionRefused):
        actions.do_pin_member(alice, cargo, rank=1, person=alice, citation="Me!")
    assert not MemberOfTheMonth.objects.exists()


def test_the_task_runs_the_job(cargo: Community, alice: User, immediate_tasks: None) -> None:
    start(alice, cargo)
    result = award_badges_task.enqueue()
    assert "first_post: 1" in str(result.return_value)
    assert badge_keys(alice, cargo) == {"first_post"}


def test_members_are_not_the_ones_to_decide(cargo: Community, alice: User) -> None:
    """A member's role does not let them award: only coordinators animate."""
    moderator = make_person("mod@example.org", "Mod")
    join(moderator, cargo, Role.MODERATOR)
    badge = actions.do_create_badge(
        User.objects.get(email="claire@example.org"), cargo, name="Star", description="Shines."
    )
    with pytest.raises(ActionRefused):
        actions.do_award_badge(moderator, badge, alice, reason="Shines")


def test_the_demo_gives_a_french_badge_and_a_member_of_the_month(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    start(alice, cargo)
    demo.populate(cargo, coordinator, [alice, bob])
    award = BadgeAward.objects.get(custom_badge__name="Mécano de génie")
    assert award.person == alice
    assert "first_post" in badge_keys(alice, cargo)
    assert MemberOfTheMonth.objects.get().person == alice
