"""Wiki articles and their revisions: read where their space is read
(`queries.article_for`), written by those who may post there (`do_create_article`,
`do_edit_article`).

An edit names the revision it started from (`base_revision`); when someone saved
another since, nothing is written and the answer is a 409 problem carrying the
current revision, to combine both texts, as the page's merge screen does."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from cercle import permissions
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.content import (
    AuthorOut,
    ContentSpace,
    caller_for,
    community_of,
    person_out,
    space_of,
    space_ref,
)
from cercle.wiki import actions, queries
from cercle.wiki.models import Article, ArticleRevision

router = Router(tags=["wiki"])


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    space: ContentSpace
    # The current revision's number: send it back as `base_revision` to edit.
    revision: int
    created_by: AuthorOut
    created_at: datetime
    updated_at: datetime
    url: str


def article_out(request: HttpRequest, article: Article) -> ArticleOut:
    return ArticleOut(
        id=article.pk,
        slug=article.slug,
        title=article.title,
        space=space_ref(article.space),
        revision=article.revision_number,
        created_by=person_out(article.created_by),
        created_at=article.created_at,
        updated_at=article.updated_at,
        url=request.build_absolute_uri(article.get_absolute_url()),
    )


@router.get(
    "/communities/{slug}/wiki/articles",
    response={200: Page[ArticleOut], **ERRORS},
    summary="A community's wiki articles, by title",
)
def list_articles(
    request: HttpRequest,
    slug: str,
    space: str | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[ArticleOut]:
    caller = caller_for(request, Scope.READ)
    community, access = community_of(caller, slug)
    articles = Article.objects.filter(
        community=community, space__in=permissions.readable_spaces(access)
    ).select_related("space", "created_by")
    if space:
        articles = articles.filter(space=space_of(access, space))
    found, next_cursor = cursor_page(articles, ordering=("title", "pk"), cursor=cursor, limit=limit)
    for article in found:
        article.community = community
    return Page[ArticleOut](items=[article_out(request, a) for a in found], next_cursor=next_cursor)


class ArticleDetailOut(ArticleOut):
    body: str
    body_html: str
    toc_html: str


def article_detail(request: HttpRequest, article: Article) -> ArticleDetailOut:
    return ArticleDetailOut(
        **article_out(request, article).model_dump(),
        body=article.body,
        # Links to other articles are kept as placeholders until a page resolves them
        # for its reader; the API gives the text as saved.
        body_html=article.body_html,
        toc_html=article.toc_html,
    )


@router.get(
    "/communities/{slug}/wiki/articles/{article}",
    response={200: ArticleDetailOut, **ERRORS},
    summary="An article",
)
def get_article(request: HttpRequest, slug: str, article: str) -> ArticleDetailOut:
    caller = caller_for(request, Scope.READ)
    found, _access = queries.article_for(caller.person, slug, article)
    return article_detail(request, found)


class ArticleIn(Schema):
    space: str
    title: str
    body: str
    # A word about this version, kept in the history.
    note: str = ""


@router.post(
    "/communities/{slug}/wiki/articles",
    response={201: ArticleDetailOut, **ERRORS},
    summary="Write an article",
)
def create_article(request: HttpRequest, slug: str, data: ArticleIn) -> Status[ArticleDetailOut]:
    caller = caller_for(request, Scope.WRITE)
    _community, access = community_of(caller, slug)
    space = space_of(access, data.space)
    if not access.may_post(space):
        raise ApiError(403, _("You may not do this here."))
    article = actions.do_create_article(
        caller.person, space, title=data.title, body=data.body, note=data.note
    )
    found, _access = queries.article_for(caller.person, slug, article.slug)
    return Status(201, article_detail(request, found))


class ArticleEditIn(Schema):
    title: str
    body: str
    # The revision the edit started from (the article's `revision` when it was read).
    base_revision: int
    note: str = ""


@router.put(
    "/communities/{slug}/wiki/articles/{article}",
    response={200: ArticleDetailOut, **ERRORS},
    summary="Edit an article (409 when someone saved since base_revision)",
)
def edit_article(
    request: HttpRequest, slug: str, article: str, data: ArticleEditIn
) -> ArticleDetailOut:
    caller = caller_for(request, Scope.WRITE)
    found, access = queries.article_for(caller.person, slug, article)
    if not access.may_post(found.space):
        raise ApiError(403, _("You may not do this here."))
    try:
        edited = actions.do_edit_article(
            caller.person,
            found,
            title=data.title,
            body=data.body,
            base_number=data.base_revision,
            note=data.note,
        )
    except actions.Conflict as conflict:
        current = conflict.current
        raise ApiError(
            409,
            conflict.message,
            current_revision=current.number,
            current_title=current.title,
            current_body=current.body,
        ) from None
    edited.community = found.community
    return article_detail(request, edited)


class ArticleRevisionOut(Schema):
    number: int
    title: str
    body: str
    note: str
    # The revision this one was edited from (null for the first).
    base_revision: int | None = None
    editor: AuthorOut
    created_at: datetime


def article_revision_out(revision: ArticleRevision) -> ArticleRevisionOut:
    return ArticleRevisionOut(
        number=revision.number,
        title=revision.title,
        body=revision.body,
        note=revision.note,
        base_revision=revision.base_number,
        editor=person_out(revision.editor),
        created_at=revision.created_at,
    )


@router.get(
    "/communities/{slug}/wiki/articles/{article}/revisions",
    response={200: Page[ArticleRevisionOut], **ERRORS},
    summary="Every version of an article, newest first",
)
def list_revisions(
    request: HttpRequest, slug: str, article: str, cursor: str | None = None, limit: int = 25
) -> Page[ArticleRevisionOut]:
    caller = caller_for(request, Scope.READ)
    found, _access = queries.article_for(caller.person, slug, article)
    revisions, next_cursor = cursor_page(
        queries.revisions_of(found), ordering=("-number", "-pk"), cursor=cursor, limit=limit
    )
    return Page[ArticleRevisionOut](
        items=[article_revision_out(revision) for revision in revisions], next_cursor=next_cursor
    )
