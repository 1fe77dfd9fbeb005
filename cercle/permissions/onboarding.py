"""Onboarding: the welcome page and checklist.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from cercle.permissions.core import CommunityAccess


def sees_onboarding(access: CommunityAccess) -> bool:
    """The welcome page and checklist: the community's active members."""
    return access.is_member
