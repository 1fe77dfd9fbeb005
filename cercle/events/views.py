"""Thin views over the events' actions and queries; every form works without JavaScript."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused
from cercle.events import actions, ical, queries
from cercle.events.forms import (
    AttendanceForm,
    EventForm,
    RitualForm,
    RsvpForm,
    default_start,
    parse_local,
)
from cercle.web import AuthenticatedRequest, Request, refusals_as_messages


def _animated_spaces(access: permissions.CommunityAccess) -> QuerySet[Space]:
    spaces = permissions.readable_spaces(access)
    return spaces.filter(pk__in=[s.pk for s in spaces if access.may_animate(s)])


def _require_animator(access: permissions.CommunityAccess, space: Space) -> None:
    if not access.may_animate(space):
        raise PermissionDenied


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Events ---------------------------------------------------------------------------------


@require_safe
def event_list(request: Request, slug: str) -> HttpResponse:
    listing = queries.event_list(request.user, slug, request.GET.get("page"))
    return render(
        request,
        "events/list.html",
        {
            "community": listing.community,
            "access": listing.access,
            "upcoming": listing.upcoming,
            "more_upcoming": listing.more_upcoming,
            "page": listing.past,
            "can": {"animate": listing.access.may_animate()},
            "now": timezone.now(),
        },
    )


def _event_values(form: EventForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "time_zone": data["time_zone"],
        "description": data["description"],
        "online_url": data["online_url"],
        "place": data["place"],
        "address": data["address"],
        "capacity": data["capacity"],
        "rsvp_open": data["rsvp_open"],
        "remind_hours_before": data["remind_hours_before"],
        "publish_at": data.get("publish_at"),
    }


@login_required
@require_http_methods(["GET", "POST"])
@web.once
def new_event(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    # Only animators open it: a 404 to those who may not see the community, a 403 to
    # its other readers.
    community, access = web.community_for(request, slug, "animate", forbidden_to_readers=True)
    spaces = _animated_spaces(access)
    if request.method == "POST":
        form = EventForm(request.POST, community=community, spaces=spaces)
        if form.is_valid():
            try:
                event = actions.do_create_event(
                    request.user, form.cleaned_data["space"], **_event_values(form)
                )
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                if event.is_published:
                    messages.success(request, _("The event is announced."))
                else:
                    messages.success(
                        request, _("The event is planned; members see it when announced.")
                    )
                return redirect(event.get_absolute_url())
    else:
        starts, ends = default_start(community, timezone.now())
        asked_start = parse_local(request.GET.get("starts_at"))
        if asked_start:
            starts, ends = asked_start, asked_start + (ends - starts)
        initial: dict[str, Any] = {
            "starts_at": starts,
            "ends_at": ends,
            "publish_at": parse_local(request.GET.get("publish_at")),
            "time_zone": community.time_zone,
            "rsvp_open": True,
            "remind_hours_before": 24,
        }
        wanted = spaces.filter(slug=request.GET.get("space", "")).first()
        if wanted is not None:
            initial["space"] = wanted.pk
        elif (default := spaces.filter(is_default=True).first()) is not None:
            initial["space"] = default.pk
        form = EventForm(initial=initial, community=community, spaces=spaces)
    return render(
        request,
        "events/event_form.html",
        {"community": community, "access": access, "form": form, "event": None},
    )


@require_safe
def event(request: Request, slug: str, pk: int) -> HttpResponse:
    found, access = queries.event_for(request.user, slug, pk)
    guests = queries.guests(found, access)
    now = timezone.now()
    may_answer = (
        found.is_published
        and access.may_take_part(found.space)
        and found.rsvp_open
        and not found.is_cancelled
        and not found.has_started(now)
    )
    return render(
        request,
        "events/event.html",
        {
            "community": found.community,
            "access": access,
            "event": found,
            "guests": guests,
            "can": {"answer": may_answer, "animate": access.may_animate(found.space)},
            "started": found.has_started(now),
            "over": found.ends_at <= now,
            "choices": RsvpForm.base_fields["response"].choices,  # type: ignore[attr-defined]
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_event(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.event_for(request.user, slug, pk)
    _require_animator(access, found.space)
    community = found.community
    spaces = _animated_spaces(access)
    if request.method == "POST":
        form = EventForm(
            request.POST, community=community, spaces=spaces, published=found.is_published
        )
        if form.is_valid():
            try:
                values = _event_values(form)
                if form.cleaned_data["space"] != found.space:
                    raise ActionRefused(_("An event stays in its space: plan a new one elsewhere."))
                actions.do_edit_event(request.user, found, **values)
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The event is saved."))
                return redirect(found.get_absolute_url())
    else:
        form = EventForm(
            initial=EventForm.initial_for(found),
            community=community,
            spaces=spaces,
            published=found.is_published,
        )
    return render(
        request,
        "events/event_form.html",
        {"community": community, "access": access, "form": form, "event": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def cancel_event(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.event_for(request.user, slug, pk)
    _require_animator(access, found.space)
    if request.method == "POST":
        actions.do_cancel_event(request.user, found)
        messages.success(request, _("The event is cancelled; those who meant to come are told."))
        return redirect(found.get_absolute_url())
    return render(
        request,
        "events/cancel.html",
        {"community": found.community, "access": access, "event": found},
    )


@login_required
@require_POST
@refusals_as_messages
def rsvp(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.event_for(request.user, slug, pk)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer going, maybe or not going."))
        return redirect(found.get_absolute_url())
    answer = actions.do_rsvp(request.user, found, form.cleaned_data["response"])
    messages.success(request, _answer_message(answer.response))
    return redirect(found.get_absolute_url())


def _answer_message(response: str) -> str:
    return {
        "going": _("You are going. See you there!"),
        "waiting": _(
            "The event is full: you are on the waiting list, and will be told if a place frees up."
        ),
        "maybe": _("You may come: you will get the reminder too."),
        "not_going": _("You are not going. Thanks for saying so."),
    }.get(response, _("Your answer is saved."))


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.event_for(request.user, slug, pk)
    _require_animator(access, found.space)
    sheet = queries.attendance_sheet(found)
    choices = [(r.person_id, r.person.display_name) for r in sheet]
    initial = {"present": [r.person_id for r in sheet if r.attended]}
    form = AttendanceForm(request.POST or None, initial=initial, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            result = actions.do_mark_attendance(
                request.user, found, present=form.cleaned_data["present"], also=form.handles()
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(
                request,
                _("Attendance saved: %(marked)d marked present, %(unmarked)d unmarked.")
                % {"marked": result.marked, "unmarked": result.unmarked},
            )
            return redirect("events:attendance", slug=slug, pk=pk)
    return render(
        request,
        "events/attendance.html",
        {
            "community": found.community,
            "access": access,
            "event": found,
            "form": form,
            "sheet": sheet,
            "started": found.has_started(timezone.now()),
        },
    )


# --- Calendars ------------------------------------------------------------------------------


@require_safe
def event_ics(request: Request, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.event_for(request.user, slug, pk)
    if not found.is_published:
        raise Http404
    return _ics(ical.event_calendar(found), f"event-{found.pk}.ics")


def _feed_name(community: Community) -> str:
    return _("%(community)s: events") % {"community": community.name}


@require_safe
def community_feed(request: Request, slug: str) -> HttpResponse:
    """The public feed: what an anonymous visitor may see, whoever asks (calendar
    programs send no cookie)."""
    access = queries.feed_access(slug, None)
    feed = queries.feed(access)
    return _ics(ical.feed_calendar(feed, _feed_name(access.community)), f"{slug}-events.ics")


@require_safe
def personal_feed(request: Request, slug: str, token: str) -> HttpResponse:
    access = queries.feed_access(slug, token)
    feed = queries.feed(access)
    return _ics(ical.feed_calendar(feed, _feed_name(access.community)), f"{slug}-events.ics")


@login_required
@require_safe
def calendar_links(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "read")
    personal = request.build_absolute_uri(
        reverse(
            "events:personal_feed",
            kwargs={"slug": slug, "token": queries.feed_token(request.user)},
        )
    )
    return render(
        request,
        "events/calendar.html",
        {
            "community": community,
            "access": access,
            "public_url": request.build_absolute_uri(reverse("events:feed", kwargs={"slug": slug}))
            if permissions.events.has_public_feed(community)
            else None,
            "personal_url": personal,
        },
    )


@login_required
@require_POST
@refusals_as_messages
def renew_feed(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    web.community_for(request, slug)
    actions.do_renew_feed_key(request.user)
    messages.success(
        request, _("Your calendar address is new: the old one no longer works anywhere.")
    )
    return redirect("events:calendar", slug=slug)


# --- Rituals --------------------------------------------------------------------------------


@require_safe
def ritual_list(request: Request, slug: str) -> HttpResponse:
    community, access, rituals = queries.ritual_list(request.user, slug)
    return render(
        request,
        "events/rituals.html",
        {
            "community": community,
            "access": access,
            "rituals": rituals,
            "can": {"animate": access.may_animate()},
        },
    )


def _ritual_values(form: RitualForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "plan": actions.RitualPlan(
            rule=data["rule"],
            first_day=data["first_day"],
            start_time=data["start_time"],
            duration=data["duration"],
            announce_days=data["announce_days"],
            horizon_days=data["horizon_days"],
        ),
        "time_zone": data["time_zone"],
        "description": data["description"],
        "online_url": data["online_url"],
        "place": data["place"],
        "address": data["address"],
        "capacity": data["capacity"],
        "remind_hours_before": data["remind_hours_before"],
    }


@login_required
@require_http_methods(["GET", "POST"])
@web.once
def new_ritual(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    # Only animators open it: a 404 to those who may not see the community, a 403 to
    # its other readers.
    community, access = web.community_for(request, slug, "animate", forbidden_to_readers=True)
    spaces = _animated_spaces(access)
    if request.method == "POST":
        form = RitualForm(request.POST, community=community, spaces=spaces)
        if form.is_valid():
            try:
                ritual = actions.do_create_ritual(
                    request.user, form.cleaned_data["space"], **_ritual_values(form)
                )
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The ritual is set: its next occurrences are planned."))
                return redirect(ritual.get_absolute_url())
    else:
        start, _end = default_start(community, timezone.now())
        default = spaces.filter(is_default=True).first()
        form = RitualForm(
            initial={
                "first_day": start.date(),
                "start_time": start.time(),
                "time_zone": community.time_zone,
                "space": default.pk if default else None,
            },
            community=community,
            spaces=spaces,
        )
    return render(
        request,
        "events/ritual_form.html",
        {"community": community, "access": access, "form": form, "ritual": None},
    )


@require_safe
def ritual(request: Request, slug: str, pk: int) -> HttpResponse:
    found, access = queries.ritual_for(request.user, slug, pk)
    return render(
        request,
        "events/ritual.html",
        {
            "community": found.community,
            "access": access,
            "ritual": found,
            "occurrences": queries.ritual_occurrences(found, access),
            "can": {"animate": access.may_animate(found.space)},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_ritual(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.ritual_for(request.user, slug, pk)
    _require_animator(access, found.space)
    community = found.community
    spaces = _animated_spaces(access)
    if request.method == "POST":
        form = RitualForm(request.POST, community=community, spaces=spaces)
        if form.is_valid():
            try:
                if form.cleaned_data["space"] != found.space:
                    raise ActionRefused(_("A ritual stays in its space: set a new one elsewhere."))
                actions.do_edit_ritual(request.user, found, **_ritual_values(form))
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The ritual is saved."))
                return redirect(found.get_absolute_url())
    else:
        form = RitualForm(initial=RitualForm.initial_for(found), community=community, spaces=spaces)
    return render(
        request,
        "events/ritual_form.html",
        {"community": community, "access": access, "form": form, "ritual": found},
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def stop_ritual(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.ritual_for(request.user, slug, pk)
    _require_animator(access, found.space)
    if request.method == "POST":
        actions.do_stop_ritual(request.user, found)
        messages.success(request, _("The ritual has stopped."))
        return redirect(found.get_absolute_url())
    return render(
        request,
        "events/stop_ritual.html",
        {"community": found.community, "access": access, "ritual": found},
    )
