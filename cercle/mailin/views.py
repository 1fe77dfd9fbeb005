"""The mail pages: a community's mail settings (/c/<slug>/mail/, for those who manage
it) and the instance's received-mail log (/staff/mail/, for staff). Thin: every read
is in `queries`, every write in `settings_actions` and `staff_actions`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.conversations.models import Kind
from cercle.errors import ActionRefused
from cercle.mailin import queries, settings_actions, staff_actions
from cercle.mailin.forms import ReceivedFilterForm, SpaceMailForm
from cercle.mailin.models import ReceivedMail, SpaceMailbox
from cercle.web import AuthenticatedRequest


def _prefix(space_id: int) -> str:
    return f"space-{space_id}"


def _saved(mailbox: SpaceMailbox) -> str:
    """What the page says once a space's setting is saved (one sentence per kind, for
    the translations' articles)."""
    if not mailbox.enabled:
        return _("“%(space)s” takes no email: messages to its address are refused.")
    if mailbox.kind == Kind.QUESTION:
        return _("“%(space)s” takes new topics by email: each message asks a question.")
    if mailbox.kind == Kind.ANNOUNCEMENT:
        return _("“%(space)s” takes new topics by email: each message makes an announcement.")
    return _("“%(space)s” takes new topics by email: each message starts a discussion.")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def mail_settings(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(
        request, slug, permissions.mail.may_manage_mail, forbidden_to_readers=True
    )
    rows = queries.space_mail(community)
    sent = None
    if request.method == "POST":
        sent = next((row for row in rows if str(row.space.pk) == request.POST.get("space")), None)
        if sent is None:
            raise Http404
    for row in rows:
        prefix = _prefix(row.space.pk)
        if row is sent:
            row.form = SpaceMailForm(request.POST, prefix=prefix)
        else:
            row.form = SpaceMailForm(
                prefix=prefix, initial={"enabled": row.enabled, "kind": row.kind}
            )
    if sent is not None and sent.form.is_valid():
        try:
            mailbox = settings_actions.do_set_space_mailbox(
                request.user,
                sent.space,
                bool(sent.form.cleaned_data["enabled"]),
                sent.form.cleaned_data["kind"],
            )
        except ActionRefused as refusal:
            web.refusal_on_form(sent.form, refusal)
        else:
            messages.success(request, _saved(mailbox) % {"space": sent.space.name})
            return redirect("mailin:settings", slug=community.slug)
    return render(
        request,
        "mailin/settings.html",
        {
            "community": community,
            "access": access,
            "can": permissions.community_can(access),
            "section": "mail",
            "rows": rows,
            "sent": sent,
            "mail_in_on": queries.mail_in_is_on(),
        },
    )


# --- The received-mail log ------------------------------------------------------------------------


def _staff(request: AuthenticatedRequest) -> None:
    if not permissions.mail.may_see_received_mail(request.user):
        raise PermissionDenied


def _received(pk: int) -> ReceivedMail:
    found = queries.received_one(pk)
    if found is None:
        raise Http404
    return found


@login_required
@require_safe
def received_log(request: AuthenticatedRequest) -> HttpResponse:
    _staff(request)
    form = ReceivedFilterForm(request.GET or None)
    log_filter = form.log_filter() if form.is_bound else queries.LogFilter()
    page = Paginator(queries.received_log(log_filter), queries.LOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "mailin/log.html",
        {
            "form": form,
            "log_filter": log_filter,
            "page": page,
            "counts": queries.recent_counts(),
            "counts_days": queries.COUNTS_DAYS,
            "mail_in_on": queries.mail_in_is_on(),
            "keep_days": settings.MAIL_IN_KEEP_DAYS,
        },
    )


@login_required
@require_safe
def received_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff(request)
    received = _received(pk)
    return render(
        request,
        "mailin/detail.html",
        {
            "received": received,
            "message": queries.message_view(received),
            "may_try_again": staff_actions.may_try_again(received)
            and permissions.mail.may_retry_received_mail(request.user),
            "keep_days": settings.MAIL_IN_KEEP_DAYS,
        },
    )


@login_required
@require_POST
@web.refusals_as_messages
def received_try_again(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    _staff(request)
    received = staff_actions.do_try_again(request.user, _received(pk))
    messages.success(
        request,
        _("Handled again: %(outcome)s.") % {"outcome": received.get_outcome_display()},
    )
    return redirect("mailin:received", pk=received.pk)
