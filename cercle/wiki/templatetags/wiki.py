from __future__ import annotations

from django import template

from cercle import permissions
from cercle.conversations.models import Topic
from cercle.wiki.models import Article
from cercle.wiki.queries import captured_in

register = template.Library()


@register.simple_tag
def captured_articles(access: permissions.CommunityAccess, topic: Topic) -> list[Article]:
    """The articles made from this conversation that the reader may see."""
    return captured_in(access, topic)
