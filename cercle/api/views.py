"""The account's API tokens page (made, shown once, revoked) and the API's reference
page, read from the spec the code generates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cercle import permissions, web
from cercle.api import actions
from cercle.api.caller import SCOPE_LABELS, Scope
from cercle.api.forms import TokenForm
from cercle.api.models import PersonalToken
from cercle.api.reference import reference_page
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    coordinated = permissions.api.coordinated_communities(request.user)
    form = TokenForm(request.POST or None, coordinated=coordinated)
    secret = ""
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            made, secret = actions.do_create_token(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                days=form.cleaned_data["days"],
                admin_communities=form.cleaned_data.get("communities") or (),
                request=request,
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            # The secret is shown in this answer and never again: a repeat of this
            # submission is sent to the page by GET, which cannot show it.
            web.mark_done(request)
            form = TokenForm(coordinated=coordinated)
    listed = list(
        PersonalToken.objects.filter(person=request.user).prefetch_related("admin_communities")
    )
    for token in listed:
        token.scope_labels = [SCOPE_LABELS[scope] for scope in Scope if scope.value in token.scopes]  # type: ignore[attr-defined]
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "made": made,
            "tokens": listed,
        },
    )
    # A page showing a secret is never cached.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(PersonalToken, pk=pk, person=request.user)
    try:
        actions.do_revoke_token(request.user, token, request=request)
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("api_tokens")


@require_http_methods(["GET", "HEAD"])
def reference(request: HttpRequest) -> HttpResponse:
    """The API reference, read from the spec the code generates."""
    context = reference_page()
    context["base_url"] = request.build_absolute_uri("/api/v1/")
    return render(request, "api/reference.html", context)
