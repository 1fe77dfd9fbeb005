"""What the search pages show: one result per topic with what it names (the topic's
kind, solved state, replies and last activity, its space and community, the author of
the best-matching post), and the similar topics offered while a title is typed.

Each reads a fixed number of queries, whatever the number of results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations.models import Topic
from cercle.search.query import Hit, SearchFilters, search_topics

SIMILAR_LIMIT = 5
# Suggestions are taken among this many best matches, solved ones first.
SIMILAR_POOL = 10
# Words too common to make two titles similar, in the two languages of Cercle.
# (PostgreSQL's French and English configurations drop them by themselves; SQLite's
# tokenizer knows no language.) Words shorter than three letters count for nothing too.
_COMMON = """
    the and for are but not you all any can had her was one our out has have how
    what when where which who why will with this that from they them then than
    there their your into about does did doing should would could just some
    les des une est pas pour que qui dans par sur avec ces mes tes ses son sont
    mais comment quoi quel quelle quels quelles faire fait peut être avoir vous
    nous leur leurs entre aussi plus moins très tout tous toute toutes
"""
COMMON_WORDS = frozenset(_COMMON.split())
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Result:
    hit: Hit
    title: str
    url: str
    community_name: str
    space: Space | None
    topic: Topic | None  # None for a library resource or an article
    author: User | None  # of the best-matching document

    @property
    def in_reply(self) -> bool:
        """Whether the best match is a reply (its snippet is not the opening post's)."""
        return self.hit.kind == "post"


def results(hits: list[Hit], communities: list[Community]) -> list[Result]:
    """The hits of `search_topics`, with their topics, spaces and authors; a topic
    hidden or merged since it was indexed is left out."""
    topic_ids = {hit.topic_id for hit in hits if hit.topic_id is not None}
    topics = (
        Topic.objects.filter(pk__in=topic_ids, is_hidden=False, merged_into=None)
        .select_related("community", "space")
        .in_bulk()
        if topic_ids
        else {}
    )
    other_spaces = {hit.space_id for hit in hits if hit.topic_id is None}
    spaces = Space.objects.in_bulk(other_spaces) if other_spaces else {}
    author_ids = {hit.author_id for hit in hits if hit.author_id is not None}
    authors = User.objects.select_related("profile").in_bulk(author_ids) if author_ids else {}
    names = {community.pk: community.name for community in communities}
    shown = []
    for hit in hits:
        topic = topics.get(hit.topic_id) if hit.topic_id is not None else None
        if hit.topic_id is not None and topic is None:
            continue
        shown.append(
            Result(
                hit=hit,
                title=topic.title if topic else hit.title,
                url=topic.get_absolute_url() if topic else hit.url,
                community_name=topic.community.name if topic else names.get(hit.community_id, ""),
                space=topic.space if topic else spaces.get(hit.space_id),
                topic=topic,
                author=authors.get(hit.author_id) if hit.author_id is not None else None,
            )
        )
    return shown


def similar_topics(actor: permissions.Actor, community: Community, title: str) -> list[Topic]:
    """Up to five topics of `community` that `actor` may read whose title or opening
    post shares words with `title`: among the ten closest, the solved ones first."""
    words = [
        word for word in _WORD.findall(title) if len(word) >= 3 and word.lower() not in COMMON_WORDS
    ]
    if not words:
        return []
    hits, _total = search_topics(
        actor,
        " ".join(words),
        SearchFilters(community_id=community.pk, kind="topic"),
        limit=SIMILAR_POOL,
        any_word=True,
    )
    # sorted() keeps the ranking among the solved ones and among the others.
    chosen = sorted(hits, key=lambda hit: not hit.is_solved)[:SIMILAR_LIMIT]
    if not chosen:
        return []
    topics = (
        Topic.objects.filter(
            pk__in=[hit.topic_id for hit in chosen], is_hidden=False, merged_into=None
        )
        .select_related("community", "space")
        .in_bulk()
    )
    return [topics[hit.topic_id] for hit in chosen if hit.topic_id in topics]
