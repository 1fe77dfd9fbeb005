"""Thin views over onboarding's actions and queries; every form works without
JavaScript, and the newcomers' "Welcome" button also answers htmx with its row."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle.accounts.models import User
from cercle.errors import ActionRefused
from cercle.onboarding import actions, queries
from cercle.onboarding.forms import SettingsForm


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@login_required
@require_safe
def welcome(request: HttpRequest, slug: str) -> HttpResponse:
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
def settings(request: HttpRequest, slug: str) -> HttpResponseBase:
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
                topic = actions.do_create_introductions_topic(_user(request), community)
                messages.success(
                    request,
                    _("“%(title)s” is pinned in %(space)s and is now the introductions topic.")
                    % {"title": topic.title, "space": topic.space.name},
                )
                return redirect("onboarding:settings", slug=community.slug)
            form = SettingsForm(request.POST, initial=initial, topics=topics, personas=personas)
            if form.is_valid():
                actions.do_update_settings(
                    _user(request),
                    community,
                    welcome_message=form.cleaned_data["welcome_message"],
                    introductions_topic=form.cleaned_data["introductions_topic"],
                    persona=form.cleaned_data.get("persona"),
                )
                messages.success(request, _("The welcome is saved."))
                return redirect("onboarding:settings", slug=community.slug)
        except ActionRefused as refusal:
            if refusal.not_found:
                raise Http404 from refusal
            form.add_error(None, refusal.message)
    return render(
        request,
        "onboarding/settings.html",
        {"community": community, "access": access, "form": form, "onboarding": onboarding},
    )


@login_required
@require_safe
def newcomers(request: HttpRequest, slug: str) -> HttpResponse:
    page = queries.newcomers(request.user, slug, request.GET.get("page"))
    return render(
        request,
        "onboarding/newcomers.html",
        {"page": page, "community": page.community, "access": page.access},
    )


@login_required
@require_POST
def welcome_newcomer(request: HttpRequest, slug: str, person_id: int) -> HttpResponseBase:
    community, _access = queries.animated_community(request.user, slug)
    person = get_object_or_404(User, pk=person_id, is_active=True)
    actor = _user(request)
    status = ""
    try:
        actions.do_welcome(actor, community, person)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        status = refusal.message
        if not request.htmx:  # type: ignore[attr-defined]
            messages.error(request, status)
    else:
        status = _("You welcomed %(name)s.") % {"name": person.display_name}
        if not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, status)
    if request.htmx:  # type: ignore[attr-defined]
        row = queries.newcomer_row(actor, community, person)
        if row is None:
            raise Http404
        return render(
            request,
            "onboarding/_newcomer_row.html",
            {"newcomer": row, "community": community, "status": status, "oob": True},
        )
    return redirect("onboarding:newcomers", slug=community.slug)
