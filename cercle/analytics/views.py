"""The animator's cockpit: thin views over `cercle.analytics.queries`."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from cercle import permissions, spreadsheets
from cercle.analytics import actions, queries
from cercle.analytics.forms import ParticipationRuleForm
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest


@login_required
@require_safe
def cockpit(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    page = queries.cockpit(request.user, slug, request.GET.get("period"))
    return render(
        request,
        "analytics/cockpit.html",
        {"page": page, "community": page.community, "access": page.access},
    )


@login_required
@require_safe
def section(request: AuthenticatedRequest, slug: str, section: str) -> HttpResponse:
    page = queries.cockpit_section(request.user, slug, section, request.GET.get("period"))
    return render(
        request,
        "analytics/section.html",
        {"page": page, "community": page.community, "access": page.access},
    )


@login_required
@require_safe
def table_csv(request: AuthenticatedRequest, slug: str, table: str) -> HttpResponse:
    page = queries.cockpit_table(request.user, slug, table, request.GET.get("period"))
    found = page.tables[table]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{page.community.slug}-{found.key}-{page.period.start}-{page.period.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # a byte-order mark, so that spreadsheets read UTF-8
    writer = spreadsheets.writer(response)  # cells that a spreadsheet would run are escaped
    writer.writerow(found.headers)
    writer.writerows(found.rows)
    return response


@login_required
@require_safe
def report(request: AuthenticatedRequest, slug: str, year: int, month: int) -> HttpResponse:
    try:
        first = date(year, month, 1)
    except ValueError:
        raise Http404 from None
    page = queries.monthly_report(request.user, slug, first)
    return render(
        request,
        "analytics/report.html",
        {"page": page, "community": page.community, "access": page.access},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule(request: AuthenticatedRequest, slug: str) -> HttpResponseBase:
    community, access = queries.cockpit_community(request.user, slug)
    current = queries.participation_rule(community)
    form = ParticipationRuleForm(instance=current)
    if request.method == "POST":
        form = ParticipationRuleForm(request.POST, instance=current)
        if form.is_valid():
            try:
                actions.do_change_participation_rule(
                    request.user,
                    community,
                    window_months=form.cleaned_data["window_months"],
                    core_score=form.cleaned_data["core_score"],
                    active_score=form.cleaned_data["active_score"],
                    peripheral_days=form.cleaned_data["peripheral_days"],
                )
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The levels are computed again with the new rule."))
                return redirect("analytics:cockpit", slug=community.slug)
    return render(
        request,
        "analytics/rule.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "can": {"change_rule": permissions.cockpit.may_change_participation_rule(access)},
        },
    )
