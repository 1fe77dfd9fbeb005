"""Reads of the queue of next actions: what a community's coordinators should do next.

Six kinds of item, each read from where its data lives (docs/nextactions.md gives
every rule in full):

1. unanswered questions, from the topics, with the experts to ask, from the
   people's declared expertise;
2. newcomers nobody has welcomed yet, from the onboarding app;
3. members drifting away, from the count tables `MemberLevel` and `MemberDay`;
4. gaps in the rhythm of the coming weeks, from the editorial calendar;
5. spaces silent for 30 days, from the count table `SpaceDay`;
6. flags waiting in the moderation queue, from the conversations app.

Every read is bounded: a fixed number of queries whatever the number of questions,
members or spaces, and at most `SHOWN` items of each kind (the counts say how many
wait in all). Members who asked not to be named in the animators' figures
(`Profile.named_in_analytics`) are counted, never named, never suggested.

An item leaves the queue once a coordinator decided on it (`Decision`) after its
situation began; it comes back only when the situation starts again (see each
`_decided_*` condition, and docs/nextactions.md, "Decisions").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DateField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from cercle import permissions
from cercle.accounts.models import User
from cercle.analytics.models import Level as ParticipationLevel
from cercle.analytics.models import MemberDay, MemberLevel, SpaceDay
from cercle.animation import queries as animation_queries
from cercle.communities.models import Community, Membership, Space, Status
from cercle.conversations import queries as conversation_queries
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Post, Tag, Topic
from cercle.nextactions.models import Decision, ItemKind
from cercle.onboarding import queries as onboarding_queries
from cercle.onboarding.models import Welcome, WelcomeSent
from cercle.people.models import Expertise
from cercle.people.models import Level as ExpertiseLevel

Actor = permissions.Actor

# The thresholds (docs/nextactions.md).
QUESTION_AGE = timedelta(hours=48)  # a question waits this long before it is an item
DRIFT_DAYS = 30  # no activity at all in this many days...
LEVEL_MONTHS = 3  # ...after being core or active at the end of one of these past months
SILENCE_DAYS = 30  # no topic, answer or reply in a space in this many days
HORIZON_DAYS = 28  # the coming weeks, for gaps in the rhythm
# What a page shows.
SHOWN = 20  # items of each kind
SUGGESTED_EXPERTS = 3  # per question
EXPERTISE_ROWS = 500  # declared expertise read for one page of questions, best first
HISTORY = 10  # recent decisions
# A member or space with no recorded activity at all: older than anything recorded.
NEVER = date(1970, 1, 1)


# --- Who sees the queue ---------------------------------------------------------------------


def cockpit_community(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """The community at `slug` for those who may see its cockpit. Others get a 404
    when the community's content is closed to them (saying more would tell them who
    runs it), a 403 otherwise, as the animators' other pages do."""
    community, access = permissions.community_for(actor, slug)
    if not permissions.cockpit.may_see_cockpit(access):
        if not access.reads_open_spaces():
            raise Http404
        raise PermissionDenied
    return community, access


# --- Items ---------------------------------------------------------------------------------------


@dataclass
class Item:
    """One thing to do; `kind` and `object_id` are its stable key."""

    kind: str
    object_id: int
    label: str  # the item in a few words, for the names of its buttons

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.object_id}"


@dataclass
class Expert:
    person: User
    level: int  # the highest declared level on the question's tags
    tag: Tag  # the tag of that level
    accepted: int  # accepted answers with that tag
    evidence: list[str] = field(default_factory=list)


@dataclass
class QuestionItem(Item):
    topic: Topic
    experts: list[Expert]  # every expert who may be asked, best first

    @property
    def suggested(self) -> list[Expert]:
        return self.experts[:SUGGESTED_EXPERTS]


@dataclass
class NewcomerItem(Item):
    membership: Membership
    checklist: onboarding_queries.Checklist
    welcomed_by_me: bool  # before they left and came back: a welcome is once per pair
    returning: bool

    @property
    def person(self) -> User:
        return self.membership.person


@dataclass
class DriftingItem(Item):
    membership: Membership
    level: str  # their latest level among the past months (core or active)
    level_month: date | None
    last_active: date | None  # None: no activity recorded at all

    @property
    def person(self) -> User:
        return self.membership.person

    @property
    def level_label(self) -> str:
        return str(ParticipationLevel(self.level).label)


