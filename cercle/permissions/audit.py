"""The security log (`cercle.audit`): who reads it and exports it."""

from __future__ import annotations

from cercle.permissions.core import Actor, is_staff


def may_see_security_log(actor: Actor) -> bool:
    """The instance's staff, and no one else: the log names people, their addresses
    and where they signed in from. Coordinators see their own community's logs
    (moderation log, cockpit), never this one."""
    return is_staff(actor)
