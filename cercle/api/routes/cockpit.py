"""The animator's cockpit and next actions, for a community's coordinators (and staff
for the figures), with the `admin` scope for that community:

- /communities/{slug}/cockpit: the overview (life stage, tiles) and the period's raw
  figures, read from the pre-computed count tables through `cercle.analytics`
  (queries and metrics), as the cockpit page reads them;
- /communities/{slug}/cockpit/tables/{table}: one of the cockpit's tables (the rows of
  its CSV download);
- /communities/{slug}/next-actions: the queue (`cercle.nextactions.queries.queue`),
  and marking an item done or dismissed (`do_decide`).

Those who may not see the cockpit get a 404, as on the pages (the queue: a 403 for
those who read the community's open spaces, as its page answers)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from cercle import permissions
from cercle.accounts.models import User
from cercle.analytics import metrics
from cercle.analytics import queries as analytics
from cercle.api.caller import Scope
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.community_kit import (
    PersonRef,
    SpaceRef,
    absolute,
    need,
    person_ref,
    space_ref,
)
from cercle.communities.models import Community
from cercle.nextactions import actions as next_actions
from cercle.nextactions import queries as nextactions
from cercle.nextactions.actions import MAX_NOTE

router = Router(tags=["cockpit"])

Period = Literal["30d", "90d", "12m"]
Cell = str | int | float | None


class PeriodOut(Schema):
    key: str
    label: str
    start: date
    last_day: date


class ChangeOut(Schema):
    direction: str  # up, down, same
    tone: str  # good, bad, neutral
    text: str
    spoken: str


class TileOut(Schema):
    key: str
    label: str
    value: str  # as the cockpit writes it, in your language
    change: ChangeOut | None
    note: str
    section: str


class StageOut(Schema):
    stage: str
    label: str
    reasons: list[str]


class ActivityOut(Schema):
    days: int
    active_members: int
    contributors: int
    dau: float
    wau: float
    mau: float
    stickiness: float | None
    new_members: int
    left_members: int
    totals: dict[str, int]
    per_day: dict[str, float]


class ResponsivenessOut(Schema):
    questions: int
    answered_pct: float | None
    solved_pct: float | None
    median_hours_first_answer: float | None
    p90_hours_first_answer: float | None
    median_hours_accepted: float | None
    p90_hours_accepted: float | None
    unanswered_after_48h: int


class CockpitOut(Schema):
    period: PeriodOut
    # When the count tables were last filled: no figure counts what happened after.
    counted_at: datetime | None
    members: int
    stage: StageOut
    tiles: list[TileOut]
    activity: ActivityOut
    responsiveness: ResponsivenessOut
    tables: list[str]  # the keys of /cockpit/tables/{table}


class TableOut(Schema):
    key: str
    caption: str
    note: str
    headers: list[str]
    rows: list[list[Cell]]
    period: PeriodOut


def _cockpit_community(request: HttpRequest, slug: str) -> tuple[User, Community]:
    """A community whose cockpit the person may see (a 404 otherwise, as its page), with
    the admin scope there (a 403 otherwise)."""
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    if not permissions.cockpit.may_see_cockpit(access):
        raise Http404
    need(request, Scope.ADMIN, community)
    return person, community


def _period(span: metrics.Period) -> PeriodOut:
    return PeriodOut(key=span.key, label=span.label, start=span.start, last_day=span.last_day)


@router.get(
    "/{slug}/cockpit", response={200: CockpitOut, **ERRORS}, summary="The cockpit's figures"
)
def cockpit(request: HttpRequest, slug: str, period: Period = "90d") -> CockpitOut:
    """The cockpit's overview for the period (the last 30 or 90 days, or 12 months):
    the life stage and its reasons, the tiles as the page shows them, and the
    period's raw figures (activity and responsiveness) from the count tables."""
    person, community = _cockpit_community(request, slug)
    page = analytics.cockpit(person, slug, period)
    return CockpitOut(
        period=_period(page.period),
        counted_at=page.counted_at,
        members=page.members,
        stage=StageOut(
            stage=page.stage.stage, label=page.stage.label, reasons=list(page.stage.reasons)
        ),
        tiles=[
            TileOut(
                key=tile.key,
                label=str(tile.label),
                value=tile.value,
                change=ChangeOut(**dataclasses.asdict(tile.change)) if tile.change else None,
                note=str(tile.note),
                section=tile.url_section,
            )
            for tile in page.tiles
        ],
        activity=ActivityOut(**dataclasses.asdict(metrics.activity(community, page.period))),
        responsiveness=ResponsivenessOut(
            **dataclasses.asdict(metrics.responsiveness(community, page.period))
        ),
        tables=list(analytics.TABLE_SECTIONS),
    )


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


