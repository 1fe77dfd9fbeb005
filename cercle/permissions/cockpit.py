"""The animator's cockpit, its participation rule and the next actions.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from cercle.permissions.core import CommunityAccess


def may_see_cockpit(access: CommunityAccess) -> bool:
    """The animator's cockpit: every figure, the members it names (except those who
    asked not to be named), the next actions. Coordinators, and staff."""
    return access.is_coordinator or access.staff


def may_act_on_next_actions(access: CommunityAccess) -> bool:
    """Mark a next action done or dismissed, ask experts: coordinators only (staff
    read the cockpit but do not animate a community they are not in)."""
    return access.is_coordinator


def may_change_participation_rule(access: CommunityAccess) -> bool:
    return access.is_coordinator or access.staff
