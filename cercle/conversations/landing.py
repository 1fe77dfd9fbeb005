"""The conversations a community's home page and the member's home show: the latest
topics with the faces of their last posters, and the questions nobody answered yet.

A bounded number of queries whatever the size: the topics (one), their posters (one,
the last few posts of each topic picked by a window function), the unanswered
questions (one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber

from cercle import permissions
from cercle.accounts.models import User
from cercle.conversations.models import Kind, Post, ReadState, Topic

if TYPE_CHECKING:
    from cercle.personas.models import Persona

LATEST_SHOWN = 8
UNANSWERED_SHOWN = 5
# Faces per topic: the opening poster, then the most recent other posters.
FACES = 4
# The last posts of each topic read to find them (a few more than faces: one person
# often writes several of the last replies).
POSTS_READ = 8


@dataclass(frozen=True)
class Face:
    """Someone who wrote in a topic: a member (linked to their profile) or a persona
    (its name only: who writes for it stays unknown, docs/personas.md)."""

    person: User | None
    persona_name: str = ""


@dataclass
class TopicLine:
    topic: Topic
    faces: list[Face] = field(default_factory=list)

    @property
    def has_new_replies(self) -> bool:
        read = getattr(self.topic, "read_position", None)
        return read is not None and self.topic.last_position > read

    @property
    def is_unread(self) -> bool:
        return hasattr(self.topic, "read_position") and self.topic.read_position is None


def _with_reading(topics: QuerySet[Topic], actor: permissions.Actor) -> QuerySet[Topic]:
    """Each topic's reading state for the reader, as a subquery (no query per row)."""
    if not actor.is_authenticated:
        return topics
    return topics.annotate(
        read_position=Subquery(
            ReadState.objects.filter(person_id=actor.pk, topic=OuterRef("pk")).values(
                "last_read_position"
            )[:1]
        )
    )


def visible_topics(access: permissions.CommunityAccess) -> QuerySet[Topic]:
    """The community's topics in the spaces the reader reads, hidden and merged ones
    left out (moderators find them in the spaces)."""
    return Topic.objects.filter(
        community=access.community,
        space__in=permissions.readable_spaces(access),
        is_hidden=False,
        merged_into=None,
    ).select_related("space", "author__profile", "persona")


def faces_of(topics: Iterable[Topic], limit: int = FACES) -> dict[int, list[Face]]:
    """Each topic's faces, the opening poster first (one query for all the topics)."""
    topics = list(topics)
    recent: dict[int, list[Post]] = {topic.pk: [] for topic in topics}
    if topics:
        posts = (
            Post.objects.filter(
                topic_id__in=list(recent), deleted_at=None, is_hidden=False, position__gt=0
            )
            .annotate(
                rank=Window(RowNumber(), partition_by=F("topic_id"), order_by=F("position").desc())
            )
            .filter(rank__lte=POSTS_READ)
            .select_related("author__profile", "persona")
            .order_by("topic_id", "-position")
        )
        for post in posts:
            recent[post.topic_id].append(post)
    found: dict[int, list[Face]] = {}
    for topic in topics:
        writers: list[tuple[User | None, Persona | None]] = [(topic.author, topic.persona)]
        writers += [(post.author, post.persona) for post in recent[topic.pk]]
        faces: list[Face] = []
        seen: set[tuple[str, int]] = set()
        for author, persona in writers:
            if persona is not None:
                key, face = ("persona", persona.pk), Face(None, persona.name)
            elif author is not None:
                key, face = ("person", author.pk), Face(author)
            else:
                continue
            if key not in seen:
                seen.add(key)
                faces.append(face)
            if len(faces) == limit:
                break
        found[topic.pk] = faces
    return found


def lines(topics: list[Topic]) -> list[TopicLine]:
    faces = faces_of(topics)
    return [TopicLine(topic, faces[topic.pk]) for topic in topics]


def latest(access: permissions.CommunityAccess, limit: int = LATEST_SHOWN) -> list[TopicLine]:
    """The most recently active topics the reader may read."""
    topics = list(
        _with_reading(visible_topics(access), access.actor).order_by("-last_activity_at")[:limit]
    )
    for topic in topics:
        topic.community = access.community
        topic.space.community = access.community
    return lines(topics)


def unanswered(access: permissions.CommunityAccess, limit: int = UNANSWERED_SHOWN) -> list[Topic]:
    """The questions still waiting for a first reply, the newest first."""
    topics = list(
        visible_topics(access)
        .filter(kind=Kind.QUESTION, reply_count=0, accepted_answer=None)
        .order_by("-created_at")[:limit]
    )
    for topic in topics:
        topic.community = access.community
        topic.space.community = access.community
    return topics
