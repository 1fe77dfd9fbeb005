"""The editorial calendar: planned posts (plan, re-plan, publish now, delete, refused
publication), the month, week and list views in the community's clock, the weekly mix
of engagement levels, gaps in the rhythm, and who may see any of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django_tasks_db.models import DBTaskResult

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.animation import actions, demo, planning
from cercle.animation.models import Failure, PlannedPost
from cercle.communities.models import Audience, Community, Membership, Role, Space
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from tests.communities import NAVIGATION_QUERIES, client_for, community, html, internal_domain, join
from tests.conftest import make_person

PARIS = ZoneInfo("Europe/Paris")
# Monday 2 March 2026, 9:00 in Paris: the clock of every test here.
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User) -> Community:
    """A public community on Paris's clock: Claire coordinates, Alice and Bob are members."""
    return community(coordinator, time_zone="Europe/Paris", members=(alice, bob))


@pytest.fixture
def animator(coordinator: User, cargo: Community) -> User:
    return coordinator


def plan(
    actor: User,
    space: Space,
    publish_at: datetime | None,
    title: str = "Spring ride: who comes?",
    kind: str = "discussion",
) -> PlannedPost:
    return actions.do_plan_post(
        actor,
        space,
        topic_kind=kind,
        title=title,
        body="Meet at the **canal** at ten.",
        publish_at=publish_at,
    )


