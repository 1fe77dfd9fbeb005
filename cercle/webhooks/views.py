"""The pages of webhook endpoints: a community's (/c/<slug>/webhooks/, for those who
manage it) and the instance's (/staff/webhooks/, for staff), the same views with a
different scope. Every change goes through `cercle.webhooks.actions`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cercle import permissions, web
from cercle.communities.models import Community
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest
from cercle.webhooks import actions, catalogue
from cercle.webhooks.forms import EditEndpointForm, EndpointForm
from cercle.webhooks.models import Delivery, DeliveryStatus, Endpoint

LOG_LENGTH = 50


@dataclass
class Scope:
    """A community's endpoints, or (community None) the instance's."""

    community: Community | None
    access: permissions.CommunityAccess | None

    def url(self, name: str, **kwargs: Any) -> str:
        if self.community is None:
            return reverse(f"webhooks:staff_{name}", kwargs=kwargs)
        return reverse(f"webhooks:{name}", kwargs={"slug": self.community.slug, **kwargs})

    def context(self) -> dict[str, Any]:
        found: dict[str, Any] = {"community": self.community, "section": "webhooks"}
        if self.access is not None:
            found["can"] = permissions.community_can(self.access)
        found["list_url"] = self.url("list")
        return found


def _scope(request: AuthenticatedRequest, slug: str | None) -> Scope:
    if slug is None:
        if not permissions.webhooks.may_manage_instance_webhooks(request.user):
            raise PermissionDenied
        return Scope(None, None)
    community, access = web.community_for(
        request, slug, permissions.webhooks.may_manage_webhooks, forbidden_to_readers=True
    )
    return Scope(community, access)


def _endpoint(scope: Scope, pk: int) -> Endpoint:
    found = (
        Endpoint.objects.select_related("owner").filter(pk=pk, community=scope.community).first()
    )
    if found is None:
        raise Http404
    found.community = scope.community
    return found


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def endpoints(request: AuthenticatedRequest, slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = actions.do_create_endpoint(
                request.user,
                scope.community,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                types=form.cleaned_data["types"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request,
                _("The endpoint is registered: copy its secret into the receiver."),
            )
            return redirect(scope.url("endpoint", pk=endpoint.pk))
    listed = list(
        Endpoint.objects.filter(community=scope.community)
        .select_related("owner")
        .annotate(
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
        .order_by("-created_at", "-pk")
    )
    rows = [(endpoint, scope.url("endpoint", pk=endpoint.pk)) for endpoint in listed]
    return render(
        request,
        "webhooks/endpoints.html",
        {**scope.context(), "form": form, "rows": rows, "types": catalogue.EVENT_TYPES},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint(request: AuthenticatedRequest, pk: int, slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug)
    found = _endpoint(scope, pk)
    initial = {
        "url": found.url,
        "description": found.description,
        "types": found.type_names,
        "active": found.active,
    }
    form = EditEndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_endpoint(
                request.user,
                found,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                types=form.cleaned_data["types"],
                active=form.cleaned_data["active"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The endpoint is saved."))
            return redirect(scope.url("endpoint", pk=found.pk))
    log = list(Delivery.objects.filter(endpoint=found).order_by("-created_at", "-pk")[:LOG_LENGTH])
    rows = [(delivery, scope.url("resend", pk=found.pk, delivery=delivery.pk)) for delivery in log]
    response = render(
        request,
        "webhooks/endpoint.html",
        {
            **scope.context(),
            "endpoint": found,
            "form": form,
            "rows": rows,
            "is_owner": found.owner_id == request.user.pk,
            "rotate_url": scope.url("rotate", pk=found.pk),
            "ping_url": scope.url("ping", pk=found.pk),
            "delete_url": scope.url("delete", pk=found.pk),
            "statuses": DeliveryStatus,
        },
    )
    # The page shows a secret to its owner: never cached.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
@web.refusals_as_messages
def rotate(request: AuthenticatedRequest, pk: int, slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug)
    found = actions.do_rotate_secret(request.user, _endpoint(scope, pk))
    messages.success(
        request,
        _("The endpoint has a new secret, and you are its owner: the old one no longer verifies."),
    )
    return redirect(scope.url("endpoint", pk=found.pk))


@login_required
@require_POST
@web.refusals_as_messages
def ping(request: AuthenticatedRequest, pk: int, slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug)
    found = _endpoint(scope, pk)
    actions.do_send_ping(request.user, found)
    messages.success(request, _("A test message is on its way: its outcome is in the log."))
    return redirect(scope.url("endpoint", pk=found.pk))


@login_required
@require_POST
@web.refusals_as_messages
def delete(request: AuthenticatedRequest, pk: int, slug: str | None = None) -> HttpResponse:
    scope = _scope(request, slug)
    found = _endpoint(scope, pk)
    actions.do_delete_endpoint(request.user, found)
    messages.success(request, _("The endpoint is deleted with its delivery log."))
    return redirect(scope.url("list"))


@login_required
@require_POST
@web.refusals_as_messages
def resend(
    request: AuthenticatedRequest, pk: int, delivery: int, slug: str | None = None
) -> HttpResponse:
    scope = _scope(request, slug)
    found = _endpoint(scope, pk)
    original = Delivery.objects.filter(pk=delivery, endpoint=found).first()
    if original is None:
        raise Http404
    original.endpoint = found
    actions.do_resend(request.user, original)
    messages.success(request, _("The message is sent again: its outcome is at the top of the log."))
    return redirect(scope.url("endpoint", pk=found.pk))
