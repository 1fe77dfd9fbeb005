"""Thin views over the badge actions and queries; every form works without JavaScript."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import web
from cercle.badges import actions, queries
from cercle.badges.forms import AwardForm, BadgeForm, CitationForm, PinForm
from cercle.badges.models import BadgeAward, CustomBadge, MemberOfTheMonth
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest, Request, refusals_as_messages


@require_safe
def community_badges(request: Request, slug: str) -> HttpResponse:
    page = queries.badges_page(request.user, slug)
    return render(
        request,
        "badges/community.html",
        {
            "page": page,
            "community": page.community,
            "access": page.access,
            "can": {"animate": page.access.may_animate()},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@web.once
def new_badge(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    community, access = web.community_for(request, slug, "animate")
    form = BadgeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            badge = actions.do_create_badge(
                request.user,
                community,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                emoji=form.cleaned_data["emoji"],
                image=form.cleaned_data["image"],
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(
                request, _("The badge “%(name)s” is ready: award it.") % {"name": badge.name}
            )
            return redirect("badges:custom", slug=community.slug, badge_id=badge.pk)
    return render(
        request, "badges/new.html", {"community": community, "access": access, "form": form}
    )


@require_http_methods(["GET", "POST"])
@web.once
def custom_badge(request: Request, slug: str, badge_id: int) -> HttpResponseBase:
    page = queries.custom_badge_page(request.user, slug, badge_id, request.GET.get("page"))
    community, access = page.community, page.access
    form = None
    if access.may_animate() and request.user.is_authenticated:
        form = AwardForm(request.POST or None, community=community)
        if request.method == "POST" and form.is_valid():
            person = form.cleaned_data["member"]
            try:
                actions.do_award_badge(
                    request.user,
                    cast(CustomBadge, page.badge.custom),
                    person,
                    reason=form.cleaned_data["reason"],
                )
            except ActionRefused as refusal:
                web.refusal_on_form(form, refusal)
            else:
                messages.success(
                    request,
                    _("%(name)s received the badge “%(badge)s”.")
                    % {"name": person.display_name, "badge": page.badge.name},
                )
                return redirect("badges:custom", slug=community.slug, badge_id=badge_id)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "badges/custom.html",
        {
            "page": page,
            "community": community,
            "access": access,
            "can": {"animate": access.may_animate()},
            "form": form,
        },
    )


@login_required
@require_POST
@refusals_as_messages
def revoke(
    request: AuthenticatedRequest, slug: str, badge_id: int, award_id: int
) -> HttpResponseBase:
    community, _access = web.community_for(request, slug, "animate")
    award = get_object_or_404(
        BadgeAward.objects.select_related("community", "custom_badge", "person"),
        pk=award_id,
        community=community,
        custom_badge_id=badge_id,
    )
    actions.do_revoke_award(request.user, award)
    messages.success(
        request,
        _("The badge “%(badge)s” is taken back from %(name)s.")
        % {"badge": award.custom_badge, "name": award.person.display_name},
    )
    return redirect("badges:custom", slug=community.slug, badge_id=badge_id)


@require_safe
def image(request: Request, slug: str, badge_id: int) -> FileResponse:
    """A custom badge's image, for those who may see the community's badges."""
    badge, _community = queries.custom_badge_for(request.user, slug, badge_id)
    if not badge.image:
        raise Http404
    response = FileResponse(badge.image.open("rb"))
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def showcase(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    community, access = web.community_for(request, slug, "animate")
    month = actions.showcase_month(community)
    actor = request.user
    form = PinForm(
        request.POST if "member" in request.POST else None,
        community=community,
        initial={"rank": 1},
    )
    if request.method == "POST":
        try:
            if "remove" in request.POST or "cite" in request.POST:
                number = request.POST.get("remove") or request.POST.get("cite") or ""
                entry = get_object_or_404(
                    MemberOfTheMonth.objects.select_related("community"),
                    pk=int(number) if number.isdigit() else 0,
                    community=community,
                    month=month,
                )
                if "remove" in request.POST:
                    actions.do_remove_from_showcase(actor, entry)
                    messages.success(request, _("The place is free again."))
                else:
                    cited = CitationForm(request.POST)
                    if not cited.is_valid():
                        raise ActionRefused(_("Keep the citation under 200 characters."))
                    actions.do_set_citation(actor, entry, cited.cleaned_data["citation"])
                    messages.success(request, _("The citation is saved."))
                return redirect("badges:showcase", slug=community.slug)
            if form.is_valid():
                actions.do_pin_member(
                    actor,
                    community,
                    rank=form.cleaned_data["rank"],
                    person=form.cleaned_data["member"],
                    citation=form.cleaned_data["citation"],
                )
                messages.success(request, _("The showcase is saved."))
                return redirect("badges:showcase", slug=community.slug)
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
    return render(
        request,
        "badges/showcase.html",
        {
            "community": community,
            "access": access,
            "month": month,
            "entries": list(queries.showcase_entries(community, month)),
            "form": form,
        },
    )