def calendar_url(where: Community, **query: str) -> str:
    url = reverse("animation:calendar", kwargs={"slug": where.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def events(verb: str) -> int:
    return ActivityEvent.objects.filter(verb=verb).count()


# --- Planning and publishing posts -------------------------------------------------------------


def test_a_planned_post_waits_for_its_moment_then_becomes_a_topic_once(
    animator: User, alice: User, general: Space
) -> None:
    moment = paris(2026, 3, 5, 18, 30)
    post = plan(animator, general, moment)
    assert post.is_scheduled
    assert not Topic.objects.exists()
    assert "Spring ride" not in html(client_for(alice), general.get_absolute_url())

    assert planning.publish_due(moment - timedelta(minutes=1)) == 0
    assert not Topic.objects.exists()

    assert planning.publish_due(moment) == 1
    post.refresh_from_db()
    topic = Topic.objects.get()
    assert post.topic == topic
    assert post.published_at == moment
    assert (topic.author, topic.space, topic.kind) == (animator, general, "discussion")
    assert topic.title == "Spring ride: who comes?"
    assert "<strong>canal</strong>" in topic.posts.get().body_html
    assert "Spring ride" in html(client_for(alice), general.get_absolute_url())
    assert post.get_absolute_url() == topic.get_absolute_url()

    assert planning.publish_due(moment + timedelta(days=1)) == 0
    assert Topic.objects.count() == 1
    assert events("post.published") == 1
    assert events("post.planned") == 1
    assert events("topic.started.discussion") == 1


def test_a_worker_that_read_a_post_before_it_was_re_planned_leaves_it_for_later(
    animator: User, general: Space
) -> None:
    moment = paris(2026, 3, 5, 9)
    post = plan(animator, general, moment)
    seen_by_the_worker = PlannedPost.objects.get(pk=post.pk)  # due at `moment`
    actions.do_replan_post(
        animator,
        post,
        space=general,
        topic_kind="discussion",
        title=post.title,
        body=post.body,
        publish_at=paris(2026, 3, 9, 9),
    )
    assert not planning._publish(seen_by_the_worker, moment, only_if_due=True)
    assert not Topic.objects.exists()
    assert planning.publish_due(paris(2026, 3, 9, 9)) == 1


def test_a_post_without_a_moment_is_published_at_once(animator: User, general: Space) -> None:
    post = plan(animator, general, None)
    assert post.is_published
    assert post.topic is not None
    assert post.topic.title == "Spring ride: who comes?"


@pytest.mark.parametrize(
    ("title", "body", "moment", "message"),
    [
        ("Hi", "Some text", None, "at least 3 characters"),
        ("A fine title", "   \n ", None, "Write a message first"),
        ("A fine title", "Some text", datetime(2026, 3, 1, tzinfo=UTC), "in the future"),
        ("A fine title", "Some text", NOW, "in the future"),
    ],
)
def test_bad_posts_are_refused_and_nothing_is_written(
    animator: User, general: Space, title: str, body: str, moment: datetime | None, message: str
) -> None:
    with pytest.raises(ActionRefused, match=message):
        actions.do_plan_post(
            animator, general, topic_kind="discussion", title=title, body=body, publish_at=moment
        )
    assert not PlannedPost.objects.exists()
    assert not Topic.objects.exists()


def test_only_animators_plan_posts_and_outsiders_learn_nothing(
    animator: User,
    alice: User,
    charlie: User,
    cargo: Community,
    general: Space,
    lab: Space,
) -> None:
    with pytest.raises(ActionRefused) as member:
        plan(alice, general, paris(2026, 3, 5, 9))
    assert not member.value.not_found
    with pytest.raises(ActionRefused) as listed:
        plan(alice, lab, paris(2026, 3, 5, 9))
    assert not listed.value.not_found
    bob = User.objects.get(email="bob@example.org")
    with pytest.raises(ActionRefused) as unlisted:
        plan(bob, lab, paris(2026, 3, 5, 9))
    assert unlisted.value.not_found
    elsewhere = community(charlie, slug="elsewhere")
    with pytest.raises(ActionRefused):
        plan(charlie, general, paris(2026, 3, 5, 9))
    with pytest.raises(ActionRefused):
        plan(animator, elsewhere.spaces.get(), paris(2026, 3, 5, 9))
    assert not PlannedPost.objects.exists()
    # Coordinators animate every space, private ones included.
    assert plan(animator, lab, paris(2026, 3, 5, 9)).space == lab


def test_a_post_whose_author_may_no_longer_announce_stays_unpublished_with_its_reason(
    cargo: Community, coordinator: User, general: Space
) -> None:
    deputy = make_person("dora@example.org", "Dora Deputy")
    join(deputy, cargo, Role.COORDINATOR)
    moment = paris(2026, 3, 4, 9)
    post = plan(deputy, general, moment, title="Board meeting results", kind="announcement")
    community_actions.do_change_role(
        coordinator, Membership.objects.get(person=deputy, community=cargo), Role.MEMBER
    )

    assert planning.publish_due(moment) == 0  # the worker carries on
    post.refresh_from_db()
    assert post.published_at is None
    assert post.failure == Failure.NOT_ALLOWED
    assert post.failed_at == moment
    assert not Topic.objects.exists()
    assert events("post.not_published") == 1
    assert events("post.published") == 0

    # Not tried again and again by every run.
    assert planning.publish_due(moment + timedelta(hours=1)) == 0
    assert events("post.not_published") == 1

    page = html(client_for(coordinator), calendar_url(cargo, view="week", date="2026-03-04"))
    assert "Board meeting results" in page
    assert "Not published" in page
    assert "may no longer start this kind of topic" in page

    # Re-planned as a discussion, it goes out at its new moment.
    later = paris(2026, 3, 6, 9)
    actions.do_replan_post(
        coordinator,
        post,
        space=general,
        topic_kind="discussion",
        title=post.title,
        body=post.body,
        publish_at=later,
    )
    post.refresh_from_db()
    assert post.failure == ""
    assert planning.publish_due(later) == 1
    post.refresh_from_db()
    assert post.topic is not None
    assert post.topic.author == deputy


def test_a_post_whose_author_left_is_not_published_and_the_calendar_says_why(
    cargo: Community, coordinator: User, general: Space
) -> None:
    deputy = make_person("dora@example.org", "Dora Deputy")
    join(deputy, cargo, Role.COORDINATOR)
    post = plan(deputy, general, paris(2026, 3, 4, 9))
    deputy.is_active = False
    deputy.save()
    assert planning.publish_due(paris(2026, 3, 4, 10)) == 0
    post.refresh_from_db()
    assert post.failure == Failure.AUTHOR_GONE
    page = html(client_for(coordinator), calendar_url(cargo))
    assert "deleted or deactivated" in page


def test_publish_now_publishes_as_the_author_and_refuses_a_second_time(
    animator: User, cargo: Community, general: Space
) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 9))
    client = client_for(animator)
    url = reverse("animation:publish_post", kwargs={"slug": cargo.slug, "post_id": post.pk})
    response = client.post(url)
    post.refresh_from_db()
    assert post.topic is not None
    assert response["Location"] == post.topic.get_absolute_url()
    assert post.published_at == NOW
    with pytest.raises(ActionRefused, match="already published"):
        actions.do_publish_post_now(animator, post)
    assert Topic.objects.count() == 1
    # Its old moment comes: nothing more happens.
    assert planning.publish_due(paris(2026, 3, 21, 9)) == 0


