"""Every change to wiki articles (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one
transaction with a new `ArticleRevision`, keeps the search index in step and
records its activity event. Refusals raise `ActionRefused` and write nothing;
an edit started from an older version raises `Conflict`, which carries the text
that was saved meanwhile so the person can merge.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Space
from cercle.conversations.models import Topic
from cercle.conversations.rendering import plain_text
from cercle.errors import ActionRefused
from cercle.search.index import index_document
from cercle.wiki.models import Article, ArticleRevision
from cercle.wiki.rendering import render_article

MAX_BODY = 100_000


class Conflict(ActionRefused):
    """The article moved on since the edit started; nothing was written."""

    def __init__(self, current: ArticleRevision) -> None:
        super().__init__(
            _("Someone saved this article while you were editing it: combine both texts.")
        )
        self.current = current


def _require(access: permissions.CommunityAccess, space: Space) -> None:
    if not access.may_post(space):
        raise ActionRefused(_("You may not do this here."), not_found=not access.reads(space))


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ActionRefused(_("Give the article a title of at least 3 characters."))
    if len(title) > 200:
        raise ActionRefused(_("The title is too long: 200 characters at most."))
    return title


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip("\n").rstrip()
    if not body.strip():
        raise ActionRefused(_("Write the article first."))
    if len(body) > MAX_BODY:
        raise ActionRefused(
            _("This article is too long: %(count)d characters at most.") % {"count": MAX_BODY}
        )
    return body


def _unique_slug(space: Space, title: str) -> str:
    base = (slugify(title) or "article")[:200]
    taken = set(
        Article.objects.filter(community_id=space.community_id, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def _render(article: Article) -> None:
    rendered = render_article(article.body)
    article.body_html = rendered.html
    article.toc_html = rendered.toc_html


def _index(article: Article) -> None:
    community = article.space.community
    index_document(
        kind="article",
        object_id=article.pk,
        url=article.get_absolute_url(),
        community_id=article.community_id,
        space_id=article.space_id,
        title=article.title,
        body=plain_text(article.body_html),
        author_id=article.created_by_id,
        created_at=article.created_at,
        tags=[],
        topic_kind="",
        is_solved=False,
        is_visible=True,
        language=community.language,
    )


def do_create_article(
    actor: User,
    space: Space,
    *,
    title: str,
    body: str,
    source_topic: Topic | None = None,
    note: str = "",
) -> Article:
    access = permissions.community_access(actor, space.community)
    _require(access, space)
    title, body = _clean_title(title), _clean_body(body)
    if source_topic is not None and not _may_capture(access, source_topic):
        raise ActionRefused(_("You may not capture this conversation."))
    with transaction.atomic():
        article = Article(
            community=space.community,
            space=space,
            title=title,
            slug=_unique_slug(space, title),
            body=body,
            created_by=actor,
            revision_number=1,
            source_topic=source_topic,
        )
        _render(article)
        article.save()
        ArticleRevision.objects.create(
            article=article, number=1, title=title, body=body, editor=actor, note=note[:300]
        )
        _index(article)
        record_event(
            verbs.ARTICLE_CAPTURED if source_topic is not None else verbs.ARTICLE_CREATED,
            actor=actor,
            community=space.community,
            target=article,
        )
    return article


def _may_capture(access: permissions.CommunityAccess, topic: Topic) -> bool:
    return (
        topic.community_id == access.community.pk
        and access.may_post(topic.space)
        and not topic.is_hidden
        and topic.merged_into_id is None
    )


def _save_revision(
    actor: User, article: Article, *, title: str, body: str, base: int, note: str, verb: verbs.Verb
) -> Article:
    """A new version of `article`, which the caller holds locked."""
    article.title, article.body = title, body
    article.revision_number += 1
    _render(article)
    article.save()
    ArticleRevision.objects.create(
        article=article,
        number=article.revision_number,
        title=title,
        body=body,
        editor=actor,
        note=note[:300],
        base_number=base,
    )
    _index(article)
    record_event(verb, actor=actor, community=article.community, target=article)
    return article


def do_edit_article(
    actor: User, article: Article, *, title: str, body: str, base_number: int, note: str = ""
) -> Article:
    """Save a new version, unless someone saved another since `base_number`: then
    raise `Conflict` (nothing written) with the current version, to merge."""
    space = article.space
    _require(permissions.community_access(actor, space.community), space)
    title, body = _clean_title(title), _clean_body(body)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        locked.space, locked.community = space, space.community
        if locked.revision_number != base_number:
            raise Conflict(
                locked.revisions.select_related("editor").get(number=locked.revision_number)
            )
        if title == locked.title and body == locked.body:
            return locked
        return _save_revision(
            actor,
            locked,
            title=title,
            body=body,
            base=base_number,
            note=note,
            verb=verbs.ARTICLE_EDITED,
        )


def do_restore_revision(actor: User, article: Article, number: int) -> Article:
    """Bring an old version back, as a new version (the history keeps everything)."""
    space = article.space
    _require(permissions.community_access(actor, space.community), space)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        locked.space, locked.community = space, space.community
        old = locked.revisions.filter(number=number).first()
        if old is None:
            raise ActionRefused(_("This version does not exist."), not_found=True)
        if old.number == locked.revision_number:
            raise ActionRefused(_("This version is already the current one."))
        return _save_revision(
            actor,
            locked,
            title=old.title,
            body=old.body,
            base=locked.revision_number,
            note=_("Restored version %(number)d") % {"number": number},
            verb=verbs.ARTICLE_RESTORED,
        )
