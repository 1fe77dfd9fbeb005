"""The contests' section of the community landing page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from cercle.contests import queries

register = template.Library()


@register.inclusion_tag("contests/_landing.html", takes_context=True)
def current_contests(context: template.Context) -> dict[str, Any]:
    """Contests taking entries or votes now that the reader may see (one query);
    animators also get the way to the list and to a new contest."""
    community = context["community"]
    access = context["access"]
    now = timezone.now()
    contests = queries.running(access, now) if access.reads_open_spaces() else []
    return {
        "community": community,
        "contests": [(contest, contest.phase(now)) for contest in contests],
        "may_animate": access.may_animate(),
    }
