"""Contests: entering, voting, judging, seeing entries and their authors.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from datetime import datetime

    from cercle.contests.models import Contest
    from cercle.contests.models import Entry as ContestEntry


def may_enter_contest(access: CommunityAccess, contest: Contest) -> bool:
    """Submit, edit or withdraw one's own entry in a published contest: a member who
    may take part in its space (the actions check the submission period)."""
    return contest.published_at is not None and access.may_take_part(contest.space)


def may_vote_in_contest(access: CommunityAccess, contest: Contest) -> bool:
    """Vote in a community-vote contest: members who may take part and who joined
    before the contest started, so nobody is brought in just to vote."""
    started = contest.started_at
    return (
        not contest.is_jury
        and started is not None
        and access.may_take_part(contest.space)
        and access.joined_before(started)
    )


def may_judge(access: CommunityAccess, contest: Contest) -> bool:
    """Score the entries of a jury contest: its jurors, while they take part here."""
    return (
        contest.is_jury
        and contest.published_at is not None
        and access.may_take_part(contest.space)
        and access.actor.pk in contest.juror_ids()
    )


def sees_contest_entries(access: CommunityAccess, contest: Contest, now: datetime) -> bool:
    """Every entry: animators at any time, readers once voting opens (until then each
    entrant sees their own only)."""
    if access.may_animate(contest.space):
        return True
    return (
        contest.published_at is not None
        and access.reads(contest.space)
        and (now >= contest.voting_open_at or contest.results_announced_at is not None)
    )


def may_see_contest_entry(access: CommunityAccess, entry: ContestEntry, now: datetime) -> bool:
    own = entry.author_id is not None and entry.author_id == access.actor.pk
    contest = entry.contest
    if own and contest.published_at is not None and access.reads(contest.space):
        return True
    return sees_contest_entries(access, contest, now)


def sees_contest_authors(access: CommunityAccess, contest: Contest) -> bool:
    """Who wrote which entry: hidden until the results when the contest asks for it
    (votes and scores then go to entries, not to friends); animators always see."""
    if access.may_animate(contest.space):
        return True
    return not contest.hide_authors or contest.results_announced_at is not None


def may_withdraw_contest_entry(access: CommunityAccess, entry: ContestEntry) -> bool:
    """Its author (the action checks that entries are still open), or an animator
    removing an entry that breaks the rules, until the results."""
    own = entry.author_id is not None and entry.author_id == access.actor.pk
    if own and may_enter_contest(access, entry.contest):
        return True
    return access.may_animate(entry.contest.space)
