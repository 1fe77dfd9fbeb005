"""Badges on other apps' pages: a person's badges on their profile, and the members
of the month on the community's landing page."""

from __future__ import annotations

from typing import Any

from django import template

from cercle.accounts.models import User
from cercle.badges import queries

register = template.Library()


@register.inclusion_tag("badges/_profile_badges.html", takes_context=True)
def profile_badges(context: template.Context, person: User) -> dict[str, Any]:
    """`{% profile_badges person %}`: the badges the reader may know of (one query)."""
    request = context.get("request")
    reader = getattr(request, "user", None)
    if reader is None:
        return {"groups": []}
    return {"groups": queries.profile_badges(reader, person)}


@register.inclusion_tag("badges/_members_of_the_month.html", takes_context=True)
def members_of_the_month(context: template.Context) -> dict[str, Any]:
    """`{% members_of_the_month %}` on the landing page (reads `community` and `access`):
    one query, and only for those who may see the community's members."""
    community = context.get("community")
    access = context.get("access")
    if community is None or access is None:
        return {"showcase": None}
    return {
        "community": community,
        "access": access,
        "showcase": queries.showcase(community, access),
    }
