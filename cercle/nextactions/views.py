"""Thin views over the queue of next actions. Every button is a plain form (POST, then
back to the queue at the item's section, with a message)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from cercle import permissions, web
from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.nextactions import actions, queries
from cercle.nextactions.forms import AskForm, DecisionForm
from cercle.nextactions.models import ItemKind, Outcome
from cercle.web import AuthenticatedRequest, Request


@login_required
@require_safe
def queue(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    page = queries.queue(request.user, slug)
    return render(
        request,
        "nextactions/queue.html",
        {"page": page, "community": page.community, "access": page.access},
    )


def _acting(request: Request, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """Those who see the queue but may not act on it (staff) get a 403."""
    community, access = queries.cockpit_community(request.user, slug)
    if not permissions.cockpit.may_act_on_next_actions(access):
        raise PermissionDenied
    return community, access


def _back(community: Community, kind: str = "") -> HttpResponseRedirect:
    url = reverse("nextactions:queue", kwargs={"slug": community.slug})
    anchor = f"#{kind.replace('_', '-')}" if kind in ItemKind.values else ""
    return HttpResponseRedirect(url + anchor)


@login_required
@require_POST
def decide(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, _access = _acting(request, slug)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        errors = form.errors.get("note")
        messages.error(request, str(errors[0]) if errors else _("Choose an item of the queue."))
        return _back(community, request.POST.get("kind", ""))
    data = form.cleaned_data
    try:
        actions.do_decide(
            request.user,
            community,
            kind=data["kind"],
            object_id=data["object_id"],
            outcome=data["outcome"],
            note=data["note"],
        )
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        if data["outcome"] == Outcome.DONE:
            messages.success(request, _("Marked as done: it left the queue."))
        else:
            messages.success(request, _("Dismissed: it left the queue."))
    return _back(community, data["kind"])


@login_required
@require_POST
@web.once
def ask(request: AuthenticatedRequest, slug: str, topic_id: int) -> HttpResponse:
    community, _access = _acting(request, slug)
    topic = (
        Topic.objects.select_related("space", "community")
        .filter(pk=topic_id, community=community)
        .first()
    )
    if topic is None:
        raise Http404
    form = AskForm(request.POST)
    if not form.is_valid():
        errors = form.errors.get("note") or form.errors.get("expert")
        messages.error(
            request, str(errors[0]) if errors else _("Choose at least one expert to ask.")
        )
        return _back(community, ItemKind.QUESTION)
    chosen = form.cleaned_data["expert"]
    try:
        actions.do_ask_experts(request.user, topic, chosen, note=form.cleaned_data["note"])
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        messages.success(
            request,
            ngettext(
                "%(count)d expert is asked to answer “%(title)s”.",
                "%(count)d experts are asked to answer “%(title)s”.",
                len(chosen),
            )
            % {"count": len(chosen), "title": topic.title},
        )
    return _back(community, ItemKind.QUESTION)


@login_required
@require_POST
@web.once
def welcome(request: AuthenticatedRequest, slug: str, person_id: int) -> HttpResponse:
    community, _access = _acting(request, slug)
    person = get_object_or_404(User, pk=person_id, is_active=True)
    try:
        actions.do_welcome_newcomer(request.user, community, person)
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        messages.success(request, _("You welcomed %(name)s.") % {"name": person.display_name})
    return _back(community, ItemKind.NEWCOMER)
