"""Value creation: sponsors, the summary for them, value-creation stories.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from cercle.permissions import cockpit
from cercle.permissions.core import CommunityAccess


def is_sponsor(access: CommunityAccess) -> bool:
    """Named a sponsor of the community by its coordinators (`value.Sponsor`):
    a sponsor reads the value summary, and nothing more for being one."""
    if "sponsor" not in access.memo:
        access.memo["sponsor"] = (
            access.actor.is_authenticated
            and access.actor.is_active
            and (access.community.sponsors.filter(person_id=access.actor.pk).exists())
        )
    return access.memo["sponsor"]


def may_see_value_summary(access: CommunityAccess) -> bool:
    """The sponsors' summary: aggregate figures and value stories, no member named
    beyond the stories' own authors."""
    if cockpit.may_see_cockpit(access):
        return True
    return access.sees_landing() and not access.is_banned and is_sponsor(access)


def may_manage_sponsors(access: CommunityAccess) -> bool:
    return access.is_coordinator or access.staff


def may_record_value_story(access: CommunityAccess) -> bool:
    """Tell a value-creation story: the community's members."""
    return access.is_member


def may_read_value_stories(access: CommunityAccess) -> bool:
    """The community's value stories: its members, and whoever sees the summary."""
    return access.is_member or may_see_value_summary(access)


def may_edit_value_story(access: CommunityAccess, author_id: int | None) -> bool:
    own = author_id is not None and author_id == access.actor.pk and access.is_member
    return own or access.is_coordinator
