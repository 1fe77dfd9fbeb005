"""OAuth applications: who registers them (they act for people across the whole
instance, so the instance's operators: staff), and whose authorizations a person may
revoke (their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import Actor, is_staff

if TYPE_CHECKING:
    from cercle.accounts.models import User


def may_manage_oauth_applications(actor: Actor) -> bool:
    """The staff pages under /staff/oauth/: register, edit and delete applications."""
    return is_staff(actor)


def may_revoke_authorization(actor: Actor, holder: User) -> bool:
    """An application's access to a person is revoked by that person (from their
    account page); staff delete the application instead."""
    return actor.is_authenticated and actor.is_active and actor.pk == holder.pk
