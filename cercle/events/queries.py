"""Reads of events and rituals that pages, feeds, the landing page and the digest
share; each one answers only with what the reader may see (`permissions.planning.visible`:
readable spaces, unpublished events for animators only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.events.models import RSVP, Event, FeedKey, Response, Ritual, when_label
from cercle.notifications.digest import DigestItem
from cercle.web_effects import get_side_effect

UPCOMING_SHOWN = 50
PAST_PER_PAGE = 20
LANDING_SHOWN = 3
GUESTS_SHOWN = 60
ATTENDANCE_SHOWN = 500
FEED_PAST_DAYS = 90
FEED_MAX_EVENTS = 500
FEED_SALT = "cercle.events.feed"


def _with_counts(events: QuerySet[Event], actor: permissions.Actor) -> QuerySet[Event]:
    """Each event with its number of people going and waiting, and the reader's answer."""
    events = events.annotate(
        going_count=Count("rsvps", filter=Q(rsvps__response=Response.GOING)),
        waiting_count=Count("rsvps", filter=Q(rsvps__response=Response.WAITING)),
    )
    if actor.is_authenticated:
        mine = RSVP.objects.filter(event=OuterRef("pk"), person_id=actor.pk).values("response")
        events = events.annotate(my_response=Subquery(mine[:1]))
    return events


def events_of(access: permissions.CommunityAccess) -> QuerySet[Event]:
    return permissions.planning.visible(Event.objects.all(), access).select_related("space")


@dataclass
class EventList:
    community: Community
    access: permissions.CommunityAccess
    upcoming: list[Event]
    past: Page[Event]
    more_upcoming: bool = False


def event_list(
    actor: permissions.Actor, slug: str, page: str | None, now: datetime | None = None
) -> EventList:
    """Upcoming and ongoing events first (the next `UPCOMING_SHOWN`), then past ones,
    most recent first, by pages."""
    now = now or timezone.now()
    community, access = permissions.community_for(actor, slug)
    if not access.reads_open_spaces():
        raise Http404
    events = _with_counts(events_of(access), actor)
    upcoming = list(
        events.filter(ends_at__gte=now).order_by("starts_at", "pk")[: UPCOMING_SHOWN + 1]
    )
    past = Paginator(events.filter(ends_at__lt=now).order_by("-starts_at", "-pk"), PAST_PER_PAGE)
    for event in upcoming:
        event.community = community
    result = EventList(
        community,
        access,
        upcoming[:UPCOMING_SHOWN],
        past.get_page(page),
        more_upcoming=len(upcoming) > UPCOMING_SHOWN,
    )
    for event in result.past:
        event.community = community
    return result


def event_for(
    actor: permissions.Actor, slug: str, pk: int
) -> tuple[Event, permissions.CommunityAccess]:
    """An event the actor may see, or a 404 that does not tell whether it exists."""
    community, access = permissions.community_for(actor, slug)
    event = (
        Event.objects.filter(community=community, pk=pk)
        .select_related("space", "topic", "ritual", "created_by")
        .first()
    )
    if event is None or not permissions.planning.may_see(event, access):
        raise Http404
    event.community = community
    event.space.community = community
    return event, access


@dataclass
class Guests:
    """The answers to one event, as its page shows them."""

    counts: dict[str, int]
    mine: RSVP | None
    waiting_position: int | None
    going: list[User] = field(default_factory=list)

    @property
    def going_count(self) -> int:
        return self.counts.get(Response.GOING, 0)

    @property
    def waiting_count(self) -> int:
        return self.counts.get(Response.WAITING, 0)

    @property
    def maybe_count(self) -> int:
        return self.counts.get(Response.MAYBE, 0)


def guests(event: Event, access: permissions.CommunityAccess) -> Guests:
    counts = dict(
        RSVP.objects.filter(event=event)
        .order_by()
        .values_list("response")
        .annotate(n=Count("pk"))
        .values_list("response", "n")
    )
    actor = access.actor
    mine = (
        RSVP.objects.filter(event=event, person_id=actor.pk).first()
        if actor.is_authenticated
        else None
    )
    position = None
    if mine is not None and mine.response == Response.WAITING:
        position = (
            RSVP.objects.filter(event=event, response=Response.WAITING)
            .filter(
                Q(changed_at__lt=mine.changed_at) | Q(changed_at=mine.changed_at, pk__lt=mine.pk)
            )
            .count()
            + 1
        )
    going: list[User] = []
    if permissions.events.may_see_guest_list(access, event.space):
        going = [
            r.person
            for r in RSVP.objects.filter(event=event, response=Response.GOING)
            .select_related("person__profile")  # their faces ({% person %})
            .order_by("changed_at", "pk")[:GUESTS_SHOWN]
        ]
    return Guests(counts=counts, mine=mine, waiting_position=position, going=going)


def attendance_sheet(event: Event) -> list[RSVP]:
    """Those to tick after the event: everyone who meant to come, and anyone already
    marked present."""
    return list(
        RSVP.objects.filter(event=event)
        .filter(
            Q(response__in=(Response.GOING, Response.WAITING, Response.MAYBE)) | Q(attended=True)
        )
        .select_related("person")
        .order_by("person__display_name", "pk")[:ATTENDANCE_SHOWN]
    )


def landing_events(access: permissions.CommunityAccess, now: datetime | None = None) -> list[Event]:
    """The next published events the reader may see, for the landing page."""
    if not access.reads_open_spaces():
        return []
    now = now or timezone.now()
    events = (
        events_of(access)
        .exclude(published_at=None)
        .filter(cancelled_at=None)
        .filter(ends_at__gte=now)
        .order_by("starts_at", "pk")[:LANDING_SHOWN]
    )
    found = list(events)
    for event in found:
        event.community = access.community
    return found


