"""Who is calling the API, and what they let it do.

Every authenticated request carries a `Caller` (`request.auth`): the person it acts
as, how it came (a personal access token, an OAuth application's token, or the
site's own session), and its scopes. A token acts as its person and nothing more:
endpoints ask the permissions package about `caller.person` exactly as pages ask
about `request.user`, and the scopes only narrow that further (a read-only token
never writes, even for a coordinator).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cercle.accounts.models import User


class Scope(StrEnum):
    READ = "read"  # read what the person may read
    WRITE = "write"  # post, react, vote, RSVP... as the person
    ADMIN = "admin"  # a coordinator's actions (members, webhooks, the cockpit)


SCOPE_LABELS = {
    Scope.READ: _("Read what you may read"),
    Scope.WRITE: _("Write as you: post, react, vote, answer invitations"),
    Scope.ADMIN: _("Coordinate: manage members, read the cockpit"),
}


class Via(StrEnum):
    TOKEN = "token"  # a personal access token  # noqa: S105 - a name, not a secret
    OAUTH = "oauth"  # an OAuth application's access token
    SESSION = "session"  # the site's own pages (htmx), with the CSRF check


@dataclass(frozen=True)
class Caller:
    person: User
    via: Via
    scopes: frozenset[Scope]
    # The communities an `admin` scope is limited to (their ids); None: wherever the
    # person coordinates.
    admin_communities: frozenset[int] | None = None
    # What rate limits count by: the token's or application's key, or the session's person.
    key: str = field(default="")

    def allows(self, scope: Scope, community_id: int | None = None) -> bool:
        """Whether the scopes let the caller do something of `scope` (in `community_id`,
        for the admin scope). The permissions package still decides whether the
        person may."""
        if scope not in self.scopes:
            return False
        if scope is Scope.ADMIN and self.admin_communities is not None:
            return community_id is not None and community_id in self.admin_communities
        return True


def session_caller(person: User) -> Caller:
    """The site's own session: every scope (the person's permissions still decide)."""
    return Caller(
        person=person,
        via=Via.SESSION,
        scopes=frozenset(Scope),
        key=f"session:{person.pk}",
    )