def test_publish_now_for_an_author_who_may_not_post_shows_the_reason(
    cargo: Community, coordinator: User, general: Space
) -> None:
    deputy = make_person("dora@example.org", "Dora Deputy")
    join(deputy, cargo, Role.COORDINATOR)
    post = plan(deputy, general, paris(2026, 3, 20, 9))
    community_actions.do_leave(deputy, cargo)
    client = client_for(coordinator)
    url = reverse("animation:publish_post", kwargs={"slug": cargo.slug, "post_id": post.pk})
    response = client.post(url, follow=True)
    assert "is not published" in response.content.decode()
    post.refresh_from_db()
    assert post.failure == Failure.NOT_ALLOWED
    assert not Topic.objects.exists()


def test_an_animator_re_plans_and_deletes_a_post_before_publication_only(
    animator: User, cargo: Community, general: Space, lab: Space
) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 9))
    actions.do_replan_post(
        animator,
        post,
        space=lab,
        topic_kind="question",
        title="Who fixes brakes?",
        body="Asking for a friend.",
        publish_at=paris(2026, 3, 10, 9),
    )
    post.refresh_from_db()
    assert (post.space, post.topic_kind, post.title) == (lab, "question", "Who fixes brakes?")
    assert post.publish_at == paris(2026, 3, 10, 9)
    assert events("post.replanned") == 1

    actions.do_delete_post(animator, post)
    assert not PlannedPost.objects.exists()

    published = plan(animator, general, None)
    with pytest.raises(ActionRefused, match="already published"):
        actions.do_delete_post(animator, published)
    with pytest.raises(ActionRefused, match="already published"):
        actions.do_replan_post(
            animator,
            published,
            space=general,
            topic_kind="discussion",
            title="Changed",
            body="Changed",
            publish_at=None,
        )
    assert PlannedPost.objects.get().title == "Spring ride: who comes?"


def test_members_may_not_change_planned_posts(animator: User, alice: User, general: Space) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 9))
    for attempt in (
        lambda: actions.do_delete_post(alice, post),
        lambda: actions.do_publish_post_now(alice, post),
        lambda: actions.do_replan_post(
            alice,
            post,
            space=general,
            topic_kind="discussion",
            title="Mine now",
            body="Mine",
            publish_at=None,
        ),
    ):
        with pytest.raises(ActionRefused):
            attempt()
    post.refresh_from_db()
    assert post.title == "Spring ride: who comes?"
    assert post.published_at is None


# --- The post form ----------------------------------------------------------------------------


def test_the_form_is_prefilled_from_the_calendar_and_reads_times_in_the_community_zone(
    animator: User, cargo: Community, lab: Space
) -> None:
    client = client_for(animator)
    url = reverse("animation:new_post", kwargs={"slug": cargo.slug})
    page = html(client, f"{url}?publish_at=2026-03-29T09:00&space=lab")
    assert 'value="2026-03-29T09:00"' in page
    assert re.search(r'<option value="lab"[^>]*selected', page)
    assert "Europe/Paris" in page

    response = client.post(
        url,
        {
            "space": "lab",
            "topic_kind": "question",
            "title": "Spring tune-up?",
            "body": "Who has a stand?",
            "publish_at": "2026-03-29T09:00",
        },
    )
    post = PlannedPost.objects.get()
    # 29 March 2026 is the day Paris moves to summer time: 9:00 there is 7:00 UTC.
    assert post.publish_at == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert (post.space, post.topic_kind, post.created_by) == (lab, "question", animator)
    assert response.status_code == 302
    assert response["Location"] == calendar_url(cargo, view="week", date="2026-03-29", space="lab")


