"""The wiki on the topic page (cercle/sections.py): the articles captured from the
conversation, and the way to capture it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cercle import permissions, sections
from cercle.wiki import queries

if TYPE_CHECKING:
    from cercle.conversations.models import Topic


def captured(access: permissions.CommunityAccess, topic: Topic) -> Mapping[str, Any] | None:
    """The articles made from this conversation that the reader may see (one query);
    writers of the space may turn a visible conversation into an article."""
    articles = queries.captured_in(access, topic)
    can = {"capture": access.may_post(topic.space) and not topic.is_hidden}
    if not articles and not can["capture"]:
        return None
    return {"captured": articles, "can": can}


sections.register(
    "conversations.topic.head",
    name="wiki",
    template="wiki/_topic_head.html",
    order=10,
    load=captured,
)
