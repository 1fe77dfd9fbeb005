"""Onboarding on other apps' pages: the newcomer's first steps and, for animators, the
newcomers of the week (landing page), and unfinished checklists (member home)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import template

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Membership
from cercle.onboarding import queries

register = template.Library()


@register.inclusion_tag("onboarding/_landing_box.html", takes_context=True)
def onboarding_box(context: template.Context) -> dict[str, Any]:
    """`{% onboarding_box %}` on a community's landing page (reads `community` and
    `access` from the page): at most two queries for an animator, five for a newcomer."""
    access: permissions.CommunityAccess | None = context.get("access")
    community = context.get("community")
    shown: dict[str, Any] = {"community": community, "checklist": None, "newcomers": None}
    if access is None or community is None:
        return shown
    person = access.actor
    newcomer = permissions.onboarding.sees_onboarding(access) and queries.is_newcomer(
        access.membership
    )
    if isinstance(person, User) and newcomer:
        found = queries.checklist(person, community)
        shown["checklist"] = None if found.is_complete else found
    if access.may_animate():
        shown["newcomers"] = queries.newcomer_count(community, person)
    return shown


@register.inclusion_tag("onboarding/_home_checklists.html", takes_context=True)
def newcomer_checklists(
    context: template.Context, memberships: Sequence[Membership]
) -> dict[str, Any]:
    """`{% newcomer_checklists home.memberships %}` on the member's home page: the
    unfinished checklists of the communities joined in the last 30 days (a fixed
    number of queries, however many)."""
    request = context.get("request")
    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated:
        return {"checklists": []}
    return {"checklists": queries.newcomer_checklists(person, memberships)}
