"""Polls and votes: a community's polls (unpublished ones only for its animators,
`permissions.planning.visible`), one poll with its results only when its page would
show them (`queries.poll_page`, which asks `permissions.activities.sees_poll_results`;
voters' names for named polls only), and voting (`do_vote`, which also changes a vote)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from cercle import permissions
from cercle.activities import actions, queries
from cercle.activities.models import Poll
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import ContentSpace, caller_for, community_of, space_ref

router = Router(tags=["polls"])


class PollOut(Schema):
    id: int
    community: str
    space: ContentSpace
    title: str
    description: str
    description_html: str
    multiple: bool
    # How many choices one vote may hold.
    choice_limit: int
    anonymous: bool
    # after_voting: each member once they voted; after_closing: everyone once closed.
    results_shown: str
    closes_at: datetime | None = None
    is_open: bool
    is_published: bool
    created_at: datetime
    url: str


def poll_out(request: HttpRequest, poll: Poll) -> PollOut:
    return PollOut(
        id=poll.pk,
        community=poll.community.slug,
        space=space_ref(poll.space),
        title=poll.title,
        description=poll.description,
        description_html=poll.description_html,
        multiple=poll.multiple,
        choice_limit=poll.choice_limit,
        anonymous=poll.anonymous,
        results_shown=poll.results_shown,
        closes_at=poll.closes_at,
        is_open=poll.is_open(timezone.now()),
        is_published=poll.published_at is not None,
        created_at=poll.created_at,
        url=request.build_absolute_uri(poll.get_absolute_url()),
    )


@router.get(
    "/communities/{slug}/polls",
    response={200: Page[PollOut], **ERRORS},
    summary="A community's polls",
)
def list_polls(
    request: HttpRequest, slug: str, cursor: str | None = None, limit: int = 25
) -> Page[PollOut]:
    caller = caller_for(request, Scope.READ)
    community, access = community_of(caller, slug)
    polls = permissions.planning.visible(Poll.objects.all(), access).select_related("space")
    found, next_cursor = cursor_page(
        polls, ordering=("-created_at", "-pk"), cursor=cursor, limit=limit
    )
    for poll in found:
        poll.community = community
    return Page[PollOut](items=[poll_out(request, poll) for poll in found], next_cursor=next_cursor)


class ChoiceOut(Schema):
    id: int
    label: str
    mine: bool
    # The results, only when the poll's page would show them (null otherwise).
    votes: int | None = None
    percent: int | None = None
    # The first voters' names, for a named poll whose results are shown.
    voters: list[str] = []


class PollDetailOut(PollOut):
    choices: list[ChoiceOut]
    may_vote: bool
    shows_results: bool
    # How many voted, when the results are shown.
    voter_count: int | None = None


def poll_detail(
    request: HttpRequest, poll: Poll, access: permissions.CommunityAccess
) -> PollDetailOut:
    data = queries.poll_page(poll, access)
    results = {result.choice.pk: result for result in data.results}
    choices = []
    for choice in data.choices:
        result = results.get(choice.pk) if data.shows_results else None
        choices.append(
            ChoiceOut(
                id=choice.pk,
                label=choice.label,
                mine=choice.pk in data.mine,
                votes=result.count if result else None,
                percent=result.percent if result else None,
                voters=result.voters if result else [],
            )
        )
    return PollDetailOut(
        **poll_out(request, poll).model_dump(),
        choices=choices,
        may_vote=data.may_vote,
        shows_results=data.shows_results,
        voter_count=data.voters if data.shows_results else None,
    )


@router.get(
    "/communities/{slug}/polls/{poll_id}",
    response={200: PollDetailOut, **ERRORS},
    summary="A poll, with its results when its page would show them",
)
def get_poll(request: HttpRequest, slug: str, poll_id: int) -> PollDetailOut:
    caller = caller_for(request, Scope.READ)
    poll, access = queries.item_for(caller.person, slug, Poll, poll_id)
    return poll_detail(request, poll, access)


class PollVoteIn(Schema):
    # The ids of the chosen choices (one, unless the poll allows several).
    choices: list[int]


@router.put(
    "/communities/{slug}/polls/{poll_id}/vote",
    response={200: PollDetailOut, **ERRORS},
    summary="Vote, or change one's vote while the poll is open",
)
def vote(request: HttpRequest, slug: str, poll_id: int, data: PollVoteIn) -> PollDetailOut:
    caller = caller_for(request, Scope.WRITE)
    poll, access = queries.item_for(caller.person, slug, Poll, poll_id)
    if not access.may_take_part(poll.space):
        raise ApiError(403, _("You may not do this here."))
    actions.do_vote(caller.person, poll, data.choices)
    return poll_detail(request, poll, access)
