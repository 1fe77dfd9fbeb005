"""Who manages SCIM provisioning (its tokens and its page): staff only."""

from __future__ import annotations

from cercle.permissions.core import Actor, is_staff


def may_manage_scim(actor: Actor) -> bool:
    return is_staff(actor)