@router.get(
    "/{slug}/cockpit/tables/{table}",
    response={200: TableOut, **ERRORS},
    summary="One of the cockpit's tables",
)
def cockpit_table(request: HttpRequest, slug: str, table: str, period: Period = "90d") -> TableOut:
    """One table of the cockpit's sub-pages (summary, kinds, activity, levels, flows,
    history, contributors, ladder, reached, engagement, responsiveness, retention,
    knowledge): its caption, headers and rows, as its CSV download has them."""
    person, _community = _cockpit_community(request, slug)
    page = analytics.cockpit_table(person, slug, table, period)
    found = page.tables[table]
    return TableOut(
        key=found.key,
        caption=str(found.caption),
        note=str(found.note),
        headers=[str(header) for header in found.headers],
        rows=[[_cell(value) for value in row] for row in found.rows],
        period=_period(page.period),
    )


# --- Next actions ---------------------------------------------------------------------------


class TopicRef(Schema):
    id: int
    title: str
    url: str


class ExpertOut(Schema):
    person: PersonRef
    level: int
    tag: str
    accepted: int
    evidence: list[str]


class ItemOut(Schema):
    kind: str
    object_id: int
    key: str
    label: str
    # What the item is about, as its kind says: a question (topic), a newcomer or a
    # member drifting away (person), a silent space (space); a gap in the rhythm has
    # its days, waiting flags their counts.
    topic: TopicRef | None = None
    experts: list[ExpertOut] = Field(default_factory=list)
    person: PersonRef | None = None
    space: SpaceRef | None = None
    from_day: date | None = None
    last_day: date | None = None
    last_active: date | None = None
    flags: int | None = None
    posts: int | None = None


class SectionOut(Schema):
    kind: str
    title: str
    rule: str
    total: int
    unnamed: int  # people waiting who asked not to be named: counted, not listed
    items: list[ItemOut]


class QueueOut(Schema):
    may_act: bool
    total: int
    sections: list[SectionOut]


class DecisionIn(Schema):
    outcome: Literal["done", "dismissed"]
    note: str = Field("", max_length=MAX_NOTE)


class DecisionOut(Schema):
    kind: str
    object_id: int
    outcome: str
    note: str
    decided_at: datetime


def _item(item: nextactions.Item) -> ItemOut:
    out = ItemOut(kind=item.kind, object_id=item.object_id, key=item.key, label=item.label)
    if isinstance(item, nextactions.QuestionItem):
        out.topic = TopicRef(
            id=item.topic.pk, title=item.topic.title, url=absolute(item.topic.get_absolute_url())
        )
        out.experts = [
            ExpertOut(
                person=person_ref(expert.person),
                level=expert.level,
                tag=expert.tag.slug,
                accepted=expert.accepted,
                evidence=expert.evidence,
            )
            for expert in item.experts
        ]
    elif isinstance(item, nextactions.NewcomerItem | nextactions.DriftingItem):
        out.person = person_ref(item.person)
        if isinstance(item, nextactions.DriftingItem):
            out.last_active = item.last_active
    elif isinstance(item, nextactions.GapItem):
        out.from_day, out.last_day = item.from_day, item.last_day
    elif isinstance(item, nextactions.SilentSpaceItem):
        out.space, out.last_active = space_ref(item.space), item.last_active
    elif isinstance(item, nextactions.FlagsItem):
        out.flags, out.posts = item.flags, item.posts
    return out


def _queue_community(request: HttpRequest, slug: str) -> tuple[User, Community]:
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    if not permissions.cockpit.may_see_cockpit(access):
        if not access.reads_open_spaces():
            raise Http404
        raise ApiError(403, _("Only the community's coordinators act on its next actions."))
    need(request, Scope.ADMIN, community)
    return person, community


@router.get(
    "/{slug}/next-actions", response={200: QueueOut, **ERRORS}, summary="The queue of next actions"
)
def next_actions_queue(request: HttpRequest, slug: str) -> QueueOut:
    """What the coordinators could do now, by section (unanswered questions with the
    experts to ask, newcomers to welcome, members drifting away, gaps in the rhythm,
    silent spaces, flags waiting), as the queue page lists it."""
    person, _community = _queue_community(request, slug)
    queue = nextactions.queue(person, slug)
    return QueueOut(
        may_act=queue.may_act,
        total=queue.total,
        sections=[
            SectionOut(
                kind=section.kind,
                title=str(section.title),
                rule=str(section.rule),
                total=section.total,
                unnamed=section.unnamed,
                items=[_item(item) for item in section.items],
            )
            for section in queue.sections
        ],
    )


@router.post(
    "/{slug}/next-actions/{kind}/{object_id}",
    response={201: DecisionOut, **ERRORS},
    summary="Mark a next action done or dismissed",
)
def decide(
    request: HttpRequest, slug: str, kind: str, object_id: int, body: DecisionIn
) -> Status[DecisionOut]:
    """The item leaves the queue (until its situation starts again); one no longer in
    the queue is refused (422)."""
    person, community = _queue_community(request, slug)
    decision = next_actions.do_decide(
        person, community, kind=kind, object_id=object_id, outcome=body.outcome, note=body.note
    )
    return Status(
        201,
        DecisionOut(
            kind=decision.kind,
            object_id=decision.object_id,
            outcome=decision.outcome,
            note=decision.note,
            decided_at=decision.decided_at,
        ),
    )
