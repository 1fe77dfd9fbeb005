"""Thin views over the persona actions and queries; every form works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cercle import permissions, web
from cercle.errors import ActionRefused
from cercle.personas import actions, queries
from cercle.personas.forms import PersonaForm
from cercle.personas.models import Persona
from cercle.web import AuthenticatedRequest, Request, refusals_as_messages

AUDIT_PAGE_SIZE = 50
AVATAR_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


@require_safe
def persona_list(request: Request, slug: str) -> HttpResponse:
    community, access, personas = queries.personas_page(request.user, slug)
    return render(
        request,
        "personas/list.html",
        {
            "community": community,
            "access": access,
            "personas": personas,
            "can": {
                "manage": permissions.personas.may_manage_personas(access),
                "audit": permissions.personas.may_read_persona_audit(access),
            },
        },
    )


@require_safe
def detail(request: Request, slug: str, persona: str) -> HttpResponse:
    found, access = queries.persona_for(request.user, slug, persona)
    may_manage = permissions.personas.may_manage_personas(access)
    speakers = (
        list(found.speakers.order_by("display_name").values_list("display_name", flat=True))
        if may_manage
        else []
    )
    return render(
        request,
        "personas/detail.html",
        {
            "persona": found,
            "community": found.community,
            "access": access,
            "posts": queries.recent_posts(found, access),
            "can": {"manage": may_manage},
            "speakers": speakers,
        },
    )


def _speaker_handles(persona: Persona) -> str:
    return " ".join(f"@{handle}" for handle in persona.speakers.values_list("handle", flat=True))


@login_required
@web.once
def new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, permissions.personas.may_manage_personas)
    form = PersonaForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_create_persona(
                request.user,
                community,
                name=form.cleaned_data["name"],
                story=form.cleaned_data["story"],
                speakers=form.cleaned_data["speakers"],
                avatar=form.cleaned_data["avatar"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("The persona %(name)s is created.") % {"name": created.name}
            )
            return redirect(created.get_absolute_url())
    return render(
        request,
        "personas/form.html",
        {"community": community, "access": access, "form": form, "persona": None},
    )


@login_required
def edit(request: AuthenticatedRequest, slug: str, persona: str) -> HttpResponse:
    found, access = queries.persona_for(request.user, slug, persona)
    if not permissions.personas.may_manage_personas(access):
        raise Http404
    initial = {"name": found.name, "story": found.story, "speakers": _speaker_handles(found)}
    form = PersonaForm(request.POST or None, request.FILES or None, initial=initial, persona=found)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_persona(
                request.user,
                found,
                name=form.cleaned_data["name"],
                story=form.cleaned_data["story"],
                speakers=form.cleaned_data["speakers"],
                avatar=form.cleaned_data["avatar"],
                remove_avatar=bool(form.cleaned_data.get("remove_avatar")),
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "personas/form.html",
        {"community": found.community, "access": access, "form": form, "persona": found},
    )


@login_required
@require_POST
@refusals_as_messages
def retire(request: AuthenticatedRequest, slug: str, persona: str) -> HttpResponse:
    found, access = queries.persona_for(request.user, slug, persona)
    if not permissions.personas.may_manage_personas(access):
        raise Http404
    active = request.POST.get("active") == "1"
    actions.do_set_persona_active(request.user, found, active)
    if active:
        messages.success(request, _("%(name)s speaks again.") % {"name": found.name})
    else:
        messages.success(
            request, _("%(name)s is retired: nobody speaks as it any more.") % {"name": found.name}
        )
    return redirect(found.get_absolute_url())


@require_safe
def avatar(request: Request, slug: str, persona: str) -> FileResponse:
    """A persona's picture, for whoever sees its page."""
    found, _access = queries.persona_for(request.user, slug, persona)
    if not found.avatar:
        raise Http404
    extension = found.avatar.name.rsplit(".", 1)[-1] if found.avatar.name else ""
    response = FileResponse(
        found.avatar.open("rb"),
        content_type=AVATAR_TYPES.get(extension, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_safe
def audit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(
        request, slug, permissions.personas.may_read_persona_audit
    )
    page = Paginator(queries.audit_log(access), AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "personas/audit.html",
        {"community": community, "access": access, "page": page},
    )
