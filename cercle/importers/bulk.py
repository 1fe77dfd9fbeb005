"""Writing many rows fast, with the times they really had.

Imports write through `bulk_create` in batches, inside the import's one
transaction: a few statements per thousand rows instead of one per row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, models

from cercle.activity import verbs
from cercle.activity.log import new_event
from cercle.activity.models import ActivityEvent
from cercle.badges.models import CustomBadge
from cercle.communities.models import Membership
from cercle.conversations.models import Post, PostRevision, Reaction, Tag, Topic
from cercle.search.index import (
    MAX_BODY_CHARS,
    clean_text,
    stored_text_vector,
    tag_text,
)
from cercle.search.models import SearchDocument

BATCH = 500
M = TypeVar("M", bound=models.Model)

# The `created_at` fields that `auto_now_add` fills with "now": an import gives them
# the original times instead (see `original_times`).
_CREATED_AT: list[tuple[type[models.Model], str]] = [
    (Membership, "created_at"),
    (Tag, "created_at"),
    (Topic, "created_at"),
    (Post, "created_at"),
    (PostRevision, "created_at"),
    (Reaction, "created_at"),
    (ActivityEvent, "created_at"),
    (CustomBadge, "created_at"),
]
_times_lock = threading.Lock()


@contextmanager
def original_times() -> Iterator[None]:
    """Let `created_at` take the value an object carries instead of "now".

    `auto_now_add` overwrites any value, in `bulk_create` too; writing each row
    again with an UPDATE would double the work. So, while the import runs, the
    flag is off on these fields and every object must carry its time. This changes
    the fields for the whole process: an import runs in its own process (the
    `cercle import` command, the benchmark), never inside the web server.
    """
    with _times_lock:
        fields = [_date_field(model, name) for model, name in _CREATED_AT]
        before = [field.auto_now_add for field in fields]
        try:
            for field in fields:
                field.auto_now_add = False
            yield
        finally:
            for field, value in zip(fields, before, strict=True):
                field.auto_now_add = value


def _date_field(model: type[models.Model], name: str) -> models.DateField[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.DateField):  # pragma: no cover - a model changed
        raise TypeError(f"{model.__name__}.{name} is not a date field")
    return field


def insert(objects: Sequence[M]) -> int:
    """Insert the objects (their primary keys are set); the number of rows."""
    if not objects:
        return 0
    type(objects[0])._default_manager.bulk_create(objects, batch_size=BATCH)
    return len(objects)


def event(
    verb: verbs.Verb,
    *,
    community_id: int,
    actor_id: int | None,
    target: tuple[str, int] | None,
    created_at: datetime,
    space_id: int | None = None,
) -> ActivityEvent:
    """An activity event as `record_event` writes it, at its original time: `verb`
    must be declared, its level is the declared one."""
    return new_event(
        verb,
        community_id=community_id,
        actor_id=actor_id,
        target=target,
        created_at=created_at,
        space_id=space_id,
    )


def search_document(
    *,
    kind: str,
    object_id: int,
    community_id: int,
    space_id: int,
    title: str,
    body: str,
    url: str,
    author_id: int | None,
    created_at: datetime,
    tags: Sequence[str],
    topic_kind: str,
    is_solved: bool,
    language: str,
    topic_id: int | None,
) -> SearchDocument:
    """The document `search.index.index_document` would write, ready for a bulk insert
    (the same cleaning). On SQLite the FTS5 triggers index each inserted row; on
    PostgreSQL `fill_search_vectors` computes the vectors after the insert."""
    return SearchDocument(
        kind=kind,
        object_id=object_id,
        topic_id=topic_id,
        community_id=community_id,
        space_id=space_id,
        title=clean_text(title).strip(),
        body=clean_text(body).strip()[:MAX_BODY_CHARS],
        url=url,
        author_id=author_id,
        created_at=created_at,
        tags=tag_text(tags),
        topic_kind=topic_kind,
        is_solved=is_solved,
        is_visible=True,
        language=language,
    )


def fill_search_vectors(documents: Sequence[SearchDocument]) -> int:
    """On PostgreSQL, compute the inserted documents' vectors in one UPDATE: the database
    reads the texts it already has, instead of each row carrying its own expression."""
    if connection.vendor != "postgresql" or not documents:
        return 0
    return SearchDocument.objects.filter(pk__in=[d.pk for d in documents]).update(
        search_vector=stored_text_vector()
    )
