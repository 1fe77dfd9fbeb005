"""Value creation on the community's landing page (cercle/sections.py): the stories
for their readers, the sponsors' pages in the "Animate" card."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from cercle import permissions, sections


def value_on_landing(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Links to the value stories and the summary, for those who may open them (no
    query, except whether a non-member is a sponsor)."""
    if not permissions.value.may_read_value_stories(access):
        return None
    return {
        "can": {
            "record": permissions.value.may_record_value_story(access),
            # Sponsors who do not animate find the summary here; animators in their card.
            "see_summary": permissions.value.may_see_value_summary(access)
            and not permissions.value.may_manage_sponsors(access),
        }
    }


def sponsor_links(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The sponsors' summary and the sponsors, for those who manage them (no query)."""
    if not permissions.value.may_manage_sponsors(access):
        return None
    slug = access.community.slug
    links = []
    if permissions.value.may_see_value_summary(access):
        links.append(
            sections.Link(
                _("The sponsors' summary"),
                reverse("value:summary", kwargs={"slug": slug}),
                "chart-line",
            )
        )
    links.append(
        sections.Link(_("Sponsors"), reverse("value:sponsors", kwargs={"slug": slug}), "star")
    )
    return {"links": links}


sections.register(
    "community.landing.aside",
    name="value",
    template="value/_landing.html",
    order=60,
    load=value_on_landing,
)
sections.register(
    "community.landing.animate",
    name="value",
    template="communities/_animate_links.html",
    order=90,
    load=sponsor_links,
)
