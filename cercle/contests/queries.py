"""Reads that the contest pages share; everything goes through the permissions and
`permissions.planning.visible`, so an unpublished contest is seen by its
animators only and a private space's contests by its readers only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cercle import permissions
from cercle.contests.models import Contest, Criterion, Entry, EntryFile, Phase, Score, Vote

ENTRIES_PER_PAGE = 30
RUNNING_ON_LANDING = 5


def contest_for(
    actor: permissions.Actor, slug: str, pk: int
) -> tuple[Contest, permissions.CommunityAccess]:
    """The contest if the actor may see it, or a 404 that does not tell whether it exists."""
    community, access = permissions.community_for(actor, slug)
    contest = (
        Contest.objects.filter(community=community, pk=pk)
        .select_related("space", "created_by", "results_topic")
        .first()
    )
    if contest is None:
        raise Http404
    contest.community = community
    contest.space.community = community
    if not permissions.planning.may_see(contest, access):
        raise Http404
    return contest, access


def contests_in(access: permissions.CommunityAccess) -> QuerySet[Contest]:
    """The community's contests the person may see, the latest first."""
    return (
        permissions.planning.visible(Contest.objects.all(), access)
        .select_related("space")
        .order_by("-submissions_open_at", "-pk")
    )


def running(access: permissions.CommunityAccess, now: datetime | None = None) -> list[Contest]:
    """Published contests taking entries or votes now (the landing page)."""
    now = now or timezone.now()
    found = list(
        permissions.planning.visible(Contest.objects.all(), access)
        .filter(
            published_at__isnull=False,
            submissions_open_at__lte=now,
            voting_close_at__gt=now,
            results_announced_at=None,
        )
        .select_related("space")
        .order_by("voting_close_at", "pk")[:RUNNING_ON_LANDING]
    )
    for contest in found:
        contest.community = access.community
    return found


@dataclass
class EntryRow:
    entry: Entry
    mine: bool = False
    voted: bool = False
    scored: bool = False


@dataclass
class ContestPage:
    contest: Contest
    access: permissions.CommunityAccess
    now: datetime
    phase: Phase
    my_entry: Entry | None
    rows: list[EntryRow]
    entry_count: int
    sees_entries: bool
    shows_authors: bool
    may_animate: bool
    may_enter: bool
    may_vote: bool
    may_judge: bool
    votes_left: int
    criteria: list[Criterion] = field(default_factory=list)


def _entries(contest: Contest) -> QuerySet[Entry]:
    return contest.entries.select_related("author").prefetch_related("files")


def contest_page(
    contest: Contest,
    access: permissions.CommunityAccess,
    page_number: int = 1,
    now: datetime | None = None,
) -> tuple[ContestPage, range]:
    """What the contest page shows to this person, and the pages of entries."""
    now = now or timezone.now()
    actor_id = access.actor.pk
    phase = contest.phase(now)
    sees_entries = permissions.contests.sees_contest_entries(access, contest, now)
    my_entry = None
    if actor_id is not None:
        my_entry = _entries(contest).filter(author_id=actor_id).first()
        if my_entry is not None:
            my_entry.contest = contest
    entries: list[Entry] = []
    entry_count = 0
    if sees_entries:
        entry_count = contest.entries.count()
        first = (page_number - 1) * ENTRIES_PER_PAGE
        ordering = ["rank", "pk"] if phase == Phase.ANNOUNCED else ["submitted_at", "pk"]
        entries = list(_entries(contest).order_by(*ordering)[first : first + ENTRIES_PER_PAGE])
    may_vote = (
        not contest.is_jury
        and phase == Phase.VOTING
        and permissions.contests.may_vote_in_contest(access, contest)
    )
    may_judge = contest.is_jury and permissions.contests.may_judge(access, contest)
    voted: set[int] = set()
    if may_vote:
        voted = set(
            Vote.objects.filter(contest=contest, voter_id=actor_id).values_list(
                "entry_id", flat=True
            )
        )
    scored: set[int] = set()
    if may_judge:
        scored = set(
            Score.objects.filter(entry__contest=contest, juror_id=actor_id).values_list(
                "entry_id", flat=True
            )
        )
    rows = []
    for entry in entries:
        entry.contest = contest
        rows.append(
            EntryRow(
                entry=entry,
                mine=actor_id is not None and entry.author_id == actor_id,
                voted=entry.pk in voted,
                scored=entry.pk in scored,
            )
        )
    page = ContestPage(
        contest=contest,
        access=access,
        now=now,
        phase=phase,
        my_entry=my_entry,
        rows=rows,
        entry_count=entry_count,
        sees_entries=sees_entries,
        shows_authors=permissions.contests.sees_contest_authors(access, contest),
        may_animate=access.may_animate(contest.space),
        may_enter=phase == Phase.SUBMISSIONS
        and permissions.contests.may_enter_contest(access, contest),
        may_vote=may_vote,
        may_judge=may_judge,
        votes_left=max(contest.votes_per_member - len(voted), 0),
        criteria=list(contest.criteria.all()) if contest.is_jury else [],
    )
    pages = range(1, max((entry_count - 1) // ENTRIES_PER_PAGE + 1, 1) + 1)
    return page, pages


def entry_for(
    actor: permissions.Actor, slug: str, pk: int, entry_pk: int
) -> tuple[Entry, permissions.CommunityAccess]:
    """An entry the actor may see (their own, or all once voting opens), or a 404."""
    contest, access = contest_for(actor, slug, pk)
    entry = _entries(contest).filter(pk=entry_pk).first()
    if entry is None:
        raise Http404
    entry.contest = contest
    if not permissions.contests.may_see_contest_entry(access, entry, timezone.now()):
        raise Http404
    return entry, access


def file_for(actor: permissions.Actor, slug: str, pk: int, file_pk: int) -> EntryFile:
    """A file of an entry, for those who may see the entry."""
    contest, access = contest_for(actor, slug, pk)
    found = EntryFile.objects.filter(pk=file_pk, entry__contest=contest).select_related("entry")
    item = found.first()
    if item is None:
        raise Http404
    item.entry.contest = contest
    if not permissions.contests.may_see_contest_entry(access, item.entry, timezone.now()):
        raise Http404
    return item


def my_scores(entry: Entry, juror_id: int) -> dict[int, int]:
    """A juror's scores for an entry, by criterion id."""
    return dict(
        Score.objects.filter(entry=entry, juror_id=juror_id).values_list("criterion_id", "value")
    )
