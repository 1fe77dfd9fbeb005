"""Onboarding on other apps' pages (cercle/sections.py): the newcomer's first steps
and, for animators, the newcomers of the week (landing page); the unfinished
checklists (the member's home)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cercle import permissions, sections
from cercle.accounts.models import User
from cercle.communities.models import Membership
from cercle.onboarding import queries


def onboarding_box(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """At most two queries for an animator, one for a newcomer."""
    person = access.actor
    checklist = None
    if (
        isinstance(person, User)
        and permissions.onboarding.sees_onboarding(access)
        and queries.is_newcomer(access.membership)
    ):
        found = queries.checklist(person, access.community)
        checklist = None if found.is_complete else found
    newcomers = queries.newcomer_count(access.community, person) if access.may_animate() else None
    if checklist is None and newcomers is None:
        return None
    return {"checklist": checklist, "newcomers": newcomers}


def newcomer_checklists(
    person: User, memberships: Sequence[Membership]
) -> Mapping[str, Any] | None:
    """The unfinished checklists of the communities joined in the last 30 days (one
    query, however many)."""
    checklists = queries.newcomer_checklists(person, memberships)
    return {"checklists": checklists} if checklists else None


sections.register(
    "community.landing.aside",
    name="onboarding",
    template="onboarding/_landing_box.html",
    order=10,
    load=onboarding_box,
)
sections.register(
    "ui.member_home",
    name="checklists",
    template="onboarding/_home_checklists.html",
    order=10,
    load=newcomer_checklists,
)
