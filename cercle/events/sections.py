"""The events' section of the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions, sections
from cercle.accounts.models import User
from cercle.communities.models import Membership
from cercle.events import queries
from cercle.events.models import Event

HOME_SHOWN = 5


def upcoming_events(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The next events the reader may see (one query), or what events are for and, for
    animators, the way to plan the first, to those who read the community."""
    if not access.reads_open_spaces():
        return None
    return {"events": queries.landing_events(access), "can": {"animate": access.may_animate()}}


def event_links(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """A new event and a new ritual, in the "Animate" card (no query)."""
    if not access.may_animate():
        return None
    slug = access.community.slug
    return {
        "links": [
            sections.Link(
                _("New event"), reverse("events:new", kwargs={"slug": slug}), "calendar-plus"
            ),
            sections.Link(
                _("New ritual"), reverse("events:new_ritual", kwargs={"slug": slug}), "history"
            ),
        ]
    }


def upcoming_in_my_communities(
    person: User, memberships: Sequence[Membership]
) -> Mapping[str, Any] | None:
    """The next published events of the member's communities, in spaces they read (one
    query, however many communities), for the member's home."""
    if not memberships:
        return None
    events = list(
        Event.objects.live()
        .filter(
            community_id__in=[m.community_id for m in memberships],
            space__in=permissions.readable_spaces_everywhere(person),
            ends_at__gte=timezone.now(),
        )
        .select_related("community")
        .order_by("starts_at", "pk")[:HOME_SHOWN]
    )
    return {"events": events}


sections.register(
    "ui.member_home.aside",
    name="events",
    template="events/_home_events.html",
    order=10,
    load=upcoming_in_my_communities,
)
sections.register(
    "community.landing.main",
    name="events",
    template="events/_landing.html",
    order=10,
    load=upcoming_events,
)
sections.register(
    "community.landing.animate",
    name="events",
    template="communities/_animate_links.html",
    order=50,
    load=event_links,
)
