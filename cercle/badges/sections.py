"""Badges on other apps' pages (cercle/sections.py): the members of the month on
the community's landing page, a person's badges on their profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections
from cercle.accounts.models import User
from cercle.badges import queries


def members_of_the_month(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The latest showcase (one query), for those who may see the community's members."""
    showcase = queries.showcase(access.community, access)
    if showcase is None:
        return None
    return {"showcase": showcase, "can": {"animate": access.may_animate()}}


def showcase_link(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The members of the month to choose, in the "Animate" card (no query)."""
    if not access.may_animate():
        return None
    url = reverse("badges:showcase", kwargs={"slug": access.community.slug})
    return {"links": [sections.Link(_("Members of the month"), url, "award")]}


def profile_badges(reader: permissions.Actor, person: User) -> Mapping[str, Any] | None:
    """The badges the reader may know of (one query)."""
    groups = queries.profile_badges(reader, person)
    return {"groups": groups} if groups else None


sections.register(
    "community.landing.main",
    name="members_of_the_month",
    template="badges/_members_of_the_month.html",
    order=40,
    load=members_of_the_month,
)
sections.register(
    "community.landing.animate",
    name="members_of_the_month",
    template="communities/_animate_links.html",
    order=75,
    load=showcase_link,
)
sections.register(
    "people.profile",
    name="badges",
    template="badges/_profile_badges.html",
    order=10,
    load=profile_badges,
)
