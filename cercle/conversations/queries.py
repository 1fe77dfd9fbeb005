"""Reads that conversation pages (and later the API and feeds) share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils.text import slugify

from cercle import permissions
from cercle import sections as page_sections
from cercle.accounts.models import User
from cercle.communities.models import Community, Space, Status
from cercle.conversations.models import (
    REACTION_ICONS,
    Attachment,
    Flag,
    Kind,
    ModerationEntry,
    Post,
    Reaction,
    ReactionKind,
    ReadState,
    Topic,
)

Actor = permissions.Actor
PostCan = permissions.conversations.PostCan
TopicCan = permissions.conversations.TopicCan
LISTS = ("latest", "new", "unanswered", "top")
TOPICS_PER_PAGE = 30


def topics_in(
    actor: Actor, space: Space, access: permissions.CommunityAccess, order: str = "latest"
) -> QuerySet[Topic]:
    """The topics of a space that the actor may see, in the order of one of the lists."""
    topics = (
        Topic.objects.filter(space=space, merged_into=None)
        # Space and community too: each row's address names them.
        .select_related("author", "last_poster", "space", "community", "persona")
        .prefetch_related("tags")
    )
    if not permissions.conversations.sees_hidden(access, space):
        topics = topics.filter(is_hidden=False)
    if actor.is_authenticated:
        topics = topics.annotate(
            read_position=Subquery(
                ReadState.objects.filter(person_id=actor.pk, topic=OuterRef("pk")).values(
                    "last_read_position"
                )[:1]
            )
        )
    if order == "new":
        return topics.order_by("-created_at")
    if order == "unanswered":
        return topics.filter(reply_count=0).exclude(kind=Kind.ANNOUNCEMENT).order_by("-created_at")
    if order == "top":
        return topics.annotate(reaction_total=Count("posts__reactions", distinct=True)).order_by(
            "-reaction_total", "-reply_count", "-last_activity_at"
        )
    return topics.order_by("-is_pinned", "-last_activity_at")


@dataclass
class SpacePage:
    space: Space
    access: permissions.CommunityAccess
    order: str
    page: Page[Topic]
    # The reader's previous visit, for "new since your last visit" (None: first visit).
    previous_visit: datetime | None
    # The other spaces of the community the reader may read.
    spaces: list[Space]
    can: dict[str, bool]
    # What the apps above add to the page's head, and below its links (cercle/sections.py).
    sections: list[page_sections.Shown]
    about_sections: list[page_sections.Shown]


def space_page(
    actor: Actor,
    space: Space,
    access: permissions.CommunityAccess,
    *,
    order: str,
    page_number: str | None,
    previous_visit: datetime | None,
) -> SpacePage:
    """Everything the space page shows: its topics in the chosen list, one page of
    them, the other spaces, what the reader may do (`can`) and the apps' sections."""
    page = Paginator(topics_in(actor, space, access, order), TOPICS_PER_PAGE).get_page(page_number)
    # Read here, not while the template draws the rows.
    page.object_list = list(page.object_list)
    return SpacePage(
        space=space,
        access=access,
        order=order,
        page=page,
        previous_visit=previous_visit,
        spaces=[item for item in permissions.readable_spaces(access) if item.pk != space.pk],
        can={
            "start_topic": permissions.conversations.may_start_topic(
                access, space, Kind.DISCUSSION
            ),
            "ask": permissions.conversations.may_start_topic(access, space, Kind.QUESTION),
        },
        sections=page_sections.gather("conversations.space.head", access=access, space=space),
        about_sections=page_sections.gather(
            "conversations.space.about", access=access, space=space
        ),
    )


@dataclass(frozen=True)
class ShownReaction:
    """One kind of reaction a post has received, as its compact control shows it."""

    kind: str
    label: str
    icon: str
    count: int
    mine: bool


@dataclass
class PostView:
    post: Post
    can: PostCan
    reactions: dict[str, int] = field(default_factory=dict)
    mine: set[str] = field(default_factory=set)
    attachments: list[Attachment] = field(default_factory=list)
    is_new: bool = False

    @property
    def used_reactions(self) -> list[ShownReaction]:
        """Only the kinds someone used, in the kinds' order: the rest wait in the picker."""
        return [
            ShownReaction(
                kind=kind,
                label=str(label),
                icon=REACTION_ICONS[ReactionKind(kind)],
                count=self.reactions.get(kind, 0),
                mine=kind in self.mine,
            )
            for kind, label in ReactionKind.choices
            if self.reactions.get(kind, 0)
        ]


