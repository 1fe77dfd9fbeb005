"""Personas: who manages them, who speaks as them, who reads the audit.

Each question takes the person's `CommunityAccess` (the core) and the object."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import CommunityAccess

if TYPE_CHECKING:
    from cercle.personas.models import Persona


def may_manage_personas(access: CommunityAccess) -> bool:
    """Create, edit and retire personas and choose who speaks as each."""
    return access.is_coordinator


def may_speak_as(access: CommunityAccess, persona: Persona) -> bool:
    """Publish or reply as `persona`: an active persona of this community, for the
    coordinators and the members chosen as its speakers."""
    if persona.community_id != access.community.pk or not persona.is_active:
        return False
    if access.is_coordinator:
        return True
    return access.is_member and persona.speakers.filter(pk=access.actor.pk).exists()


def may_read_persona_audit(access: CommunityAccess) -> bool:
    """Who really wrote each persona post: coordinators (and staff, to rescue)."""
    return access.is_coordinator or access.staff
