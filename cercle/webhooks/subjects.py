"""What an activity event is about, as webhooks and chat bridges tell it.

`subject_of(event)` loads the object an event of the catalogue names (a topic, a post,
a membership, an event, a poll, a contest, a wiki article, an idea) with its
community, space and tags, in a fixed small number of queries (one or two, whatever
the object), and answers None when there is nothing to tell any more: the object is
gone, hidden, deleted, merged away, or planned and not yet published.

What it holds is what a member reading the page sees: the author is the public name
the pages show, a persona's name for what was written as a persona (never its real
writer), and the excerpt is plain text cut at 300 characters.

`readable_by(subject, person)` and `may_receive(subject, person)` ask the permissions
package (`permissions.webhooks`) whether that person may read what the subject is
about, and whether they may be told of it (a flag raised only to the space's
moderators). Staff are asked like anyone else: they read only what their own
memberships (or a public community) let them read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.urls import reverse

from cercle import permissions
from cercle.accounts.models import User
from cercle.activities.models import Poll
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Community, Membership, Space, Status
from cercle.contests.models import Contest
from cercle.conversations.models import Post, Topic
from cercle.conversations.rendering import plain_text
from cercle.events.models import Event
from cercle.ideas.models import Idea
from cercle.webhooks import catalogue
from cercle.webhooks.catalogue import EventType
from cercle.wiki.models import Article

EXCERPT_LENGTH = 300


@dataclass(frozen=True)
class CommunityRef:
    id: int
    slug: str
    name: str
    language: str


@dataclass(frozen=True)
class SpaceRef:
    id: int
    name: str


@dataclass(frozen=True)
class Subject:
    """What one event is about, as members of its space see it."""

    type: EventType
    verb: str  # the activity verb (e.g. `event.rsvp.going`)
    event_id: int
    community: CommunityRef
    space: SpaceRef | None
    tags: tuple[str, ...]
    object_kind: str  # topic, post, membership, event, poll, contest, article, idea
    object_id: int
    title: str
    excerpt: str  # plain text, at most EXCERPT_LENGTH characters
    url: str  # absolute
    author: str  # the public name pages show ("" when none)
    occurred_at: datetime
    # The loaded rows the permission questions need; not part of what is sent.
    community_row: Community = field(repr=False, compare=False)
    space_row: Space | None = field(repr=False, compare=False)
    # For a membership: the person who joined (whether the reader may see them).
    person_row: User | None = field(default=None, repr=False, compare=False)

    def data(self) -> dict[str, Any]:
        """The `data` of a webhook payload: plain JSON."""
        return {
            "id": self.object_id,
            "kind": self.object_kind,
            "verb": self.verb,
            "title": self.title,
            "excerpt": self.excerpt,
            "url": self.url,
            "author": self.author,
            "community": {
                "id": self.community.id,
                "slug": self.community.slug,
                "name": self.community.name,
                "language": self.community.language,
            },
            "space": (
                {"id": self.space.id, "name": self.space.name} if self.space is not None else None
            ),
            "tags": list(self.tags),
            "occurred_at": self.occurred_at.isoformat(),
        }


def excerpt(html: str) -> str:
    """The words of rendered HTML, cut at EXCERPT_LENGTH characters (with an ellipsis)."""
    text = plain_text(html)
    if len(text) <= EXCERPT_LENGTH:
        return text
    return text[: EXCERPT_LENGTH - 1].rstrip() + "…"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _name(person: User | None) -> str:
    return str(person) if person is not None else ""


def _post_author(post: Post) -> str:
    """The name pages show for a post: its persona's when written as one."""
    if post.persona_id is not None and post.persona is not None:
        return post.persona.name
    return _name(post.author)


@dataclass
class _Found:
    community: Community
    space: Space | None
    kind: str
    pk: int
    title: str
    excerpt: str
    path: str
    author: str
    tags: tuple[str, ...] = ()
    person: User | None = None


def _tags(topic: Topic) -> tuple[str, ...]:
    return tuple(sorted(tag.name for tag in topic.tags.all()))


def _topic(pk: int) -> _Found | None:
    opening = (
        Post.objects.select_related(
            "topic__community", "topic__space", "topic__persona", "persona", "author"
        )
        .filter(topic_id=pk, position=0)
        .first()
    )
    if opening is None:
        return None
    topic = opening.topic
    if topic.is_hidden or topic.merged_into_id is not None or opening.is_hidden:
        return None
    return _Found(
        topic.community,
        topic.space,
        "topic",
        topic.pk,
        topic.title,
        excerpt(opening.body_html),
        topic.get_absolute_url(),
        _post_author(opening),
        _tags(topic),
    )


