"""Thin views over the library's actions and queries; every form works without JavaScript."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.views import refusals_as_messages
from cercle.conversations.models import REACTION_SYMBOLS, ReactionKind, Tag
from cercle.errors import ActionRefused
from cercle.knowledge import actions, queries
from cercle.knowledge.export import export_collection
from cercle.knowledge.fetch import FetchError, fetch_metadata
from cercle.knowledge.forms import (
    BookmarksForm,
    CollectionForm,
    CommentForm,
    FileForm,
    LinkForm,
    NoteForm,
)
from cercle.knowledge.models import Collection, ResourceReaction

MAX_BOOKMARKS_FILE = 10 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _direction(request: HttpRequest) -> actions.Direction:
    return "up" if request.POST.get("direction") == "up" else "down"


@require_safe
def library(request: HttpRequest, slug: str) -> HttpResponse:
    community, access, roots = queries.library(request.user, slug)
    spaces = permissions.readable_spaces(access)
    may_create = access.may_post()
    form = CollectionForm(spaces=spaces.filter(pk__in=[s.pk for s in spaces if access.may_post(s)]))
    return render(
        request,
        "knowledge/library.html",
        {
            "community": community,
            "access": access,
            "roots": roots,
            "form": form if may_create else None,
        },
    )


@login_required
@require_POST
@refusals_as_messages
def new_collection(request: HttpRequest, slug: str) -> HttpResponse:
    _community, access, _roots = queries.library(request.user, slug)
    parent: Collection | None = None
    if request.POST.get("parent"):
        parent, access = queries.collection_for(request.user, slug, request.POST["parent"])
    spaces = permissions.readable_spaces(access)
    form = CollectionForm(
        request.POST, spaces=None if parent else spaces, prefix="new" if parent else None
    )
    if not form.is_valid():
        messages.error(request, _("Give the collection a title and a space."))
        return redirect(parent.get_absolute_url() if parent else "knowledge:library", slug)
    created = actions.do_create_collection(
        _user(request),
        parent.space if parent else form.cleaned_data["space"],
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
        parent=parent,
    )
    return redirect(created.get_absolute_url())


@require_safe
def collection(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    children = list(found.children.all())
    resources = list(found.resources.select_related("added_by").prefetch_related("tags"))
    may_post = access.may_post(found.space)
    return render(
        request,
        "knowledge/collection.html",
        {
            "collection": found,
            "community": found.community,
            "access": access,
            "children": children,
            "resources": resources,
            "related": queries.related_collections(request.user, found),
            "may_post": may_post,
            "may_edit": access.may_edit_library_item(found.space, found.created_by_id),
            "editable": {
                r.pk for r in resources if access.may_edit_library_item(found.space, r.added_by_id)
            },
            "form": CollectionForm(spaces=None, prefix="new") if may_post else None,
            "edit_form": CollectionForm(
                spaces=None,
                prefix="edit",
                initial={"title": found.title, "description": found.description},
            ),
        },
    )


@login_required
@require_POST
@refusals_as_messages
def edit_collection(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, _access = queries.collection_for(request.user, slug, collection)
    form = CollectionForm(request.POST, spaces=None, prefix="edit")
    if not form.is_valid():
        raise ActionRefused(_("Give it a title."))
    actions.do_edit_collection(
        _user(request),
        found,
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
    )
    return redirect(found.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def move_collection(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, _access = queries.collection_for(request.user, slug, collection)
    actions.do_move_collection(_user(request), found, _direction(request))
    if found.parent is not None:
        return redirect(found.parent.get_absolute_url())
    return redirect("knowledge:library", slug)


def _tags(found: Collection) -> object:
    return Tag.objects.filter(community_id=found.community_id)


@login_required
@refusals_as_messages
def add_link(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = LinkForm(request.POST or None, tags=_tags(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "fetch" in request.POST:
            # The "fetch" button fills the form from the page and shows it again.
            try:
                page = fetch_metadata(data["url"])
            except FetchError as error:
                form.add_error("url", error.message)
            else:
                values = request.POST.copy()
                values["title"] = page.title or data["title"]
                if page.description and not data["excerpt"]:
                    values["excerpt"] = page.description
                form = LinkForm(values, tags=_tags(found))
                messages.info(request, _("Title and description fetched from the page."))
        else:
            resource = actions.do_add_link(
                _user(request),
                found,
                url=data["url"],
                title=data["title"],
                excerpt=data["excerpt"],
                tags=data.get("tags") or (),
            )
            return redirect(resource.get_absolute_url())
    return _add_page(request, found, form, "link")


@login_required
@refusals_as_messages
def add_file(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = FileForm(request.POST or None, request.FILES or None, tags=_tags(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resource = actions.do_add_file(
            _user(request),
            found,
            upload=data["upload"],
            title=data["title"],
            excerpt=data["excerpt"],
            tags=data.get("tags") or (),
        )
        return redirect(resource.get_absolute_url())
    return _add_page(request, found, form, "file")


@login_required
@refusals_as_messages
def add_note(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = NoteForm(request.POST or None, tags=_tags(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resource = actions.do_add_note(
            _user(request),
            found,
            title=data["title"],
            note=data["note"],
            tags=data.get("tags") or (),
        )
        return redirect(resource.get_absolute_url())
    return _add_page(request, found, form, "note")


def _add_page(
    request: HttpRequest, found: Collection, form: LinkForm | FileForm | NoteForm, kind: str
) -> HttpResponse:
    titles = {"link": _("Add a link"), "file": _("Add a file"), "note": _("Add a note")}
    return render(
        request,
        "knowledge/add_resource.html",
        {
            "collection": found,
            "community": found.community,
            "form": form,
            "kind": kind,
            "page_title": titles[kind],
        },
    )


@require_safe
def resource(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.resource_for(request.user, slug, pk)
    reactions = list(ResourceReaction.objects.filter(resource=found).values_list("kind", "person"))
    counts = [
        {
            "kind": kind,
            "label": label,
            "symbol": REACTION_SYMBOLS[ReactionKind(kind)],
            "count": sum(1 for k, _p in reactions if k == kind),
            "mine": any(k == kind and p == request.user.pk for k, p in reactions),
        }
        for kind, label in ReactionKind.choices
    ]
    return render(
        request,
        "knowledge/resource.html",
        {
            "resource": found,
            "collection": found.collection,
            "community": found.collection.community,
            "comments": list(found.comments.select_related("author")),
            "reactions": counts,
            "may_post": access.may_post(found.collection.space),
            "comment_form": CommentForm(),
        },
    )


@require_safe
def download(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    found, _access = queries.resource_for(request.user, slug, pk)
    if not found.file:
        raise Http404
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def export(request: HttpRequest, slug: str, collection: str) -> HttpResponseBase:
    found, access = queries.collection_for(request.user, slug, collection)
    return FileResponse(
        export_collection(found, access),
        as_attachment=True,
        filename=f"{found.slug}.zip",
        content_type="application/zip",
    )


@login_required
@refusals_as_messages
def import_bookmarks(request: HttpRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = BookmarksForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        if upload.size > MAX_BOOKMARKS_FILE:
            raise ActionRefused(_("This bookmarks file is too large."))
        html = upload.read().decode("utf-8", errors="replace")
        report = actions.do_import_bookmarks(_user(request), found, html)
        messages.success(
            request,
            _("%(resources)d links and %(collections)d collections imported.")
            % {"resources": report.resources, "collections": len(report.collections)},
        )
    return render(
        request,
        "knowledge/import.html",
        {"collection": found, "community": found.community, "form": form, "report": report},
    )


@login_required
@require_POST
@refusals_as_messages
def comment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.resource_for(request.user, slug, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("Write a message first."))
    actions.do_comment(_user(request), found, body=form.cleaned_data["body"])
    return redirect(found.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def react(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.resource_for(request.user, slug, pk)
    actions.do_toggle_reaction(_user(request), found, request.POST.get("kind", ""))
    return redirect(found.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def move_resource(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.resource_for(request.user, slug, pk)
    actions.do_move_resource(_user(request), found, _direction(request))
    return redirect(found.collection.get_absolute_url())
