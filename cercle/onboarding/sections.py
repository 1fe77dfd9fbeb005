"""Onboarding on other apps' pages (cercle/sections.py): the newcomer's first steps
and, in the animators' card, the newcomers of the week (landing page); the unfinished
checklists (the member's home)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cercle import permissions, sections
from cercle.accounts.models import User
from cercle.communities.models import Membership
from cercle.onboarding import queries


def onboarding_box(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The newcomer's first steps (one query for a newcomer, none for others)."""
    person = access.actor
    if not (
        isinstance(person, User)
        and permissions.onboarding.sees_onboarding(access)
        and queries.is_newcomer(access.membership)
    ):
        return None
    found = queries.checklist(person, access.community)
    return None if found.is_complete else {"checklist": found}


def welcome_links(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The newcomers of the week to welcome and the welcome settings, in the "Animate"
    card (one query, for animators only)."""
    if not access.may_animate():
        return None
    slug = access.community.slug
    count = queries.newcomer_count(access.community, access.actor)
    note = ngettext("%(count)s newcomer this week", "%(count)s newcomers this week", count) % {
        "count": count
    }
    return {
        "links": [
            sections.Link(
                _("Welcome newcomers"),
                reverse("onboarding:newcomers", kwargs={"slug": slug}),
                "user-plus",
                note,
            ),
            sections.Link(
                _("Welcome settings"),
                reverse("onboarding:settings", kwargs={"slug": slug}),
                "settings",
            ),
        ]
    }


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
    "community.landing.animate",
    name="welcome",
    template="communities/_animate_links.html",
    order=40,
    load=welcome_links,
)
sections.register(
    "ui.member_home",
    name="checklists",
    template="onboarding/_home_checklists.html",
    order=10,
    load=newcomer_checklists,
)
