"""Reads that the wiki pages share: articles a person may read, and capture drafts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.conversations.models import Post, ReactionKind, Topic
from cercle.conversations.rendering import quote
from cercle.notifications.digest import DigestItem
from cercle.wiki.models import Article, ArticleRevision

# How many new articles a digest lists.
DIGEST_SHOWN = 8

HELPFUL_REPLIES = 3


def article_for(
    actor: permissions.Actor, slug: str, article_slug: str
) -> tuple[Article, permissions.CommunityAccess]:
    """The article, or a 404 that does not tell whether it exists."""
    community, access = permissions.community_for(actor, slug)
    article = (
        Article.objects.select_related("space", "created_by", "source_topic__space")
        .filter(community=community, slug=article_slug)
        .first()
    )
    if article is None or not access.reads(article.space):
        raise Http404
    article.community = community
    article.space.community = community
    return article, access


def digest_items(
    access: permissions.CommunityAccess, start: datetime, end: datetime
) -> list[DigestItem]:
    """The digest's "New wiki articles" (registered in `WikiConfig.ready`): the articles
    written in the period, newest first, in spaces the member reads."""
    articles = (
        Article.objects.filter(
            community=access.community,
            space__in=permissions.readable_spaces(access),
            created_at__gte=start,
            created_at__lt=end,
        )
        .select_related("community", "space")
        .order_by("-created_at", "-pk")[:DIGEST_SHOWN]
    )
    return [
        DigestItem(article.title, article.get_absolute_url(), article.space.name)
        for article in articles
    ]


def articles_in(space_id: int) -> QuerySet[Article]:
    return Article.objects.filter(space_id=space_id).select_related("community").order_by("title")


def revisions_of(article: Article) -> QuerySet[ArticleRevision]:
    """Every version of the article, newest first, with its editor."""
    return article.revisions.select_related("editor").order_by("-number")


def revision_of(article: Article, number: int) -> ArticleRevision:
    revision = article.revisions.select_related("editor").filter(number=number).first()
    if revision is None:
        raise Http404
    return revision


def source_topic_for(access: permissions.CommunityAccess, article: Article) -> Topic | None:
    """The conversation an article came from, when the reader may see it."""
    topic = article.source_topic
    if topic is None or topic.is_hidden or not access.reads(topic.space):
        return None
    topic.community = access.community
    topic.space.community = access.community
    return topic


def captured_in(access: permissions.CommunityAccess, topic: Topic) -> list[Article]:
    """The articles captured from `topic` that the reader may see."""
    articles = Article.objects.filter(source_topic=topic).select_related("space")
    found = []
    for article in articles:
        if access.reads(article.space):
            article.community = access.community
            found.append(article)
    return found


@dataclass
class CaptureDraft:
    title: str
    body: str


def _author(post: Post) -> str:
    # A persona's words are credited to the persona, never to its writer (docs/personas.md).
    if post.persona is not None:
        return post.persona.name
    return post.author.display_name if post.author else _("A former member")


def capture_draft(topic: Topic) -> CaptureDraft:
    """The article a conversation suggests: the question, the accepted answer and the
    most helpful replies, each quoted and credited, with a link back. Hidden and
    deleted messages are never used, whoever captures."""
    readable = Post.objects.filter(topic=topic, deleted_at=None, is_hidden=False).select_related(
        "author", "persona"
    )
    opening = readable.filter(position=0).first()
    accepted = (
        readable.filter(pk=topic.accepted_answer_id).first() if topic.accepted_answer_id else None
    )
    helpful = (
        readable.filter(position__gt=0)
        .exclude(pk=topic.accepted_answer_id or 0)
        .annotate(helpful=Count("reactions", filter=Q(reactions__kind=ReactionKind.HELPFUL)))
        .filter(helpful__gt=0)
        .order_by("-helpful", "position")[:HELPFUL_REPLIES]
    )
    sections: list[str] = []
    if opening is not None:
        heading = _("The question") if topic.is_question else _("The conversation")
        sections.append(f"## {heading}\n\n{quote(opening.body, _author(opening))}")
    # Headings are translated outside the f-strings: makemessages reads no f-string.
    if accepted is not None:
        heading = _("The accepted answer")
        sections.append(f"## {heading}\n\n{quote(accepted.body, _author(accepted))}")
    replies = list(helpful)
    if replies:
        heading = _("Helpful replies")
        quoted = "".join(quote(post.body, _author(post)) for post in replies)
        sections.append(f"## {heading}\n\n{quoted}")
    link = _("From the conversation [%(title)s](%(url)s).") % {
        "title": topic.title.replace("[", "\\[").replace("]", "\\]"),
        "url": topic.get_absolute_url(),
    }
    sections.append(link)
    return CaptureDraft(title=topic.title, body="\n".join(sections).strip() + "\n")
