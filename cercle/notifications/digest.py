"""The community digest: per member and community, what happened in a closed period.

`send_digests()` is run by `cercle send_digests` (from cron or a timer, daily or
weekly). For each active membership whose member wants this period's digest, it
gathers, from the spaces the member may read (`permissions.readable_spaces`):

- the top discussions of the period: most replies and reactions in it;
- the unanswered questions tagged with what the member declared they practise or
  master (`cercle.people.models.Expertise`, level "practising" or "expert"),
  asked in the last `QUESTION_WINDOW_DAYS` days, not by the member;
- the members who joined in the period;
- then the sections the apps above register (`register_section`, from their
  `AppConfig.ready()`), in the apps' order: what is new in the library, new wiki
  articles, upcoming events. Each returns only what the member may read (through
  `cercle.permissions`); an empty one is left out. This module never imports them.

Nothing to say, no email. A `DigestLog` row per member, community and period
makes the command idempotent: a period is handled once, whatever happens after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Status
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Post, Reaction, Topic
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email
from cercle.notifications import threads
from cercle.notifications.emails import (
    absolute,
    language_of,
    unsubscribe_url,
    with_unsubscribe,
)
from cercle.notifications.models import DIGEST, DIGEST_DEFAULT, DigestLog, EmailPreference, Period
from cercle.people.models import Expertise, Level

TOP_DISCUSSIONS = 5
MATCHING_QUESTIONS = 5
NEW_MEMBERS_SHOWN = 12
QUESTION_WINDOW_DAYS = 30


@dataclass
class DigestItem:
    """A line of a registered section: what it is called, where it lives (its path on
    the site; the email makes it absolute) and a short detail."""

    title: str
    url: str
    detail: str = ""


# (the member's access to the community, start, end of the period) -> the lines.
SectionItems = Callable[[permissions.CommunityAccess, datetime, datetime], list[DigestItem]]


@dataclass(frozen=True)
class Section:
    key: str
    heading: StrOrPromise
    items: SectionItems


SECTIONS: dict[str, Section] = {}


def register_section(key: str, heading: StrOrPromise, items: SectionItems) -> None:
    """An app's part of every digest, under `heading` (translated in the member's
    language): `items(access, start, end)` returns what the period brings that
    `access.actor` may read. Call it from the app's `AppConfig.ready()`; registering a
    key again replaces its section."""
    SECTIONS[key] = Section(key=key, heading=heading, items=items)


@dataclass
class DigestSection:
    key: str
    heading: StrOrPromise
    items: list[DigestItem]


@dataclass
class Digest:
    community: Community
    period: str
    start: datetime
    end: datetime
    top_topics: list[Topic] = field(default_factory=list)
    questions: list[Topic] = field(default_factory=list)
    new_members: list[User] = field(default_factory=list)
    new_member_count: int = 0
    # The registered sections that have something to say, in registration order.
    sections: list[DigestSection] = field(default_factory=list)

    @property
    def last_day(self) -> datetime:
        """The last day the period covers (its end is the midnight after it)."""
        return self.end - timedelta(seconds=1)

    @property
    def is_empty(self) -> bool:
        return not (self.top_topics or self.questions or self.new_member_count or self.sections)

    def section(self, key: str) -> list[DigestItem]:
        """The lines of the registered section `key` ([] when it has none)."""
        return next((found.items for found in self.sections if found.key == key), [])


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """The last closed period before `now`, in the instance's time zone: yesterday, or
    last week from Monday to Monday. Runs within the same day (or week) agree on it."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if period == Period.DAILY:
        end = midnight
        start = _midnight(end - timedelta(days=1))
    else:
        end = _midnight(midnight - timedelta(days=local.weekday()))
        start = _midnight(end - timedelta(days=7))
    return start, end


def _midnight(moment: datetime) -> datetime:
    # Arithmetic across a daylight-saving change keeps the wall clock: normalise it.
    local = timezone.localtime(moment)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


# --- The sections -----------------------------------------------------------------------------


def _visible_topics(spaces: QuerySet[Any]) -> QuerySet[Topic]:
    return Topic.objects.filter(space__in=spaces, is_hidden=False, merged_into=None)


