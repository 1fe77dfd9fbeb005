"""Thin views over the idea board's actions and queries. Every form works without
JavaScript; with htmx, a vote swaps only its own button and count (announced through
an aria-live region)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cercle import permissions, web
from cercle.errors import ActionRefused
from cercle.ideas import actions, queries
from cercle.ideas.forms import DecisionForm, IdeaForm
from cercle.ideas.models import Idea, IdeaStatus
from cercle.web import AuthenticatedRequest, Request

PAGE_SIZE = 20


@dataclass
class Row:
    idea: Idea
    voted: bool
    may_vote: bool


@require_safe
def board(request: Request, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "read")
    status = request.GET.get("status", "")
    if status not in IdeaStatus.values:
        status = ""
    sort = request.GET.get("sort", "votes")
    if sort not in queries.SORTS:
        sort = "votes"
    page = Paginator(queries.board(access, status=status, sort=sort), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        Row(
            idea=item,
            voted=bool(getattr(item, "voted", False)),
            may_vote=permissions.ideas.may_vote_for_idea(access, item),
        )
        for item in page.object_list
    ]
    return render(
        request,
        "ideas/board.html",
        {
            "community": community,
            "access": access,
            "page": page,
            "rows": rows,
            "status": status,
            "sort": sort,
            "statuses": IdeaStatus.choices,
            "can": {"propose": access.is_member},
        },
    )


@login_required
@web.once
def propose(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug)
    spaces = queries.proposable_spaces(access)
    if not spaces:
        raise Http404
    form = IdeaForm(request.POST or None, spaces=spaces)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_propose_idea(
                request.user,
                form.chosen_space(),
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(request, _("Your idea is on the board."))
            return redirect(created.get_absolute_url())
    return render(
        request,
        "ideas/new.html",
        {"community": community, "access": access, "form": form},
        status=400 if form.errors else 200,
    )


def _idea_context(data: queries.IdeaPage, form: DecisionForm | None) -> dict[str, Any]:
    return {
        "data": data,
        "idea": data.idea,
        "community": data.community,
        "access": data.access,
        "decision_form": form,
    }


@require_safe
def idea(request: Request, slug: str, pk: int) -> HttpResponse:
    data = queries.idea_page(request.user, slug, pk)
    form = DecisionForm(current=data.idea.status) if data.may_decide else None
    return render(request, "ideas/idea.html", _idea_context(data, form))


@login_required
@require_POST
@web.once
def vote(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.idea_for(request.user, slug, pk)
    wanted = request.POST.get("vote") != "0"
    announcement = ""
    try:
        if wanted:
            actions.do_vote(request.user, found)
            announcement = _("Your vote is counted.")
        else:
            actions.do_unvote(request.user, found)
            announcement = _("Your vote is withdrawn.")
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        if not request.htmx:
            messages.error(request, refusal.message)
            return redirect(web.next_url(request, found.get_absolute_url()))
        return HttpResponse(refusal.message, status=403)
    if request.htmx:
        data = queries.idea_page(request.user, slug, pk)
        return render(
            request,
            "ideas/_vote.html",
            {
                "idea": data.idea,
                "community": data.community,
                "voted": data.voted,
                "may_vote": data.may_vote,
                "next": request.POST.get("next", ""),
                "announcement": announcement,
            },
        )
    messages.success(request, announcement)
    return redirect(web.next_url(request, found.get_absolute_url()))


@login_required
@require_POST
def decide(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    data = queries.idea_page(request.user, slug, pk)
    if not data.may_decide:
        raise Http404
    form = DecisionForm(request.POST, current=data.idea.status)
    if form.is_valid():
        try:
            actions.do_decide(
                request.user,
                data.idea,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("The decision is recorded; the author and voters are told.")
            )
            return redirect(data.idea.get_absolute_url())
    return render(request, "ideas/idea.html", _idea_context(data, form), status=400)
