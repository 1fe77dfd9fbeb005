"""Thin views over the value stories' and sponsors' actions and queries. Every page
works without JavaScript; none of them is open to anonymous visitors (no one reads
stories without an account: members, sponsors, coordinators and staff)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.errors import ActionRefused
from cercle.value import actions, queries
from cercle.value.contributions import site_hosts
from cercle.value.forms import SponsorForm, StoryForm
from cercle.value.models import Cycle, Sponsor
from cercle.web import AuthenticatedRequest, Request

PAGE_SIZE = 20


@login_required
@require_safe
def stories(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = queries.readable_stories(request.user, slug)
    cycle = request.GET.get("cycle", "")
    if cycle not in Cycle.values:
        cycle = ""
    page = Paginator(queries.story_list(community, cycle), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    counts = queries.cycle_counts(community)
    return render(
        request,
        "value/stories.html",
        {
            "community": community,
            "access": access,
            "can": {
                "record_story": permissions.value.may_record_value_story(access),
                "see_summary": permissions.value.may_see_value_summary(access),
                "manage_sponsors": permissions.value.may_manage_sponsors(access),
            },
            "page": page,
            "rows": queries.rows(access, list(page.object_list)),
            "cycle": cycle,
            "counts": counts,
            "total": sum(count.count for count in counts),
        },
    )


@login_required
@require_safe
def story(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    data = queries.story_page(request.user, slug, pk)
    return render(
        request,
        "value/story.html",
        {"data": data, "story": data.story, "community": data.community, "access": data.access},
    )


def _hosts(request: Request) -> list[str]:
    return [request.get_host()]


@login_required
@require_http_methods(["GET", "POST"])
@web.once
def new_story(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = queries.readable_stories(request.user, slug)
    if not permissions.value.may_record_value_story(access):
        raise PermissionDenied
    form = StoryForm(
        request.POST or None,
        access=access,
        spaces=queries.story_spaces(access),
        hosts=site_hosts(_hosts(request)),
        initial={"cycle": request.GET.get("cycle", "")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_record_story(request.user, community, **form.story())
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(request, _("Your story is recorded. Thank you for telling it."))
            return redirect(created.get_absolute_url())
    return render(
        request,
        "value/story_form.html",
        {"community": community, "access": access, "form": form, "story": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_story(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.editable_story(request.user, slug, pk)
    initial: dict[str, Any] = {
        "title": found.title,
        "cycle": found.cycle,
        "text": found.text,
        "space": str(found.space_id or ""),
        "links": "\n".join(
            target.get_absolute_url() for target in queries.readable_contributions(access, found)
        ),
    }
    form = StoryForm(
        request.POST or None,
        access=access,
        spaces=queries.story_spaces(access),
        hosts=site_hosts(_hosts(request)),
        current_space=found.space,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_story(request.user, found, **form.story())
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(request, _("The story is saved."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "value/story_form.html",
        {"community": found.community, "access": access, "form": form, "story": found},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_story(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.editable_story(request.user, slug, pk)
    if request.method == "POST":
        try:
            actions.do_delete_story(request.user, found)
        except ActionRefused as refusal:
            raise Http404 from refusal
        messages.success(request, _("The story is deleted."))
        return redirect("value:stories", slug=found.community.slug)
    return render(
        request,
        "value/delete.html",
        {"community": found.community, "access": access, "story": found},
    )


@login_required
@require_safe
def summary(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    data = queries.summary(request.user, slug)
    return render(
        request,
        "value/summary.html",
        {"summary": data, "community": data.community, "access": data.access},
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.once
def sponsors(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = queries.sponsors_community(request.user, slug)
    form = SponsorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            named = actions.do_name_sponsor(
                request.user, community, email=form.cleaned_data["email"]
            )
        except ActionRefused as refusal:
            if refusal.not_found:
                raise Http404 from refusal
            form.add_error("email", refusal.message)
        else:
            messages.success(
                request,
                _("%(name)s is a sponsor now, and is told by email.")
                % {"name": named.person.display_name},
            )
            return redirect("value:sponsors", slug=community.slug)
    return render(
        request,
        "value/sponsors.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "sponsors": queries.sponsors(community),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_sponsor(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    community, _access = queries.sponsors_community(request.user, slug)
    found = get_object_or_404(
        Sponsor.objects.select_related("person", "community"), pk=pk, community=community
    )
    try:
        actions.do_remove_sponsor(request.user, found)
    except ActionRefused as refusal:
        raise Http404 from refusal
    messages.success(
        request, _("%(name)s is no longer a sponsor.") % {"name": found.person.display_name}
    )
    return redirect("value:sponsors", slug=community.slug)
