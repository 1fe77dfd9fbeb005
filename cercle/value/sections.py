"""Value creation on the community's landing page (cercle/sections.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cercle import permissions, sections


def value_on_landing(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Links to the value stories, the summary and the sponsors, for those who may
    open them (no query, except whether a non-member is a sponsor)."""
    if not permissions.value.may_read_value_stories(access):
        return None
    return {
        "can": {
            "record": permissions.value.may_record_value_story(access),
            "see_summary": permissions.value.may_see_value_summary(access),
            "manage_sponsors": permissions.value.may_manage_sponsors(access),
        }
    }


sections.register(
    "community.landing.aside",
    name="value",
    template="value/_landing.html",
    order=60,
    load=value_on_landing,
)
