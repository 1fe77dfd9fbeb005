"""Thin views over the notification actions and queries; every form works without
JavaScript, and the bell refreshes itself with htmx."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle.errors import ActionRefused
from cercle.mail.addresses import mail_in_enabled
from cercle.notifications import actions, queries
from cercle.notifications.emails import read_unsubscribe_token
from cercle.notifications.forms import EmailPreferencesForm
from cercle.notifications.models import PREFERENCE_LABELS
from cercle.web import AuthenticatedRequest, Request

PER_PAGE = 30
# htmx stops polling when an answer has this status: the session has ended.
STOP_POLLING = 286


@login_required
@require_safe
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    page = Paginator(queries.notification_list(user), PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread_notifications": queries.unread_count(user)},
    )


@require_safe
@never_cache
def unread_count(request: Request) -> HttpResponse:
    """`{"unread": n}`, polled by static/js/live.js for the header's figure (an element
    with `data-live-notifications`); once logged out, the answer asks it to stop."""
    if not request.user.is_authenticated:
        return JsonResponse({"unread": None}, status=STOP_POLLING)
    return JsonResponse({"unread": queries.unread_count(request.user)})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def open_notification(request: AuthenticatedRequest, notification_id: int) -> HttpResponse:
    """Where a notification leads. The list's "open" buttons POST: the notification is
    marked read, then followed. A GET (an email's link, an old bookmark) only leads
    there and writes nothing, since any other site can make a browser send one."""
    if request.method == "POST":
        try:
            notification = actions.do_open(request.user, notification_id)
        except ActionRefused as refusal:
            raise Http404 from refusal
    else:
        found = queries.notification_for(request.user, notification_id)
        if found is None:
            raise Http404
        notification = found
    return redirect(notification.get_absolute_url())


@login_required
@require_POST
def mark_all_read(request: AuthenticatedRequest) -> HttpResponse:
    if actions.do_mark_all_read(request.user):
        messages.success(request, _("All your notifications are marked as read."))
    return redirect("notifications")


@require_safe
def bell(request: Request) -> HttpResponse:
    """The bell alone, for htmx to poll; once logged out, polling stops."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    return render(
        request,
        "notifications/_bell.html",
        {"show": True, "count": queries.unread_count(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = EmailPreferencesForm(
        request.POST or None,
        preferences=queries.email_preferences(user),
        mailing_list=queries.in_mailing_list_mode(user),
        replies_by_email=mail_in_enabled(),
    )
    if request.method == "POST" and form.is_valid():
        actions.do_set_email_preferences(user, form.preferences())
        messages.success(request, _("Your email settings are saved."))
        return redirect("notification_settings")
    return render(
        request,
        "notifications/settings.html",
        {"form": form, "stopped": queries.stopped_mail(user)},
    )


@login_required
@require_POST
def resume_mail(request: AuthenticatedRequest) -> HttpResponse:
    """ "My mailbox works again": mail to the person's address starts again."""
    if actions.do_resume_mail(request.user):
        messages.success(request, _("Mail to your address starts again."))
    return redirect("notification_settings")


# Mail programs unsubscribe with a POST that carries no CSRF token (RFC 8058). The
# signed token in the address is what proves the request, so this one view is exempt;
# GET only shows the confirmation, since link scanners open every link they see.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: Request, token: str) -> HttpResponse:
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    person, keys = found
    labels = [PREFERENCE_LABELS[key] for key in keys if key in PREFERENCE_LABELS]
    if request.method == "POST":
        actions.do_unsubscribe(person, keys)
        return render(
            request, "notifications/unsubscribed.html", {"person": person, "labels": labels}
        )
    return render(
        request,
        "notifications/unsubscribe.html",
        {"person": person, "labels": labels, "token": token},
    )
