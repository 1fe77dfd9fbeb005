"""Reads of value stories, sponsors and the sponsors' summary; each asks
`cercle.permissions`. The summary reads the pre-computed count tables
(`cercle.analytics.models`), never the activity log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise

from cercle import permissions
from cercle.analytics.models import CommunityDay, QuestionLife
from cercle.communities.models import Community, Membership, Space, Status
from cercle.knowledge.models import Resource
from cercle.value.contributions import Target, kind_of, readable, target_of
from cercle.value.models import CYCLE_EXPLANATIONS, Cycle, Sponsor, StoryContribution, ValueStory

Actor = permissions.Actor
WINDOW_DAYS = 90
STORIES_PER_CYCLE = 10  # on the summary; the list has them all


def _refusal(access: permissions.CommunityAccess) -> Exception:
    """A 404 for those who may not read the community's content at all (a
    members-only community keeps even its stories unknown), a 403 for its readers."""
    if not access.reads_open_spaces():
        return Http404()
    return PermissionDenied()


def readable_stories(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """The community at `slug`, when the actor may read its value stories."""
    community, access = permissions.community_for(actor, slug)
    if not permissions.value.may_read_value_stories(access):
        raise _refusal(access)
    return community, access


def summary_community(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    community, access = permissions.community_for(actor, slug)
    if not permissions.value.may_see_value_summary(access):
        raise _refusal(access)
    return community, access


def sponsors_community(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """Management pages tell nothing to those who do not manage (docs/permissions.md)."""
    community, access = permissions.community_for(actor, slug)
    if not permissions.value.may_manage_sponsors(access):
        raise Http404
    return community, access


# --- Stories --------------------------------------------------------------------------------


@dataclass
class CycleCount:
    value: str
    label: Promise
    explanation: Promise
    count: int


def cycle_counts(community: Community) -> list[CycleCount]:
    """How many stories each cycle has, in the cycles' order, in one query."""
    counts = dict(
        ValueStory.objects.filter(community=community)
        .order_by()
        .values_list("cycle")
        .annotate(count=Count("pk"))
        .values_list("cycle", "count")
    )
    return [
        CycleCount(value, label, CYCLE_EXPLANATIONS[value], counts.get(value, 0))
        for value, label in Cycle.choices
    ]


def story_list(community: Community, cycle: str = "") -> QuerySet[ValueStory]:
    """The community's stories, newest first, of one cycle or all."""
    stories = ValueStory.objects.filter(community=community).select_related("author", "space")
    if cycle in Cycle.values:
        stories = stories.filter(cycle=cycle)
    return stories.order_by("-created_at", "-pk")


def shown_space(access: permissions.CommunityAccess, story: ValueStory) -> Space | None:
    """The space a story is about, for a reader who reads it (None otherwise: a private
    space's name is no one else's to see)."""
    space = story.space
    if space is None or not access.reads(space):
        return None
    return space


@dataclass
class Row:
    story: ValueStory
    space: Space | None


def rows(access: permissions.CommunityAccess, stories: list[ValueStory]) -> list[Row]:
    for story in stories:
        story.community = access.community  # their addresses name it: no query each
    return [Row(story, shown_space(access, story)) for story in stories]


@dataclass
class ShownContribution:
    kind: str
    title: str
    url: str


@dataclass
class StoryPage:
    story: ValueStory
    community: Community
    access: permissions.CommunityAccess
    space: Space | None
    contributions: list[ShownContribution]
    may_edit: bool


def story_for(actor: Actor, slug: str, pk: int) -> tuple[ValueStory, permissions.CommunityAccess]:
    """A story the actor may read, or a 404 / 403 as for the list."""
    community, access = readable_stories(actor, slug)
    story = (
        ValueStory.objects.select_related("author", "space").filter(pk=pk, community=community)
    ).first()
    if story is None:
        raise Http404
    story.community = community
    return story, access


def readable_contributions(access: permissions.CommunityAccess, story: ValueStory) -> list[Target]:
    """The contributions the story names that the reader may read, in the story's
    order, in one query; the others are left out, titles and all."""
    community = access.community
    links = StoryContribution.objects.filter(story=story).select_related(
        "topic__space", "article__space", "resource__collection__space"
    )
    targets: list[Target] = []
    for link in links:
        target = target_of(link)
        if not readable(access, target):
            continue
        # Their addresses name the community: the one loaded already.
        if isinstance(target, Resource):
            target.collection.community = community
        else:
            target.community = community
        targets.append(target)
    return targets


