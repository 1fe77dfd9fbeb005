"""Value creation on the community's landing page."""

from __future__ import annotations

from typing import Any

from django import template

from cercle import permissions

register = template.Library()


@register.inclusion_tag("value/_landing.html", takes_context=True)
def value_on_landing(context: template.Context) -> dict[str, Any]:
    """Links to the value stories, the summary and the sponsors, for those who may
    open them (no query, except whether a non-member is a sponsor)."""
    access: permissions.CommunityAccess | None = context.get("access")
    community = context.get("community")
    if access is None or community is None or not permissions.value.may_read_value_stories(access):
        return {"hidden": True}
    return {
        "hidden": False,
        "community": community,
        "may_record": permissions.value.may_record_value_story(access),
        "may_see_summary": permissions.value.may_see_value_summary(access),
        "may_manage_sponsors": permissions.value.may_manage_sponsors(access),
    }