@dataclass
class GapItem(Item):
    first_day: date  # the spell's first day, as the calendar sees it: its key
    from_day: date  # the first day shown: today when the spell began before
    last_day: date  # the last quiet day shown (the horizon's end when it runs beyond)
    runs_beyond: bool
    plan_url: str

    @property
    def days(self) -> int:
        return (self.last_day - self.from_day).days + 1


@dataclass
class SilentSpaceItem(Item):
    space: Space
    last_active: date | None


@dataclass
class FlagsItem(Item):
    flags: int
    posts: int
    queue_url: str  # empty for those who may not open the moderation queue


@dataclass
class Section:
    kind: str
    title: str
    rule: str  # the rule, in one sentence
    items: list[Item]
    total: int  # items waiting, beyond those shown; people who asked not to be named aside
    unnamed: int = 0  # people waiting who asked not to be named: counted, not listed
    link_label: str = ""
    link_url: str = ""
    note: str = ""

    @property
    def anchor(self) -> str:
        return self.kind.replace("_", "-")

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)

    @property
    def count(self) -> int:
        return self.total + self.unnamed


@dataclass
class HistoryLine:
    decision: Decision
    what: str


@dataclass
class Queue:
    community: Community
    access: permissions.CommunityAccess
    sections: list[Section]
    history: list[HistoryLine]
    may_act: bool
    cockpit_url: str

    @property
    def total(self) -> int:
        return sum(section.count for section in self.sections)


def utc_day(moment: datetime) -> date:
    """The count tables' days are UTC days."""
    return moment.astimezone(UTC).date()


def _named(prefix: str = "") -> Q:
    """People who let the cockpit name them; a person without a profile did (the default)."""
    return Q(**{f"{prefix}profile__isnull": True}) | Q(
        **{f"{prefix}profile__named_in_analytics": True}
    )


def _unnamed(prefix: str = "") -> Q:
    return Q(**{f"{prefix}profile__named_in_analytics": False})


def _decided(community: Community, kind: str, object_ref: str) -> QuerySet[Decision]:
    return Decision.objects.filter(community=community, kind=kind, object_id=OuterRef(object_ref))


def _decided_since_day(community: Community, kind: str, object_ref: str) -> Exists:
    """A decision taken on or after the (UTC) day in the outer `last_active`: once
    the member or the space is active again after it, the decision no longer counts."""
    return Exists(
        _decided(community, kind, object_ref)
        .annotate(day=TruncDate("decided_at", tzinfo=UTC))
        .filter(day__gte=OuterRef("last_active"))
    )


# --- 1. Unanswered questions -----------------------------------------------------------------


def _waiting_questions(
    access: permissions.CommunityAccess, now: datetime, only: int | None
) -> QuerySet[Topic]:
    """Questions older than 48 hours with no answer standing (a reply neither deleted
    nor hidden), open (not hidden, locked or merged), in spaces the reader reads, and
    never decided on: a question done or dismissed does not come back."""
    community = access.community
    answers = Post.objects.filter(
        topic=OuterRef("pk"), position__gt=0, deleted_at=None, is_hidden=False
    )
    questions = (
        Topic.objects.filter(
            community=community,
            kind=TopicKind.QUESTION,
            is_hidden=False,
            is_locked=False,
            merged_into=None,
            created_at__lte=now - QUESTION_AGE,
            space__in=permissions.readable_spaces(access),
        )
        .exclude(Exists(answers))
        .exclude(Exists(_decided(community, ItemKind.QUESTION, "pk")))
    )
    return questions if only is None else questions.filter(pk=only)


def _question_section(
    access: permissions.CommunityAccess, now: datetime, only: int | None = None
) -> Section:
    waiting = _waiting_questions(access, now, only)
    questions = list(
        waiting.select_related("space", "community")
        .prefetch_related("tags")
        .order_by("created_at", "pk")[:SHOWN]
    )
    total = len(questions) if len(questions) < SHOWN else waiting.count()
    experts = experts_for(access, questions)
    items: list[Item] = [
        QuestionItem(
            kind=ItemKind.QUESTION,
            object_id=topic.pk,
            label=topic.title,
            topic=topic,
            experts=experts.get(topic.pk, []),
        )
        for topic in questions
    ]
    return Section(
        kind=ItemKind.QUESTION,
        title=_("Unanswered questions"),
        rule=_(
            "Questions nobody has answered for more than 48 hours, oldest first, with "
            "members who declared they practise or master their tags."
        ),
        items=items,
        total=total,
    )


