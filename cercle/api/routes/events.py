"""Events and RSVPs: a community's events as its calendar shows them (an unpublished
event only to its animators: `permissions.planning.visible`), one event with its
answers, creating one (animators: `access.may_animate`) and answering (`do_rsvp`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import (
    AuthorOut,
    ContentSpace,
    caller_for,
    community_of,
    person_out,
    space_of,
    space_ref,
)
from cercle.events import actions, queries
from cercle.events.models import Event

router = Router(tags=["events"])

ORDERINGS: dict[str, tuple[str, ...]] = {
    # Upcoming and ongoing, the soonest first; past ones, the most recent first.
    "upcoming": ("starts_at", "pk"),
    "past": ("-starts_at", "-pk"),
}


class EventOut(Schema):
    id: int
    community: str
    space: ContentSpace
    title: str
    description: str
    description_html: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    online_url: str
    place: str
    address: str
    capacity: int | None = None
    rsvp_open: bool
    is_cancelled: bool
    # False until it is published (only its animators see it then).
    is_published: bool
    publish_at: datetime | None = None
    going_count: int
    waiting_count: int
    # The caller's answer: going, waiting, maybe, not_going; null without one.
    my_response: str | None = None
    # The conversation opened for it, once published.
    topic_id: int | None = None
    url: str


def event_out(request: HttpRequest, event: Event) -> EventOut:
    return EventOut(
        id=event.pk,
        community=event.community.slug,
        space=space_ref(event.space),
        title=event.title,
        description=event.description,
        description_html=event.description_html,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        time_zone=event.time_zone,
        online_url=event.online_url,
        place=event.place,
        address=event.address,
        capacity=event.capacity,
        rsvp_open=event.rsvp_open,
        is_cancelled=event.cancelled_at is not None,
        is_published=event.published_at is not None,
        publish_at=event.publish_at,
        going_count=getattr(event, "going_count", 0),
        waiting_count=getattr(event, "waiting_count", 0),
        my_response=getattr(event, "my_response", None),
        topic_id=event.topic_id,
        url=request.build_absolute_uri(event.get_absolute_url()),
    )


@router.get(
    "/communities/{slug}/events",
    response={200: Page[EventOut], **ERRORS},
    summary="A community's events",
)
def list_events(
    request: HttpRequest,
    slug: str,
    when: Literal["upcoming", "past"] = "upcoming",
    cursor: str | None = None,
    limit: int = 25,
) -> Page[EventOut]:
    caller = caller_for(request, Scope.READ)
    community, access = community_of(caller, slug)
    now = timezone.now()
    events = queries._with_counts(queries.events_of(access), caller.person)
    events = (
        events.filter(ends_at__gte=now) if when == "upcoming" else events.filter(ends_at__lt=now)
    )
    found, next_cursor = cursor_page(events, ordering=ORDERINGS[when], cursor=cursor, limit=limit)
    for event in found:
        event.community = community
    return Page[EventOut](items=[event_out(request, e) for e in found], next_cursor=next_cursor)


class EventDetailOut(EventOut):
    maybe_count: int
    # Who is going, for the members who read its space (visitors see how many only).
    going: list[AuthorOut]
    # Where the caller is on the waiting list (1 is next), if they are on it.
    waiting_position: int | None = None
    created_by: AuthorOut


def event_detail(
    request: HttpRequest, event: Event, access: permissions.CommunityAccess
) -> EventDetailOut:
    answers = queries.guests(event, access)
    event.going_count = answers.going_count  # type: ignore[attr-defined]
    event.waiting_count = answers.waiting_count  # type: ignore[attr-defined]
    event.my_response = answers.mine.response if answers.mine else None  # type: ignore[attr-defined]
    return EventDetailOut(
        **event_out(request, event).model_dump(),
        maybe_count=answers.maybe_count,
        going=[person_out(person) for person in answers.going],
        waiting_position=answers.waiting_position,
        created_by=person_out(event.created_by),
    )


@router.get(
    "/communities/{slug}/events/{event_id}",
    response={200: EventDetailOut, **ERRORS},
    summary="An event",
)
def get_event(request: HttpRequest, slug: str, event_id: int) -> EventDetailOut:
    caller = caller_for(request, Scope.READ)
    event, access = queries.event_for(caller.person, slug, event_id)
    return event_detail(request, event, access)


class EventIn(Schema):
    space: str
    title: str
    starts_at: datetime
    ends_at: datetime
    # An IANA time zone (Europe/Paris); empty: the community's.
    time_zone: str = ""
    description: str = ""
    online_url: str = ""
    place: str = ""
    address: str = ""
    capacity: int | None = None
    rsvp_open: bool = True
    remind_hours_before: int = 24
    # Announce it later (planned); empty: at once.
    publish_at: datetime | None = None


@router.post(
    "/communities/{slug}/events",
    response={201: EventDetailOut, **ERRORS},
    summary="Create an event (the community's animators)",
)
def create_event(request: HttpRequest, slug: str, data: EventIn) -> Status[EventDetailOut]:
    caller = caller_for(request, Scope.WRITE)
    _community, access = community_of(caller, slug)
    space = space_of(access, data.space)
    if not access.may_animate(space):
        raise ApiError(403, _("You may not do this here."))
    event = actions.do_create_event(
        caller.person,
        space,
        title=data.title,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        time_zone=data.time_zone,
        description=data.description,
        online_url=data.online_url,
        place=data.place,
        address=data.address,
        capacity=data.capacity,
        rsvp_open=data.rsvp_open,
        remind_hours_before=data.remind_hours_before,
        publish_at=data.publish_at,
    )
    found, access = queries.event_for(caller.person, slug, event.pk)
    return Status(201, event_detail(request, found, access))


class RsvpIn(Schema):
    # "going" lands on the waiting list when the event is full.
    response: Literal["going", "maybe", "not_going"]


@router.put(
    "/communities/{slug}/events/{event_id}/rsvp",
    response={200: EventDetailOut, **ERRORS},
    summary="Answer an event: going, maybe or not going",
)
def rsvp(request: HttpRequest, slug: str, event_id: int, data: RsvpIn) -> EventDetailOut:
    caller = caller_for(request, Scope.WRITE)
    event, access = queries.event_for(caller.person, slug, event_id)
    if not access.may_take_part(event.space):
        raise ApiError(403, _("You may not do this here."))
    actions.do_rsvp(caller.person, event, data.response)
    return event_detail(request, event, access)
