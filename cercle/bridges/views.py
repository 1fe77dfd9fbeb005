"""The coordinators' page of a community's chat bridges: the list with each bridge's
last sends and last error, connect, change, remove, send a test message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.bridges import actions, queries
from cercle.bridges.forms import BridgeForm
from cercle.bridges.models import Bridge, PostStatus
from cercle.communities.models import Community
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest


def _community(request: AuthenticatedRequest, slug: str) -> tuple[Community, web.Access]:
    return web.community_for(
        request, slug, permissions.bridges.may_manage_bridges, forbidden_to_readers=True
    )


def _bridge(community: Community, pk: int) -> Bridge:
    bridge = queries.bridge_for(community, pk)
    if bridge is None:
        raise Http404
    return bridge


def _context(community: Community, access: web.Access, **more: object) -> dict[str, object]:
    return {
        "community": community,
        "access": access,
        "can": permissions.community_can(access),
        "section": "bridges",
        **more,
    }


@login_required
@require_safe
def bridge_list(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = _community(request, slug)
    return render(
        request,
        "bridges/list.html",
        _context(community, access, bridges=queries.bridges_of(community)),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def bridge_new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = _community(request, slug)
    form = BridgeForm(community, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            bridge = actions.do_create_bridge(request.user, community, form.settings())
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(
                request,
                _("The bridge “%(name)s” is connected: send it a test message.")
                % {"name": bridge.name},
            )
            return redirect("bridges:list", slug=community.slug)
    return render(request, "bridges/form.html", _context(community, access, form=form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bridge_edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    community, access = _community(request, slug)
    bridge = _bridge(community, pk)
    form = BridgeForm(community, request.POST or None, bridge=bridge)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_bridge(request.user, bridge, form.settings())
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(request, _("The bridge “%(name)s” is saved.") % {"name": bridge.name})
            return redirect("bridges:list", slug=community.slug)
    return render(
        request, "bridges/form.html", _context(community, access, form=form, bridge=bridge)
    )


@login_required
@require_POST
@web.refusals_as_messages
def bridge_delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    community, _access = _community(request, slug)
    bridge = _bridge(community, pk)
    actions.do_delete_bridge(request.user, bridge)
    messages.success(request, _("The bridge “%(name)s” is removed.") % {"name": bridge.name})
    return redirect("bridges:list", slug=community.slug)


@login_required
@require_POST
@web.refusals_as_messages
def bridge_test(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    community, _access = _community(request, slug)
    bridge = _bridge(community, pk)
    post = actions.do_send_test(request.user, bridge)
    if post.status == PostStatus.SENT:
        messages.success(
            request, _("The test message is posted in “%(name)s”.") % {"name": bridge.name}
        )
    else:
        messages.error(
            request,
            _("The test message could not be posted: %(error)s") % {"error": post.error},
        )
    return redirect("bridges:list", slug=community.slug)
