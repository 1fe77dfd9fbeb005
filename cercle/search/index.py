"""Writing the search index, for the apps that own the content.

Call these functions from the owning app's actions, inside the transaction that
changes the content: the document then commits or rolls back with it. None of
them checks permissions; `search.query` filters every read instead.

On SQLite the FTS5 table follows the documents through triggers (migration
0002); on PostgreSQL `index_document` computes the `search_vector` column in the
same statement that writes the document (docs/search.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import reduce
from operator import add

from django.contrib.postgres.search import SearchVector, SearchVectorCombinable
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F, Q, TextField, Value
from django.db.models.functions import Replace

from cercle.search.models import SearchDocument

# Longest body kept; longer texts are cut (PostgreSQL limits a tsvector to 1 MB).
MAX_BODY_CHARS = 100_000
# The PostgreSQL text search configurations (migration 0003): french and english
# stemming, both after unaccent. Every document is indexed in both.
CONFIGURATIONS = ("cercle_fr", "cercle_en")
# Control characters never reach the index: the private markers that delimit
# highlights in snippets (\x02, \x03) stay unambiguous, and PostgreSQL refuses NUL.
# Lone surrogates go too: no database driver can encode them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_REASSIGN_CHUNK = 500
# PostgreSQL's parser reads "<word ...>" as an HTML tag and skips it (and the whole
# content of a <script> element). Bodies are plain text, so a \x01 after each "<"
# keeps those words; ts_headline drops the \x01 again (query.highlight too).
PG_TAG_BREAK = "<\x01"

# The SQLite side (the same statements as migration 0002, which is frozen history;
# `restore_sqlite_triggers` needs them after a migration rebuilds the table).
FTS_TABLE = "search_fts"
SQLITE_TRIGGERS = {
    "search_fts_after_insert": (
        "CREATE TRIGGER search_fts_after_insert AFTER INSERT ON search_searchdocument BEGIN "
        "INSERT INTO search_fts(rowid, title, body, tags) "
        "VALUES (new.id, new.title, new.body, new.tags); END"
    ),
    "search_fts_after_delete": (
        "CREATE TRIGGER search_fts_after_delete AFTER DELETE ON search_searchdocument BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, body, tags) "
        "VALUES ('delete', old.id, old.title, old.body, old.tags); END"
    ),
    "search_fts_after_update": (
        "CREATE TRIGGER search_fts_after_update "
        "AFTER UPDATE OF title, body, tags ON search_searchdocument BEGIN "
        "INSERT INTO search_fts(search_fts, rowid, title, body, tags) "
        "VALUES ('delete', old.id, old.title, old.body, old.tags); "
        "INSERT INTO search_fts(rowid, title, body, tags) "
        "VALUES (new.id, new.title, new.body, new.tags); END"
    ),
}


def clean_text(text: str) -> str:
    """Composed Unicode (so accents fold the same way everywhere), no control characters."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFC", text))


def clean_tag(tag: str) -> str:
    return "-".join(clean_text(tag).lower().split())


def tag_text(tags: Sequence[str]) -> str:
    """Tags as a document stores them: clean distinct slugs, separated by spaces."""
    return " ".join(dict.fromkeys(filter(None, map(clean_tag, tags))))


def index_document(
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
    tags: Sequence[str] = (),
    topic_kind: str = "",
    is_solved: bool = False,
    is_visible: bool = True,
    language: str = "en",
    topic_id: int | None = None,
) -> None:
    """Insert or replace the document (kind, object_id). Call it inside the caller's
    transaction. `body` is plain text (no markup); `tags` are tag slugs;
    `community_id` must be the community of `space_id`; `topic_id` is the topic a
    conversation's document belongs to (the search page groups by it)."""
    if isinstance(tags, str):  # a str is a sequence too: it would index each letter
        raise TypeError("tags is a sequence of slugs, not one string")
    document = SearchDocument(
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
        is_visible=is_visible,
        language=language,
    )
    fields = [
        "topic_id", "community", "space", "title", "body", "url", "author", "created_at", "tags",
        "topic_kind", "is_solved", "is_visible", "language",
    ]  # fmt: skip
    if connection.vendor == "postgresql":
        document.search_vector = _document_vector(document)
        fields.append("search_vector")
    # One statement, safe against a concurrent first indexing of the same object.
    SearchDocument.objects.bulk_create(
        [document],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=fields,
    )