def _post(pk: int) -> _Found | None:
    post = (
        Post.objects.select_related("topic__community", "topic__space", "persona", "author")
        .filter(pk=pk)
        .first()
    )
    if post is None:
        return None
    topic = post.topic
    if post.is_hidden or post.deleted_at is not None or topic.is_hidden:
        return None
    if topic.merged_into_id is not None:
        return None
    return _Found(
        topic.community,
        topic.space,
        "post",
        post.pk,
        topic.title,
        excerpt(post.body_html),
        post.get_absolute_url(),
        _post_author(post),
        _tags(topic),
    )


def _membership(pk: int) -> _Found | None:
    membership = (
        Membership.objects.select_related("community", "person")
        .filter(pk=pk, status=Status.ACTIVE)
        .first()
    )
    if membership is None or not membership.person.is_active:
        return None
    community = membership.community
    return _Found(
        community,
        None,
        "membership",
        membership.pk,
        community.name,
        "",
        reverse("community", kwargs={"slug": community.slug}),
        _name(membership.person),
        person=membership.person,
    )


def _plannable(model: type[Model], text_field: str, author_field: str) -> Any:
    def load(pk: int) -> _Found | None:
        item: Any = (
            model._default_manager.select_related("community", "space", author_field)
            .filter(pk=pk)
            .first()
        )
        if item is None:
            return None
        if hasattr(item, "published_at") and item.published_at is None:
            return None
        return _Found(
            item.community,
            item.space,
            model._meta.model_name or "",
            item.pk,
            item.title,
            excerpt(getattr(item, text_field)),
            item.get_absolute_url(),
            _name(getattr(item, author_field)),
        )

    return load


_LOADERS: dict[str, Any] = {
    "conversations.topic": _topic,
    "conversations.post": _post,
    "communities.membership": _membership,
    "events.event": _plannable(Event, "description_html", "created_by"),
    "activities.poll": _plannable(Poll, "description_html", "created_by"),
    "contests.contest": _plannable(Contest, "brief_html", "created_by"),
    "wiki.article": _plannable(Article, "body_html", "created_by"),
    "ideas.idea": _plannable(Idea, "description_html", "author"),
}


def subject_of(event: ActivityEvent) -> Subject | None:
    """What `event` is about, or None when its verb is no type of the catalogue, or its
    object is gone, hidden or not published."""
    kinds = catalogue.types_of(event.verb)
    if not kinds or event.object_id is None:
        return None
    load = _LOADERS.get(event.object_type)
    if load is None:
        return None
    found: _Found | None = load(event.object_id)
    if found is None:
        return None
    community = found.community
    space = found.space
    return Subject(
        type=kinds[0],
        verb=event.verb,
        event_id=event.pk,
        community=CommunityRef(community.pk, community.slug, community.name, community.language),
        space=SpaceRef(space.pk, space.name) if space is not None else None,
        tags=found.tags,
        object_kind=found.kind,
        object_id=found.pk,
        title=found.title,
        excerpt=found.excerpt,
        url=absolute(found.path),
        author=found.author,
        occurred_at=event.created_at,
        community_row=community,
        space_row=space,
        person_row=found.person,
    )


_PLANNED: dict[str, type[Model]] = {
    "events.event": Event,
    "activities.poll": Poll,
    "contests.contest": Contest,
}


def planned_for(event: ActivityEvent) -> datetime | None:
    """When the planned item `event` names is due to be published, if it is not yet
    (a delivery about it waits until then); None otherwise."""
    model = _PLANNED.get(event.object_type)
    if model is None or event.object_id is None:
        return None
    moment: datetime | None = (
        model._default_manager.filter(pk=event.object_id, published_at=None)
        .values_list("publish_at", flat=True)
        .first()
    )
    return moment


def readable_by(subject: Subject, person: User) -> bool:
    """Whether `person` may read what `subject` is about (the permissions package)."""
    access = permissions.community_access(person, subject.community_row)
    return permissions.webhooks.may_read_subject(access, subject.space_row, subject.person_row)


def may_receive(subject: Subject, person: User) -> bool:
    """Whether `person` may be told of `subject` by a webhook: they may read it, and
    for a `moderators_only` type (a flag raised) they moderate its space."""
    access = permissions.community_access(person, subject.community_row)
    return permissions.webhooks.may_receive_subject(
        access,
        subject.space_row,
        subject.person_row,
        moderators_only=subject.type.moderators_only,
    )