def test_the_form_shows_errors_and_writes_nothing(animator: User, cargo: Community) -> None:
    client = client_for(animator)
    url = reverse("animation:new_post", kwargs={"slug": cargo.slug})
    response = client.post(
        url,
        {
            "space": "general",
            "topic_kind": "discussion",
            "title": "Old news",
            "body": "Too late",
            "publish_at": "2026-03-01T09:00",
        },
    )
    assert response.status_code == 400
    assert "Choose a moment in the future" in response.content.decode()
    response = client.post(url, {"space": "general", "topic_kind": "poll", "title": "x"})
    assert response.status_code == 400
    assert not PlannedPost.objects.exists()


def test_the_edit_form_shows_the_local_time_and_saves_a_new_moment(
    animator: User, cargo: Community, general: Space
) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 18, 15))
    client = client_for(animator)
    url = reverse("animation:edit_post", kwargs={"slug": cargo.slug, "post_id": post.pk})
    assert 'value="2026-03-20T18:15"' in html(client, url)
    client.post(
        url,
        {
            "space": "general",
            "topic_kind": "discussion",
            "title": "Spring ride, new date",
            "body": "Same place.",
            "publish_at": "2026-03-21T10:00",
        },
    )
    post.refresh_from_db()
    assert post.title == "Spring ride, new date"
    assert post.publish_at == paris(2026, 3, 21, 10)


def test_the_planned_post_page_previews_it_for_animators(
    animator: User, cargo: Community, general: Space
) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 9))
    page = html(client_for(animator), post.get_absolute_url())
    assert "<strong>canal</strong>" in page
    assert "Publish now" in page
    assert "Scheduled" in page
    assert "20 March 2026" in page or "March 20, 2026" in page


def test_delete_asks_first_then_deletes(animator: User, cargo: Community, general: Space) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 9))
    client = client_for(animator)
    url = reverse("animation:delete_post", kwargs={"slug": cargo.slug, "post_id": post.pk})
    assert "will not be published" in html(client, url)
    assert PlannedPost.objects.exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not PlannedPost.objects.exists()


# --- Who sees the calendar ----------------------------------------------------------------------


def test_the_calendar_is_for_animators_only(
    animator: User, alice: User, charlie: User, cargo: Community, general: Space
) -> None:
    post = plan(animator, general, paris(2026, 3, 20, 9), title="Secret surprise party")
    published = plan(animator, general, None, title="Already out")
    urls = [
        calendar_url(cargo),
        reverse("animation:new_post", kwargs={"slug": cargo.slug}),
    ]
    for person in (alice, charlie):
        client = client_for(person)
        for url in urls:
            assert client.get(url).status_code == 403, (person, url)
        # An unpublished post is not even said to exist; a published one is a topic.
        assert client.get(post.get_absolute_url()).status_code == 404
        manage = reverse("animation:post", kwargs={"slug": cargo.slug, "post_id": published.pk})
        assert client.get(manage).status_code == 403
        for action in ("publish_post", "delete_post"):
            target = reverse(f"animation:{action}", kwargs={"slug": cargo.slug, "post_id": post.pk})
            assert client.post(target).status_code == 404
        assert (
            client.post(
                reverse("animation:rhythm", kwargs={"slug": cargo.slug}), {"rhythm_gap_days": 3}
            ).status_code
            == 403
        )
    assert client_for(None).get(calendar_url(cargo)).status_code == 302
    cargo.refresh_from_db()
    assert cargo.rhythm_gap_days == 7
    post.refresh_from_db()
    assert post.published_at is None
    assert "Secret surprise party" not in html(client_for(alice), general.get_absolute_url())


