"""The search page: one box over everything the reader may see, with filters."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations.models import Post
from cercle.search.query import Hit, SearchFilters, search
from cercle.web import Request

PER_PAGE = 20
PERIODS = {"week": 7, "month": 31, "year": 366}


@require_safe
def results(request: Request) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:200]
    communities = list(permissions.visible_communities(request.user).order_by("name"))
    filters, chosen = _filters(request, communities)
    page_number = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    hits: list[Hit] = []
    total = 0
    if text:
        hits, total = search(
            request.user, text, filters, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE
        )
    # A range stands for the results: the search itself returns only this page.
    page = Paginator(range(total), PER_PAGE).get_page(page_number)
    spaces = Space.objects.in_bulk({hit.space_id for hit in hits})
    names = {c.pk: c.name for c in communities}
    authors = User.objects.in_bulk({hit.author_id for hit in hits if hit.author_id})
    # Replies are indexed without their topic's title; show it beside them.
    reply_titles = dict(
        Post.objects.filter(
            pk__in=[hit.object_id for hit in hits if hit.kind == "post"]
        ).values_list("pk", "topic__title")
    )
    return render(
        request,
        "search/results.html",
        {
            "text": text,
            "hits": [
                {
                    "hit": hit,
                    "community": names.get(hit.community_id, ""),
                    "space": spaces.get(hit.space_id),
                    "author": authors.get(hit.author_id) if hit.author_id else None,
                    "title": hit.title or reply_titles.get(hit.object_id, ""),
                }
                for hit in hits
            ],
            "total": total,
            "page": page,
            "communities": communities,
            "chosen": chosen,
        },
    )


def _filters(
    request: Request, communities: list[Community]
) -> tuple[SearchFilters, dict[str, str]]:
    """Filters from the query string; unknown values are ignored, never an error."""
    get = request.GET
    chosen = {
        name: get.get(name, "")
        for name in ("community", "kind", "solved", "tag", "author", "period")
    }
    community = next((c for c in communities if c.slug == chosen["community"]), None)
    kind = chosen["kind"] if chosen["kind"] in {"question", "discussion", "announcement"} else ""
    solved = {"yes": True, "no": False}.get(chosen["solved"])
    author = (
        User.objects.filter(handle=chosen["author"].lstrip("@"))
        .values_list("pk", flat=True)
        .first()
        if chosen["author"]
        else None
    )
    since = None
    if chosen["period"] in PERIODS:
        since = timezone.now() - timedelta(days=PERIODS[chosen["period"]])
    filters = SearchFilters(
        community_id=community.pk if community else None,
        topic_kind=kind,
        solved=solved,
        tag=chosen["tag"].lstrip("#").strip()[:40],
        author_id=author if author is not None else (-1 if chosen["author"] else None),
        since=since,
    )
    return filters, chosen
