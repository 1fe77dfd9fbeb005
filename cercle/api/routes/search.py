"""/search: the search page's search (`cercle.search`), with its filters and its
permission filter (only documents in spaces the caller may read,
`permissions.readable_spaces_everywhere`, inside the same SQL statement), one result
per topic, best first.

Results are ranked, not ordered by a key, so the cursor here carries the position
in the ranking: a page is one query of the index whatever its size, as on the page."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from html import escape

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from cercle import permissions
from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.pagination import DEFAULT_LIMIT
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.community_kit import CommunityRef, SpaceRef, absolute, need, space_ref
from cercle.search.forms import SearchForm
from cercle.search.query import MAX_LIMIT, search_topics
from cercle.search.results import results as results_of

router = Router(tags=["search"])

CURSOR_PREFIX = "search:"


class SearchHitOut(Schema):
    # "topic" (the opening post), "post" (a reply), "resource" (library) or "article".
    kind: str
    object_id: int
    topic_id: int | None
    topic_kind: str  # question, discussion, announcement; "" outside topics
    is_solved: bool
    title: str
    # Escaped HTML, the matching words in <mark>…</mark>.
    title_html: str
    snippet_html: str
    matches: int  # how many of the topic's posts match
    community: CommunityRef
    space: SpaceRef | None
    created_at: datetime
    url: str


class SearchPage(Schema):
    items: list[SearchHitOut]
    next_cursor: str | None = None
    total: int


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not raw.startswith(CURSOR_PREFIX):
            raise ValueError(raw)
        return max(0, int(raw.removeprefix(CURSOR_PREFIX)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError(
            400, _("This cursor is not valid for this list: start again without it.")
        ) from None


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{offset}".encode()).decode().rstrip("=")


@router.get("", response={200: SearchPage, **ERRORS}, summary="Search what you may read")
def search(
    request: HttpRequest,
    q: str = "",
    community: str = "",
    space: int | None = None,
    kind: str = "",
    solved: str = "",
    tag: str = "",
    author: str = "",
    since: date | None = None,
    until: date | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> SearchPage:
    """Search everything you may read, as the search page does: `q` the words;
    `community` (a slug), `space` (an id), `kind` (question, discussion, announcement,
    resource, article), `solved` (yes, no), `tag` (a slug), `author` (a handle),
    `since` and `until` (dates, included) filter. A filter that is not one of your
    choices (a space you may not read) is a 422 problem, as the page says."""
    person = need(request, Scope.READ)
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        raise ApiError(400, _("Ask for 1 to %(max)d items a page.") % {"max": MAX_LIMIT})
    offset = _offset(cursor)
    communities = list(permissions.visible_communities(person).order_by("name"))
    spaces = list(
        permissions.readable_spaces_everywhere(person)
        .select_related("community")
        .order_by("community__name", "name")
    )
    data = {
        "q": q,
        "community": community,
        "space": "" if space is None else str(space),
        "kind": kind,
        "solved": solved,
        "tag": tag,
        "author": author,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    form = SearchForm(data, communities=communities, spaces=spaces)
    if not form.is_valid():
        errors = [
            {"location": f"query.{name}", "message": str(message)}
            for name, messages in form.errors.items()
            for message in messages
        ]
        raise ApiError(422, _("Some fields are not valid."), errors=errors)
    if not form.text:
        return SearchPage(items=[], next_cursor=None, total=0)
    handle = form.cleaned_data["author"]
    author_id = (
        User.objects.filter(handle=handle).values_list("pk", flat=True).first() or -1
        if handle
        else None
    )
    hits, total = search_topics(
        person, form.text, form.filters(communities, author_id), limit=size, offset=offset
    )
    by_id = {found.pk: found for found in communities}
    items = []
    for result in results_of(hits, communities):
        hit = result.hit
        owner = by_id.get(hit.community_id)
        items.append(
            SearchHitOut(
                kind=hit.kind,
                object_id=hit.object_id,
                topic_id=hit.topic_id,
                topic_kind=hit.topic_kind,
                is_solved=hit.is_solved,
                title=result.title,
                title_html=hit.title_html or escape(result.title),
                snippet_html=hit.snippet_html,
                matches=hit.matches,
                community=CommunityRef(
                    slug=owner.slug if owner else "", name=result.community_name
                ),
                space=space_ref(result.space) if result.space is not None else None,
                created_at=hit.created_at,
                url=absolute(result.url),
            )
        )
    following = offset + len(hits)
    return SearchPage(
        items=items,
        next_cursor=_cursor(following) if following < total else None,
        total=total,
    )