def test_the_calendar_of_a_community_one_may_not_see_is_not_found(charlie: User) -> None:
    boss = make_person("boss@inside.example", "Boss")
    domain = internal_domain()
    assert boss.email.endswith(domain)
    hidden = community(boss, slug="inside", audience=Audience.INTERNAL)
    assert client_for(charlie).get(calendar_url(hidden)).status_code == 404
    assert client_for(boss).get(calendar_url(hidden)).status_code == 200


def test_an_animator_of_another_community_sees_nothing_here(
    animator: User, charlie: User, cargo: Community, general: Space
) -> None:
    community(charlie, slug="elsewhere")
    post = plan(animator, general, paris(2026, 3, 20, 9))
    client = client_for(charlie)
    assert client.get(calendar_url(cargo)).status_code == 403
    assert client.get(post.get_absolute_url()).status_code == 404
    other = reverse("animation:post", kwargs={"slug": "elsewhere", "post_id": post.pk})
    assert client.get(other).status_code == 404


# --- The calendar pages -------------------------------------------------------------------------


def test_the_month_view_shows_each_item_on_its_day_with_kind_level_time_and_state(
    animator: User, cargo: Community, general: Space
) -> None:
    plan(animator, general, paris(2026, 3, 5, 18, 30), title="Spring ride")
    plan(animator, general, None, title="Welcome back")
    page = html(client_for(animator), calendar_url(cargo))
    assert "March 2026" in page
    assert "Europe/Paris" in page
    cell = day_cell(page, "2026-03-05")
    assert "Spring ride" in cell
    assert "18:30" in cell
    assert "Post" in cell
    assert "Level 3: Creating" in cell
    assert "Scheduled" in cell
    assert "Thursday 5 March 2026" in cell
    today = day_cell(page, "2026-03-02")
    assert "Welcome back" in today
    assert "Published" in today
    assert 'rel="prev"' in page
    assert "date=2026-02-01" in page
    assert "date=2026-04-01" in page


def day_cell(page: str, day: str) -> str:
    """The markup of one day, up to the next day (or the end of the calendar)."""
    marker = f'data-day="{day}"'
    assert marker in page, f"no cell for {day}"
    rest = page.split(marker, 1)[1]
    return rest.split('data-day="', 1)[0].split('id="gaps-title"', 1)[0]


def test_each_day_to_come_offers_the_creation_forms_of_every_kind_that_exists(
    animator: User, cargo: Community
) -> None:
    page = html(client_for(animator), calendar_url(cargo))
    tomorrow = day_cell(page, "2026-03-03")
    new_post = reverse("animation:new_post", kwargs={"slug": cargo.slug})
    assert f"{new_post}?publish_at=2026-03-03T09%3A00&amp;space=general" in tomorrow
    for name in ("activities:new_poll", "contests:new", "events:new"):
        try:
            url = reverse(name, kwargs={"slug": cargo.slug})
        except NoReverseMatch:
            continue
        assert f"{url}?publish_at=2026-03-03T09%3A00" in tomorrow
    # Today it is 9:00 in Paris: the next full hour is offered; past days offer nothing.
    assert "publish_at=2026-03-02T10%3A00" in day_cell(page, "2026-03-02")
    assert "publish_at" not in day_cell(page, "2026-02-28")


def test_the_week_view_and_the_list_view(animator: User, cargo: Community, general: Space) -> None:
    plan(animator, general, paris(2026, 3, 5, 18, 30), title="Spring ride")
    plan(animator, general, paris(2026, 3, 12, 9), title="Next week's quiz night")
    client = client_for(animator)
    week = html(client, calendar_url(cargo, view="week", date="2026-03-04"))
    assert "Week 10: 2 March to 8 March 2026" in week
    assert "Spring ride" in day_cell(week, "2026-03-05")
    assert "Next week's quiz night" not in week
    assert "date=2026-02-23" in week
    assert "date=2026-03-09" in week
    listing = html(client, calendar_url(cargo, view="list", date="2026-03-20"))
    assert "Thursday 5 March 2026" in listing
    assert "Thursday 12 March 2026" in listing
    assert "Friday 6 March 2026" not in listing
    assert "General" in listing