def top_discussions(spaces: QuerySet[Any], start: datetime, end: datetime) -> list[Topic]:
    replies = (
        Post.objects.filter(
            topic=OuterRef("pk"),
            position__gt=0,
            deleted_at=None,
            is_hidden=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reactions = (
        Reaction.objects.filter(
            post__topic=OuterRef("pk"),
            post__deleted_at=None,
            post__is_hidden=False,
            created_at__gte=start,
            created_at__lt=end,
        )
        .order_by()
        .values("post__topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    topics = (
        _visible_topics(spaces)
        .annotate(
            period_replies=Coalesce(Subquery(replies), Value(0)),
            period_reactions=Coalesce(Subquery(reactions), Value(0)),
        )
        .annotate(score=F("period_replies") + F("period_reactions"))
        .filter(score__gt=0)
        .select_related("space", "community")
        .order_by("-score", "-last_activity_at", "pk")
    )
    return list(topics[:TOP_DISCUSSIONS])


def questions_for(
    person: User, community: Community, spaces: QuerySet[Any], end: datetime
) -> list[Topic]:
    """Unanswered questions on the tags the person practises or masters."""
    tags = Expertise.objects.filter(
        person=person, tag__community=community, level__gte=Level.PRACTISING
    ).values("tag")
    questions = (
        _visible_topics(spaces)
        .filter(
            kind=TopicKind.QUESTION,
            accepted_answer=None,
            reply_count=0,
            tags__in=tags,
            created_at__gte=end - timedelta(days=QUESTION_WINDOW_DAYS),
            created_at__lt=end,
        )
        .exclude(author=person)
        .distinct()
        .select_related("space", "community")
        .order_by("-created_at", "pk")
    )
    return list(questions[:MATCHING_QUESTIONS])


def new_members(
    person: User, community: Community, start: datetime, end: datetime
) -> tuple[list[User], int]:
    joined = (
        Membership.objects.filter(
            community=community,
            status=Status.ACTIVE,
            joined_at__gte=start,
            joined_at__lt=end,
            person__is_active=True,
        )
        .exclude(person=person)
        .select_related("person")
        .order_by("joined_at", "pk")
    )
    return [m.person for m in joined[:NEW_MEMBERS_SHOWN]], joined.count()


def registered_sections(
    access: permissions.CommunityAccess, start: datetime, end: datetime
) -> list[DigestSection]:
    sections = []
    for section in SECTIONS.values():
        items = section.items(access, start, end)
        if items:
            for item in items:
                item.url = absolute(item.url)
            sections.append(DigestSection(key=section.key, heading=section.heading, items=items))
    return sections


def build_digest(
    person: User,
    access: permissions.CommunityAccess,
    period: str,
    start: datetime,
    end: datetime,
) -> Digest:
    community = access.community
    spaces = permissions.readable_spaces(access)
    members, count = new_members(person, community, start, end)
    return Digest(
        community=community,
        period=period,
        start=start,
        end=end,
        top_topics=top_discussions(spaces, start, end),
        questions=questions_for(person, community, spaces, end),
        new_members=members,
        new_member_count=count,
        sections=registered_sections(access, start, end),
    )


# --- Sending --------------------------------------------------------------------------------


def _with_reply(
    topics: list[Topic], access: permissions.CommunityAccess | None
) -> list[tuple[Topic, str, str]]:
    """Each topic, its address, and the reader's "Reply by email" link (empty when mail
    in is off or they may not reply)."""
    return [
        (
            topic,
            absolute(topic.get_absolute_url()),
            threads.reply_mailto(threads.reply_address(access, topic), topic) if access else "",
        )
        for topic in topics
    ]


def compose_digest(
    person: User, digest: Digest, access: permissions.CommunityAccess | None = None
) -> EmailMultiAlternatives:
    language = language_of(person, digest.community.language)
    unsubscribe = unsubscribe_url(person, [DIGEST])
    top_topics = _with_reply(digest.top_topics, access)
    questions = _with_reply(digest.questions, access)
    message = compose(
        "notifications/email/digest",
        person.email,
        {
            "person": person,
            "digest": digest,
            "community_url": absolute(digest.community.get_absolute_url()),
            "top_topics": top_topics,
            "questions": questions,
            "replies_by_email": any(reply for _, _, reply in [*top_topics, *questions]),
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notification_settings")),
        },
        language,
    )
    with_unsubscribe(message, unsubscribe, language)
    return message


def _members_wanting(period: str) -> QuerySet[Membership]:
    chosen = EmailPreference.objects.filter(person=OuterRef("person"), kind=DIGEST).values(
        "frequency"
    )
    return (
        Membership.objects.filter(status=Status.ACTIVE, person__is_active=True)
        .annotate(
            digest=Coalesce(Subquery(chosen[:1]), Value(str(DIGEST_DEFAULT))),
        )
        .filter(digest=period)
        .select_related("person", "community")
        .order_by("community_id", "person_id")
    )


@dataclass
class DigestRun:
    sent: int = 0
    empty: int = 0
    already: int = 0


def send_digests(period: str, now: datetime | None = None) -> DigestRun:
    """Queue this period's digests; each member and community at most once per period."""
    start, end = period_bounds(period, now or timezone.now())
    run = DigestRun()
    for membership in list(_members_wanting(period)):
        person, community = membership.person, membership.community
        logged = DigestLog.objects.filter(
            person=person, community=community, period=period, period_start=start
        )
        if logged.exists():
            run.already += 1
            continue
        access = permissions.community_access(person, community, membership)
        if not access.is_member or not person.email:
            continue
        digest = build_digest(person, access, period, start, end)
        try:
            with transaction.atomic():
                DigestLog.objects.create(
                    person=person,
                    community=community,
                    period=period,
                    period_start=start,
                    sent=not digest.is_empty,
                )
                if not digest.is_empty:
                    queue_email(compose_digest(person, digest, access), person_id=person.pk)
        except IntegrityError:
            # Another run handled this one at the same moment.
            run.already += 1
            continue
        if digest.is_empty:
            run.empty += 1
        else:
            run.sent += 1
    return run
