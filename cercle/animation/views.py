"""The editorial calendar and planned posts: thin views over the animation actions and
queries. Every page is for animators; forms work without JavaScript. Times are shown
and typed in the community's time zone."""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_stubs_ext import StrOrPromise

from cercle import permissions, web
from cercle.animation import actions, queries
from cercle.animation.forms import PlannedPostForm, RhythmForm, local_input, parse_local_input
from cercle.animation.models import PlannedPost
from cercle.communities.models import Community, Space
from cercle.conversations.models import Kind as TopicKind
from cercle.errors import ActionRefused
from cercle.richtext import render_markdown
from cercle.web import AuthenticatedRequest, Request


def _zoned_render(
    request: Request, community: Community, template: str, context: dict[str, Any], **kw: Any
) -> HttpResponse:
    """Render with the community's clock, so every time on the page is in its zone."""
    with timezone.override(community.zone):
        return render(request, template, {"community": community, **context}, **kw)


def calendar_url(community: Community, view: str = "month", day: Any = None, **extra: str) -> str:
    query = {"view": view, **({"date": day.isoformat()} if day else {}), **extra}
    return f"{reverse('animation:calendar', kwargs={'slug': community.slug})}?{urlencode(query)}"


@login_required
@require_safe
def calendar(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = queries.animator_community(request.user, slug)
    view = request.GET.get("view", "month")
    if view not in queries.VIEWS:
        view = "month"
    today = queries.local_today(community)
    anchor = queries.parse_anchor(request.GET.get("date"), today)
    spaces = queries.animated_spaces(access)
    wanted = request.GET.get("space", "")
    space = next((s for s in spaces if s.slug == wanted), spaces[0] if spaces else None)
    data = queries.build_calendar(
        access,
        view=cast(queries.View, view),
        anchor=anchor,
        space=space,
        spaces=spaces,
    )
    return _zoned_render(
        request,
        community,
        "animation/calendar.html",
        {
            "access": access,
            "cal": data,
            "rhythm_form": RhythmForm(initial={"rhythm_gap_days": community.rhythm_gap_days}),
            "views": [
                ("month", _("Month")),
                ("week", _("Week")),
                ("list", _("List")),
            ],
            "space_query": space.slug if space else "",
        },
    )


@login_required
@require_POST
def rhythm(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, _access = queries.animator_community(request.user, slug)
    form = RhythmForm(request.POST)
    back = calendar_url(
        community,
        request.POST.get("view", "month") if request.POST.get("view") in queries.VIEWS else "month",
        queries.parse_anchor(request.POST.get("date"), queries.local_today(community)),
    )
    if not form.is_valid():
        messages.error(
            request,
            _("Choose between %(low)d and %(high)d days.")
            % {"low": actions.MIN_GAP_DAYS, "high": actions.MAX_GAP_DAYS},
        )
        return redirect(back)
    try:
        actions.do_set_rhythm_gap(request.user, community, form.cleaned_data["rhythm_gap_days"])
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        messages.success(
            request,
            _("The calendar now points out %(days)d quiet days in a row.")
            % {"days": community.rhythm_gap_days},
        )
    return redirect(back)


def _kinds(access: permissions.CommunityAccess, space: Space) -> list[tuple[str, StrOrPromise]]:
    return [
        (value, label)
        for value, label in TopicKind.choices
        if permissions.conversations.may_start_topic(access, space, value)
    ]


def _planned_message(post: PlannedPost, community: Community) -> str:
    if post.published_at is not None:
        return _("Your post is published.")
    if post.failure:
        return _("Your post is not published: %(reason)s") % {"reason": post.publishing_failure()}
    moment = timezone.localtime(post.publish_at, community.zone)
    return _("Your post is planned for %(moment)s (%(zone)s).") % {
        "moment": formats.date_format(moment, "DATETIME_FORMAT"),
        "zone": community.time_zone,
    }


def _after_save(request: Request, post: PlannedPost, community: Community) -> HttpResponse:
    if post.failure:
        messages.error(request, _planned_message(post, community))
    else:
        messages.success(request, _planned_message(post, community))
    if post.published_at is not None and post.topic_id:
        return redirect(post.get_absolute_url())
    day = timezone.localtime(post.publish_at or timezone.now(), community.zone).date()
    return redirect(calendar_url(community, "week", day, space=post.space.slug))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@web.once
def new_post(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = queries.animator_community(request.user, slug)
    spaces = queries.animated_spaces(access)
    if not spaces:
        raise Http404
    wanted = request.POST.get("space") or request.GET.get("space", "")
    space = next((s for s in spaces if s.slug == wanted), spaces[0])
    form = PlannedPostForm(
        request.POST or None,
        spaces=spaces,
        kinds=_kinds(access, space),
        zone=community.zone,
        initial={
            "space": space.slug,
            "topic_kind": TopicKind.DISCUSSION,
            "publish_at": parse_local_input(request.GET.get("publish_at", "")),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            post = actions.do_plan_post(
                request.user,
                form.cleaned_data["space"],
                topic_kind=form.cleaned_data["topic_kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                publish_at=form.cleaned_data["publish_at"],
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            post.community = community
            return _after_save(request, post, community)
    return _zoned_render(
        request,
        community,
        "animation/post_form.html",
        {"access": access, "form": form, "post": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def post(request: AuthenticatedRequest, slug: str, post_id: int) -> HttpResponse:
    found, access = queries.planned_post_for(request.user, slug, post_id)
    return _zoned_render(
        request,
        found.community,
        "animation/post.html",
        {"access": access, "post": found, "body_html": render_markdown(found.body)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_post(request: AuthenticatedRequest, slug: str, post_id: int) -> HttpResponse:
    found, access = queries.planned_post_for(request.user, slug, post_id)
    community = found.community
    if found.published_at is not None:
        messages.info(request, _("This post is published: change it in its conversation."))
        return redirect(found.get_absolute_url())
    spaces = queries.animated_spaces(access)
    form = PlannedPostForm(
        request.POST or None,
        spaces=spaces,
        kinds=_kinds(access, found.space),
        zone=community.zone,
        initial={
            "space": found.space.slug,
            "topic_kind": found.topic_kind,
            "title": found.title,
            "body": found.body,
            "publish_at": local_input(found.publish_at, community.zone),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_replan_post(
                request.user,
                found,
                space=form.cleaned_data["space"],
                topic_kind=form.cleaned_data["topic_kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                publish_at=form.cleaned_data["publish_at"],
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            saved.community = community
            return _after_save(request, saved, community)
    return _zoned_render(
        request,
        community,
        "animation/post_form.html",
        {"access": access, "form": form, "post": found},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def publish_post(request: AuthenticatedRequest, slug: str, post_id: int) -> HttpResponse:
    found, _access = queries.planned_post_for(request.user, slug, post_id)
    community = found.community
    try:
        published = actions.do_publish_post_now(request.user, found)
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
        return redirect(found.get_absolute_url())
    published.community = community
    if published.failure:
        messages.error(request, _planned_message(published, community))
        return redirect(
            reverse("animation:post", kwargs={"slug": community.slug, "post_id": published.pk})
        )
    messages.success(request, _planned_message(published, community))
    return redirect(published.get_absolute_url())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_post(request: AuthenticatedRequest, slug: str, post_id: int) -> HttpResponse:
    found, access = queries.planned_post_for(request.user, slug, post_id)
    community = found.community
    if found.published_at is not None:
        messages.info(request, _("This post is published: change it in its conversation."))
        return redirect(found.get_absolute_url())
    if request.method == "POST":
        day = timezone.localtime(found.publish_at or timezone.now(), community.zone).date()
        try:
            actions.do_delete_post(request.user, found)
        except ActionRefused as refusal:
            web.tell_refusal(request, refusal)
            return redirect(found.get_absolute_url())
        messages.success(request, _("The planned post is deleted."))
        return redirect(calendar_url(community, "week", day))
    return _zoned_render(
        request, community, "animation/delete_post.html", {"access": access, "post": found}
    )
