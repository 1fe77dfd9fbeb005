"""Thin views over the contest actions and queries; every form works without
JavaScript (POST, then a redirect)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cercle import permissions, web
from cercle.communities.models import Community
from cercle.contests import actions, queries
from cercle.contests.forms import (
    ContestForm,
    EntryForm,
    ScoreForm,
    contest_initial,
    criteria_formset,
    parse_local,
)
from cercle.contests.models import Contest, Entry, Phase
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest, Request, refusal_on_form

RESULTS_SHOWN = 100


def _page_number(request: Request) -> int:
    number = request.GET.get("page", "1")
    return int(number) if number.isdigit() and 0 < int(number) < 10_000 else 1


# --- Contests -----------------------------------------------------------------------------


@require_safe
def contest_list(request: Request, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "read")
    contests = queries.contests_in(access)
    number = _page_number(request)
    shown = list(contests[(number - 1) * 20 : number * 20 + 1])
    now = timezone.now()
    for contest in shown:
        contest.community = community
    return render(
        request,
        "contests/list.html",
        {
            "community": community,
            "access": access,
            "contests": [(contest, contest.phase(now)) for contest in shown[:20]],
            "page_number": number,
            "has_next": len(shown) > 20,
            "can": {"create": access.may_animate()},
        },
    )


def _default_moments(community: Community, start: datetime | None) -> dict[str, datetime]:
    """Two weeks for entries, one for votes, from the next full hour (or `start`)."""
    opens = start or (timezone.now().astimezone(community.zone) + timedelta(hours=1)).replace(
        minute=0, second=0, microsecond=0
    )
    closes = opens + timedelta(days=14)
    return {
        "submissions_open_at": opens,
        "submissions_close_at": closes,
        "voting_open_at": closes,
        "voting_close_at": closes + timedelta(days=7),
    }


@login_required
@web.once
def new(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "animate")
    spaces = permissions.readable_spaces(access)
    publish_at = parse_local(request.GET.get("publish_at", ""), community.zone)
    wanted_space = spaces.filter(slug=request.GET.get("space", "")).first()
    initial: dict[str, Any] = {
        "publish_at": publish_at,
        "space": wanted_space or spaces.filter(is_default=True).first(),
        "mode": "vote",
        **_default_moments(community, publish_at),
    }
    form = ContestForm(request.POST or None, zone=community.zone, spaces=spaces, initial=initial)
    formset = criteria_formset(request.POST or None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        plan = form.plan(formset.specs())
        try:
            contest = actions.do_create_contest(
                request.user,
                form.cleaned_data["space"],
                title=form.cleaned_data["title"],
                brief=form.cleaned_data["brief"],
                rules=form.cleaned_data["rules"],
                plan=plan,
            )
        except ActionRefused as refusal:
            refusal_on_form(form, refusal)
        else:
            messages.success(request, _("The contest is saved."))
            return redirect(contest.get_absolute_url())
    return render(
        request,
        "contests/form.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "formset": formset,
            "page_title": _("New contest"),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def detail(request: Request, slug: str, pk: int) -> HttpResponse:
    contest, access = queries.contest_for(request.user, slug, pk)
    page, pages = queries.contest_page(contest, access, _page_number(request))
    return render(
        request,
        "contests/detail.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "page": page,
            "pages": pages if len(pages) > 1 else [],
            "current_page": _page_number(request),
            # Those who may not take part are told how to (join the community).
            "can": {"take_part": access.may_take_part(contest.space)},
            "Phase": Phase,
        },
    )


def _animated(request: Request, slug: str, pk: int) -> tuple[Contest, permissions.CommunityAccess]:
    contest, access = queries.contest_for(request.user, slug, pk)
    if not access.may_animate(contest.space):
        raise Http404
    return contest, access


@login_required
def edit(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contest, access = _animated(request, slug, pk)
    if contest.results_announced_at is not None:
        messages.error(request, _("The results are out: the contest no longer changes."))
        return redirect(contest.get_absolute_url())
    locked = contest.settings_locked(timezone.now())
    form = ContestForm(
        request.POST or None,
        zone=contest.community.zone,
        spaces=None,
        locked=locked,
        initial=contest_initial(contest),
    )
    if contest.is_published:
        form.fields.pop("publish_at", None)
    formset = (
        None if locked else criteria_formset(request.POST or None, list(contest.criteria.all()))
    )
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        try:
            actions.do_edit_contest(
                request.user,
                contest,
                title=form.cleaned_data["title"],
                brief=form.cleaned_data["brief"],
                rules=form.cleaned_data["rules"],
                plan=None if formset is None else form.plan(formset.specs()),
            )
        except ActionRefused as refusal:
            refusal_on_form(form, refusal)
        else:
            messages.success(request, _("The contest is saved."))
            return redirect(contest.get_absolute_url())
    return render(
        request,
        "contests/form.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "form": form,
            "formset": formset,
            "page_title": _("Edit the contest"),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def delete(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contest, access = _animated(request, slug, pk)
    if request.method == "POST":
        try:
            actions.do_delete_contest(request.user, contest)
        except ActionRefused as refusal:
            web.tell_refusal(request, refusal)
            return redirect(contest.get_absolute_url())
        messages.success(request, _("The contest is deleted."))
        return redirect("contests:list", slug=slug)
    return render(
        request,
        "contests/delete.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "entry_count": contest.entries.count(),
        },
    )


@login_required
@require_POST
def announce(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contest, _access = _animated(request, slug, pk)
    try:
        announced = actions.do_announce_results(request.user, contest)
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
        return redirect(contest.get_absolute_url())
    if announced:
        messages.success(request, _("The results are announced."))
    else:
        messages.info(request, _("The results were already announced."))
    return redirect("contests:results", slug=slug, pk=pk)


@require_safe
def results(request: Request, slug: str, pk: int) -> HttpResponse:
    contest, access = queries.contest_for(request.user, slug, pk)
    entries: list[Entry] = []
    if contest.results_announced_at is not None:
        entries = list(
            contest.entries.select_related("author").order_by("rank", "pk")[:RESULTS_SHOWN]
        )
        for entry in entries:
            entry.contest = contest
    return render(
        request,
        "contests/results.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "entries": entries,
            "can": {
                "announce": access.may_animate(contest.space)
                and contest.phase(timezone.now()) == Phase.CLOSED
            },
        },
    )


# --- Entries ------------------------------------------------------------------------------


@login_required
@web.once
def enter(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    contest, access = queries.contest_for(request.user, slug, pk)
    if not permissions.contests.may_enter_contest(access, contest):
        raise Http404
    mine = contest.entries.filter(author=request.user).first()
    if mine is not None:
        return redirect("contests:edit_entry", slug=slug, pk=pk, entry=mine.pk)
    form = EntryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            entry = actions.do_submit_entry(
                request.user,
                contest,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
            )
        except ActionRefused as refusal:
            refusal_on_form(form, refusal)
        else:
            messages.success(request, _("Your entry is submitted."))
            return redirect(entry.get_absolute_url())
    return render(
        request,
        "contests/entry_form.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "form": form,
            "page_title": _("Enter the contest"),
            "open": contest.accepts_entries(timezone.now()),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def entry(request: Request, slug: str, pk: int, entry: int) -> HttpResponse:
    found, access = queries.entry_for(request.user, slug, pk, entry)
    contest = found.contest
    now = timezone.now()
    mine = found.author_id is not None and found.author_id == request.user.pk
    may_vote = (
        contest.is_voting(now)
        and permissions.contests.may_vote_in_contest(access, contest)
        and not mine
    )
    return render(
        request,
        "contests/entry.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "entry": found,
            "mine": mine,
            "shows_author": permissions.contests.sees_contest_authors(access, contest) or mine,
            "can": {
                "edit": mine and contest.accepts_entries(now),
                "withdraw": contest.results_announced_at is None
                and permissions.contests.may_withdraw_contest_entry(access, found)
                and (access.may_animate(contest.space) or contest.accepts_entries(now)),
                "vote": may_vote,
                "score": contest.is_voting(now)
                and permissions.contests.may_judge(access, contest)
                and not mine,
            },
            "voted": may_vote and found.votes.filter(voter_id=request.user.pk).exists(),
        },
    )


@login_required
def edit_entry(request: AuthenticatedRequest, slug: str, pk: int, entry: int) -> HttpResponse:
    found, access = queries.entry_for(request.user, slug, pk, entry)
    if found.author_id != request.user.pk:
        raise Http404
    contest = found.contest
    form = EntryForm(
        request.POST or None,
        request.FILES or None,
        files_of_entry=found.files.all(),
        initial={"title": found.title, "text": found.text},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_entry(
                request.user,
                found,
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                files=form.cleaned_data["attachments"],
                remove_files=[item.pk for item in form.cleaned_data.get("remove_files") or []],
            )
        except ActionRefused as refusal:
            refusal_on_form(form, refusal)
        else:
            messages.success(request, _("Your entry is saved."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "contests/entry_form.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "entry": found,
            "form": form,
            "page_title": _("Edit your entry"),
            "open": contest.accepts_entries(timezone.now()),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def withdraw_entry(request: AuthenticatedRequest, slug: str, pk: int, entry: int) -> HttpResponse:
    found, access = queries.entry_for(request.user, slug, pk, entry)
    contest = found.contest
    if not permissions.contests.may_withdraw_contest_entry(access, found):
        raise Http404
    if request.method == "POST":
        try:
            actions.do_withdraw_entry(request.user, found)
        except ActionRefused as refusal:
            web.tell_refusal(request, refusal)
            return redirect(found.get_absolute_url())
        messages.success(request, _("The entry is withdrawn."))
        return redirect(contest.get_absolute_url())
    return render(
        request,
        "contests/withdraw.html",
        {"community": contest.community, "access": access, "contest": contest, "entry": found},
    )


@login_required
@require_POST
@web.once
def vote(request: AuthenticatedRequest, slug: str, pk: int, entry: int) -> HttpResponse:
    found, _access = queries.entry_for(request.user, slug, pk, entry)
    default = f"{found.contest.get_absolute_url()}#entry-{found.pk}"
    try:
        if request.POST.get("withdraw"):
            actions.do_withdraw_vote(request.user, found)
            messages.success(
                request, _("Your vote for “%(title)s” is withdrawn.") % {"title": found.title}
            )
        else:
            actions.do_vote(request.user, found)
            messages.success(request, _("You voted for “%(title)s”.") % {"title": found.title})
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    return redirect(web.next_url(request, default))


@login_required
def score(request: AuthenticatedRequest, slug: str, pk: int, entry: int) -> HttpResponse:
    found, access = queries.entry_for(request.user, slug, pk, entry)
    contest = found.contest
    if not permissions.contests.may_judge(access, contest):
        raise Http404
    criteria = list(contest.criteria.all())
    current = queries.my_scores(found, request.user.pk)
    form = ScoreForm(
        request.POST or None,
        criteria=criteria,
        initial={f"criterion_{pk}": value for pk, value in current.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_score(request.user, found, form.scores())
        except ActionRefused as refusal:
            refusal_on_form(form, refusal)
        else:
            messages.success(
                request, _("Your scores for “%(title)s” are saved.") % {"title": found.title}
            )
            return redirect(f"{contest.get_absolute_url()}#entry-{found.pk}")
    return render(
        request,
        "contests/score.html",
        {
            "community": contest.community,
            "access": access,
            "contest": contest,
            "entry": found,
            "form": form,
            "open": contest.is_voting(timezone.now()),
            "mine": found.author_id == request.user.pk,
            "shows_author": permissions.contests.sees_contest_authors(access, contest),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_safe
def entry_file(request: Request, slug: str, pk: int, file: int, name: str) -> HttpResponseBase:
    """A file of an entry, only for those who may see the entry."""
    found = queries.file_for(request.user, slug, pk, file)
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=not found.is_image,
        filename=found.original_name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
