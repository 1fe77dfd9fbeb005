"""The security log's staff page and its CSV export: thin views over `queries`."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from cercle import permissions, spreadsheets
from cercle.accounts.models import User
from cercle.audit import queries
from cercle.audit.forms import SecurityLogFilterForm
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind


def _staff(request: HttpRequest) -> User:
    """The signed-in staff member, or a 404 that does not tell the page exists."""
    user = request.user
    if not isinstance(user, User) or not permissions.audit.may_see_security_log(user):
        raise Http404
    return user


def _cursor(value: str | None) -> int | None:
    """A row's number from a "newer"/"older" link; anything else is the first page."""
    if value and value.isdigit() and len(value) < 19:
        return int(value)
    return None


@login_required
@require_safe
def security_log(request: HttpRequest) -> HttpResponse:
    _staff(request)
    form = SecurityLogFilterForm(request.GET)
    log_page = None
    params: dict[str, str] = {}
    if form.is_valid():
        log_filter = queries.LogFilter.from_cleaned(form.cleaned_data)
        params = log_filter.as_params()
        log_page = queries.page(
            log_filter,
            before=_cursor(request.GET.get("before")),
            after=_cursor(request.GET.get("after")),
        )
    return render(
        request,
        "audit/security_log.html",
        {
            "form": form,
            "log": log_page,
            "filter_query": urlencode(params),
            "keep_days": settings.SECURITY_LOG_DAYS,
        },
    )


class _Line:
    """Where the CSV writer writes one row, handed on at once (a streamed export)."""

    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str, /) -> None:
        self.text += text

    def take(self) -> str:
        text, self.text = self.text, ""
        return text


@login_required
@require_safe
def security_log_csv(request: HttpRequest) -> HttpResponseBase:
    staff = _staff(request)
    form = SecurityLogFilterForm(request.GET)
    if not form.is_valid():
        # The page names what is wrong next to each field.
        return redirect(f"{reverse('staff_security_log')}?{request.GET.urlencode()}")
    log_filter = queries.LogFilter.from_cleaned(form.cleaned_data)
    # Who took a copy of the log, and of which part of it, is itself in the log.
    exported = record_security_event(
        SecurityKind.LOG_EXPORTED,
        actor=staff,
        request=request,
        filter=log_filter.as_params() or None,
    )

    language = translation.get_language()

    def lines() -> Iterator[str]:
        # Read after the view has returned: in the reader's language still.
        with translation.override(language):
            line = _Line()
            writer = spreadsheets.writer(line)  # cells a spreadsheet would run are escaped
            yield "\ufeff"  # a byte-order mark, so that spreadsheets read UTF-8
            writer.writerow(queries.export_header())
            yield line.take()
            for row in queries.export_rows(log_filter, before=exported.pk):
                writer.writerow(row)
                yield line.take()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"security-log-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def staff_tools(request: HttpRequest) -> HttpResponse:
    """One page that leads staff to every tool of the organisation's side: who signs in
    and how, provisioning, two factors, sessions, the security log, data requests."""
    user = request.user
    if not isinstance(user, User) or not permissions.may_use_admin_site(user):
        raise Http404
    return render(request, "audit/staff_tools.html")