def experts_for(
    access: permissions.CommunityAccess, questions: list[Topic]
) -> dict[int, list[Expert]]:
    """For each question, the members to ask, best first: those who declared they
    practise or master one of its tags (the people app's declared expertise, as in
    "who knows what"), ranked by that level, then by their accepted answers with
    that tag in the spaces the reader reads.

    Never the asker, nor the reader, nor anyone who may not read the question's
    space (`permissions.community_accesses`, everyone at once), nor members who asked
    not to be named. A fixed number of queries for a whole page of questions."""
    community = access.community
    tag_ids = {tag.pk for topic in questions for tag in topic.tags.all()}
    if not tag_ids:
        return {}
    declared = list(
        Expertise.objects.filter(
            tag_id__in=tag_ids,
            level__gte=ExpertiseLevel.PRACTISING,
            person__is_active=True,
            person__memberships__community=community,
            person__memberships__status=Status.ACTIVE,
        )
        .filter(_named("person__"))
        .exclude(person_id=access.actor.pk)
        .select_related("person__profile", "tag")
        .order_by("-level", "person_id", "tag_id")[:EXPERTISE_ROWS]
    )
    if not declared:
        return {}
    people = {row.person_id: row.person for row in declared}
    accesses = permissions.community_accesses(people.values(), community)
    accepted = _accepted_answers(access, tag_ids, people)
    found: dict[int, list[Expert]] = {}
    for topic in questions:
        tags = {tag.pk for tag in topic.tags.all()}
        best: dict[int, Expert] = {}
        for row in declared:
            if row.tag_id not in tags or row.person_id == topic.author_id:
                continue
            reader = accesses[row.person_id]
            if not (reader.is_member and reader.reads(topic.space)):
                continue
            candidate = Expert(
                person=row.person,
                level=row.level,
                tag=row.tag,
                accepted=accepted.get((row.tag_id, row.person_id), 0),
            )
            known = best.get(row.person_id)
            if known is None or (candidate.level, candidate.accepted) > (
                known.level,
                known.accepted,
            ):
                best[row.person_id] = candidate
        ranked = sorted(
            best.values(),
            key=lambda e: (-e.level, -e.accepted, e.person.display_name.lower(), e.person.pk),
        )
        for expert in ranked:
            expert.evidence = _evidence(expert)
        found[topic.pk] = ranked
    return found


def _accepted_answers(
    access: permissions.CommunityAccess, tag_ids: Iterable[int], people: Iterable[int]
) -> dict[tuple[int, int], int]:
    """(tag, person) -> accepted answers written by the person (not as a persona) in
    topics with that tag, among what the reader may read: one query."""
    through = Topic.tags.through
    rows = (
        through.objects.filter(
            tag_id__in=list(tag_ids),
            topic__community=access.community,
            topic__is_hidden=False,
            topic__merged_into=None,
            topic__space__in=permissions.readable_spaces(access),
            topic__accepted_answer__author_id__in=list(people),
            topic__accepted_answer__persona=None,
            topic__accepted_answer__deleted_at=None,
            topic__accepted_answer__is_hidden=False,
        )
        .values("tag_id", "topic__accepted_answer__author_id")
        .annotate(count=Count("topic_id"))
        .order_by()
    )
    return {(row["tag_id"], row["topic__accepted_answer__author_id"]): row["count"] for row in rows}


def _evidence(expert: Expert) -> list[str]:
    """Why this member is suggested, in words (the same sentences as "who knows what")."""
    level = (
        pgettext("declared expertise", "expert")
        if expert.level == ExpertiseLevel.EXPERT
        else pgettext("declared expertise", "practising")
    )
    evidence = [_("declares: %(level)s on #%(tag)s") % {"level": level, "tag": expert.tag.slug}]
    if expert.accepted:
        evidence.append(
            ngettext(
                "%(count)d accepted answer tagged #%(tag)s",
                "%(count)d accepted answers tagged #%(tag)s",
                expert.accepted,
            )
            % {"count": expert.accepted, "tag": expert.tag.slug}
        )
    return evidence