def _document_vector(document: SearchDocument) -> SearchVectorCombinable:
    """Title weighted A, tags B, body C, each stemmed in French and in English."""
    parts = [
        SearchVector(Value(text.replace("<", PG_TAG_BREAK)), config=config, weight=weight)
        for text, weight in (
            (document.title, "A"),
            (document.tags, "B"),
            (document.body, "C"),
        )
        for config in CONFIGURATIONS
    ]
    vector: SearchVectorCombinable = reduce(add, parts)
    return vector


def stored_text_vector(*, tags: str | None = None) -> SearchVectorCombinable:
    """The same vector as `index_document`'s, computed by the database from the stored
    columns (for rows written in bulk), or with `tags` in place of the stored tags (an
    UPDATE reads the columns as they were before it)."""
    texts = {
        "title": F("title"),
        "tags": F("tags") if tags is None else Value(tags),
        "body": F("body"),
    }
    parts = [
        SearchVector(
            Replace(texts[column], Value("<"), Value(PG_TAG_BREAK), output_field=TextField()),
            config=config,
            weight=weight,
        )
        for column, weight in (("title", "A"), ("tags", "B"), ("body", "C"))
        for config in CONFIGURATIONS
    ]
    vector: SearchVectorCombinable = reduce(add, parts)
    return vector


def set_topic_state(
    *, topic_id: int, topic_kind: str, is_solved: bool, tags: Sequence[str]
) -> None:
    """Give a topic's other documents (its replies) the topic's kind, solved state and
    tags, which `index_document` wrote when each reply was written: a filter on them
    then keeps or drops a whole topic, never some of its replies."""
    replies = SearchDocument.objects.filter(topic_id=topic_id).exclude(kind="topic")
    replies.filter(~Q(topic_kind=topic_kind) | ~Q(is_solved=is_solved)).update(
        topic_kind=topic_kind, is_solved=is_solved
    )
    slugs = tag_text(tags)
    changed: dict[str, object] = {"tags": slugs}
    if connection.vendor == "postgresql":
        changed["search_vector"] = stored_text_vector(tags=slugs)
    replies.exclude(tags=slugs).update(**changed)


def remove_document(*, kind: str, object_id: int) -> None:
    SearchDocument.objects.filter(kind=kind, object_id=object_id).delete()


def set_visibility(*, kind: str, object_id: int, is_visible: bool) -> None:
    """Hidden or deleted content keeps its document, which search never returns."""
    SearchDocument.objects.filter(kind=kind, object_id=object_id).update(is_visible=is_visible)


def reassign_space(
    *, kinds_and_ids: Iterable[tuple[str, int]], space_id: int, community_id: int
) -> None:
    """Move documents to another space (a topic and its replies moving together)."""
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, object_id in kinds_and_ids:
        by_kind[kind].append(object_id)
    for kind, object_ids in by_kind.items():
        for start in range(0, len(object_ids), _REASSIGN_CHUNK):
            chunk = object_ids[start : start + _REASSIGN_CHUNK]
            SearchDocument.objects.filter(Q(kind=kind) & Q(object_id__in=chunk)).update(
                space_id=space_id, community_id=community_id
            )


def restore_sqlite_triggers(
    sender: object, *, using: str = DEFAULT_DB_ALIAS, **kwargs: object
) -> None:
    """After `migrate`: put back the FTS5 triggers if a migration lost them.

    On SQLite, Django alters a table by copying it into a new one and dropping the
    old, which drops its triggers: the index would silently stop following the
    documents. This recreates them and rebuilds the index from the documents.
    """
    db = connections[using]
    if db.vendor != "sqlite":
        return
    with transaction.atomic(using=using), db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') AND name LIKE %s",
            ["search_%"],
        )
        present = {name for (name,) in cursor.fetchall()}
        missing = [name for name in SQLITE_TRIGGERS if name not in present]
        if FTS_TABLE not in present or not missing:
            return
        for name in missing:
            cursor.execute(SQLITE_TRIGGERS[name])
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")  # noqa: S608
