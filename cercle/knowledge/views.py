"""Thin views over the library's actions and queries; every form works without JavaScript."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cercle import permissions, web
from cercle.conversations.models import REACTION_SYMBOLS, ReactionKind, Tag
from cercle.errors import ActionRefused
from cercle.knowledge import actions, queries
from cercle.knowledge.covers import cover_type
from cercle.knowledge.export import export_collection
from cercle.knowledge.fetch import FetchError, fetch_metadata
from cercle.knowledge.forms import (
    BookmarksForm,
    CollectionEditForm,
    CollectionForm,
    CommentForm,
    FileForm,
    LinkForm,
    NoteForm,
    ResourceEditForm,
)
from cercle.knowledge.models import Collection, Resource, ResourceReaction
from cercle.web import AuthenticatedRequest, Request, first_error, refusals_as_messages

MAX_BOOKMARKS_FILE = 10 * 1024 * 1024


def _direction(request: Request) -> actions.Direction:
    return "up" if request.POST.get("direction") == "up" else "down"


def _require_edit(
    access: permissions.CommunityAccess, collection: Collection, creator_id: int | None
) -> None:
    """Pages that only editors open: a 403 for other readers (the queries already
    answered a 404 to those who may not read the space)."""
    if not permissions.knowledge.may_edit_library_item(access, collection.space, creator_id):
        raise PermissionDenied


@require_safe
def library(request: Request, slug: str) -> HttpResponse:
    community, access, roots = queries.library(request.user, slug)
    return _library_page(request, community, access, roots)


def _postable_spaces(access: permissions.CommunityAccess) -> Any:
    spaces = permissions.readable_spaces(access)
    return spaces.filter(pk__in=[s.pk for s in spaces if access.may_post(s)])


def _library_page(
    request: Request,
    community: Any,
    access: permissions.CommunityAccess,
    roots: Any,
    form: CollectionForm | None = None,
) -> HttpResponse:
    """The library, with the new collection's form: empty, or refused and kept as it
    was typed (answered 200 so that nothing is lost)."""
    may_create = access.may_post()
    if form is None and may_create:
        form = CollectionForm(spaces=_postable_spaces(access))
    movable = {
        node.collection.pk
        for node in roots
        if permissions.knowledge.may_edit_library_item(
            access, node.collection.space, node.collection.created_by_id
        )
    }
    return render(
        request,
        "knowledge/library.html",
        {
            "community": community,
            "access": access,
            "roots": roots,
            "movable": movable,
            "form": form if may_create else None,
        },
    )


@login_required
@require_POST
@web.once
@refusals_as_messages
def new_collection(request: AuthenticatedRequest, slug: str) -> HttpResponse:
    community, access, roots = queries.library(request.user, slug)
    parent: Collection | None = None
    if request.POST.get("parent"):
        parent, access = queries.collection_for(request.user, slug, request.POST["parent"])
    form = CollectionForm(
        request.POST,
        spaces=None if parent else _postable_spaces(access),
        prefix="new" if parent else None,
    )
    if not form.is_valid():
        # The page again, with what was typed and the field at fault marked.
        if parent is not None:
            return _collection_page(request, parent, access, new_form=form)
        return _library_page(request, community, access, roots, form=form)
    created = actions.do_create_collection(
        request.user,
        parent.space if parent else form.cleaned_data["space"],
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
        parent=parent,
    )
    return redirect(created.get_absolute_url())


@require_safe
def collection(request: Request, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    return _collection_page(request, found, access)


def _collection_page(
    request: Request,
    found: Collection,
    access: permissions.CommunityAccess,
    new_form: CollectionForm | None = None,
) -> HttpResponse:
    children = list(found.children.all())
    resources = list(found.resources.select_related("added_by").prefetch_related("tags"))
    for child in children:
        child.community = found.community
    may_post = access.may_post(found.space)
    may_edit = permissions.knowledge.may_edit_library_item(access, found.space, found.created_by_id)
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
            "can": {"post": may_post, "edit": may_edit},
            "editable": {
                r.pk
                for r in resources
                if permissions.knowledge.may_edit_library_item(access, found.space, r.added_by_id)
            },
            "editable_children": {
                c.pk
                for c in children
                if permissions.knowledge.may_edit_library_item(access, found.space, c.created_by_id)
            },
            "place": _place_among_siblings(found) if may_edit and found.parent_id else None,
            "form": (new_form or CollectionForm(spaces=None, prefix="new")) if may_post else None,
            "edit_form": CollectionEditForm(
                prefix="edit",
                has_cover=bool(found.cover),
                initial={
                    "title": found.title,
                    "description": found.description,
                    "cover_alt": found.cover_alt,
                },
            )
            if may_edit
            else None,
        },
    )


def _place_among_siblings(found: Collection) -> dict[str, bool]:
    """Whether a sub-collection comes first or last among its parent's, so that it is
    not offered a move it cannot make."""
    order = list(Collection.objects.filter(parent_id=found.parent_id).values_list("pk", flat=True))
    return {"first": order[:1] == [found.pk], "last": order[-1:] == [found.pk]}


@login_required
@require_POST
@refusals_as_messages
def edit_collection(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    _require_edit(access, found, found.created_by_id)
    form = CollectionEditForm(
        request.POST, request.FILES, prefix="edit", has_cover=bool(found.cover)
    )
    if not form.is_valid():
        raise ActionRefused(first_error(form))
    data = form.cleaned_data
    actions.do_edit_collection(
        request.user,
        found,
        title=data["title"],
        description=data["description"],
        cover=data.get("cover"),
        cover_alt=data.get("cover_alt", ""),
        remove_cover=bool(data.get("remove_cover")),
    )
    messages.success(request, _("The collection is saved."))
    return redirect(found.get_absolute_url())


@require_safe
def cover(request: Request, slug: str, collection: str) -> FileResponse:
    """A collection's cover, for those who read its space only."""
    found, _access = queries.collection_for(request.user, slug, collection)
    if not found.cover:
        raise Http404
    response = FileResponse(found.cover.open("rb"), content_type=cover_type(found.cover.name))
    # The address changes with the image (Collection.cover_url): it may stay cached.
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def related(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
    """Relate the collection to others (in any community the actor reads), or unrelate."""
    found, access = queries.collection_for(request.user, slug, collection)
    _require_edit(access, found, found.created_by_id)
    page = reverse("knowledge:related", args=[slug, found.slug])
    if request.method == "POST":
        other_pk = _int(request.POST.get("other"))
        other = (
            Collection.objects.filter(pk=other_pk)
            .select_related("community", "space__community")
            .first()
            if other_pk is not None
            else None
        )
        if other is None:
            raise Http404
        if request.POST.get("action") == "unrelate":
            actions.do_unrelate_collections(request.user, found, other)
            messages.success(
                request, _("“%(title)s” is no longer related.") % {"title": other.title}
            )
        else:
            actions.do_relate_collections(request.user, found, other)
            messages.success(request, _("“%(title)s” is now related.") % {"title": other.title})
        words = request.POST.get("q", "").strip()
        return redirect(f"{page}?{urlencode({'q': words})}" if words else page)
    words = request.GET.get("q", "")
    candidates, more = queries.relatable_collections(request.user, found, words)
    return render(
        request,
        "knowledge/related.html",
        {
            "collection": found,
            "community": found.community,
            "related": queries.related_collections(request.user, found),
            "candidates": candidates,
            "more": more,
            "words": words,
        },
    )


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def reorder(request: Request, slug: str, collection: str) -> JsonResponse:
    """Drag and drop's endpoint: `{"items": "resources" or "collections", "moved": id,
    "order": [ids]}` in JSON; the answer's `message` is read out to screen readers."""
    found, _access = queries.collection_for(request.user, slug, collection)
    if not request.user.is_authenticated:
        return JsonResponse({"message": _("Log in to reorder.")}, status=403)
    try:
        data = json.loads(request.body or b"{}")
        if data["items"] not in ("resources", "collections"):
            raise ValueError(data["items"])
        items = cast(actions.Items, data["items"])
        moved = int(data["moved"])
        order = [int(pk) for pk in data["order"]]
    except (ValueError, TypeError, KeyError):
        return JsonResponse({"message": _("This new order could not be read.")}, status=400)
    try:
        result = actions.do_reorder(request.user, found, items, moved, order)
    except actions.OrderRefused as refusal:
        return JsonResponse({"message": refusal.message}, status=409)
    except ActionRefused as refusal:
        if refusal.not_found:
            raise Http404 from refusal
        return JsonResponse({"message": refusal.message}, status=403)
    return JsonResponse(
        {
            "message": _("“%(title)s” moved to position %(position)d of %(count)d.")
            % {"title": result.title, "position": result.position, "count": result.count}
        }
    )


@login_required
@require_POST
@refusals_as_messages
def move_collection(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
    found, _access = queries.collection_for(request.user, slug, collection)
    actions.do_move_collection(request.user, found, _direction(request))
    if found.parent is not None:
        return redirect(found.parent.get_absolute_url())
    return redirect("knowledge:library", slug)


def _tags(found: Collection) -> object:
    return Tag.objects.filter(community_id=found.community_id)


@login_required
@web.once(unless="fetch")
@refusals_as_messages
def add_link(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
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
                request.user,
                found,
                url=data["url"],
                title=data["title"],
                excerpt=data["excerpt"],
                tags=data.get("tags") or (),
            )
            return redirect(resource.get_absolute_url())
    return _add_page(request, found, form, "link")


@login_required
@web.once
@refusals_as_messages
def add_file(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = FileForm(request.POST or None, request.FILES or None, tags=_tags(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resource = actions.do_add_file(
            request.user,
            found,
            upload=data["upload"],
            title=data["title"],
            excerpt=data["excerpt"],
            tags=data.get("tags") or (),
        )
        return redirect(resource.get_absolute_url())
    return _add_page(request, found, form, "file")


@login_required
@web.once
@refusals_as_messages
def add_note(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = NoteForm(request.POST or None, tags=_tags(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resource = actions.do_add_note(
            request.user,
            found,
            title=data["title"],
            note=data["note"],
            tags=data.get("tags") or (),
        )
        return redirect(resource.get_absolute_url())
    return _add_page(request, found, form, "note")


def _add_page(
    request: Request, found: Collection, form: LinkForm | FileForm | NoteForm, kind: str
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
def resource(request: Request, slug: str, pk: int) -> HttpResponse:
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
            "can": {
                "post": access.may_post(found.collection.space),
                "edit": permissions.knowledge.may_edit_library_item(
                    access, found.collection.space, found.added_by_id
                ),
            },
            "comment_form": CommentForm(),
        },
    )


def _resource_initial(found: Resource) -> dict[str, Any]:
    return {
        "url": found.url,
        "title": found.title,
        "excerpt": found.excerpt,
        "note": found.note,
        "tags": [tag.pk for tag in found.tags.all()],
    }


@login_required
@require_http_methods(["GET", "POST"])
def edit_resource(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, access = queries.resource_for(request.user, slug, pk)
    _require_edit(access, found.collection, found.added_by_id)
    title = found.title
    form = ResourceEditForm(
        request.POST or None,
        request.FILES or None,
        kind=found.kind,
        tags=_tags(found.collection),
        initial=_resource_initial(found),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_edit_resource(
                request.user,
                found,
                title=data["title"],
                excerpt=data["excerpt"],
                url=data.get("url", ""),
                note=data.get("note", ""),
                tags=data.get("tags") if "tags" in form.fields else None,
                upload=data.get("upload"),
            )
        except ActionRefused as refusal:
            web.refusal_on_form(form, refusal)
        else:
            messages.success(request, _("The resource is saved."))
            return redirect(found.get_absolute_url())
    return render(
        request,
        "knowledge/edit_resource.html",
        {
            "resource": found,
            "title": title,
            "collection": found.collection,
            "community": found.collection.community,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals_as_messages
def delete_resource(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    """A confirmation page; the deletion itself is its form's POST."""
    found, access = queries.resource_for(request.user, slug, pk)
    _require_edit(access, found.collection, found.added_by_id)
    if request.method == "POST":
        actions.do_delete_resource(request.user, found)
        messages.success(request, _("“%(title)s” is deleted.") % {"title": found.title})
        return redirect(found.collection.get_absolute_url())
    return render(
        request,
        "knowledge/delete_resource.html",
        {
            "resource": found,
            "collection": found.collection,
            "community": found.collection.community,
            "comments": found.comments.count(),
        },
    )


@require_safe
def download(request: Request, slug: str, pk: int) -> HttpResponseBase:
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
def export(request: Request, slug: str, collection: str) -> HttpResponseBase:
    found, access = queries.collection_for(request.user, slug, collection)
    return FileResponse(
        export_collection(found, access),
        as_attachment=True,
        filename=f"{found.slug}.zip",
        content_type="application/zip",
    )


@login_required
@web.once
@refusals_as_messages
def import_bookmarks(request: AuthenticatedRequest, slug: str, collection: str) -> HttpResponse:
    found, access = queries.collection_for(request.user, slug, collection)
    if not access.may_post(found.space):
        raise Http404
    form = BookmarksForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        actions.check_bookmarks_file_size(upload.size)
        html = upload.read().decode("utf-8", errors="replace")
        report = actions.do_import_bookmarks(request.user, found, html)
        web.mark_done(request)
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
@web.once
@refusals_as_messages
def comment(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.resource_for(request.user, slug, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        raise ActionRefused(_("Write a message first."))
    actions.do_comment(request.user, found, body=form.cleaned_data["body"])
    return redirect(found.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def react(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.resource_for(request.user, slug, pk)
    actions.do_toggle_reaction(request.user, found, request.POST.get("kind", ""))
    return redirect(found.get_absolute_url())


@login_required
@require_POST
@refusals_as_messages
def move_resource(request: AuthenticatedRequest, slug: str, pk: int) -> HttpResponse:
    found, _access = queries.resource_for(request.user, slug, pk)
    actions.do_move_resource(request.user, found, _direction(request))
    return redirect(found.collection.get_absolute_url())