# --- 2. Newcomers not yet welcomed --------------------------------------------------------------


def _waiting_newcomers(
    access: permissions.CommunityAccess, now: datetime, only: int | None
) -> QuerySet[Membership]:
    """The onboarding app's newcomers of the week (active members who joined in the
    last 7 days, coordinators and the reader aside) whom no animator welcomed since
    they joined, and on whom no decision was taken since they joined (a member who
    leaves and comes back is a newcomer again)."""
    community = access.community
    since_joining = {"created_at__gte": OuterRef("joined_at")}
    welcomed = Welcome.objects.filter(
        community=community, newcomer_id=OuterRef("person_id"), **since_joining
    )
    decided = _decided(community, ItemKind.NEWCOMER, "person_id").filter(
        decided_at__gte=OuterRef("joined_at")
    )
    memberships = (
        onboarding_queries.new_this_week(community, now)
        .filter(person__is_active=True)
        .exclude(person_id=access.actor.pk)
        .exclude(Exists(welcomed))
        .exclude(Exists(decided))
    )
    return memberships if only is None else memberships.filter(person_id=only)


def _newcomer_section(
    access: permissions.CommunityAccess, now: datetime, only: int | None = None
) -> Section:
    community = access.community
    waiting = _waiting_newcomers(access, now, only)
    counts = waiting.aggregate(
        named=Count("pk", filter=_named("person__")),
        unnamed=Count("pk", filter=_unnamed("person__")),
    )
    rows = (
        onboarding_queries.with_checklist(waiting.filter(_named("person__")))
        .select_related("person__profile")
        .annotate(
            welcomed_by_me=Exists(
                Welcome.objects.filter(
                    community=community,
                    welcomer_id=access.actor.pk,
                    newcomer_id=OuterRef("person_id"),
                )
            ),
            returning=Exists(
                WelcomeSent.objects.filter(
                    community=community,
                    person_id=OuterRef("person_id"),
                    sent_at__lt=OuterRef("joined_at"),
                )
            ),
        )
        .order_by("-joined_at", "-pk")[:SHOWN]
    )
    items: list[Item] = [
        NewcomerItem(
            kind=ItemKind.NEWCOMER,
            object_id=membership.person_id,
            label=membership.person.display_name,
            membership=membership,
            checklist=onboarding_queries.checklist_of(membership),
            welcomed_by_me=bool(getattr(membership, "welcomed_by_me", False)),
            returning=bool(getattr(membership, "returning", False)),
        )
        for membership in rows
    ]
    section = Section(
        kind=ItemKind.NEWCOMER,
        title=_("Newcomers not yet welcomed"),
        rule=_(
            "Members who joined in the last seven days and whom no animator has "
            "welcomed yet, newest first."
        ),
        items=items,
        total=counts["named"],
        unnamed=counts["unnamed"],
    )
    if access.may_animate():
        section.link_label = _("All the newcomers of the week")
        section.link_url = reverse("onboarding:newcomers", kwargs={"slug": community.slug})
    return section


# --- 3. Members drifting away --------------------------------------------------------------------


def months_before(day: date, count: int) -> list[date]:
    """The first days of the `count` months before `day`'s month, latest first."""
    months = []
    month = day.replace(day=1)
    for _n in range(count):
        month = (month - timedelta(days=1)).replace(day=1)
        months.append(month)
    return months


