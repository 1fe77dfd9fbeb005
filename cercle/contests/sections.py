"""The contests' section of the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from cercle import permissions, sections
from cercle.contests import queries


def current_contests(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Contests taking entries or votes now that the reader may see (one query);
    animators also get the way to the list and to a new contest."""
    now = timezone.now()
    contests = queries.running(access, now) if access.reads_open_spaces() else []
    can = {"animate": access.may_animate()}
    if not contests and not can["animate"]:
        return None
    return {"contests": [(contest, contest.phase(now)) for contest in contests], "can": can}


sections.register(
    "community.landing.main",
    name="contests",
    template="contests/_landing.html",
    order=30,
    load=current_contests,
)
