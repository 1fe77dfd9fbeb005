"""Thin views over the actions and queries of polls, quizzes and challenges; every form
works without JavaScript (POST, then a redirect)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.accounts.models import User
from cercle.activities import actions, queries
from cercle.activities.forms import (
    AmendForm,
    AnswerForm,
    ChallengeForm,
    PollForm,
    QuizForm,
)
from cercle.activities.models import Challenge, ChallengeAnswer, Closable, Poll, Quiz
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest, Request

C = TypeVar("C", bound=Closable)

FORMS: dict[str, type[PollForm] | type[QuizForm] | type[ChallengeForm]] = {
    "poll": PollForm,
    "quiz": QuizForm,
    "challenge": ChallengeForm,
}
CREATE: dict[str, Callable[[User, Space, Any], Closable]] = {
    "poll": actions.do_create_poll,
    "quiz": actions.do_create_quiz,
    "challenge": actions.do_create_challenge,
}
EDIT: dict[str, Callable[[User, Any, Space, Any], Closable]] = {
    "poll": actions.do_edit_poll,
    "quiz": actions.do_edit_quiz,
    "challenge": actions.do_edit_challenge,
}


def _headings() -> dict[str, tuple[str, str]]:
    """(new, edit) page titles per kind."""
    return {
        "poll": (_("New poll"), _("Edit the poll")),
        "quiz": (_("New quiz"), _("Edit the quiz")),
        "challenge": (_("New challenge"), _("Edit the challenge")),
    }


# --- Lists ------------------------------------------------------------------------------------


@require_safe
def activities(request: Request, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "read")
    show = "open" if request.GET.get("show") == "open" else "all"
    page, entries = queries.activities_page(
        access, open_only=show == "open", page_number=request.GET.get("page")
    )
    return render(
        request,
        "activities/list.html",
        {
            "community": community,
            "access": access,
            "page": page,
            "entries": entries,
            "show": show,
            "can": {"animate": access.may_animate()},
        },
    )


# --- Creating, editing, deleting --------------------------------------------------------------


def _prefill(request: Request, spaces: list[Space]) -> dict[str, Any]:
    """`?publish_at=YYYY-MM-DDTHH:MM` (the community's clock) and `?space=<slug>`,
    as the calendar links them."""
    initial: dict[str, Any] = {}
    if request.GET.get("publish_at"):
        initial["publish_at"] = request.GET["publish_at"][:19]
    wanted = request.GET.get("space")
    chosen = next((space for space in spaces if space.slug == wanted), None)
    chosen = chosen or next((space for space in spaces if space.is_default), None)
    if chosen is not None:
        initial["space"] = chosen.pk
    return initial


def _form_page(
    request: Request,
    community: Community,
    access: permissions.CommunityAccess,
    form: Any,
    kind: str,
    heading: str,
    item: Closable | None = None,
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "activities/form.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "kind": kind,
            "heading": heading,
            "item": item,
        },
        status=status,
    )


def _new(request: AuthenticatedRequest, slug: str, kind: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "read")
    spaces = queries.animated_spaces(access)
    if not spaces:
        raise PermissionDenied
    form = FORMS[kind](
        request.POST or None,
        community=community,
        spaces=spaces,
        initial=_prefill(request, spaces),
    )
    if request.method == "POST" and form.is_valid():
        space = form.cleaned_data["space"]
        space.community = community
        try:
            item = CREATE[kind](request.user, space, form.fields_for_action())
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            if item.published_at is not None:
                messages.success(request, _("Published."))
            else:
                messages.success(request, _("Planned: it will be published at the chosen time."))
            return redirect(item.get_absolute_url())
    return _form_page(request, community, access, form, kind, _headings()[kind][0])


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def new_poll(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    return _new(request, slug, "poll")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def new_quiz(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    return _new(request, slug, "quiz")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def new_challenge(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    return _new(request, slug, "challenge")


def _animated(request: Request, slug: str, model: type[C], pk: int) -> tuple[C, Any]:
    item, access = queries.item_for(request.user, slug, model, pk)
    if not access.may_animate(item.space):
        raise PermissionDenied
    return item, access


def _edit(request: AuthenticatedRequest, slug: str, model: type[Closable], pk: int) -> HttpResponse:
    item, access = _animated(request, slug, model, pk)
    community = item.community
    kind = item.KIND
    heading = _headings()[kind][1]
    if item.published_at is None:
        form_class = FORMS[kind]
        full = form_class(
            request.POST or None,
            community=community,
            spaces=queries.animated_spaces(access),
            initial=form_class.initial_from(item),  # type: ignore[arg-type]
        )
        if request.method == "POST" and full.is_valid():
            space = full.cleaned_data["space"]
            space.community = community
            try:
                item = EDIT[kind](request.user, item, space, full.fields_for_action())
            except ActionRefused as refusal:
                full.add_error(None, refusal.message)
            else:
                messages.success(request, _("Saved."))
                return redirect(item.get_absolute_url())
        return _form_page(request, community, access, full, kind, heading, item)
    form = AmendForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_amend(
                request.user,
                item,
                description=form.cleaned_data["description"],
                closes=form.cleaned_data["closes"],
                leaderboard=form.cleaned_data.get("leaderboard"),
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Saved."))
            return redirect(item.get_absolute_url())
    return _form_page(request, community, access, form, kind, heading, item)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_poll(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _edit(request, slug, Poll, pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_quiz(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _edit(request, slug, Quiz, pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_challenge(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _edit(request, slug, Challenge, pk)


def _delete(
    request: AuthenticatedRequest, slug: str, model: type[Closable], pk: int
) -> HttpResponse:
    item, access = _animated(request, slug, model, pk)
    if request.method == "POST":
        actions.do_delete(request.user, item)
        messages.success(request, _("Deleted."))
        return redirect("activities:list", slug)
    return render(
        request,
        "activities/delete.html",
        {"community": item.community, "access": access, "item": item},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_poll(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _delete(request, slug, Poll, pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_quiz(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _delete(request, slug, Quiz, pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_challenge(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    return _delete(request, slug, Challenge, pk)


# --- Polls ------------------------------------------------------------------------------------


def _ids(values: list[str]) -> list[int]:
    try:
        return [int(value) for value in values]
    except ValueError as error:
        raise ActionRefused(_("This choice is not in the poll.")) from error


@require_safe
def poll(request: Request, slug: str, pk: int) -> HttpResponse:
    found, access = queries.item_for(request.user, slug, Poll, pk)
    return render(
        request,
        "activities/poll.html",
        {
            "community": found.community,
            "access": access,
            "poll": found,
            "data": queries.poll_page(found, access),
            "can": {
                "animate": access.may_animate(found.space),
                "take_part": access.may_take_part(found.space),
            },
        },
    )


@login_required
@require_POST
@web.once
def vote(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.item_for(request.user, slug, Poll, pk)
    try:
        actions.do_vote(request.user, found, _ids(request.POST.getlist("choice")))
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        if found.closes_at is not None:
            messages.success(
                request, _("Your vote is counted. You may change it until the poll closes.")
            )
        else:
            messages.success(request, _("Your vote is counted. You may change it later."))
    return redirect(found.get_absolute_url())


# --- Quizzes ----------------------------------------------------------------------------------


def _quiz_response(
    request: Request,
    found: Quiz,
    access: permissions.CommunityAccess,
    *,
    error: str = "",
    previous: set[int] | None = None,
) -> HttpResponse:
    return render(
        request,
        "activities/quiz.html",
        {
            "community": found.community,
            "access": access,
            "quiz": found,
            "data": queries.quiz_page(found, access),
            "can": {
                "animate": access.may_animate(found.space),
                "take_part": access.may_take_part(found.space),
            },
            "error": error,
            "previous": previous or set(),
        },
        status=400 if error else 200,
    )


@require_safe
def quiz(request: Request, slug: str, pk: int) -> HttpResponse:
    found, access = queries.item_for(request.user, slug, Quiz, pk)
    return _quiz_response(request, found, access)


@login_required
@require_POST
@web.once
def answer_quiz(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.item_for(request.user, slug, Quiz, pk)
    picks: dict[int, list[int]] = {}
    try:
        for key in request.POST:
            if key.startswith("question-"):
                picks[int(key.removeprefix("question-"))] = _ids(request.POST.getlist(key))
        attempt = actions.do_answer_quiz(request.user, found, picks)
    except ValueError:
        return _quiz_response(request, found, access, error=_("This choice is not in the quiz."))
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        previous = {pk for chosen in picks.values() for pk in chosen}
        return _quiz_response(request, found, access, error=refusal.message, previous=previous)
    messages.success(
        request,
        _("Your score: %(score)d out of %(total)d.")
        % {"score": attempt.score, "total": attempt.total},
    )
    return redirect(found.get_absolute_url())


# --- Challenges -------------------------------------------------------------------------------


def _challenge_response(
    request: Request,
    found: Challenge,
    access: permissions.CommunityAccess,
    form: AnswerForm | None = None,
) -> HttpResponse:
    data = queries.challenge_page(
        found, access, order=request.GET.get("order", ""), page_number=request.GET.get("page")
    )
    if form is None and data.may_answer:
        form = AnswerForm(initial={"body": data.mine.body} if data.mine else None)
    removable = {
        answer.pk
        for answer in data.answers.object_list
        if permissions.activities.may_remove_challenge_answer(access, found, answer.author_id)
    }
    return render(
        request,
        "activities/challenge.html",
        {
            "community": found.community,
            "access": access,
            "challenge": found,
            "data": data,
            "form": form,
            "removable": removable,
            "can": {
                "animate": access.may_animate(found.space),
                "take_part": access.may_take_part(found.space),
            },
        },
        status=400 if form is not None and form.is_bound else 200,
    )


@require_safe
def challenge(request: Request, slug: str, pk: int) -> HttpResponse:
    found, access = queries.item_for(request.user, slug, Challenge, pk)
    return _challenge_response(request, found, access)


@login_required
@require_POST
@web.once
def answer_challenge(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.item_for(request.user, slug, Challenge, pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            answer = actions.do_answer_challenge(request.user, found, form.cleaned_data["body"])
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(request, _("Your answer is shared."))
            return redirect(f"{found.get_absolute_url()}#answer-{answer.pk}")
    return _challenge_response(request, found, access, form)


@login_required
@require_POST
def remove_answer(
    request: AuthenticatedRequest, slug: str, pk: int, answer_pk: int
) -> HttpResponse:
    found, _access = queries.item_for(request.user, slug, Challenge, pk)
    answer = ChallengeAnswer.objects.filter(challenge=found, pk=answer_pk).first()
    if answer is None:
        raise Http404
    answer.challenge = found
    try:
        actions.do_remove_challenge_answer(request.user, answer)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        raise PermissionDenied(refusal.message) from refusal
    messages.success(request, _("The answer is removed."))
    return redirect(found.get_absolute_url())