def _drifting_members(
    access: permissions.CommunityAccess, now: datetime, only: int | None
) -> QuerySet[Membership]:
    """Active members who were in the core group or active at the end of one of the
    3 months before this one (`MemberLevel`) and have no activity at all in the last
    30 days, today included (`MemberDay`), the reader aside.

    A decision hides the member until they are active again after it: a member who
    comes back and drifts away once more is an item again."""
    community = access.community
    today = utc_day(now)
    engaged = MemberLevel.objects.filter(
        community=community,
        person_id=OuterRef("person_id"),
        month__in=months_before(today, LEVEL_MONTHS),
        level__in=[ParticipationLevel.CORE, ParticipationLevel.ACTIVE],
    )
    active_days = MemberDay.objects.filter(
        community=community, person_id=OuterRef("person_id")
    ).filter(Q(events__gt=0) | Q(visits__gt=0))
    recent = active_days.filter(day__gte=today - timedelta(days=DRIFT_DAYS - 1))
    members = (
        Membership.objects.filter(community=community, status=Status.ACTIVE, person__is_active=True)
        .exclude(person_id=access.actor.pk)
        .filter(Exists(engaged))
        .exclude(Exists(recent))
        .annotate(
            last_active=Coalesce(
                Subquery(active_days.order_by("-day").values("day")[:1]),
                Value(NEVER),
                output_field=DateField(),
            )
        )
        .exclude(_decided_since_day(community, ItemKind.DRIFTING, "person_id"))
    )
    members = members if only is None else members.filter(person_id=only)
    return members.annotate(
        level=Subquery(engaged.order_by("-month").values("level")[:1]),
        level_month=Subquery(engaged.order_by("-month").values("month")[:1]),
    )


def _drifting_section(
    access: permissions.CommunityAccess, now: datetime, only: int | None = None
) -> Section:
    waiting = _drifting_members(access, now, only)
    counts = waiting.aggregate(
        named=Count("pk", filter=_named("person__")),
        unnamed=Count("pk", filter=_unnamed("person__")),
    )
    rows = (
        waiting.filter(_named("person__"))
        .select_related("person__profile")
        .order_by("-last_active", "person__display_name", "pk")[:SHOWN]
    )
    items: list[Item] = [
        DriftingItem(
            kind=ItemKind.DRIFTING,
            object_id=membership.person_id,
            label=membership.person.display_name,
            membership=membership,
            level=str(getattr(membership, "level", "")),
            level_month=_known_day(getattr(membership, "level_month", None)),
            last_active=_known_day(getattr(membership, "last_active", None)),
        )
        for membership in rows
    ]
    return Section(
        kind=ItemKind.DRIFTING,
        title=_("Members drifting away"),
        rule=_(
            "Members who were in the core group or active in one of the last three months "
            "and have done nothing here for 30 days, those who left most recently first."
        ),
        items=items,
        total=counts["named"],
        unnamed=counts["unnamed"],
    )


def _known_day(day: object) -> date | None:
    return day if isinstance(day, date) and day > NEVER else None


# --- 4. Gaps in the calendar's rhythm ---------------------------------------------------------


def _gaps(access: permissions.CommunityAccess, now: datetime) -> list[animation_queries.Gap]:
    """The editorial calendar's gaps (runs of `rhythm_gap_days` days or more with
    nothing planned or published), for this month and the next, merged where they
    meet, that reach into the coming weeks."""
    community = access.community
    today = animation_queries.local_today(community, now)
    this_month = today.replace(day=1)
    next_month = (this_month + timedelta(days=32)).replace(day=1)
    found: list[animation_queries.Gap] = []
    for anchor in (this_month, next_month):
        calendar = animation_queries.build_calendar(
            access, view="list", anchor=anchor, space=None, spaces=[], now=now
        )
        found.extend(calendar.gaps)
    merged: list[animation_queries.Gap] = []
    for gap in sorted(found, key=lambda g: g.first_day):
        if merged and gap.first_day <= merged[-1].last_day + timedelta(days=1):
            if gap.last_day > merged[-1].last_day:
                merged[-1] = animation_queries.Gap(merged[-1].first_day, gap.last_day)
            continue
        merged.append(gap)
    horizon_last = today + timedelta(days=HORIZON_DAYS - 1)
    return [g for g in merged if g.last_day >= today and g.first_day <= horizon_last]


def day_number(day: date) -> int:
    """A day as the object id of a gap: 2026-03-09 is 20260309."""
    return day.year * 10_000 + day.month * 100 + day.day


