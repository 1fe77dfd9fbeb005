from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cercle import permissions
from cercle.accounts.models import User
from cercle.errors import ActionRefused
from cercle.privacy import actions, erasure
from cercle.privacy.forms import EraseAccountForm, StaffExportForm
from cercle.privacy.models import DataExport, ExportStatus
from cercle.web import AuthenticatedRequest, refusal_on_form, tell_refusal


def _user(request: AuthenticatedRequest) -> User:
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def data(request: AuthenticatedRequest) -> HttpResponse:
    """The person's data: ask for an export, find the ones prepared."""
    person = _user(request)
    if request.method == "POST":
        try:
            actions.do_request_export(person, person, request=request)
        except ActionRefused as refusal:
            tell_refusal(request, refusal)
        else:
            messages.success(
                request,
                _("Your export is being prepared. We will email you when it is ready."),
            )
        return redirect("privacy_data")
    exports = list(DataExport.objects.filter(person=person)[:10])
    return render(
        request,
        "privacy/data.html",
        {
            "exports": exports,
            "pending": any(e.status == ExportStatus.PENDING for e in exports),
            "export_days": settings.CERCLE_EXPORT_DAYS,
        },
    )


@login_required
@require_GET
def download(request: AuthenticatedRequest, export_id: int) -> FileResponse:
    person = _user(request)
    data_export = get_object_or_404(DataExport, pk=export_id)
    # Someone else's export, or one no longer there, is not found: nothing is said.
    if not actions.may_download(person, data_export) or data_export.path is None:
        raise Http404
    path = data_export.path
    if not path.exists():
        raise Http404
    actions.do_mark_downloaded(person, data_export, request=request)
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"cercle-{person.handle}-{data_export.ready_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_exports(request: AuthenticatedRequest) -> HttpResponse:
    """Staff prepare a person's export on their behalf; the link goes to the person."""
    actor = _user(request)
    if not permissions.is_staff(actor):
        raise Http404
    form = StaffExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.person is not None:
        try:
            actions.do_request_export(actor, form.person, request=request)
        except ActionRefused as refusal:
            refusal_on_form(form, refusal)
        else:
            messages.success(
                request,
                _("The export of %(email)s is being prepared; the link will be emailed to them.")
                % {"email": form.person.email},
            )
            return redirect("privacy_staff_exports")
    recent = DataExport.objects.select_related("person", "requested_by")[:30]
    return render(request, "privacy/staff_exports.html", {"form": form, "exports": recent})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: AuthenticatedRequest) -> HttpResponse:
    """Delete the account, after saying what happens to each kind of contribution."""
    user = _user(request)
    form = EraseAccountForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        mode = form.cleaned_data["contributions"]
        logout(request)
        erasure.do_erase_account(user, mode, request=request)
        messages.success(request, _("Your account has been deleted. Goodbye!"))
        return redirect("home")
    fates = [fate for fate in erasure.summary(user) if fate.count]
    return render(request, "privacy/delete.html", {"form": form, "fates": fates})