@dataclass
class TopicPage:
    topic: Topic
    space: Space
    access: permissions.CommunityAccess
    page: Page[Post]
    posts: list[PostView]
    # The accepted answer, shown once under the question on the first page; its place in
    # the thread then holds a short pointer to it, not a second copy.
    accepted: PostView | None
    # Whether the accepted answer's place in the thread is on this page.
    accepted_on_page: bool
    read_position: int
    # How far the reader had read before this page (None: never opened the topic).
    read_until: int | None
    # The first post the reader has not read when it is on this page (a jump within
    # the page), or None; `unread_later` when their first unread post is on a later page.
    first_unread: int | None
    unread_later: bool
    # The last position the page shows: new replies are those after it (live.js).
    last_position: int
    can: TopicCan
    # Where a moderator may move the topic.
    move_targets: list[Space]
    # What the apps above add to the topic's head (cercle/sections.py).
    sections: list[page_sections.Shown]


def topic_for(
    actor: Actor, slug: str, space_slug: str, topic_id: int
) -> tuple[Topic, permissions.CommunityAccess]:
    space, access = permissions.space_for(actor, slug, space_slug)
    topic = (
        Topic.objects.select_related(
            "author",
            "accepted_answer__author__profile",
            "accepted_answer__persona",
            "accepted_answer__imported__site",
            "community",
            "space",
            "persona",
        )
        .prefetch_related("tags")
        .filter(pk=topic_id, space=space)
        .first()
    )
    if topic is None or (
        topic.is_hidden and not permissions.conversations.sees_hidden(access, space)
    ):
        raise Http404
    topic.space = space
    topic.community = space.community
    return topic, access


def merged_into(actor: Actor, slug: str, space_slug: str, topic_id: int) -> Topic | None:
    """The topic that a merged topic joined, when the actor may read it (None otherwise)."""
    space, _access = permissions.space_for(actor, slug, space_slug)
    target = Topic.objects.filter(pk=topic_id, space=space).first()
    # A topic merged into one that was merged later: follow the chain, a few steps at most.
    for _step in range(5):
        if target is None or target.merged_into_id is None:
            break
        target = (
            Topic.objects.select_related("space__community")
            .filter(pk=target.merged_into_id)
            .first()
        )
    if target is None or target.merged_into_id is not None or target.pk == topic_id:
        return None
    access = permissions.community_access(actor, target.space.community)
    if not access.reads(target.space) or (
        target.is_hidden and not permissions.conversations.sees_hidden(access, target.space)
    ):
        return None
    target.community = target.space.community
    return target


def _visible_posts(topic: Topic, access: permissions.CommunityAccess) -> QuerySet[Post]:
    """The posts of a topic this reader sees: hidden replies only for its moderators."""
    posts = Post.objects.filter(topic=topic)
    if not permissions.conversations.sees_hidden(access, topic.space):
        posts = posts.exclude(Q(is_hidden=True) & ~Q(position=0))
    return posts


# What the topic page joins to each post: authors with their profile (for their
# face), personas, the quoted post's writer and the origin of imported posts.
POST_RELATIONS = (
    "author__profile",
    "persona",
    "reply_to__author",
    "reply_to__persona",
    "imported__site",
)


def readable_posts(topic: Topic, access: permissions.CommunityAccess) -> QuerySet[Post]:
    """The posts of a topic this reader sees, with what each shows (the API's list of
    a topic's posts): the topic page's rule, hidden replies only for its moderators."""
    return _visible_posts(topic, access).select_related(*POST_RELATIONS)


