"""Posts: a topic's messages (the opening post and the replies), their edits with
every revision kept, hiding by moderators, and accepting an answer.

Each endpoint asks the permissions package what the topic page asks
(`permissions.conversations.*`) and calls the same action (`do_reply`,
`do_edit_post`, `do_hide_post`, `do_restore_post`, `do_accept_answer`)."""

from __future__ import annotations

from datetime import datetime

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import AuthorOut, author_out, caller_for
from cercle.conversations import actions, queries
from cercle.conversations.models import Post, PostRevision, Topic
from cercle.personas.models import Persona

router = Router(tags=["posts"])

POST_ORDERING = ("position", "pk")


class PostCanOut(Schema):
    """What the caller may do with the post, as its page offers."""

    edit: bool
    delete: bool
    flag: bool
    react: bool
    accept: bool
    moderate: bool


class PostOut(Schema):
    id: int
    topic_id: int
    position: int
    author: AuthorOut
    # Markdown as written, and the HTML every page shows (sanitised at save); both
    # empty for a deleted post, whose place stays in the conversation.
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None = None
    revision_count: int
    is_hidden: bool
    is_deleted: bool
    is_accepted_answer: bool
    # The position of the quoted post, if any.
    reply_to: int | None = None
    reactions: dict[str, int]
    my_reactions: list[str]
    can: PostCanOut
    url: str


def post_out(request: HttpRequest, view: queries.PostView, topic: Topic) -> PostOut:
    post = view.post
    deleted = post.deleted_at is not None
    return PostOut(
        id=post.pk,
        topic_id=topic.pk,
        position=post.position,
        author=author_out(post.author, post.persona),
        body="" if deleted else post.body,
        body_html="" if deleted else post.body_html,
        created_at=post.created_at,
        edited_at=post.edited_at,
        revision_count=post.revision_count,
        is_hidden=post.is_hidden,
        is_deleted=deleted,
        is_accepted_answer=topic.accepted_answer_id == post.pk,
        reply_to=post.reply_to.position if post.reply_to_id and post.reply_to else None,
        reactions={kind: count for kind, count in view.reactions.items() if count},
        my_reactions=sorted(view.mine),
        can=PostCanOut(
            edit=view.can.edit,
            delete=view.can.delete,
            flag=view.can.flag,
            react=view.can.react,
            accept=view.can.accept,
            moderate=view.can.moderate,
        ),
        url=request.build_absolute_uri(post.get_absolute_url()),
    )


def topic_of(actor: permissions.Actor, topic_id: int) -> tuple[Topic, permissions.CommunityAccess]:
    """A topic the caller reads, found by its number (`queries.live_topic`: a 404 for
    a topic in a space they do not read, hidden from them, or merged away)."""
    return queries.live_topic(actor, topic_id)


def post_of(actor: permissions.Actor, post_id: int) -> tuple[Post, permissions.CommunityAccess]:
    """A post the caller sees (its topic page's rule), or a 404."""
    topic_id = Post.objects.filter(pk=post_id).values_list("topic_id", flat=True).first()
    if topic_id is None:
        raise Http404
    topic, access = topic_of(actor, topic_id)
    post = queries.readable_posts(topic, access).filter(pk=post_id).first()
    if post is None:
        raise Http404
    post.topic = topic
    return post, access


def posts_page(
    request: HttpRequest,
    topic: Topic,
    access: permissions.CommunityAccess,
    *,
    cursor: str | None,
    limit: int | None,
) -> Page[PostOut]:
    """One page of the topic's posts in their order, with reactions and what the caller
    may do: a fixed number of queries whatever the page size (`queries.post_views`)."""
    posts, next_cursor = cursor_page(
        queries.readable_posts(topic, access),
        ordering=POST_ORDERING,
        cursor=cursor,
        limit=limit,
    )
    for post in posts:
        post.topic = topic
    views = queries.post_views(access.actor, access, topic, posts, read_position=None)
    return Page[PostOut](
        items=[post_out(request, view, topic) for view in views], next_cursor=next_cursor
    )


def one_post(request: HttpRequest, post: Post, access: permissions.CommunityAccess) -> PostOut:
    return post_out(request, queries.post_view(access.actor, post, access), post.topic)


# --- Endpoints ---------------------------------------------------------------------------------


@router.get(
    "/topics/{topic_id}/posts", response={200: Page[PostOut], **ERRORS}, summary="A topic's posts"
)
def list_posts(
    request: HttpRequest, topic_id: int, cursor: str | None = None, limit: int = 25
) -> Page[PostOut]:
    caller = caller_for(request, Scope.READ)
    topic, access = topic_of(caller.person, topic_id)
    return posts_page(request, topic, access, cursor=cursor, limit=limit)


class ReplyIn(Schema):
    body: str
    # The id of a post of the same topic that this one answers (quote-reply).
    reply_to: int | None = None
    # Publish as this persona (its address), when the caller may speak as it.
    persona: str | None = None