def upcoming_for_digest(
    access: permissions.CommunityAccess, start: datetime, end: datetime, limit: int = 5
) -> list[Event]:
    """Published events starting in the period as long as the digest's that follows
    its `end`, in spaces the member reads."""
    events = (
        events_of(access)
        .exclude(published_at=None)
        .filter(cancelled_at=None)
        .filter(starts_at__gte=end, starts_at__lt=end + (end - start))
        .order_by("starts_at", "pk")[:limit]
    )
    found = list(events)
    for event in found:
        event.community = access.community
    return found


def digest_items(
    access: permissions.CommunityAccess, start: datetime, end: datetime
) -> list[DigestItem]:
    """The digest's "Upcoming events" (registered in `EventsConfig.ready`): the
    published events starting in the coming period, as long as the digest's, from its
    end, in spaces the member reads."""
    return [
        DigestItem(title=event.title, url=event.get_absolute_url(), detail=when_label(event))
        for event in upcoming_for_digest(access, start, end)
    ]


# --- Rituals -------------------------------------------------------------------------------


def rituals_of(access: permissions.CommunityAccess) -> QuerySet[Ritual]:
    return Ritual.objects.filter(
        community=access.community, space__in=permissions.readable_spaces(access)
    ).select_related("space")


def ritual_list(
    actor: permissions.Actor, slug: str
) -> tuple[Community, permissions.CommunityAccess, list[Ritual]]:
    community, access = permissions.community_for(actor, slug)
    if not access.reads_open_spaces():
        raise Http404
    rituals = list(rituals_of(access).order_by("ended_at", "title", "pk")[:100])
    for ritual in rituals:
        ritual.community = community
    return community, access, rituals


def ritual_for(
    actor: permissions.Actor, slug: str, pk: int
) -> tuple[Ritual, permissions.CommunityAccess]:
    community, access = permissions.community_for(actor, slug)
    ritual = Ritual.objects.filter(community=community, pk=pk).select_related("space").first()
    if ritual is None or not access.reads(ritual.space):
        raise Http404
    ritual.community = community
    ritual.space.community = community
    return ritual, access


def ritual_occurrences(
    ritual: Ritual, access: permissions.CommunityAccess, now: datetime | None = None
) -> list[Event]:
    """The ritual's coming occurrences that the reader may see."""
    now = now or timezone.now()
    events = list(
        _with_counts(
            events_of(access).filter(ritual=ritual, ends_at__gte=now), access.actor
        ).order_by("starts_at", "pk")[:UPCOMING_SHOWN]
    )
    for event in events:
        event.community = ritual.community
    return events


# --- Feeds ---------------------------------------------------------------------------------


@dataclass
class Feed:
    community: Community
    events: list[Event]
    rituals: list[Ritual]


def feed(access: permissions.CommunityAccess, now: datetime | None = None) -> Feed:
    """What a calendar subscription shows: published events (cancelled ones too, so
    that calendars mark them) of the last `FEED_PAST_DAYS` days and to come, and the
    rituals, in spaces the reader may read when the calendar asks."""
    now = now or timezone.now()
    community = access.community
    if not access.reads_open_spaces():
        return Feed(community, [], [])
    events = list(
        permissions.planning.visible(Event.objects.all(), access)
        .exclude(published_at=None)
        .filter(ends_at__gte=now - timedelta(days=FEED_PAST_DAYS))
        .order_by("starts_at", "pk")[:FEED_MAX_EVENTS]
    )
    rituals = list(
        rituals_of(access).filter(
            Q(ended_at=None) | Q(ended_at__gte=now - timedelta(days=FEED_PAST_DAYS))
        )
    )
    for event in events:
        event.community = community
    for ritual in rituals:
        ritual.community = community
    return Feed(community, events, rituals)


def cancelled_occurrences(rituals: list[Ritual]) -> dict[int, list[datetime]]:
    """For each ritual, the occurrences cancelled before they were announced (EXDATE)."""
    found: dict[int, list[datetime]] = {}
    rows = (
        Event.objects.filter(ritual__in=rituals, published_at=None)
        .exclude(cancelled_at=None)
        .values_list("ritual_id", "occurrence")
    )
    for ritual_id, occurrence in rows:
        if ritual_id is not None and occurrence is not None:
            found.setdefault(ritual_id, []).append(occurrence)
    return found


@get_side_effect("calendar feed key")
def feed_token(person: User) -> str:
    """The signed part of a person's calendar feed address (the same in every
    community: each feed asks at fetch time what the person may read there). The
    key is made the first time the address is shown: a GET's declared write."""
    key, _created = FeedKey.objects.get_or_create(
        person=person, defaults={"key": FeedKey.new_key()}
    )
    # No timestamp: the address stays the same until the key changes.
    return signing.Signer(salt=FEED_SALT).sign_object({"p": person.pk, "k": key.key})


def person_for_token(token: str) -> User | None:
    """Whose feed this is, while the key it was signed with is still theirs."""
    try:
        payload = signing.Signer(salt=FEED_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    key = (
        FeedKey.objects.filter(person_id=payload.get("p"), person__is_active=True)
        .select_related("person")
        .first()
    )
    if key is None or key.key != payload.get("k"):
        return None
    return key.person


def feed_access(slug: str, token: str | None) -> permissions.CommunityAccess:
    """Access for a feed: an anonymous visitor's, or the token's owner's."""
    actor: permissions.Actor = AnonymousUser()
    if token is not None:
        person = person_for_token(token)
        if person is None:
            raise Http404
        actor = person
    _community, access = permissions.community_for(actor, slug)
    return access
