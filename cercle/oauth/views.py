"""The OAuth pages: the consent screen (django-oauth-toolkit's authorize view with
Cercle's template and security log), the staff pages of applications, and a
person's "Authorized applications" on their account."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from oauth2_provider.models import Application
from oauth2_provider.views.base import AuthorizationView

from cercle import permissions
from cercle.errors import ActionRefused
from cercle.oauth import actions, queries
from cercle.oauth.forms import ApplicationForm
from cercle.oauth.scopes import allowed_scope_names
from cercle.web import AuthenticatedRequest, mark_done, once

# --- The consent screen -------------------------------------------------------------------------


def _origins(application: Application) -> list[str]:
    origins: list[str] = []
    for uri in application.redirect_uris.split():
        parts = urlsplit(uri)
        if parts.scheme in {"http", "https"} and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins


class ConsentView(AuthorizationView):
    """GET /oauth/authorize/: the consent screen (or, for a person who already gave an
    unexpired token the same scopes and the client asks `approval_prompt=auto`, straight
    back to the client); POST: Allow or Deny. A logged-out visitor is sent to the log-in
    page and comes back here."""

    template_name = "oauth2_provider/authorize.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scope_lines"] = queries.scope_lines(set(kwargs.get("scopes") or []))
        return context

    def render_to_response(self, context: dict[str, Any], **kwargs: Any) -> HttpResponse:
        response: HttpResponse = super().render_to_response(context, **kwargs)
        application = context.get("application")
        if isinstance(application, Application):
            # Allow and Deny post here, and Cercle answers with a redirect to the
            # client: Chromium holds that redirect to the page's `form-action`.
            update: dict[str, Any] = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = ["'self'", *_origins(application)]
            setattr(response, "_csp_update", update)  # noqa: B010 - django-csp's attribute
        response["Cache-Control"] = "no-store"
        return response

    def redirect(self, redirect_to: str, application: Application | None) -> HttpResponse:
        """Back to the client. Straight after one of Cercle's own forms (the log-in, its
        second factor), a person already approved goes back through a page that moves on
        by itself: Chromium holds a form's whole redirect chain to that form page's
        `form-action`, which does not name the client."""
        scheme = urlsplit(redirect_to).scheme
        came_from = urlsplit(self.request.headers.get("Referer", ""))
        if (
            self.request.method == "GET"
            and application is not None
            and scheme in application.get_allowed_schemes()  # type: ignore[no-untyped-call]
            and came_from.netloc == self.request.get_host()
        ):
            response = render(
                self.request,
                "oauth/continue.html",
                {"application": application, "url": redirect_to},
            )
            response["Cache-Control"] = "no-store"
            return response
        return super().redirect(redirect_to, application)  # type: ignore[no-untyped-call,no-any-return]

    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)  # type: ignore[no-untyped-call]
        location = response.get("Location", "") if response.status_code in {301, 302} else ""
        if form.cleaned_data.get("allow") and location and "error=" not in urlsplit(location).query:
            application = Application.objects.get(client_id=form.cleaned_data["client_id"])
            actions.record_consent(
                self.request.user,  # type: ignore[arg-type]
                application,
                str(form.cleaned_data.get("scope") or "").split(),
                request=self.request,
            )
        return response


# --- Staff: the applications --------------------------------------------------------------------


def _require_staff(request: AuthenticatedRequest) -> None:
    if not permissions.oauth.may_manage_oauth_applications(request.user):
        raise PermissionDenied


def _no_store(response: HttpResponse) -> HttpResponse:
    # A page that may show a client secret is never cached.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD"])
def applications(request: AuthenticatedRequest) -> HttpResponse:
    _require_staff(request)
    return render(request, "oauth/applications.html", {"rows": queries.staff_applications()})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@once
def register(request: AuthenticatedRequest) -> HttpResponse:
    _require_staff(request)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application, secret = actions.do_register_application(
                request.user, form.registration(), request=request
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            # The secret is shown on this answer only: a repeat of the submission
            # comes back here by GET, to an empty form.
            mark_done(request)
            return _no_store(
                render(
                    request,
                    "oauth/application.html",
                    _detail_context(request, application, secret=secret, just_registered=True),
                )
            )
    return _no_store(render(request, "oauth/application_form.html", {"form": form}))


def _detail_context(
    request: AuthenticatedRequest,
    application: Application,
    *,
    secret: str = "",
    just_registered: bool = False,
) -> dict[str, Any]:
    base = request.build_absolute_uri("/oauth/")
    return {
        "application": application,
        "scopes": queries.scope_lines(allowed_scope_names(application)),
        "redirect_uris": application.redirect_uris.split(),
        "secret": secret,
        "just_registered": just_registered,
        "endpoints": {
            "authorize": f"{base}authorize/",
            "token": f"{base}token/",
            "revoke": f"{base}revoke_token/",
        },
    }


@login_required
@require_http_methods(["GET", "HEAD"])
def application(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    found = get_object_or_404(Application.objects.select_related("allowed_scopes"), pk=pk)
    return _no_store(render(request, "oauth/application.html", _detail_context(request, found)))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    found = get_object_or_404(Application.objects.select_related("allowed_scopes"), pk=pk)
    initial = {
        "name": found.name,
        "redirect_uris": "\n".join(found.redirect_uris.split()),
        "scopes": allowed_scope_names(found),
    }
    form = ApplicationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_application(
                request.user,
                found,
                form.registration(
                    confidential=found.client_type == Application.CLIENT_CONFIDENTIAL
                ),
                request=request,
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(
                request, _("The application “%(name)s” is saved.") % {"name": found.name}
            )
            return redirect("oauth:application", pk=found.pk)
    return render(request, "oauth/application_form.html", {"form": form, "application": found})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    found = get_object_or_404(Application, pk=pk)
    if request.method == "POST":
        name = found.name
        actions.do_delete_application(request.user, found, request=request)
        messages.success(
            request,
            _("The application “%(name)s” is deleted: it can no longer act for anyone.")
            % {"name": name},
        )
        return redirect("oauth:applications")
    return render(request, "oauth/application_delete.html", {"application": found})


# --- A person's authorized applications ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD"])
def authorized(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "oauth/authorized.html", {"authorizations": queries.authorizations(request.user)}
    )


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Application, pk=pk)
    try:
        count = actions.do_revoke_authorization(request.user, found, request=request)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("oauth:authorized")
    if count:
        messages.success(
            request,
            _("“%(name)s” can no longer act for you: its access is revoked.")
            % {"name": found.name},
        )
    return redirect("oauth:authorized")