def test_times_and_days_follow_the_community_clock(
    animator: User, cargo: Community, general: Space
) -> None:
    # 23:30 in Paris on 6 March is still 6 March there, whatever UTC says.
    plan(animator, general, paris(2026, 3, 6, 23, 30), title="Late owl")
    cargo.time_zone = "America/Montreal"
    cargo.save()
    page = html(client_for(animator), calendar_url(cargo, view="week", date="2026-03-06"))
    assert "America/Montreal" in page
    assert "17:30" in day_cell(page, "2026-03-06")


def test_private_space_items_are_on_the_calendar_of_its_animators(
    animator: User, cargo: Community, lab: Space
) -> None:
    plan(animator, lab, paris(2026, 3, 5, 9), title="Lab meeting")
    assert "Lab meeting" in html(client_for(animator), calendar_url(cargo))


def test_gaps_in_the_rhythm_are_listed_and_marked(
    animator: User, cargo: Community, general: Space
) -> None:
    cargo.rhythm_gap_days = 5
    cargo.save()
    plan(animator, general, None, title="Kick-off")  # 2 March
    plan(animator, general, paris(2026, 3, 12, 9), title="Ride")
    plan(animator, general, paris(2026, 3, 15, 9), title="Quiz")
    page = html(client_for(animator), calendar_url(cargo))
    # 3 to 11 March is quiet (9 days); 13-14 is short; after 15 March, nothing at all.
    assert "No activity planned from 3 to 11 March 2026 (9 days)" in page
    assert "No activity planned from 16 March to " in page
    assert "Gap in the rhythm" in day_cell(page, "2026-03-05")
    assert "Gap in the rhythm" not in day_cell(page, "2026-03-13")
    assert "Gap in the rhythm" not in day_cell(page, "2026-03-12")
    # Days before the community existed are not a gap.
    assert "Gap in the rhythm" not in day_cell(page, "2026-02-27")


def test_a_refused_post_does_not_fill_a_gap(
    cargo: Community, coordinator: User, general: Space
) -> None:
    cargo.rhythm_gap_days = 3
    cargo.save()
    deputy = make_person("dora@example.org", "Dora Deputy")
    join(deputy, cargo, Role.COORDINATOR)
    plan(deputy, general, paris(2026, 3, 4, 9))
    deputy.is_active = False
    deputy.save()
    planning.publish_due(paris(2026, 3, 4, 9))
    page = html(client_for(coordinator), calendar_url(cargo, view="week", date="2026-03-02"))
    assert "No activity planned from 2 to 11 March 2026 (10 days)" in page


def test_animators_change_the_gap_length_within_bounds(animator: User, cargo: Community) -> None:
    client = client_for(animator)
    url = reverse("animation:rhythm", kwargs={"slug": cargo.slug})
    response = client.post(url, {"rhythm_gap_days": "3", "view": "week", "date": "2026-03-10"})
    assert response["Location"] == calendar_url(cargo, view="week", date="2026-03-10")
    cargo.refresh_from_db()
    assert cargo.rhythm_gap_days == 3
    assert events("community.rhythm_changed") == 1
    for bad in ("0", "61", "often", ""):
        response = client.post(url, {"rhythm_gap_days": bad}, follow=True)
        assert "Choose between 1 and 60 days" in response.content.decode()
    cargo.refresh_from_db()
    assert cargo.rhythm_gap_days == 3
    with pytest.raises(ActionRefused):
        actions.do_set_rhythm_gap(animator, cargo, 61)


