"""Staff pages for two-factor sign-in and sessions, and ending one of one's sessions
(allauth.mfa's and allauth.usersessions' own pages do the rest)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions
from cercle.accounts.models import User
from cercle.errors import ActionRefused
from cercle.sso import mfa_queries, sessions_actions
from cercle.sso.mfa_forms import PersonSearchForm, TwoFactorPolicyForm
from cercle.sso.policy import do_set_two_factor_requirement
from cercle.web import AuthenticatedRequest


def _staff_only(request: AuthenticatedRequest) -> None:
    if not permissions.mfa.may_change_security_policy(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def mfa_policy(request: AuthenticatedRequest) -> HttpResponseBase:
    _staff_only(request)
    page = mfa_queries.policy_page()
    form = TwoFactorPolicyForm(
        request.POST or None,
        initial={
            "staff_and_coordinators_need_two_factor": (
                page.policy.staff_and_coordinators_need_two_factor
            )
        },
    )
    if request.method == "POST" and form.is_valid():
        required = form.cleaned_data["staff_and_coordinators_need_two_factor"]
        do_set_two_factor_requirement(request.user, required, request=request)
        messages.success(request, _("The security policy is saved."))
        return redirect("mfa_policy")
    return render(request, "sso/mfa_policy.html", {"page": page, "form": form})


@login_required
@require_safe
def sessions_staff_search(request: AuthenticatedRequest) -> HttpResponseBase:
    _staff_only(request)
    form = PersonSearchForm(request.GET or None)
    if form.is_valid():
        person = mfa_queries.find_person(form.cleaned_data["q"])
        if person is not None:
            return redirect("sessions_staff", handle=person.handle)
        form.add_error("q", _("No one has this email address or handle."))
    return render(request, "sso/sessions_staff_search.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def sessions_staff(request: AuthenticatedRequest, handle: str) -> HttpResponseBase:
    _staff_only(request)
    person = get_object_or_404(User, handle=handle)
    if request.method == "POST":
        ended = sessions_actions.do_end_all_sessions_of(request.user, person, request=request)
        messages.success(
            request,
            ngettext(
                "%(count)d session of %(name)s ended.",
                "%(count)d sessions of %(name)s ended.",
                ended,
            )
            % {"count": ended, "name": person.display_name or person.email},
        )
        if person.pk == request.user.pk:
            return redirect("account_login")
        return redirect("sessions_staff", handle=person.handle)
    return render(
        request,
        "sso/sessions_staff.html",
        {"person": person, "sessions": mfa_queries.sessions_of(person)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def sessions_list(request: AuthenticatedRequest) -> HttpResponseBase:
    """The person's sessions (in place of allauth's list: the same address, a bounded
    number of queries, no write on a GET, and ending them recorded)."""
    if request.method == "POST":
        ended = sessions_actions.do_end_other_sessions(request.user, request=request)
        messages.success(
            request,
            ngettext("%(count)d other session ended.", "%(count)d other sessions ended.", ended)
            % {"count": ended},
        )
        return redirect("sessions_list")
    rows = mfa_queries.my_sessions(request.user, request.session.session_key)
    return render(
        request, "usersessions/usersession_list.html", {"rows": rows, "session_count": len(rows)}
    )


@login_required
@require_POST
def sessions_end(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    try:
        sessions_actions.do_end_session(request.user, session_id, request=request)
    except ActionRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The session is ended: that device is signed out."))
    return redirect("sessions_list")
