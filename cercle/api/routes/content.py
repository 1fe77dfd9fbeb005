"""What the content routers share: the caller with the scope an endpoint needs, the
community an address names (a 404 for whoever may not see it, as pages answer), and
how a writer is shown.

A post or topic written as a persona shows the persona and never its real writer
(docs/personas.md): `author_out` is the only way these routers name a writer, so no
endpoint can leak one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Schema

from cercle import permissions
from cercle.api.caller import Caller, Scope
from cercle.api.problems import ApiError
from cercle.communities.models import Community, Space

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.personas.models import Persona


def caller_for(request: HttpRequest, scope: Scope) -> Caller:
    """The caller, when its scopes allow `scope` (a 403 problem otherwise). The
    permissions package still decides whether the person may."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if not caller.allows(scope):
        raise ApiError(
            403,
            _("This token does not allow this: it needs the “%(scope)s” scope.")
            % {"scope": scope.value},
        )
    return caller


def community_of(
    caller: Caller, slug: str, *, content: bool = True
) -> tuple[Community, permissions.CommunityAccess]:
    """The community at `slug` for the caller (`permissions.community_for`); with
    `content`, only when they read its open spaces, as its content pages ask."""
    community, access = permissions.community_for(caller.person, slug)
    if content and not access.reads_open_spaces():
        raise Http404
    return community, access


def space_of(access: permissions.CommunityAccess, space_slug: str) -> Space:
    """A space of the access's community the person reads (`permissions.space_for`)."""
    space, _again = permissions.space_for(access.actor, access.community.slug, space_slug)
    space.community = access.community
    return space


class AuthorOut(Schema):
    """Who wrote something, as members see it: a person, a persona (never the person
    who writes for it), or a former member whose account is gone."""

    kind: Literal["person", "persona", "former"]
    name: str
    # The person's @handle or the persona's address; null for a former member.
    handle: str | None = None
    # The person's id; null for a persona and a former member.
    id: int | None = None


def author_out(person: User | None, persona: Persona | None) -> AuthorOut:
    if persona is not None:
        return AuthorOut(kind="persona", name=persona.name, handle=persona.slug)
    if person is None:
        return AuthorOut(kind="former", name=_("a former member"))
    return AuthorOut(kind="person", name=person.display_name, handle=person.handle, id=person.pk)


def person_out(person: User | None) -> AuthorOut:
    return author_out(person, None)


class ContentSpace(Schema):
    slug: str
    name: str


def space_ref(space: Space) -> ContentSpace:
    return ContentSpace(slug=space.slug, name=space.name)