def test_the_weekly_mix_counts_items_by_level(
    animator: User, cargo: Community, general: Space
) -> None:
    plan(animator, general, paris(2026, 3, 3, 9), title="One")
    plan(animator, general, paris(2026, 3, 4, 9), title="Two")
    plan(animator, general, paris(2026, 3, 10, 9), title="Three")
    page = html(client_for(animator), calendar_url(cargo))
    mix = page.split('id="mix-title"')[1]
    rows = re.findall(r'<th scope="row">.*?Week (\d+).*?</th>(.*?)</tr>', mix, re.DOTALL)
    counts = {int(week): [int(n) for n in re.findall(r"<td>(\d+)", cells)] for week, cells in rows}
    assert counts[10] == [0, 0, 2, 2]
    assert counts[11] == [0, 0, 1, 1]
    assert counts[12] == [0, 0, 0, 0]
    assert "Level 1: Reacting" in mix
    assert mix.count('class="cal-dot cal-dot--l3"') == 3


def test_the_calendar_makes_one_query_per_kind_whatever_the_number_of_items(
    animator: User,
    cargo: Community,
    general: Space,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(animator)
    kinds = len(list(planning.kinds()))
    # Session, user, community, membership, spaces, the header's community menu.
    fixed = 6
    for count in (2, 20):
        while PlannedPost.objects.count() < count:
            n = PlannedPost.objects.count()
            plan(animator, general, paris(2026, 3, 3 + n % 20, 9), title=f"Item {n}")
        for view in ("month", "week", "list"):
            with django_assert_max_num_queries(fixed + kinds + NAVIGATION_QUERIES):
                html(client, calendar_url(cargo, view=view, date="2026-03-03"))
    # Published ones link to their topic without a query each.
    for post in PlannedPost.objects.all()[:10]:
        actions.do_publish_post_now(animator, post)
    with django_assert_max_num_queries(fixed + kinds + NAVIGATION_QUERIES):
        page = html(client, calendar_url(cargo, view="list"))
    assert page.count("/t/") >= 10


# --- The landing page and the command -----------------------------------------------------------


def test_the_landing_page_links_animators_to_the_calendar(
    animator: User, alice: User, cargo: Community
) -> None:
    landing = cargo.get_absolute_url()
    page = html(client_for(animator), landing)
    assert "Editorial calendar" in page
    assert reverse("animation:new_post", kwargs={"slug": cargo.slug}) in page
    assert "Editorial calendar" not in html(client_for(alice), landing)
    assert "Editorial calendar" not in html(client_for(None), landing)


def test_publish_due_command_publishes_what_is_due(
    animator: User, general: Space, capsys: pytest.CaptureFixture[str]
) -> None:
    plan(animator, general, paris(2026, 3, 5, 9))
    call_command("publish_due")
    assert "0 item(s) published" in capsys.readouterr().out
    call_command("publish_due", "--now", "2026-03-05T08:00:00+00:00")
    assert "1 item(s) published" in capsys.readouterr().out
    assert Topic.objects.count() == 1


def test_publish_due_explains_itself(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        call_command("publish_due", "--help")
    out = capsys.readouterr().out
    assert "cercle periodic" in out
    assert "--now" in out


def test_the_demo_plans_french_posts_over_the_coming_weeks_with_a_gap(
    animator: User, alice: User, cargo: Community
) -> None:
    demo.populate(cargo, animator, [alice])
    posts = list(PlannedPost.objects.order_by("publish_at"))
    assert len(posts) == 4
    assert all(post.is_scheduled for post in posts)
    assert posts[0].title == "Le programme du mois est en ligne"
    assert posts[0].topic_kind == "announcement"
    page = html(client_for(animator), calendar_url(cargo, view="list", date="2026-03-10"))
    assert "Retour sur l'atelier réparation" in page or "Retour sur l&#x27;atelier" in page
    assert "No activity planned from" in page


def test_with_a_backend_that_cannot_wait_nothing_is_queued_and_the_command_publishes(
    animator: User,
    general: Space,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post = plan(animator, general, paris(2026, 3, 5, 9))
    assert len(callbacks) == 1  # ran without refusing the deferred task
    assert not DBTaskResult.objects.exists()
    post.refresh_from_db()
    assert post.published_at is None
    call_command("publish_due", "--now", "2026-03-05T09:00:00+01:00")
    post.refresh_from_db()
    assert post.is_published
