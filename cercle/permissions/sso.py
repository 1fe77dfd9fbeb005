"""Single sign-on: who sees the identity providers and edits the mapping rules and the
organisation-only domains. They decide who becomes internal and who coordinates which
community, so they are the instance's operators' (staff), never a community's."""

from __future__ import annotations

from cercle.permissions.core import Actor, is_staff


def may_manage_sso(actor: Actor) -> bool:
    """The staff pages under /staff/sso/: providers, mapping rules, their dry run,
    organisation-only domains."""
    return is_staff(actor)
