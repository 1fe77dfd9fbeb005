"""The generated community (`cercle demo --members N --months M --seed S`): the same
story for the same seed, shaped like a real community of practice, and written into
the database whole, with the activity events the analytics read."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import UTC, datetime
from html import unescape

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import Count, F
from django.urls import reverse

from cercle.accounts.models import User
from cercle.activities.models import Ballot, Poll
from cercle.activity.models import ActivityEvent, EngagementLevel, Presence
from cercle.activity.verbs import COMMUNITY_VISITED
from cercle.communities.models import Community, Membership, Status
from cercle.conversations.models import Post, Reaction, Topic
from cercle.events.models import RSVP, Event
from cercle.mail.delivery import deliverable
from cercle.search.query import search
from cercle.simulation import story
from cercle.simulation.load import generate
from cercle.wiki.models import Article
from tests.communities import client_for, html

UNTIL = datetime(2026, 11, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def big_story() -> story.Story:
    return story.tell(2000, 12, seed=11, until=UNTIL)


def posts_by_member(told: story.Story) -> Counter[int]:
    written: Counter[int] = Counter()
    for thread in told.threads:
        written[thread.author] += 1
        for reply in thread.replies:
            written[reply.author] += 1
    return written


def test_the_same_seed_tells_the_same_story_and_another_seed_another() -> None:
    first = story.tell(150, 6, seed=5, until=UNTIL)
    again = story.tell(150, 6, seed=5, until=UNTIL)
    other = story.tell(150, 6, seed=6, until=UNTIL)
    assert first == again
    assert [t.title for t in first.threads] != [t.title for t in other.threads]


def test_most_members_read_and_a_few_write_most(big_story: story.Story) -> None:
    written = posts_by_member(big_story)
    members = len(big_story.members)
    counts = sorted(written.values(), reverse=True)
    top1 = sum(counts[: members // 100])
    assert top1 / sum(counts) > 0.3
    # 90-9-1: most members write nothing or almost nothing...
    quiet = sum(1 for m in big_story.members if written[m.index] <= 1)
    assert quiet / members > 0.7
    # ...but they come: nearly everyone visits at least once.
    visitors = {person for person, _at in big_story.visits}
    assert len(visitors) / members > 0.9


def test_posts_follow_the_working_week(big_story: story.Story) -> None:
    days = Counter(story.moment(t.at).weekday() for t in big_story.threads)
    working_day = sum(days[d] for d in range(5)) / 5
    weekend_day = (days[5] + days[6]) / 2
    assert working_day > 2.5 * weekend_day


def test_questions_are_answered_after_realistic_delays(big_story: story.Story) -> None:
    questions = [t for t in big_story.threads if t.kind == "question"]
    answered = [t for t in questions if t.replies]
    assert 0.8 < len(answered) / len(questions) < 0.95
    delays = [(t.replies[0].at - t.at) / story.HOUR for t in answered]
    assert 1 < statistics.median(delays) < 8
    accepted = [t for t in answered if t.accepted is not None]
    assert 0.4 < len(accepted) / len(answered) < 0.65
    assert all(t.replies[0].author != t.author for t in answered)
    assert all(t.accepted_at and t.accepted_at > t.at for t in accepted)


def test_newcomers_keep_arriving_and_some_members_drift_away(big_story: story.Story) -> None:
    months = Counter(
        int((m.joined - big_story.start) // (story.MONTH_DAYS * story.DAY))
        for m in big_story.members
    )
    assert all(months[month] > 0 for month in range(12))
    assert months[11] > months[1]
    drifted = [m for m in big_story.members if m.active_until < big_story.end]
    assert 0.2 < len(drifted) / len(big_story.members) < 0.6
    # Nobody writes, reacts or visits after going silent.
    silent = {m.index: m.active_until for m in drifted}
    assert all(at < silent.get(person, big_story.end) for person, at in big_story.visits)
    for thread in big_story.threads:
        assert thread.at < silent.get(thread.author, big_story.end)
        for reply in thread.replies:
            assert big_story.members[reply.author].joined <= reply.at
            assert reply.at < silent.get(reply.author, big_story.end)


@pytest.mark.django_db
def test_a_generated_community_is_written_whole_with_its_activity() -> None:
    told = story.tell(80, 6, seed=3, until=UNTIL)
    report = generate(members=80, months=6, seed=3, until=UNTIL, slug="pratiques")
    community = Community.objects.get(slug="pratiques")
    assert community.created_at == story.moment(told.start)
    memberships = Membership.objects.filter(community=community)
    assert memberships.count() == 80 == report.members
    assert memberships.filter(status=Status.LEFT).count() == sum(m.left for m in told.members)

    topics = Topic.objects.filter(community=community)
    assert topics.count() == len(told.threads) == report.topics
    posts = Post.objects.filter(topic__community=community)
    assert posts.count() == told.posts == report.posts
    # Each topic's counters agree with its posts.
    assert not topics.annotate(n=Count("posts")).exclude(n=F("reply_count") + 1).exists()
    solved = topics.exclude(accepted_answer=None)
    assert solved.count() == sum(t.accepted is not None for t in told.threads)
    assert not solved.exclude(accepted_answer__topic=F("pk")).exists()
    reactions = sum(
        len(t.reactions) + sum(len(r.reactions) for r in t.replies) for t in told.threads
    )
    assert Reaction.objects.filter(post__topic__community=community).count() == reactions

    events = ActivityEvent.objects.filter(community=community)
    verbs = Counter(dict(events.values_list("verb").annotate(n=Count("pk")).order_by()))
    assert verbs[COMMUNITY_VISITED.name] == len(told.visits)
    # A presence for each member and UTC day with a visit, as the visits of real members
    # write them (cercle/activity/presence.py).
    visited = {
        (visit.actor_id, visit.created_at.date())
        for visit in events.filter(verb=COMMUNITY_VISITED.name)
    }
    presences = Presence.objects.filter(community=community)
    assert set(presences.values_list("person_id", "day")) == visited
    assert presences.count() == len(visited)
    assert verbs["topic.started.question"] == sum(t.kind == "question" for t in told.threads)
    assert verbs["answer.posted"] == sum(
        len(t.replies) for t in told.threads if t.kind == "question"
    )
    assert verbs["membership.joined"] == 79  # the coordinator founded it
    assert verbs["poll.voted"] == sum(len(s.ballots) for s in told.surveys)
    # Each generated person set a portrait as their photo: a profile's change, recorded
    # in no community, as `do_update_profile` records it.
    portraits = ActivityEvent.objects.filter(verb="profile.updated", community=None)
    assert portraits.count() == report.portraits == 80
    members = Membership.objects.filter(community=community).values_list("person_id", flat=True)
    assert set(portraits.values_list("actor_id", flat=True)) == set(members)
    assert events.count() + portraits.count() == report.activity_events
    # Activity keeps its original times, inside the story's span.
    first, last = story.moment(told.start), story.moment(told.end)
    assert not events.exclude(created_at__gte=first, created_at__lt=last).exists()
    assert events.filter(verb="answer.posted", level=EngagementLevel.REACT).exists()
    assert events.filter(verb="article.captured", level=EngagementLevel.CREATE).count() == (
        Article.objects.filter(community=community).exclude(source_topic=None).count()
    )
    assert Event.objects.filter(community=community).count() == len(told.meetings)
    assert RSVP.objects.filter(event__community=community).count() == report.rsvps
    assert Poll.objects.filter(community=community).count() == len(told.surveys)
    assert Ballot.objects.filter(poll__community=community).count() == report.ballots

    # Generated people, the generated coordinator too, cannot log in and get no mail.
    people = User.objects.filter(memberships__community=community)
    assert people.count() == 80
    assert not any(person.has_usable_password() for person in people)
    assert not any(deliverable(person.email) for person in people)


@pytest.mark.django_db
def test_the_coordinator_reads_the_generated_community_and_finds_it_in_search() -> None:
    coordinator = User.objects.create_user("claire@example.org", "pw", display_name="Claire")
    generate(members=40, months=3, seed=9, until=UNTIL, slug="pratiques", coordinator=coordinator)
    community = Community.objects.get(slug="pratiques")
    topic = Topic.objects.filter(community=community).exclude(reply_count=0).first()
    assert topic is not None
    page = unescape(html(client_for(coordinator), topic.get_absolute_url()))
    assert topic.title in page
    for post in topic.posts.all():
        assert post.body.split("\n")[0] in page
    hits, _total = search(coordinator, topic.title, limit=200)
    assert ("topic", topic.pk) in {(hit.kind, hit.object_id) for hit in hits}
    landing = html(client_for(coordinator), reverse("community", args=["pratiques"]))
    assert "Pratiques agiles 9" in landing


@pytest.mark.django_db
def test_the_demo_command_generates_the_same_community_for_the_same_seed() -> None:
    call_command("demo", members=30, months=2, seed=4, until="2026-11-30", quiet=True)
    call_command("demo", members=30, months=2, seed=4, until="2026-11-30", slug="again")

    def titles(slug: str) -> list[tuple[str, datetime]]:
        return list(
            Topic.objects.filter(community__slug=slug)
            .order_by("created_at", "pk")
            .values_list("title", "created_at")
        )

    assert titles("pratiques-4") == titles("again")
    assert len(titles("again")) > 5
    # The demo people came too, and Camille coordinates the first generated community.
    coordinator = Community.objects.get(slug="pratiques-4").created_by
    assert coordinator is not None
    assert coordinator.email == "camille@metropole.example"
    # No email went to the generated members.
    assert all(deliverable(to) for message in mail.outbox for to in message.to)


@pytest.mark.django_db
def test_bad_demo_options_are_refused_and_change_nothing() -> None:
    with pytest.raises(CommandError, match="at least 2"):
        call_command("demo", members=1)
    with pytest.raises(CommandError, match="nobody has the address"):
        call_command("demo", members=10, coordinator="nobody@example.org")
    with pytest.raises(CommandError, match="not a date"):
        call_command("demo", "--members", "10", "--until", "tomorrow")
    assert not User.objects.exists()
    assert not Community.objects.exists()
    call_command("demo", members=10, months=1, seed=2, quiet=True)
    with pytest.raises(CommandError, match="already has the address"):
        call_command("demo", members=10, months=1, seed=2, quiet=True)
    assert Community.objects.filter(slug="pratiques-2").count() == 1


def test_a_mere_thanks_is_never_accepted_nor_found_helpful(big_story: story.Story) -> None:
    short = [(t, i) for t in big_story.threads for i, r in enumerate(t.replies) if r.short]
    assert len(short) > 100
    assert not any(t.accepted == i for t, i in short)
    assert not any(kind == "helpful" for t, i in short for _p, kind, _w in t.replies[i].reactions)
    # The first answer says something, and is never the asker's.
    assert not any(t.replies[0].short for t in big_story.threads if t.replies)
