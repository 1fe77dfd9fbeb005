"""What the community and people resources share: who calls (`caller_of`), the scope
an endpoint needs (`need`), and the small references their schemas embed (a person,
a community, a space), each built from rows the endpoint already loaded.

Scopes only narrow what the person may do. The API's core already requires `read` for
reads and `write` for changes; `need` adds the `admin` scope of one community for the
coordinators' endpoints (and names the scope each endpoint needs). An endpoint first
asks the permissions package (a 404 for what the person may not see, as pages
answer), then the scope (a 403: the token does not allow it), then calls the action,
which asks again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from cercle.api.caller import Caller, Scope
from cercle.api.problems import ApiError

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.communities.models import Community, Space


def caller_of(request: HttpRequest) -> Caller:
    caller = getattr(request, "auth", None)
    if not isinstance(caller, Caller):  # pragma: no cover - every router is authenticated
        raise ApiError(401)
    return caller


def need(request: HttpRequest, scope: Scope, community: Community | None = None) -> User:
    """The person the caller acts as, once their token allows `scope` (in `community`,
    for the admin scope); a 403 problem otherwise."""
    caller = caller_of(request)
    if not caller.allows(scope, community.pk if community is not None else None):
        raise ApiError(
            403,
            _("This token does not allow it: it needs the “%(scope)s” scope.")
            % {"scope": scope.value},
        )
    return caller.person


class PersonRef(Schema):
    handle: str
    display_name: str


class CommunityRef(Schema):
    slug: str
    name: str


class SpaceRef(Schema):
    slug: str
    name: str
    is_private: bool


def person_ref(person: User) -> PersonRef:
    return PersonRef(handle=person.handle, display_name=person.display_name)


def community_ref(community: Community) -> CommunityRef:
    return CommunityRef(slug=community.slug, name=community.name)


def space_ref(space: Space) -> SpaceRef:
    return SpaceRef(slug=space.slug, name=space.name, is_private=space.is_private)


def absolute(path: str) -> str:
    """A page's full address, for `url` fields: where a person reads the same thing."""
    return f"{settings.SITE_URL}{path}"
