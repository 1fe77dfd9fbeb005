"""Reading the search index: ranked hits that the reader is allowed to see.

Every query is built on `readable_documents()`, which keeps only visible documents
in spaces that `permissions.readable_spaces_everywhere(actor)` lets the reader
read, as a subquery of the same SQL statement: a hit can never show what the
page would not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import reduce
from html import escape
from operator import or_
from typing import Any

from django.contrib.postgres.search import (
    SearchConfig,
    SearchHeadline,
    SearchQuery,
    SearchRank,
)
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connection
from django.db.models import BigIntegerField, Case, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Replace
from django.utils.safestring import SafeString, mark_safe

from cercle import permissions
from cercle.search.index import CONFIGURATIONS, FTS_TABLE, PG_TAG_BREAK, clean_tag, clean_text
from cercle.search.models import SearchDocument

MAX_LIMIT = 100
# Longer query texts are cut: nobody types more, and it bounds the work.
MAX_QUERY_CHARS = 500
# At most this many words of a query are searched for.
MAX_TERMS = 16
# Private markers around highlighted words: the index never contains them
# (index.clean_text), so after escaping they turn into <mark> safely.
START, STOP = "\x02", "\x03"
# SQLite's bm25() weights, in the FTS5 table's column order: title, body, tags.
BM25_WEIGHTS = "10.0, 1.0, 4.0"
# The same without the tags: how well a document's own words match.
TEXT_WEIGHTS = "10.0, 1.0, 0.0"
# Words as SQLite's unicode61 tokenizer sees them (letters and digits).
_WORD = re.compile(r"[^\W_]+")
# What a hit needs from its document (never the body or the vector).
_HIT_FIELDS = (
    "kind", "object_id", "title", "url", "community", "space", "author", "created_at",
    "topic_id", "topic_kind", "is_solved",
)  # fmt: skip
_SQLITE_HIT_COLUMNS = (
    "kind", "object_id", "title", "url", "community_id", "space_id", "author_id", "created_at",
    "topic_id", "topic_kind", "is_solved",
)  # fmt: skip
# A document's group on the search page: its topic, or itself when it has none
# (document ids negated, so that they never meet a topic id).
_GROUP = "COALESCE(topic_id, -id)"


@dataclass(frozen=True)
class SearchFilters:
    space_id: int | None = None
    community_id: int | None = None
    kind: str = ""
    topic_kind: str = ""
    solved: bool | None = None
    tag: str = ""
    author_id: int | None = None
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created strictly before


NO_FILTERS = SearchFilters()


@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    title: str
    snippet_html: str  # safe HTML: the text escaped, matching words in <mark>…</mark>
    url: str
    community_id: int
    space_id: int
    author_id: int | None
    created_at: datetime
    rank: float
    # The topic the document belongs to (None for a library resource or an article),
    # its kind and solved state; and, from `search_topics`, how many of the topic's
    # documents match (its best one is this hit).
    topic_id: int | None = None
    topic_kind: str = ""
    is_solved: bool = False
    matches: int = 1
    # From `search_topics`: the title, escaped, with the matching words in <mark>.
    title_html: str = ""


def search(
    actor: permissions.Actor,
    text: str,
    filters: SearchFilters = NO_FILTERS,
    *,
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Hit], int]:
    """The hits for `text` that `actor` may see, best first (ties: newest first),
    from `offset`, at most `limit` of them; and how many there are in all."""
    text = clean_text(text[:MAX_QUERY_CHARS])
    words = _WORD.findall(text)[:MAX_TERMS]
    if not words:
        return [], 0
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    documents = readable_documents(actor, filters)
    if connection.vendor == "postgresql":
        return _search_postgresql(documents, text, limit, offset)
    return _search_sqlite(documents, words, limit, offset)


def search_topics(
    actor: permissions.Actor,
    text: str,
    filters: SearchFilters = NO_FILTERS,
    *,
    limit: int = 20,
    offset: int = 0,
    any_word: bool = False,
) -> tuple[list[Hit], int]:
    """Like `search`, with one hit per topic: the topic's best-matching document (its
    opening post or a reply), whose `matches` counts the topic's matching documents.
    A document of no topic (a library resource, an article) is a hit of its own.
    Topics rank by their best document (ties: newest first), and `offset`, `limit` and
    the total count topics, so pages never split or repeat a topic.

    With `any_word`, a document matches if it has any of the words (the more and
    rarer, the better): for suggestions from a title being typed, not a search box.
    """
    text = clean_text(text[:MAX_QUERY_CHARS])
    words = _WORD.findall(text)[:MAX_TERMS]
    if not words:
        return [], 0
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    documents = readable_documents(actor, filters)
    if connection.vendor == "postgresql":
        query = _words_query(text, words, any_word)
        return _topics_postgresql(documents, query, limit, offset)
    return _topics_sqlite(documents, words, any_word, limit, offset)


def readable_documents(
    actor: permissions.Actor, filters: SearchFilters = NO_FILTERS
) -> QuerySet[SearchDocument]:
    """The documents `actor` may see that pass `filters`, before any text matching."""
    documents = SearchDocument.objects.filter(
        space_id__in=permissions.readable_spaces_everywhere(actor).values("pk"),
        is_visible=True,
    )
    conditions = Q()
    if filters.space_id is not None:
        conditions &= Q(space_id=filters.space_id)
    if filters.community_id is not None:
        conditions &= Q(community_id=filters.community_id)
    if filters.kind:
        conditions &= Q(kind=filters.kind)
    if filters.topic_kind:
        conditions &= Q(topic_kind=filters.topic_kind)
    if filters.solved is not None:
        conditions &= Q(is_solved=filters.solved)
    if filters.tag:
        tag = clean_tag(filters.tag)
        conditions &= (
            Q(tags=tag)
            | Q(tags__startswith=f"{tag} ")
            | Q(tags__endswith=f" {tag}")
            | Q(tags__contains=f" {tag} ")
        )
    if filters.author_id is not None:
        conditions &= Q(author_id=filters.author_id)
    if filters.since is not None:
        conditions &= Q(created_at__gte=filters.since)
    if filters.until is not None:
        conditions &= Q(created_at__lt=filters.until)
    return documents.filter(conditions)


def highlight(text: str) -> SafeString:
    """Escape `text`, then turn the private markers into <mark> elements."""
    html = escape(text.replace("\x01", ""), quote=True)
    html = html.replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - every character from the text is escaped above


# --- One hit per topic (both databases) -------------------------------------------------


def _best_of_each_group(
    matched: str, params: list[Any], limit: int, offset: int
) -> tuple[list[tuple[int, int]], int]:
    """From `matched`, a statement whose rows are the matching documents as (id, grp,
    score, text_score, created_at), higher scores better: the ids of the best document of
    each group on the page, with how many documents of its group match; and how many
    groups in all. Window functions pick each group's best row; SQLite (3.25+) and
    PostgreSQL have them.

    Groups rank by their best score. The document shown is the one whose own words
    (title and body, `text_score`) match best, the first written among equals (the
    opening post when only the tags match: every reply carries its topic's tags). Only
    documents whose own words match count as matching messages."""
    sql = (
        "SELECT id, matches, COUNT(*) OVER () AS total FROM ("  # noqa: S608
        "SELECT id, created_at, MAX(score) OVER (PARTITION BY grp) AS best, "
        "SUM(CASE WHEN text_score > 0 THEN 1 ELSE 0 END) OVER (PARTITION BY grp) AS matches, "
        "ROW_NUMBER() OVER (PARTITION BY grp "
        "ORDER BY text_score DESC, created_at, id) AS nth "
        f"FROM ({matched}) AS matched) AS ranked "
        "WHERE nth = 1 ORDER BY best DESC, created_at DESC, id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if rows:
            return [(row[0], row[1]) for row in rows], rows[0][2]
        if offset == 0:
            return [], 0
        # Past the last page: the total still tells the pagination where it ends.
        cursor.execute(f"SELECT COUNT(DISTINCT grp) FROM ({matched}) AS matched", params)  # noqa: S608
        (total,) = cursor.fetchone()
        return [], total


def _in_page_order(page: list[tuple[int, int]], hits: dict[int, Hit]) -> list[Hit]:
    """The page's hits in its order, each with its group's number of matches."""
    return [replace(hits[pk], matches=matches) for pk, matches in page if pk in hits]


# --- PostgreSQL --------------------------------------------------------------------------


def _search_postgresql(
    documents: QuerySet[SearchDocument], text: str, limit: int, offset: int
) -> tuple[list[Hit], int]:
    fr, en = CONFIGURATIONS
    query = _words_query(text, [], any_word=False)
    matches = documents.filter(search_vector=query)
    total = matches.count()
    if total <= offset or limit == 0:
        return [], total
    # Each document's words are highlighted as parsed in its own language.
    language = Case(When(language="fr", then=Value(fr)), default=Value(en))
    rows = (
        matches.annotate(
            rank=SearchRank(F("search_vector"), query, cover_density=True),
            headline=_pg_headline(query, language),
        )
        .order_by("-rank", "-created_at", "-pk")
        .only(*_HIT_FIELDS)[offset : offset + limit]
    )
    return [_hit(row, float(row.rank), row.headline) for row in rows], total


def _words_query(text: str, words: list[str], any_word: bool) -> SearchQuery:
    """The text as `search` reads it (websearch syntax), or, with `any_word`, any of
    its words; stemmed in French and in English."""
    fr, en = CONFIGURATIONS
    if not any_word:
        return SearchQuery(text, config=fr, search_type="websearch") | SearchQuery(
            text, config=en, search_type="websearch"
        )
    queries = [SearchQuery(word, config=config) for word in words for config in (fr, en)]
    combined: SearchQuery = reduce(or_, queries)
    return combined


def _topics_postgresql(
    documents: QuerySet[SearchDocument], query: SearchQuery, limit: int, offset: int
) -> tuple[list[Hit], int]:
    matched = (
        documents.filter(search_vector=query)
        .annotate(
            grp=Coalesce(F("topic_id"), -F("id"), output_field=BigIntegerField()),
            score=SearchRank(F("search_vector"), query, cover_density=True),
            # The weights of D, C (body), B (tags) and A (title): the tags count for nothing.
            text_score=SearchRank(
                F("search_vector"), query, weights=[0.0, 0.2, 0.0, 1.0], cover_density=True
            ),
        )
        .values_list("id", "grp", "score", "text_score", "created_at")
    )
    sql, params = matched.query.sql_with_params()
    page, total = _best_of_each_group(sql, list(params), limit, offset)
    if not page:
        return [], total
    fr, en = CONFIGURATIONS
    language = Case(When(language="fr", then=Value(fr)), default=Value(en))
    rows = (
        SearchDocument.objects.filter(pk__in=[pk for pk, _matches in page])
        .annotate(
            rank=SearchRank(F("search_vector"), query, cover_density=True),
            headline=_pg_headline(query, language),
            title_headline=SearchHeadline(
                Replace(F("title"), Value("<"), Value(PG_TAG_BREAK)),
                query,
                config=SearchConfig(language),
                start_sel=START,
                stop_sel=STOP,
                highlight_all=True,
            ),
        )
        .only(*_HIT_FIELDS)
    )
    hits = {row.pk: _hit(row, float(row.rank), row.headline, row.title_headline) for row in rows}
    return _in_page_order(page, hits), total


# --- SQLite ------------------------------------------------------------------------------


def fts5_query(words: list[str], *, any_word: bool = False) -> str:
    """An FTS5 query that matches every word (or any of them), the last one as a prefix.

    Each word is quoted, so FTS5 reads it as a plain string whatever it says
    (AND, NEAR, a column name); `_WORD` lets no quote through.
    """
    quoted = [f'"{word}"' for word in words]
    quoted[-1] += "*"
    return (" OR " if any_word else " ").join(quoted)


def _search_sqlite(
    documents: QuerySet[SearchDocument], words: list[str], limit: int, offset: int
) -> tuple[list[Hit], int]:
    conditions = _conditions_sql(documents)
    if conditions is None:
        return [], 0
    where, where_params = conditions
    match = fts5_query(words)
    fts, table = FTS_TABLE, SearchDocument._meta.db_table
    # The FTS5 table drives (CROSS JOIN keeps it the outer loop): only matching rows
    # are checked against the conditions, each fetched by primary key.
    matching = (
        f"FROM {fts} CROSS JOIN {table} ON {table}.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND {where}"
    )
    params = [match, *where_params]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) {matching}", params)
        (total,) = cursor.fetchone()
    if total <= offset or limit == 0:
        return [], total
    score = f"bm25({fts}, {BM25_WEIGHTS})"
    order = f"{score}, {table}.created_at DESC, {table}.id DESC"
    # The page is chosen first, so that snippet() runs on its rows only.
    page = f"SELECT {fts}.rowid {matching} ORDER BY {order} LIMIT %s OFFSET %s"
    columns = ", ".join(f"{table}.{column}" for column in _SQLITE_HIT_COLUMNS)
    # Only constants and Django's compiled conditions go into the SQL; the user's
    # words travel as parameters.
    sql = (
        f"SELECT {table}.id, {columns}, -{score} AS score, "  # noqa: S608
        f"snippet({fts}, 1, char(2), char(3), ' … ', 24) AS snippet_text "
        f"FROM {fts} CROSS JOIN {table} ON {table}.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND {fts}.rowid IN ({page}) ORDER BY {order}"
    )
    rows = SearchDocument.objects.raw(sql, [match, *params, limit, offset])
    # score and snippet_text are the raw query's own columns, unknown to the model.
    return [
        _hit(row, getattr(row, "score"), getattr(row, "snippet_text"))  # noqa: B009
        for row in rows
    ], total


def _topics_sqlite(
    documents: QuerySet[SearchDocument],
    words: list[str],
    any_word: bool,
    limit: int,
    offset: int,
) -> tuple[list[Hit], int]:
    conditions = _conditions_sql(documents)
    if conditions is None:
        return [], 0
    where, where_params = conditions
    match = fts5_query(words, any_word=any_word)
    fts, table = FTS_TABLE, SearchDocument._meta.db_table
    # As in `_search_sqlite`: the FTS5 table drives, the user's words are parameters.
    matched = (
        f"SELECT {table}.id AS id, {_GROUP} AS grp, "  # noqa: S608
        f"-bm25({fts}, {BM25_WEIGHTS}) AS score, -bm25({fts}, {TEXT_WEIGHTS}) AS text_score, "
        f"{table}.created_at AS created_at "
        f"FROM {fts} CROSS JOIN {table} ON {table}.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND {where}"
    )
    page, total = _best_of_each_group(matched, [match, *where_params], limit, offset)
    if not page:
        return [], total
    columns = ", ".join(f"{table}.{column}" for column in _SQLITE_HIT_COLUMNS)
    ids = [pk for pk, _matches in page]
    # snippet() only for the page's documents (it must run in the statement that matches).
    sql = (
        f"SELECT {table}.id, {columns}, -bm25({fts}, {BM25_WEIGHTS}) AS score, "  # noqa: S608
        f"snippet({fts}, 1, char(2), char(3), ' … ', 24) AS snippet_text, "
        f"highlight({fts}, 0, char(2), char(3)) AS title_text "
        f"FROM {fts} CROSS JOIN {table} ON {table}.id = {fts}.rowid "
        f"WHERE {fts} MATCH %s AND {fts}.rowid IN ({', '.join(['%s'] * len(ids))})"
    )
    rows = SearchDocument.objects.raw(sql, [match, *ids])
    hits = {}
    for row in rows:
        extra = row.__dict__  # score, snippet_text and title_text: the raw query's own
        hits[row.pk] = _hit(row, extra["score"], extra["snippet_text"], extra["title_text"])
    return _in_page_order(page, hits), total


def _conditions_sql(documents: QuerySet[SearchDocument]) -> tuple[str, list[Any]] | None:
    """The WHERE clause of `documents` (permissions and filters), as SQL to reuse in
    the FTS5 statements; None when it can match nothing."""
    query = documents.query
    if [alias for alias, uses in query.alias_refcount.items() if uses] != [query.base_table]:
        # The clause is reused without its joins: conditions stay on the table's own columns.
        raise ValueError("search conditions must be on search_searchdocument's own columns")
    compiler = query.get_compiler(connection=connection)
    try:
        where, params = query.where.as_sql(compiler, connection)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1", []
    return f"({where})", list(params)


def _hit(
    document: SearchDocument, rank: float, snippet: str | None, title: str | None = None
) -> Hit:
    return Hit(
        kind=document.kind,
        object_id=document.object_id,
        title=document.title,
        snippet_html=highlight(snippet or ""),
        url=document.url,
        community_id=document.community_id,
        space_id=document.space_id,
        author_id=document.author_id,
        created_at=document.created_at,
        rank=rank,
        topic_id=document.topic_id,
        topic_kind=document.topic_kind,
        is_solved=bool(document.is_solved),
        title_html=highlight(title) if title else "",
    )


def _pg_headline(query: Any, language: Any) -> SearchHeadline:
    """PostgreSQL's snippet of a document's body with the matches marked (the body's
    "<" hidden first, so that the escaping after it sees only the marks)."""
    return SearchHeadline(
        Replace(F("body"), Value("<"), Value(PG_TAG_BREAK)),
        query,
        config=SearchConfig(language),
        start_sel=START,
        stop_sel=STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