def persona_named(access: permissions.CommunityAccess, slug: str | None) -> Persona | None:
    """The community's persona at `slug`; whether the caller may speak as it is the
    action's question (`permissions.personas.may_speak_as`)."""
    if not slug:
        return None
    persona = Persona.objects.filter(community=access.community, slug=slug).first()
    if persona is None or not permissions.personas.may_speak_as(access, persona):
        raise ApiError(403, _("You may not speak as this persona."))
    return persona


@router.post(
    "/topics/{topic_id}/posts",
    response={201: PostOut, **ERRORS},
    summary="Reply to a topic (an answer, in a question)",
)
def create_post(request: HttpRequest, topic_id: int, data: ReplyIn) -> Status[PostOut]:
    caller = caller_for(request, Scope.WRITE)
    topic, access = topic_of(caller.person, topic_id)
    if not permissions.conversations.may_reply(access, topic):
        raise ApiError(403, _("You may not do this here."))
    reply_to = None
    if data.reply_to is not None:
        reply_to = queries.readable_posts(topic, access).filter(pk=data.reply_to).first()
        if reply_to is None:
            raise ApiError(422, _("You can only quote a message of the same topic."))
    post = actions.do_reply(
        caller.person,
        topic,
        body=data.body,
        reply_to=reply_to,
        persona=persona_named(access, data.persona),
    )
    post.topic = topic
    return Status(201, one_post(request, post, access))


@router.get("/posts/{post_id}", response={200: PostOut, **ERRORS}, summary="One post")
def get_post(request: HttpRequest, post_id: int) -> PostOut:
    caller = caller_for(request, Scope.READ)
    post, access = post_of(caller.person, post_id)
    return one_post(request, post, access)


class PostEditIn(Schema):
    body: str
    # The topic's new title (the opening post only).
    title: str | None = None


@router.patch(
    "/posts/{post_id}",
    response={200: PostOut, **ERRORS},
    summary="Edit a post (a revision is kept)",
)
def edit_post(request: HttpRequest, post_id: int, data: PostEditIn) -> PostOut:
    caller = caller_for(request, Scope.WRITE)
    post, access = post_of(caller.person, post_id)
    if not permissions.conversations.may_edit(access, post, post.topic.space):
        raise ApiError(403, _("You may not do this here."))
    topic = post.topic
    edited = actions.do_edit_post(caller.person, post, body=data.body, title=data.title)
    edited.topic = topic
    return one_post(request, edited, access)


class PostRevisionOut(Schema):
    number: int
    # The topic's title as of this revision (opening posts; empty when unchanged).
    title: str
    body: str
    editor: AuthorOut
    created_at: datetime


@router.get(
    "/posts/{post_id}/revisions",
    response={200: list[PostRevisionOut], **ERRORS},
    summary="Every version of a post, newest first",
)
def post_revisions(request: HttpRequest, post_id: int) -> list[PostRevisionOut]:
    caller = caller_for(request, Scope.READ)
    post, access = post_of(caller.person, post_id)
    if post.deleted_at and not permissions.conversations.sees_hidden(access, post.topic.space):
        raise Http404
    revisions = PostRevision.objects.filter(post=post).select_related("editor")
    # As the history page: a persona's post names the persona for its writer's edits,
    # never the writer; a moderator's edit names the moderator.
    return [
        PostRevisionOut(
            number=revision.number,
            title=revision.title,
            body=revision.body,
            editor=author_out(revision.editor, post.persona)
            if post.persona is not None and revision.editor_id == post.author_id
            else author_out(revision.editor, None),
            created_at=revision.created_at,
        )
        for revision in revisions.order_by("-number")
    ]


class PostHideIn(Schema):
    reason: str = ""


@router.post(
    "/posts/{post_id}/hide", response={200: PostOut, **ERRORS}, summary="Hide a post (moderators)"
)
def hide_post(request: HttpRequest, post_id: int, data: PostHideIn) -> PostOut:
    caller = caller_for(request, Scope.WRITE)
    post, access = post_of(caller.person, post_id)
    if not access.may_moderate(post.topic.space):
        raise ApiError(403, _("You may not do this here."))
    actions.do_hide_post(caller.person, post, reason=data.reason)
    return one_post(request, post, access)


@router.post(
    "/posts/{post_id}/restore",
    response={200: PostOut, **ERRORS},
    summary="Show a hidden post again",
)
def restore_post(request: HttpRequest, post_id: int) -> PostOut:
    caller = caller_for(request, Scope.WRITE)
    post, access = post_of(caller.person, post_id)
    if not access.may_moderate(post.topic.space):
        raise ApiError(403, _("You may not do this here."))
    actions.do_restore_post(caller.person, post)
    return one_post(request, post, access)


@router.post(
    "/posts/{post_id}/accept",
    response={200: PostOut, **ERRORS},
    summary="Accept this answer (the asker or moderators)",
)
def accept_post(request: HttpRequest, post_id: int) -> PostOut:
    caller = caller_for(request, Scope.WRITE)
    post, access = post_of(caller.person, post_id)
    topic = post.topic
    if not permissions.conversations.may_accept_answer(access, topic):
        raise ApiError(403, _("You may not do this here."))
    actions.do_accept_answer(caller.person, topic, post)
    return one_post(request, post, access)