def story_page(actor: Actor, slug: str, pk: int) -> StoryPage:
    story, access = story_for(actor, slug, pk)
    shown = [
        ShownContribution(
            kind=str(kind_of(target).label),
            title=str(target),
            url=target.get_absolute_url(),
        )
        for target in readable_contributions(access, story)
    ]
    return StoryPage(
        story=story,
        community=story.community,
        access=access,
        space=shown_space(access, story),
        contributions=shown,
        may_edit=permissions.value.may_edit_value_story(access, story.author_id),
    )


def editable_story(
    actor: Actor, slug: str, pk: int
) -> tuple[ValueStory, permissions.CommunityAccess]:
    story, access = story_for(actor, slug, pk)
    if not permissions.value.may_edit_value_story(access, story.author_id):
        raise PermissionDenied
    return story, access


def story_spaces(access: permissions.CommunityAccess) -> list[Space]:
    """The spaces a story may be about: those the writer reads."""
    return list(permissions.readable_spaces(access).order_by("name"))


# --- Sponsors -------------------------------------------------------------------------------


def sponsors(community: Community) -> list[Sponsor]:
    return list(
        Sponsor.objects.filter(community=community)
        .select_related("person", "added_by")
        .order_by("person__display_name", "pk")
    )


# --- The sponsors' summary ------------------------------------------------------------------


@dataclass
class Figures:
    """The activity figures, as the count tables hold them up to `day` (a UTC day)."""

    day: dt.date
    start: dt.date
    active_30: int
    questions: int
    answered: int
    knowledge: int

    @property
    def answered_percent(self) -> int | None:
        if not self.questions:
            return None
        return round(100 * self.answered / self.questions)


@dataclass
class CycleStories:
    value: str
    label: Promise
    explanation: Promise
    total: int
    stories: list[ValueStory] = field(default_factory=list)


@dataclass
class Summary:
    community: Community
    access: permissions.CommunityAccess
    today: dt.date
    members: int
    figures: Figures | None
    cycles: list[CycleStories]

    @property
    def story_total(self) -> int:
        return sum(cycle.total for cycle in self.cycles)


def figures(community: Community, today: dt.date) -> Figures | None:
    """The figures of the 90 days that end with the last day counted (None before the
    count tables hold any day of the community), in three queries."""
    last = (
        CommunityDay.objects.filter(community=community, day__lte=today)
        .order_by("-day")
        .only("day", "active_30")
        .first()
    )
    if last is None:
        return None
    start = last.day - dt.timedelta(days=WINDOW_DAYS - 1)
    knowledge = CommunityDay.objects.filter(
        community=community, day__gte=start, day__lte=last.day
    ).aggregate(total=Sum("knowledge"))["total"]
    since = dt.datetime.combine(start, dt.time.min, tzinfo=dt.UTC)
    until = dt.datetime.combine(last.day + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    questions = QuestionLife.objects.filter(
        community=community, asked_at__gte=since, asked_at__lt=until
    ).aggregate(asked=Count("pk"), answered=Count("pk", filter=Q(first_answer_at__isnull=False)))
    return Figures(
        day=last.day,
        start=start,
        active_30=last.active_30,
        questions=questions["asked"],
        answered=questions["answered"],
        knowledge=knowledge or 0,
    )


def summary_stories(community: Community) -> list[CycleStories]:
    """The newest stories of each cycle (a few per cycle, in one query) with each
    cycle's total."""
    ranked = (
        ValueStory.objects.filter(community=community)
        .select_related("author")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("cycle")],
                order_by=[F("created_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank__lte=STORIES_PER_CYCLE)
        .order_by("-created_at", "-pk")
    )
    grouped: dict[str, list[ValueStory]] = {value: [] for value in Cycle.values}
    for story in ranked:
        story.community = community
        grouped[story.cycle].append(story)
    return [
        CycleStories(
            value=count.value,
            label=count.label,
            explanation=count.explanation,
            total=count.count,
            stories=grouped[count.value],
        )
        for count in cycle_counts(community)
    ]


def summary(actor: Actor, slug: str, now: dt.datetime | None = None) -> Summary:
    community, access = summary_community(actor, slug)
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    return Summary(
        community=community,
        access=access,
        today=today,
        members=Membership.objects.filter(community=community, status=Status.ACTIVE).count(),
        figures=figures(community, today),
        cycles=summary_stories(community),
    )