def post_views(
    actor: Actor,
    access: permissions.CommunityAccess,
    topic: Topic,
    posts: list[Post],
    *,
    read_position: int | None,
    can: TopicCan | None = None,
) -> list[PostView]:
    """`posts` with what their part of the page shows: reactions by kind with the
    reader's own (one query), attachments (one query) and what the reader may do."""
    ids = [p.pk for p in posts]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    mine: dict[int, set[str]] = defaultdict(set)
    files: dict[int, list[Attachment]] = defaultdict(list)
    if ids:
        for row in (
            Reaction.objects.filter(post_id__in=ids)
            .values("post_id", "kind")
            .annotate(n=Count("pk"), by_reader=Count("pk", filter=Q(person_id=actor.pk)))
        ):
            counts[row["post_id"]][row["kind"]] = row["n"]
            if row["by_reader"]:
                mine[row["post_id"]].add(row["kind"])
        for attachment in Attachment.objects.filter(post_id__in=ids):
            files[attachment.post_id or 0].append(attachment)
    if can is None:
        can = permissions.conversations.topic_can(access, topic)
    return [
        PostView(
            post=post,
            can=permissions.conversations.post_can(access, post, topic, can),
            reactions={kind: counts[post.pk].get(kind, 0) for kind in ReactionKind.values},
            mine=mine[post.pk],
            # Files the text already shows (dropped into the composer) are not listed again.
            attachments=[
                file
                for file in files[post.pk]
                if f'"{file.get_absolute_url()}"' not in post.body_html
            ],
            is_new=read_position is not None and post.position > read_position,
        )
        for post in posts
    ]


def topic_page(
    actor: Actor, topic: Topic, access: permissions.CommunityAccess, page_number: str | int | None
) -> TopicPage:
    posts = _visible_posts(topic, access).select_related(*POST_RELATIONS)
    paginator = Paginator(posts.order_by("position"), settings.POSTS_PER_PAGE)
    if page_number == "last":
        # Paginator itself reads "last" as a wrong number, that is, as page 1.
        page_number = paginator.num_pages
    page = paginator.get_page(page_number)
    shown = list(page.object_list)
    accepted_post = topic.accepted_answer
    # The accepted answer goes under the question, so only on the page that shows the
    # question. A hidden answer stays accepted (restoring it brings it back) but only
    # moderators see it, as they see it in its place.
    at_top = (
        accepted_post is not None
        and page.number == 1
        and not accepted_post.deleted_at
        and (
            not accepted_post.is_hidden
            or permissions.conversations.sees_hidden(access, topic.space)
        )
    )
    accepted_on_page = accepted_post is not None and any(
        post.pk == accepted_post.pk for post in shown
    )
    listed = list(shown)
    if at_top and accepted_post is not None and not accepted_on_page:
        listed.append(accepted_post)
    # None: never opened, so nothing is marked new; 0: read the opening post only.
    read_position: int | None = None
    if actor.is_authenticated:
        read_position = (
            ReadState.objects.filter(person_id=actor.pk, topic=topic)
            .values_list("last_read_position", flat=True)
            .first()
        )
    can = permissions.conversations.topic_can(access, topic)
    views = post_views(actor, access, topic, listed, read_position=read_position, can=can)
    by_id = {view.post.pk: view for view in views}
    thread = [by_id[post.pk] for post in shown]
    accepted = by_id[accepted_post.pk] if at_top and accepted_post is not None else None
    first_unread = None
    if read_position is not None:
        first_unread = next(
            (p.position for p in shown if p.position > read_position and not p.deleted_at), None
        )
    last_shown = shown[-1].position if shown else 0
    return TopicPage(
        topic=topic,
        space=topic.space,
        access=access,
        page=page,
        posts=thread,
        accepted=accepted,
        accepted_on_page=accepted_on_page,
        read_position=read_position or 0,
        read_until=read_position,
        first_unread=first_unread,
        # Read from the topic's counter (no query): replies after the page's last one.
        unread_later=(
            read_position is not None
            and first_unread is None
            and page.has_next()
            and topic.last_position > max(read_position, last_shown)
        ),
        last_position=last_shown,
        can=can,
        move_targets=[
            item for item in permissions.readable_spaces(access) if item.pk != topic.space.pk
        ]
        if can.moderate
        else [],
        sections=page_sections.gather("conversations.topic.head", access=access, topic=topic),
    )


def first_unread_after(topic: Topic, access: permissions.CommunityAccess, position: int) -> int:
    """The position of the first post after `position` this reader sees (the jump to
    the first unread post when it is on another page), or the last one."""
    visible = _visible_posts(topic, access).filter(deleted_at=None)
    found = (
        visible.filter(position__gt=position)
        .order_by("position")
        .values_list("position", flat=True)
        .first()
    )
    if found is None:
        found = visible.order_by("-position").values_list("position", flat=True).first()
    return found or 0


