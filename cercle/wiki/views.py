"""Thin views over the wiki actions and queries; every form works without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cercle import web
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.web import AuthenticatedRequest, Request
from cercle.wiki import actions, queries
from cercle.wiki.forms import ArticleForm
from cercle.wiki.rendering import line_diff, links_for_reader

HISTORY_PER_PAGE = 50


@require_safe
def space_articles(request: Request, slug: str, space: str) -> HttpResponse:
    found, access = web.space_for(request, slug, space)
    return render(
        request,
        "wiki/space.html",
        {
            "space": found,
            "community": found.community,
            "articles": list(queries.articles_in(found.pk)),
            "can": {"write": access.may_post(found)},
        },
    )


def _capturable(request: Request, found_space_pk: int, topic_id: str | None) -> Topic | None:
    if not topic_id or not topic_id.isdigit():
        return None
    topic = Topic.objects.select_related("space", "community").filter(pk=int(topic_id)).first()
    if topic is None or topic.space_id != found_space_pk or topic.is_hidden:
        raise Http404
    return topic


@login_required
@web.once
def new_article(request: AuthenticatedRequest, slug: str, space: str) -> HttpResponse:
    found, _access = web.space_for(request, slug, space, "post")
    source = _capturable(
        request, found.pk, request.POST.get("source_topic") or request.GET.get("topic")
    )
    initial: dict[str, object] = {"title": request.GET.get("title", "")[:200]}
    if source is not None:
        draft = queries.capture_draft(source)
        initial = {"title": draft.title, "body": draft.body, "source_topic": source.pk}
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = actions.do_create_article(
                request.user,
                found,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                note=form.cleaned_data["note"],
                source_topic=source,
            )
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The article is saved."))
            return redirect(article.get_absolute_url())
    return render(
        request,
        "wiki/new.html",
        {"space": found, "community": found.community, "form": form, "source": source},
    )


@require_safe
def article(request: Request, slug: str, article: str) -> HttpResponse:
    found, access = queries.article_for(request.user, slug, article)
    may_write = access.may_post(found.space)
    body_html = links_for_reader(found.body_html, found.space, access)
    return render(
        request,
        "wiki/article.html",
        {
            "article": found,
            "space": found.space,
            "community": found.community,
            "body_html": mark_safe(body_html),  # noqa: S308 - cleaned at save, links escaped
            "toc_html": mark_safe(found.toc_html),  # noqa: S308 - built from escaped text
            "source": queries.source_topic_for(access, found),
            "can": {"write": may_write},
        },
    )


@login_required
def edit_article(request: AuthenticatedRequest, slug: str, article: str) -> HttpResponse:
    found, access = queries.article_for(request.user, slug, article)
    if not access.may_post(found.space):
        raise Http404
    form = ArticleForm(
        request.POST or None,
        initial={"title": found.title, "body": found.body, "base_number": found.revision_number},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_edit_article(
                request.user,
                found,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                base_number=form.cleaned_data["base_number"] or 0,
                note=form.cleaned_data["note"],
            )
        except actions.Conflict as refusal:
            conflict = refusal.current
            # The merge form saves against the new base, starting from the person's text.
            data = request.POST.copy()
            data["base_number"] = str(conflict.number)
            form = ArticleForm(data)
            form.is_valid()
        except ActionRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("The article is saved."))
            return redirect(saved.get_absolute_url())
    context = {
        "article": found,
        "space": found.space,
        "community": found.community,
        "form": form,
        "conflict": conflict,
    }
    if conflict is not None:
        context["diff"] = line_diff(conflict.body, form.cleaned_data.get("body", ""))
        return render(request, "wiki/merge.html", context, status=409)
    return render(request, "wiki/edit.html", context)


@require_safe
def history(request: Request, slug: str, article: str) -> HttpResponse:
    found, access = queries.article_for(request.user, slug, article)
    page = Paginator(queries.revisions_of(found), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "wiki/history.html",
        {
            "article": found,
            "space": found.space,
            "community": found.community,
            "page": page,
            "revisions": page.object_list,
            "compare_from": max(found.revision_number - 1, 1),
            "can": {"write": access.may_post(found.space)},
        },
    )


@require_safe
def revision(request: Request, slug: str, article: str, number: int) -> HttpResponse:
    found, access = queries.article_for(request.user, slug, article)
    return render(
        request,
        "wiki/revision.html",
        {
            "article": found,
            "space": found.space,
            "community": found.community,
            "revision": queries.revision_of(found, number),
            "can": {"write": access.may_post(found.space)},
        },
    )


@require_safe
def diff(request: Request, slug: str, article: str) -> HttpResponse:
    found, _access = queries.article_for(request.user, slug, article)
    numbers = [request.GET.get(name, "") for name in ("from", "to")]
    if not all(number.isdigit() for number in numbers):
        raise Http404
    old = queries.revision_of(found, int(numbers[0]))
    new = queries.revision_of(found, int(numbers[1]))
    return render(
        request,
        "wiki/diff.html",
        {
            "article": found,
            "space": found.space,
            "community": found.community,
            "old": old,
            "new": new,
            "diff": line_diff(old.body, new.body),
        },
    )


@login_required
@require_POST
def restore(request: AuthenticatedRequest, slug: str, article: str, number: int) -> HttpResponse:
    found, _access = queries.article_for(request.user, slug, article)
    try:
        actions.do_restore_revision(request.user, found, number)
    except ActionRefused as refusal:
        web.tell_refusal(request, refusal)
    else:
        messages.success(request, _("The version is restored."))
    return redirect(found.get_absolute_url())
