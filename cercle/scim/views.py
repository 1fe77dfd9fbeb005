"""The staff page of provisioning: the base URL to give the directory, its tokens
(made, shown once, revoked). The SCIM endpoint itself is in `cercle.scim.api`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cercle import permissions
from cercle.errors import ActionRefused
from cercle.scim import actions
from cercle.scim.models import ScimIdentity, ScimToken
from cercle.web import AuthenticatedRequest


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("Which directory uses it, for example “Microsoft Entra ID”."),
    )


def _require_staff(request: AuthenticatedRequest) -> None:
    if not permissions.scim.may_manage_scim(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tokens(request: AuthenticatedRequest) -> HttpResponse:
    _require_staff(request)
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = actions.create_token(request.user, name=form.cleaned_data["name"])
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            form = TokenForm()
    response = render(
        request,
        "scim/tokens.html",
        {
            "form": form,
            "secret": secret,
            "tokens": ScimToken.objects.select_related("created_by"),
            "base_url": request.build_absolute_uri(reverse("scim:root")),
            "provisioned": ScimIdentity.objects.count(),
        },
    )
    # A page showing a secret is never cached.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    token = get_object_or_404(ScimToken, pk=pk)
    actions.revoke_token(request.user, token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("scim:tokens")
