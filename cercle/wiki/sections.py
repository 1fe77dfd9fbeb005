"""The wiki on other apps' pages (cercle/sections.py): on the topic page, the articles
captured from the conversation and the way to capture it; on the community's landing
page, the articles written or changed last."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.urls import reverse

from cercle import permissions, sections
from cercle.wiki import queries
from cercle.wiki.models import Article

LANDING_SHOWN = 4

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


def new_in_wiki(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The articles changed last in the spaces the reader reads (one query); with none
    yet, what the wiki is for, to members who may write (one more query, only then)."""
    if not access.reads_open_spaces():
        return None
    readable = permissions.readable_spaces(access)
    articles = list(
        Article.objects.filter(community=access.community, space__in=readable)
        .select_related("space", "created_by__profile")
        .order_by("-updated_at", "-pk")[:LANDING_SHOWN]
    )
    for article in articles:
        article.community = access.community
    if articles:
        return {"articles": articles}
    if not access.may_post():
        return None
    space = readable.order_by("-is_default", "position", "pk").first()
    if space is None:
        return None
    url = reverse("wiki_space", kwargs={"slug": access.community.slug, "space": space.slug})
    return {"articles": [], "wiki_url": url}


sections.register(
    "community.landing.main",
    name="wiki",
    template="wiki/_landing.html",
    order=36,
    load=new_in_wiki,
)
sections.register(
    "conversations.topic.head",
    name="wiki",
    template="wiki/_topic_head.html",
    order=10,
    load=captured,
)
