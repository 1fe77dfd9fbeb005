"""The search page (one box over everything the reader may see, one result per
topic, with filters) and the similar topics offered while a title is typed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe

from cercle import permissions, web
from cercle.accounts.models import User
from cercle.search.forms import SearchForm
from cercle.search.query import Hit, search_topics
from cercle.search.results import results as results_of
from cercle.search.results import similar_topics
from cercle.web import AuthenticatedRequest, Request

PER_PAGE = 20


@require_safe
def results(request: Request) -> HttpResponse:
    communities = list(permissions.visible_communities(request.user).order_by("name"))
    spaces = list(
        permissions.readable_spaces_everywhere(request.user)
        .select_related("community")
        .order_by("community__name", "name")
    )
    form = SearchForm(request.GET, communities=communities, spaces=spaces)
    page_number = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    hits: list[Hit] = []
    total = 0
    text = ""
    if form.is_valid() and form.text:
        text = form.text
        author = form.cleaned_data["author"]
        author_id = (
            User.objects.filter(handle=author).values_list("pk", flat=True).first() or -1
            if author
            else None
        )
        filters = form.filters(communities, author_id)
        hits, total = search_topics(
            request.user, text, filters, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE
        )
        last = max(1, -(-total // PER_PAGE))
        if page_number > last:
            # Past the end (a stale link): the last page, as the pagination says.
            page_number = last
            hits, total = search_topics(
                request.user, text, filters, limit=PER_PAGE, offset=(last - 1) * PER_PAGE
            )
    elif form.is_bound:
        text = str(request.GET.get("q", "")).strip()[:200]
    # A range stands for the results: the search itself returns only this page.
    page = Paginator(range(total), PER_PAGE).get_page(page_number)
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "text": text,
            "results": results_of(hits, communities),
            "total": total,
            "page": page,
        },
    )


@login_required
@require_safe
def similar_questions(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    """The topics like the title being typed in the composer (an HTML fragment that
    the new-topic page asks for as the title changes; empty when nothing is alike)."""
    community, _access = web.community_for(request, slug, "post")
    title = request.GET.get("title", "")[:200]
    html = render_to_string(
        "search/similar.html",
        {"topics": similar_topics(request.user, community, title), "community": community},
        request=request,
    )
    # Nothing at all when nothing is alike: the empty slot then takes no room.
    return HttpResponse(html.strip())
