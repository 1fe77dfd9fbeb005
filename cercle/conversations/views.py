"""Thin views over the conversation actions and queries; every form works without
JavaScript, and htmx requests get just the part of the page that changed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django_stubs_ext import StrOrPromise

from cercle import permissions, web
from cercle.conversations import actions, composer, hooks, queries, reading
from cercle.conversations.forms import (
    EditForm,
    FlagForm,
    ReplyForm,
    TagForm,
    TopicForm,
    chosen_persona,
)
from cercle.conversations.models import (
    REACTION_ICONS,
    Attachment,
    Kind,
    Post,
    PostRevision,
    ReactionKind,
    Tag,
    Topic,
)
from cercle.conversations.rendering import quote
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest, Request, refusals_as_messages


@require_safe
def space(request: Request, slug: str, space: str) -> HttpResponse:
    found, access = web.space_for(request, slug, space)
    order = request.GET.get("list", "latest")
    if order not in queries.LISTS:
        order = "latest"
    # The page's one write: when the reader last came (cercle/web_effects.py).
    previous_visit = reading.note_space_visit(request.user, found)
    data = queries.space_page(
        request.user,
        found,
        access,
        order=order,
        page_number=request.GET.get("page"),
        previous_visit=previous_visit,
    )
    return render(
        request,
        "conversations/space.html",
        {
            "data": data,
            "space": found,
            "community": found.community,
            "access": access,
            "page": data.page,
            "order": order,
            "lists": queries.LISTS,
            "previous_visit": previous_visit,
            "can": data.can,
        },
    )


def _kinds(access: permissions.CommunityAccess, found: Any) -> list[tuple[str, StrOrPromise]]:
    return [
        (value, label)
        for value, label in Kind.choices
        if permissions.conversations.may_start_topic(access, found, value)
    ]


def _composer(
    request: Request, found: Any, topic: Topic | None = None, **more: Any
) -> dict[str, Any]:
    """What the composer partial (conversations/_composer.html) needs beside its form:
    where it previews, keeps its draft and uploads files, and the preview asked for
    without JavaScript (the form's "Preview" button)."""
    where = {"slug": found.community.slug, "space": found.slug}
    draft_url = (
        reverse("topic_draft", kwargs={**where, "topic_id": topic.pk})
        if topic is not None
        else reverse("topic_new_draft", kwargs=where)
    )
    preview = None
    if request.method == "POST" and "preview" in request.POST:
        preview = composer.preview_html(found, request.POST.get("body", ""))
    return {
        "preview_url": reverse("composer_preview", kwargs=where),
        "upload_url": reverse("composer_upload", kwargs=where),
        "draft_url": draft_url,
        "preview": preview,
        **more,
    }


@login_required
@web.once(unless="preview")
def new_topic(request: AuthenticatedRequest, slug: str, space: str) -> HttpResponse:
    found, access = web.space_for(request, slug, space, "post")
    tags = Tag.objects.filter(community=found.community)
    initial: dict[str, Any] = {"kind": request.GET.get("kind", Kind.DISCUSSION)}
    draft = (
        composer.draft_for(request.user, found, access=access) if request.method != "POST" else None
    )
    if draft is not None:
        initial.update(title=draft.title, body=draft.body)
    personas = hooks.speakable(access)
    form = TopicForm(
        request.POST or None,
        request.FILES or None,
        tags=tags,
        kinds=_kinds(access, found),
        initial=initial,
        personas=personas,
        writer=request.user.display_name,
    )
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        try:
            topic = actions.do_start_topic(
                request.user,
                found,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                tags=form.cleaned_data.get("tags") or [],
                files=form.cleaned_data["attachments"],
                persona=chosen_persona(form, personas),
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return redirect(topic.get_absolute_url())
    return render(
        request,
        "conversations/new_topic.html",
        {
            "space": found,
            "community": found.community,
            "access": access,
            "form": form,
            "composer": _composer(request, found, restored=draft is not None),
        },
    )


@require_safe
def topic(request: Request, slug: str, space: str, topic_id: int) -> HttpResponse:
    try:
        found, access = queries.topic_for(request.user, slug, space, topic_id)
    except Http404:
        # A merged topic is hidden; its old address leads to the topic it joined.
        target = queries.merged_into(request.user, slug, space, topic_id)
        if target is None:
            raise
        return redirect(target.get_absolute_url())
    if found.merged_into_id:
        target = queries.merged_into(request.user, slug, space, topic_id)
        if target is not None:
            return redirect(target.get_absolute_url())
    if request.GET.get("unread", "").isdigit():
        # "Jump to first unread" when that post is on another page: find it, go there.
        position = queries.first_unread_after(found, access, int(request.GET["unread"]))
        return redirect(f"{found.get_absolute_url()}?post={position}#post-{position}")
    page_number: Any = request.GET.get("page")
    if page_number is None and request.GET.get("post", "").isdigit():
        page_number = queries.page_of(found, access, int(request.GET["post"]))
    data = queries.topic_page(request.user, found, access, page_number)
    if request.user.is_authenticated and data.posts:
        # The page's one write: how far the reader has read (cercle/web_effects.py).
        reading.note_topic_read(
            request.user, found, data.posts[-1].post.position, known=data.read_until
        )
    reply_form = None
    restored = False
    if data.can.reply and request.user.is_authenticated:
        initial: dict[str, Any] = {}
        draft = composer.draft_for(request.user, found.space, found, access=access)
        if draft is not None:
            initial["body"], restored = draft.body, True
        quoted = request.GET.get("quote", "")
        if quoted.isdigit():
            source = (
                found.posts.select_related("author", "persona")
                .filter(position=int(quoted), deleted_at=None, is_hidden=False)
                .first()
            )
            if source is not None:
                # A quote asked for goes after what the draft already holds.
                before = initial.get("body", "").rstrip()
                quoted_text = quote(source.body, _signature(source))
                initial = {
                    "body": f"{before}\n\n{quoted_text}" if before else quoted_text,
                    "reply_to": source.pk,
                }
        reply_form = ReplyForm(
            initial=initial,
            personas=hooks.speakable(access),
            writer=request.user.display_name,
        )
    return render(
        request,
        "conversations/topic.html",
        _topic_context(request, data, reply_form, restored=restored),
    )


def _signature(post: Post) -> str:
    """The name a quote credits: the persona a post was written as, never its writer."""
    if post.persona is not None:
        return post.persona.name
    return post.author.display_name if post.author else _("A former member")


def _topic_context(
    request: Request, data: queries.TopicPage, reply_form: ReplyForm | None, restored: bool = False
) -> dict[str, Any]:
    return {
        "composer": _composer(request, data.space, data.topic, restored=restored),
        "data": data,
        "topic": data.topic,
        "space": data.space,
        "community": data.topic.community,
        "access": data.access,
        "reply_form": reply_form,
        # What the reader may do on the page (each post has its own `item.can`).
        "can": data.can,
        "move_targets": data.move_targets,
        "reaction_kinds": _topic_context_kinds(),
        # How often an open page asks for new replies (static/js/live.js, docs/live.md).
        "live_seconds": settings.CERCLE_LIVE_SECONDS,
    }


@login_required
@require_POST
@web.once(unless="preview")
def reply(request: AuthenticatedRequest, slug: str, space: str, topic_id: int) -> HttpResponse:
    found, access = queries.topic_for(request.user, slug, space, topic_id)
    personas = hooks.speakable(access)
    form = ReplyForm(
        request.POST, request.FILES, personas=personas, writer=request.user.display_name
    )
    if "preview" not in request.POST and form.is_valid():
        reply_to = None
        if form.cleaned_data.get("reply_to"):
            reply_to = found.posts.filter(pk=form.cleaned_data["reply_to"]).first()
        try:
            post = actions.do_reply(
                request.user,
                found,
                body=form.cleaned_data["body"],
                reply_to=reply_to,
                files=form.cleaned_data["attachments"],
                persona=chosen_persona(form, personas),
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            post.topic = found
            messages.success(request, _("Your reply is posted."))
            return redirect(post.get_absolute_url())
    data = queries.topic_page(request.user, found, access, "last")
    # htmx swaps only successful answers: the form comes back with its errors as a 200.
    status = 200 if request.htmx or "preview" in request.POST else 400
    return render(
        request, "conversations/topic.html", _topic_context(request, data, form), status=status
    )


def _render_post_page(request: Request, template: str, post: Post, **context: Any) -> HttpResponse:
    """A page about one post, with the places it belongs to for the breadcrumbs."""
    topic = post.topic
    return render(
        request,
        template,
        {
            "post": post,
            "topic": topic,
            "community": topic.community,
            "space": topic.space,
            **context,
        },
    )


def _post(
    request: Request, slug: str, space: str, topic_id: int, position: int
) -> tuple[Post, permissions.CommunityAccess]:
    found, access = queries.topic_for(request.user, slug, space, topic_id)
    post = get_object_or_404(
        Post.objects.select_related("author", "persona"), topic=found, position=position
    )
    if post.is_hidden and not permissions.conversations.sees_hidden(access, found.space):
        raise Http404
    post.topic = found
    return post, access


@login_required
def edit(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int, position: int
) -> HttpResponse:
    post, access = _post(request, slug, space, topic_id, position)
    if not permissions.conversations.may_edit(access, post, post.topic.space):
        raise Http404
    form = EditForm(request.POST or None, initial={"body": post.body, "title": post.topic.title})
    if post.position != 0:
        del form.fields["title"]
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_post(
                request.user,
                post,
                body=form.cleaned_data["body"],
                title=form.cleaned_data.get("title"),
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect(post.get_absolute_url())
    return _render_post_page(request, "conversations/edit.html", post, form=form)


@require_safe
def history(request: Request, slug: str, space: str, topic_id: int, position: int) -> HttpResponse:
    post, access = _post(request, slug, space, topic_id, position)
    if post.deleted_at and not permissions.conversations.sees_hidden(access, post.topic.space):
        raise Http404
    revisions = list(PostRevision.objects.filter(post=post).select_related("editor"))
    for revision in revisions:
        # A persona's post names the persona for its writer's edits, never the writer
        # (docs/personas.md); a moderator's edit names the moderator.
        revision.shown_editor = (  # type: ignore[attr-defined]
            post.persona.name
            if post.persona is not None and revision.editor_id == post.author_id
            else (revision.editor.display_name if revision.editor else "")
        )
    return _render_post_page(request, "conversations/history.html", post, revisions=revisions)


@login_required
@require_POST
@refusals_as_messages
def delete(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int, position: int
) -> HttpResponse:
    post, _access = _post(request, slug, space, topic_id, position)
    actions.do_delete_post(request.user, post)
    messages.success(request, _("The message is deleted."))
    return redirect(post.topic.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def accept(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int, position: int
) -> HttpResponse:
    post, access = _post(request, slug, space, topic_id, position)
    # Only the asker and those who moderate here accept: nobody else is told more.
    if not permissions.conversations.may_accept_answer(access, post.topic):
        raise Http404
    actions.do_accept_answer(request.user, post.topic, post)
    messages.success(request, _("The answer is accepted: the question is solved."))
    return redirect(post.topic.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def unaccept(request: AuthenticatedRequest, slug: str, space: str, topic_id: int) -> HttpResponse:
    found, _access = queries.topic_for(request.user, slug, space, topic_id)
    actions.do_unaccept_answer(request.user, found)
    messages.success(request, _("The question is open again."))
    return redirect(found.get_absolute_url())


@login_required
@require_POST
def react(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int, position: int, kind: str
) -> HttpResponse:
    post, access = _post(request, slug, space, topic_id, position)
    try:
        actions.do_toggle_reaction(request.user, post, kind)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        if not request.htmx:
            messages.error(request, refusal.message)
            return redirect(post.get_absolute_url())
        return HttpResponse(refusal.message, status=403)
    if request.htmx:
        view = queries.post_view(request.user, post, access)
        return render(
            request,
            "conversations/_reactions.html",
            {"item": view, "topic": post.topic, "reaction_kinds": _topic_context_kinds()},
        )
    return redirect(post.get_absolute_url())


def _topic_context_kinds() -> list[tuple[str, StrOrPromise, str]]:
    """Every kind of reaction with its label and icon, for the picker."""
    return [
        (kind, label, REACTION_ICONS[ReactionKind(kind)]) for kind, label in ReactionKind.choices
    ]


@require_safe
@never_cache
def new_posts(request: Request, topic_id: int, position: int) -> JsonResponse:
    """The live bar's question, asked every few seconds by an open topic page: how many
    posts this reader may see came after `position`, and with `?posts=1` those posts
    drawn as on the page (a capped number). Reads only: a GET writes nothing here."""
    found, access = queries.live_topic(request.user, topic_id)
    with_posts = request.GET.get("posts") == "1"
    news = queries.new_posts(request.user, found, access, position, with_posts=with_posts)
    answer: dict[str, Any] = {"count": news.count}
    if with_posts:
        answer["html"] = render_to_string(
            "conversations/_new_posts.html",
            {
                "posts": news.posts,
                "topic": found,
                "reaction_kinds": _topic_context_kinds(),
            },
            request=request,
        )
        answer["last"] = news.posts[-1].post.position if news.posts else position
        answer["more"] = news.count > len(news.posts)
        if news.posts:
            first = news.posts[0].post
            answer["first_url"] = first.get_absolute_url()
    return JsonResponse(answer)


@login_required
@web.once
def flag(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int, position: int
) -> HttpResponse:
    post, access = _post(request, slug, space, topic_id, position)
    if not permissions.conversations.may_flag(access, post, post.topic.space):
        raise Http404
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_flag(
                request.user,
                post,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Thank you: the moderators will look at this message."))
            return redirect(post.get_absolute_url())
    return _render_post_page(request, "conversations/flag.html", post, form=form)


@require_safe
def attachment(request: Request, attachment_id: int, name: str) -> FileResponse:
    """A file, only for those who may see the post it belongs to."""
    found = get_object_or_404(
        Attachment.objects.select_related("post__topic__space__community"), pk=attachment_id
    )
    post = found.post
    if post is None:
        # Dropped into a composer and not published yet: its uploader's alone.
        if not request.user.is_authenticated or found.uploader_id != request.user.pk:
            raise Http404
    else:
        if post.deleted_at:
            raise Http404
        space = post.topic.space
        access = permissions.community_access(request.user, space.community)
        hidden = post.is_hidden or post.topic.is_hidden
        if not access.reads(space) or (
            hidden and not permissions.conversations.sees_hidden(access, space)
        ):
            raise Http404
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


@login_required
@require_safe
def mention_candidates(request: AuthenticatedRequest, slug: str) -> JsonResponse:
    community, _access = web.community_for(request, slug, "post")
    people = queries.mention_candidates(community, request.GET.get("q", ""))
    return JsonResponse({"results": [{"handle": p.handle, "name": p.display_name} for p in people]})


@login_required
@web.once
def tags(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, permissions.conversations.may_curate_tags)
    form = TagForm(request.POST or None)
    if request.method == "POST":
        if "delete" in request.POST:
            number = request.POST["delete"]
            if not number.isdigit():
                raise Http404
            tag = get_object_or_404(Tag, pk=int(number), community=community)
            actions.do_delete_tag(request.user, tag)
            messages.success(request, _("The tag %(name)s is removed.") % {"name": tag.name})
            return redirect("community_tags", slug=community.slug)
        if form.is_valid():
            try:
                tag = actions.do_create_tag(
                    request.user,
                    community,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                )
            except ActionRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("The tag %(name)s is added.") % {"name": tag.name})
                return redirect("community_tags", slug=community.slug)
    return render(
        request,
        "conversations/tags.html",
        {
            "community": community,
            "access": access,
            "form": form,
            "tags": community.tags.all(),
            "can": permissions.community_can(access),
            "section": "tags",
        },
    )


TOPIC_OPERATIONS = {"lock", "unlock", "pin", "unpin", "move", "merge"}
POST_OPERATIONS = {"hide", "restore", "dismiss"}


@login_required
@require_POST
@refusals_as_messages
def moderate_topic(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int
) -> HttpResponse:
    found, access = queries.topic_for(request.user, slug, space, topic_id)
    operation = request.POST.get("operation", "")
    if operation not in TOPIC_OPERATIONS or not access.may_moderate(found.space):
        raise Http404
    actor = request.user
    if operation in {"lock", "unlock"}:
        actions.do_set_locked(actor, found, operation == "lock")
    elif operation in {"pin", "unpin"}:
        actions.do_set_pinned(actor, found, operation == "pin")
    elif operation == "move":
        target = get_object_or_404(found.community.spaces, pk=request.POST.get("space") or 0)
        found = actions.do_move_topic(actor, found, target)
    else:
        number = request.POST.get("target", "").strip().lstrip("#")
        if not number.isdigit():
            raise ActionRefused(_("Give the number of the topic to merge into."))
        target_topic = (
            found.community.topics.select_related("space", "community")
            .filter(pk=int(number))
            .first()
        )
        if target_topic is None:
            raise ActionRefused(_("There is no topic with this number in the community."))
        found = actions.do_merge_topics(actor, found, target_topic)
    messages.success(request, _("Done."))
    return redirect(found.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def moderate_post(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int, position: int
) -> HttpResponse:
    post, access = _post(request, slug, space, topic_id, position)
    operation = request.POST.get("operation", "")
    if operation not in POST_OPERATIONS or not access.may_moderate(post.topic.space):
        raise Http404
    actor = request.user
    if operation == "hide":
        actions.do_hide_post(actor, post, reason=request.POST.get("reason", ""))
    elif operation == "restore":
        actions.do_restore_post(actor, post)
    else:
        actions.do_resolve_flags(actor, post, resolution="dismissed")
    messages.success(request, _("Done."))
    return redirect(web.next_url(request, post.get_absolute_url()))


@login_required
@require_safe
def moderation_queue(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(request, slug, "moderate")
    return render(
        request,
        "conversations/moderation_queue.html",
        {
            "community": community,
            "access": access,
            "flagged": queries.flagged_posts(access),
            "can": {
                **permissions.community_can(access),
                "read_moderation_log": permissions.conversations.may_read_moderation_log(access),
            },
            "section": "moderation",
        },
    )


@login_required
@require_safe
def moderation_log(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access = web.community_for(
        request, slug, permissions.conversations.may_read_moderation_log
    )
    entries = Paginator(queries.moderation_log(access), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "conversations/moderation_log.html",
        {
            "community": community,
            "access": access,
            "can": permissions.community_can(access),
            "page": entries,
            "section": "moderation",
        },
    )


# --- The composer: preview, draft, files dropped or pasted ------------------------------------


@login_required
@require_POST
def preview(request: AuthenticatedRequest, slug: str, space: str) -> HttpResponse:
    """The HTML a message would show, rendered as publishing renders it; writes nothing."""
    found, _access = web.space_for(request, slug, space, "post")
    return render(
        request,
        "conversations/_preview.html",
        {"preview": composer.preview_html(found, request.POST.get("body", ""))},
    )


@login_required
@require_POST
def draft(
    request: AuthenticatedRequest, slug: str, space: str, topic_id: int | None = None
) -> JsonResponse:
    """Keep what the person is writing (the composer posts it as they type)."""
    found, _access = web.space_for(request, slug, space, "post")
    topic = None
    if topic_id is not None:
        topic, _access = queries.topic_for(request.user, slug, space, topic_id)
    try:
        kept = composer.do_save_draft(
            request.user,
            found,
            topic=topic,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
        )
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        return JsonResponse({"error": refusal.message}, status=400)
    return JsonResponse({"saved": kept is not None})


@login_required
@require_POST
def upload(request: AuthenticatedRequest, slug: str, space: str) -> JsonResponse:
    """A file dropped or pasted into the composer: the Markdown that shows it, or why not."""
    found, _access = web.space_for(request, slug, space, "post")
    file = request.FILES.get("file")
    if file is None:
        return JsonResponse({"error": _("Choose a file to upload.")}, status=400)
    try:
        stored = composer.do_upload(request.user, found, file)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        return JsonResponse({"error": refusal.message}, status=400)
    return JsonResponse({"markdown": composer.markdown_for(stored), "name": stored.original_name})
