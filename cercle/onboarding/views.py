"""Thin views over onboarding's actions and queries; every form works without
JavaScript, and the newcomers' "Welcome" button also answers htmx with its row."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import web
from cercle.accounts.models import User
from cercle.errors import ActionRefused
from cercle.onboarding import actions, queries
from cercle.onboarding.forms import SettingsForm
from cercle.web import AuthenticatedRequest


@login_required
@require_safe
def welcome(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    page = queries.welcome_page(request.user, slug)
    return render(
        request,
        "onboarding/welcome.html",
        {
            "page": page,
            "community": page.community,
            "access": page.access,
            "can": {"animate": page.access.may_animate()},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    community, access = queries.animated_community(request.user, slug)
    onboarding = queries.settings_for([community]).get(community.pk)
    current = onboarding.introductions_topic if onboarding else None
    topics = queries.introduction_topic_choices(community, current)
    personas = queries.persona_choices(community)
    initial = {
        "welcome_message": onboarding.welcome_message if onboarding else "",
        "introductions_topic": current,
        "persona": onboarding.persona if onboarding else None,
    }
    form = SettingsForm(initial=initial, topics=topics, personas=personas)
    if request.method == "POST":
        try:
            if "create_topic" in request.POST:
                topic = actions.do_create_introductions_topic(request.user, community)
                messages.success(
                    request,
                    _("“%(title)s” is pinned in %(space)s and is now the introductions topic.")
                    % {"title": topic.title, "space": topic.space.name},
                )
                return redirect("onboarding:settings", slug=community.slug)
            form = SettingsForm(request.POST, initial=initial, topics=topics, personas=personas)
            if form.is_valid():
                actions.do_update_settings(
                    request.user,
                    community,
                    welcome_message=form.cleaned_data["welcome_message"],
                    introductions_topic=form.cleaned_data["introductions_topic"],
                    persona=form.cleaned_data.get("persona"),
                )
                messages.success(request, _("The welcome is saved."))
                return redirect("onboarding:settings", slug=community.slug)
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
    return render(
        request,
        "onboarding/settings.html",
        {"community": community, "access": access, "form": form, "onboarding": onboarding},
    )


@login_required
@require_safe
def newcomers(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    page = queries.newcomers(request.user, slug, request.GET.get("page"))
    return render(
        request,
        "onboarding/newcomers.html",
        {"page": page, "community": page.community, "access": page.access},
    )


@login_required
@require_POST
@web.once
def welcome_newcomer(request: AuthenticatedRequest, slug: str, person_id: int) -> HttpResponseBase:
    community, _access = queries.animated_community(request.user, slug)
    person = get_object_or_404(User, pk=person_id, is_active=True)
    actor = request.user
    status = ""
    try:
        actions.do_welcome(actor, community, person)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        status = refusal.message
        if not request.htmx:
            messages.error(request, status)
    else:
        status = _("You welcomed %(name)s.") % {"name": person.display_name}
        if not request.htmx:
            messages.success(request, status)
    if request.htmx:
        row = queries.newcomer_row(actor, community, person)
        if row is None:
            raise Http404
        return render(
            request,
            "onboarding/_newcomer_row.html",
            {"newcomer": row, "community": community, "status": status, "oob": True},
        )
    return redirect("onboarding:newcomers", slug=community.slug)