def day_of_number(number: int) -> date | None:
    try:
        return date(number // 10_000, number // 100 % 100, number % 100)
    except ValueError:
        return None


def _gap_section(access: permissions.CommunityAccess, now: datetime) -> Section:
    community = access.community
    section = Section(
        kind=ItemKind.RHYTHM_GAP,
        title=_("Gaps in the rhythm"),
        rule=_(
            "Runs of %(days)d days or more in the coming four weeks with nothing planned "
            "or published on the editorial calendar."
        )
        % {"days": community.rhythm_gap_days},
        items=[],
        total=0,
    )
    if not access.may_animate():
        # The calendar holds what the animators prepare: only they see it whole.
        section.note = _("Only the community's animators see the editorial calendar and its gaps.")
        return section
    today = animation_queries.local_today(community, now)
    horizon_last = today + timedelta(days=HORIZON_DAYS - 1)
    calendar = reverse("animation:calendar", kwargs={"slug": community.slug})
    items: list[Item] = []
    for gap in _gaps(access, now):
        from_day = max(gap.first_day, today)
        items.append(
            GapItem(
                kind=ItemKind.RHYTHM_GAP,
                object_id=day_number(gap.first_day),
                label=_("quiet spell from %(day)s") % {"day": _day(from_day)},
                first_day=gap.first_day,
                from_day=from_day,
                last_day=min(gap.last_day, horizon_last),
                runs_beyond=gap.last_day > horizon_last,
                plan_url=f"{calendar}?{urlencode({'view': 'week', 'date': from_day})}",
            )
        )
    section.items = items
    section.link_label = _("Editorial calendar")
    section.link_url = calendar
    return section


def _day(day: date) -> str:
    return date_format(day, "j F Y")


# --- 5. Silent spaces ---------------------------------------------------------------------------


def _silent_spaces(
    access: permissions.CommunityAccess, now: datetime, only: int | None
) -> QuerySet[Space]:
    """Spaces the reader reads, at least 30 days old, with no topic, answer or reply
    in the last 30 days, today included (`SpaceDay`). A decision hides the space until
    it speaks again after it."""
    community = access.community
    today = utc_day(now)
    talk = SpaceDay.objects.filter(space_id=OuterRef("pk")).filter(
        Q(topics__gt=0) | Q(answers__gt=0) | Q(replies__gt=0)
    )
    spaces = (
        permissions.readable_spaces(access)
        .filter(created_at__lte=now - timedelta(days=SILENCE_DAYS))
        .exclude(Exists(talk.filter(day__gte=today - timedelta(days=SILENCE_DAYS - 1))))
        .annotate(
            last_active=Coalesce(
                Subquery(talk.order_by("-day").values("day")[:1]),
                Value(NEVER),
                output_field=DateField(),
            )
        )
        .exclude(_decided_since_day(community, ItemKind.SILENT_SPACE, "pk"))
    )
    return spaces if only is None else spaces.filter(pk=only)


def _silent_space_section(
    access: permissions.CommunityAccess, now: datetime, only: int | None = None
) -> Section:
    spaces = list(
        _silent_spaces(access, now, only).order_by("last_active", "position", "name")[: SHOWN + 1]
    )
    items: list[Item] = []
    for space in spaces[:SHOWN]:
        space.community = access.community
        items.append(
            SilentSpaceItem(
                kind=ItemKind.SILENT_SPACE,
                object_id=space.pk,
                label=space.name,
                space=space,
                last_active=_known_day(getattr(space, "last_active", None)),
            )
        )
    total = len(spaces) if len(spaces) <= SHOWN else _silent_spaces(access, now, only).count()
    return Section(
        kind=ItemKind.SILENT_SPACE,
        title=_("Silent spaces"),
        rule=_("Spaces where nobody has started a topic, answered or replied for 30 days."),
        items=items,
        total=total,
    )


# --- 6. Flags waiting ---------------------------------------------------------------------------


def _flags_section(access: permissions.CommunityAccess) -> Section:
    """One item when flags wait in the moderation queue (those the reader may see),
    keyed by the newest flag: a decision hides it until a newer flag is raised."""
    community = access.community
    flagged = conversation_queries.flagged_posts(access)
    section = Section(
        kind=ItemKind.FLAGS,
        title=_("Flags waiting"),
        rule=_("Messages members flagged that no moderator has dealt with yet."),
        items=[],
        total=0,
    )
    if not flagged:
        return section
    flags = [flag for _post, post_flags in flagged for flag in post_flags]
    newest = max(flag.pk for flag in flags)
    queue_url = ""
    if access.may_moderate():
        queue_url = reverse("moderation_queue", kwargs={"slug": community.slug})
    section.items = [
        FlagsItem(
            kind=ItemKind.FLAGS,
            object_id=newest,
            label=_("flags waiting"),
            flags=len(flags),
            posts=len(flagged),
            queue_url=queue_url,
        )
    ]
    section.total = 1
    return section


def _without_decided(community: Community, sections: list[Section]) -> None:
    """Drop the gaps and flags already decided on (their key names their situation):
    one query for both."""
    keys = Q()
    for section in sections:
        ids = [item.object_id for item in section.items]
        if ids:
            keys |= Q(kind=section.kind, object_id__in=ids)
    if not keys:
        return
    decided = set(
        Decision.objects.filter(community=community).filter(keys).values_list("kind", "object_id")
    )
    for section in sections:
        section.items = [i for i in section.items if (i.kind, i.object_id) not in decided]
        section.total = len(section.items)


# --- The queue --------------------------------------------------------------------------------


def _cockpit_url(community: Community) -> str:
    """The analytics cockpit's address, once that page exists."""
    try:
        return reverse("analytics:cockpit", kwargs={"slug": community.slug})
    except NoReverseMatch:
        return ""


def queue(actor: Actor, slug: str, now: datetime | None = None) -> Queue:
    community, access = cockpit_community(actor, slug)
    now = now or timezone.now()
    gaps, flags = _gap_section(access, now), _flags_section(access)
    _without_decided(community, [gaps, flags])
    return Queue(
        community=community,
        access=access,
        sections=[
            _question_section(access, now),
            _newcomer_section(access, now),
            _drifting_section(access, now),
            gaps,
            _silent_space_section(access, now),
            flags,
        ],
        history=history(access),
        may_act=permissions.cockpit.may_act_on_next_actions(access),
        cockpit_url=_cockpit_url(community),
    )


def current_item(
    access: permissions.CommunityAccess, kind: str, object_id: int, now: datetime | None = None
) -> Item | None:
    """The item with this key if it is in the queue now (for the actions, which decide
    only on what the queue really shows), else None."""
    now = now or timezone.now()
    if kind == ItemKind.QUESTION:
        section = _question_section(access, now, object_id)
    elif kind == ItemKind.NEWCOMER:
        section = _newcomer_section(access, now, object_id)
    elif kind == ItemKind.DRIFTING:
        section = _drifting_section(access, now, object_id)
    elif kind == ItemKind.SILENT_SPACE:
        section = _silent_space_section(access, now, object_id)
    elif kind in (ItemKind.RHYTHM_GAP, ItemKind.FLAGS):
        section = (
            _gap_section(access, now) if kind == ItemKind.RHYTHM_GAP else _flags_section(access)
        )
        _without_decided(access.community, [section])
    else:
        return None
    return next((item for item in section.items if item.object_id == object_id), None)


# --- History ----------------------------------------------------------------------------------


def history(access: permissions.CommunityAccess, limit: int = HISTORY) -> list[HistoryLine]:
    """The latest decisions, newest first, each with what it was about in words, as the
    reader may know it now: a question or a space the reader may not read is not
    named, nor a member who asked not to be named (four queries at most)."""
    community = access.community
    decisions = list(
        Decision.objects.filter(community=community)
        .select_related("decided_by")
        .order_by("-decided_at", "-pk")[:limit]
    )
    ids: dict[str, set[int]] = {}
    for decision in decisions:
        ids.setdefault(decision.kind, set()).add(decision.object_id)
    topics = Topic.objects.select_related("space").in_bulk(ids.get(ItemKind.QUESTION, set()))
    spaces = Space.objects.filter(community=community).in_bulk(
        ids.get(ItemKind.SILENT_SPACE, set())
    )
    people = User.objects.select_related("profile").in_bulk(
        ids.get(ItemKind.NEWCOMER, set()) | ids.get(ItemKind.DRIFTING, set())
    )
    return [
        HistoryLine(
            decision=decision,
            what=_("%(kind)s: %(what)s")
            % {
                "kind": ItemKind(decision.kind).label,
                "what": _what(access, decision, topics, spaces, people),
            },
        )
        for decision in decisions
    ]


def _what(
    access: permissions.CommunityAccess,
    decision: Decision,
    topics: dict[int, Topic],
    spaces: dict[int, Space],
    people: dict[int, User],
) -> str:
    if decision.kind == ItemKind.QUESTION:
        return _question_named(access, topics.get(decision.object_id))
    if decision.kind in (ItemKind.NEWCOMER, ItemKind.DRIFTING):
        return _person_named(people.get(decision.object_id))
    if decision.kind == ItemKind.SILENT_SPACE:
        return _space_named(access, spaces.get(decision.object_id))
    if decision.kind == ItemKind.RHYTHM_GAP:
        day = day_of_number(decision.object_id)
        return _("from %(day)s") % {"day": _day(day)} if day else ""
    return _("the flags waiting then")


def _question_named(access: permissions.CommunityAccess, topic: Topic | None) -> str:
    if topic is None or topic.community_id != access.community.pk:
        return _("a question since deleted")
    if not access.reads(topic.space):
        return _("a question in a space you do not read")
    return _("“%(name)s”") % {"name": topic.title}


def _person_named(person: User | None) -> str:
    if person is None:
        return _("a former member")
    profile = getattr(person, "profile", None)
    if profile is not None and not profile.named_in_analytics:
        return _("a member who asked not to be named")
    return person.display_name


def _space_named(access: permissions.CommunityAccess, space: Space | None) -> str:
    if space is None:
        return _("a space since deleted")
    if not access.reads(space):
        return _("a space you do not read")
    return _("“%(name)s”") % {"name": space.name}


# --- The top of the queue, for the cockpit's overview ------------------------------------------

TOP = 3  # items the cockpit's overview shows


@dataclass
class TopItem:
    """One of the first things to do, as the cockpit's overview shows it: its kind, what
    it is about, and the link that leads to its action."""

    kind: str
    kind_title: str
    label: str
    action: str
    url: str


def _top_link(community: Community, section: Section, item: Item) -> tuple[str, str]:
    queue_url = reverse("nextactions:queue", kwargs={"slug": community.slug})
    in_queue = f"{queue_url}#item-{item.key}"
    if isinstance(item, GapItem):
        return _("Plan something"), item.plan_url
    if isinstance(item, FlagsItem):
        return _("Open the moderation queue"), item.queue_url or f"{queue_url}#{section.anchor}"
    actions: dict[str, str] = {
        ItemKind.QUESTION: _("Ask an expert"),
        ItemKind.NEWCOMER: _("Welcome them"),
        ItemKind.DRIFTING: _("Get in touch"),
        ItemKind.SILENT_SPACE: _("Revive the space"),
    }
    return actions.get(item.kind, _("Deal with it")), in_queue


def top_actions(
    access: permissions.CommunityAccess, now: datetime | None = None, count: int = TOP
) -> list[TopItem]:
    """The first `count` things to do, one of each kind first (in the queue's order),
    then the next ones of those kinds. The kinds are read in order and the reading
    stops once `count` kinds have items."""
    now = now or timezone.now()
    readers: tuple[Callable[[], Section], ...] = (
        lambda: _question_section(access, now),
        lambda: _newcomer_section(access, now),
        lambda: _drifting_section(access, now),
        lambda: _decided_out(access.community, _gap_section(access, now)),
        lambda: _silent_space_section(access, now),
        lambda: _decided_out(access.community, _flags_section(access)),
    )
    found: list[Section] = []
    for read in readers:
        section = read()
        if section.items:
            found.append(section)
        if len(found) == count:
            break
    chosen: list[tuple[Section, Item]] = []
    rank = 0
    while len(chosen) < count and any(rank < len(section.items) for section in found):
        for section in found:
            if rank < len(section.items) and len(chosen) < count:
                chosen.append((section, section.items[rank]))
        rank += 1
    top = []
    for section, item in chosen:
        action, url = _top_link(access.community, section, item)
        top.append(TopItem(item.kind, section.title, item.label, action, url))
    return top


def _decided_out(community: Community, section: Section) -> Section:
    _without_decided(community, [section])
    return section