@dataclass
class NewPosts:
    """What a topic page open since `after` has not shown yet (the live bar)."""

    count: int
    posts: list[PostView]


# At most this many new posts come in one answer: beyond, the bar leads to the page.
NEW_POSTS_AT_ONCE = 20


def live_topic(actor: Actor, topic_id: int) -> tuple[Topic, permissions.CommunityAccess]:
    """The topic at `topic_id` when the actor may read it (a 404 otherwise), found by
    its number alone: the live endpoint's address carries no community, so that
    polling is not a visit to the community (cercle/activity/presence.py)."""
    topic = (
        Topic.objects.select_related("space__community", "community")
        .filter(pk=topic_id, merged_into=None)
        .first()
    )
    if topic is None:
        raise Http404
    access = permissions.community_access(actor, topic.space.community)
    if not access.reads(topic.space) or (
        topic.is_hidden and not permissions.conversations.sees_hidden(access, topic.space)
    ):
        raise Http404
    topic.community = topic.space.community
    return topic, access


def new_posts(
    actor: Actor,
    topic: Topic,
    access: permissions.CommunityAccess,
    after: int,
    *,
    with_posts: bool,
) -> NewPosts:
    """The posts after position `after` that this reader may see (never hidden ones
    unless they moderate, never deleted ones), counted, and with their views when
    `with_posts`. Reads only: polling writes nothing."""
    visible = _visible_posts(topic, access).filter(position__gt=after, deleted_at=None)
    count = visible.count()
    if not count or not with_posts:
        return NewPosts(count=count, posts=[])
    found = list(visible.select_related(*POST_RELATIONS).order_by("position")[:NEW_POSTS_AT_ONCE])
    return NewPosts(
        count=count,
        posts=post_views(actor, access, topic, found, read_position=after),
    )


def mention_candidates(community: Community, prefix: str, limit: int = 8) -> list[User]:
    """Members to offer when someone types @prefix (the mention autocomplete)."""
    prefix = prefix.strip().lstrip("@")[:40]
    people = User.objects.filter(
        Exists(community.memberships.filter(person=OuterRef("pk"), status=Status.ACTIVE)),
        is_active=True,
    )
    if prefix:
        people = people.filter(
            Q(handle__startswith=slugify(prefix)) | Q(display_name__icontains=prefix)
        )
    return list(people.order_by("display_name")[:limit])


def post_view(actor: Actor, post: Post, access: permissions.CommunityAccess) -> PostView:
    """One post with its reaction counts, for the part of the page htmx replaces."""
    return post_views(actor, access, post.topic, [post], read_position=None)[0]


def flagged_posts(access: permissions.CommunityAccess) -> list[tuple[Post, list[Flag]]]:
    """Posts with open flags, in spaces the moderator may read, oldest flag first."""
    readable = permissions.readable_spaces(access)
    flags = (
        Flag.objects.filter(
            resolved_at=None,
            post__topic__community=access.community,
            post__topic__space__in=readable,
        )
        .select_related(
            "post__author",
            "post__persona",
            "post__topic__space",
            "post__topic__community",
            "reporter",
        )
        .order_by("created_at")[:200]
    )
    grouped: dict[int, tuple[Post, list[Flag]]] = {}
    for flag in flags:
        grouped.setdefault(flag.post_id, (flag.post, []))[1].append(flag)
    return list(grouped.values())


def moderation_log(access: permissions.CommunityAccess) -> QuerySet[ModerationEntry]:
    """The community's moderation entries about topics the reader may read: staff see
    the log to rescue a community, not the topics of spaces closed to them."""
    entries = ModerationEntry.objects.filter(community=access.community)
    if not access.is_coordinator:
        readable = permissions.readable_spaces(access)
        entries = entries.filter(Q(topic=None) | Q(topic__space__in=readable))
    return entries.select_related("moderator", "topic__space", "topic__community")


def page_of(topic: Topic, access: permissions.CommunityAccess, position: int) -> int:
    """The page of the topic that shows the post at `position`, as this reader sees it."""
    before = _visible_posts(topic, access).filter(position__lt=position).count()
    return before // settings.POSTS_PER_PAGE + 1
