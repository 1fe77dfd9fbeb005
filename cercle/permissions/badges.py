"""Badges and members of the month.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from cercle.permissions.core import CommunityAccess


def sees_recognition(access: CommunityAccess) -> bool:
    """The community's badges, who holds them and its members of the month: those
    who read its open spaces (a members-only community keeps its members unknown)."""
    return access.reads_open_spaces()
