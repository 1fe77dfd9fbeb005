"""Topics and questions: a community's conversations, listed with filters and a
cursor, read with their posts, opened; and taking an accepted answer back.

Lists read what the pages read (`landing.visible_topics` for the whole community,
`queries.topics_in` for one space: hidden topics only for its moderators), in one
query for the topics and one for their tags, whatever the page size."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import (
    AuthorOut,
    ContentSpace,
    author_out,
    caller_for,
    community_of,
    space_of,
    space_ref,
)
from cercle.api.routes.posts import PostOut, persona_named, posts_page, topic_of
from cercle.conversations import actions, landing, queries
from cercle.conversations.models import Kind, Topic

router = Router(tags=["topics"])

ORDERINGS: dict[str, tuple[str, ...]] = {
    "latest": ("-last_activity_at", "-pk"),
    "new": ("-created_at", "-pk"),
}


class TopicOut(Schema):
    id: int
    community: str
    space: ContentSpace
    kind: Literal["discussion", "question", "announcement"]
    title: str
    # The opening post's writer as members see it: a persona, never who writes for it.
    author: AuthorOut
    tags: list[str]
    created_at: datetime
    last_activity_at: datetime
    reply_count: int
    is_solved: bool
    # The id of the accepted answer, for a solved question.
    accepted_answer_id: int | None = None
    is_pinned: bool
    is_locked: bool
    is_hidden: bool
    url: str


def topic_out(request: HttpRequest, topic: Topic) -> TopicOut:
    return TopicOut(
        id=topic.pk,
        community=topic.community.slug,
        space=space_ref(topic.space),
        kind=topic.kind,  # type: ignore[arg-type]
        title=topic.title,
        author=author_out(topic.author, topic.persona),
        tags=[tag.slug for tag in topic.tags.all()],
        created_at=topic.created_at,
        last_activity_at=topic.last_activity_at,
        reply_count=topic.reply_count,
        is_solved=topic.accepted_answer_id is not None,
        accepted_answer_id=topic.accepted_answer_id,
        is_pinned=topic.is_pinned,
        is_locked=topic.is_locked,
        is_hidden=topic.is_hidden,
        url=request.build_absolute_uri(topic.get_absolute_url()),
    )


class TopicFilters(Schema):
    # A space's address: only its topics (moderators also see its hidden ones there).
    space: str | None = None
    kind: Literal["discussion", "question", "announcement"] | None = None
    # A tag's address in the community's vocabulary.
    tag: str | None = None
    # unanswered: no reply yet (announcements left out); solved: an accepted answer;
    # unsolved: questions without one.
    status: Literal["unanswered", "solved", "unsolved"] | None = None
    # latest: last activity first; new: newest first.
    order: Literal["latest", "new"] = "latest"
    cursor: str | None = None
    limit: int = 25


def _filtered(topics: QuerySet[Topic], filters: TopicFilters) -> QuerySet[Topic]:
    if filters.kind:
        topics = topics.filter(kind=filters.kind)
    if filters.tag:
        topics = topics.filter(tags__slug=filters.tag)
    if filters.status == "unanswered":
        topics = topics.filter(reply_count=0).exclude(kind=Kind.ANNOUNCEMENT)
    elif filters.status == "solved":
        topics = topics.exclude(accepted_answer=None)
    elif filters.status == "unsolved":
        topics = topics.filter(kind=Kind.QUESTION, accepted_answer=None)
    return topics


@router.get(
    "/communities/{slug}/topics",
    response={200: Page[TopicOut], **ERRORS},
    summary="A community's topics and questions",
)
def list_topics(request: HttpRequest, slug: str, filters: Query[TopicFilters]) -> Page[TopicOut]:
    caller = caller_for(request, Scope.READ)
    community, access = community_of(caller, slug)
    if filters.space:
        space = space_of(access, filters.space)
        topics = queries.topics_in(caller.person, space, access)
    else:
        topics = landing.visible_topics(access).prefetch_related("tags")
    found, next_cursor = cursor_page(
        _filtered(topics, filters),
        ordering=ORDERINGS[filters.order],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    for topic in found:
        topic.community = community
        topic.space.community = community
    return Page[TopicOut](
        items=[topic_out(request, topic) for topic in found], next_cursor=next_cursor
    )


class TopicIn(Schema):
    # The address of the space to open it in.
    space: str
    kind: Literal["discussion", "question", "announcement"] = "discussion"
    title: str
    body: str
    # Tags from the community's vocabulary, by address (5 at most).
    tags: list[str] = []
    # Publish as this persona (its address), when the caller may speak as it.
    persona: str | None = None


class TopicCanOut(Schema):
    reply: bool
    moderate: bool
    # Take the accepted answer back.
    reopen: bool


class TopicDetailOut(TopicOut):
    can: TopicCanOut
    # The first page of its posts (the opening post first); `posts.next_cursor` goes on
    # at /topics/{id}/posts.
    posts: Page[PostOut]


def topic_detail(
    request: HttpRequest,
    topic: Topic,
    access: permissions.CommunityAccess,
    *,
    limit: int | None = None,
) -> TopicDetailOut:
    can = permissions.conversations.topic_can(access, topic)
    return TopicDetailOut(
        **topic_out(request, topic).model_dump(),
        can=TopicCanOut(reply=can.reply, moderate=can.moderate, reopen=can.reopen),
        posts=posts_page(request, topic, access, cursor=None, limit=limit),
    )


@router.post(
    "/communities/{slug}/topics",
    response={201: TopicDetailOut, **ERRORS},
    summary="Open a topic or ask a question",
)
def create_topic(request: HttpRequest, slug: str, data: TopicIn) -> Status[TopicDetailOut]:
    caller = caller_for(request, Scope.WRITE)
    _community, access = community_of(caller, slug)
    space = space_of(access, data.space)
    if not permissions.conversations.may_start_topic(access, space, data.kind):
        raise ApiError(403, _("You may not do this here."))
    topic = actions.do_start_topic(
        caller.person,
        space,
        kind=data.kind,
        title=data.title,
        body=data.body,
        tags=data.tags,
        persona=persona_named(access, data.persona),
    )
    found, access = topic_of(caller.person, topic.pk)
    return Status(201, topic_detail(request, found, access))


@router.get(
    "/topics/{topic_id}", response={200: TopicDetailOut, **ERRORS}, summary="A topic with its posts"
)
def get_topic(request: HttpRequest, topic_id: int, limit: int = 25) -> TopicDetailOut:
    caller = caller_for(request, Scope.READ)
    topic, access = topic_of(caller.person, topic_id)
    return topic_detail(request, topic, access, limit=limit)


@router.delete(
    "/topics/{topic_id}/accepted-answer",
    response={200: TopicDetailOut, **ERRORS},
    summary="Take the accepted answer back (the asker or moderators)",
)
def unaccept(request: HttpRequest, topic_id: int) -> TopicDetailOut:
    caller = caller_for(request, Scope.WRITE)
    topic, access = topic_of(caller.person, topic_id)
    if not permissions.conversations.may_accept_answer(access, topic):
        raise ApiError(403, _("You may not do this here."))
    actions.do_unaccept_answer(caller.person, topic)
    return topic_detail(request, topic, access)
