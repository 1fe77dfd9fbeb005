"""Badges on other apps' pages (cercle/sections.py): the members of the month on
the community's landing page, a person's badges on their profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections
from cercle.accounts.models import User
from cercle.badges import queries


def members_of_the_month(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The latest showcase (one query), for those who may see the community's members;
    animators are asked to fill an empty one."""
    showcase = queries.showcase(access.community, access)
    can = {"animate": access.may_animate(), "see_profiles": access.is_member}
    if showcase is None and not can["animate"]:
        return None
    return {"showcase": showcase, "can": can}


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
    "people.profile",
    name="badges",
    template="badges/_profile_badges.html",
    order=10,
    load=profile_badges,
)
