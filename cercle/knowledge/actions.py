"""Every change to the library (views never save by hand).

Who may do what, in terms of `cercle.permissions.CommunityAccess`:
- read a collection or resource: `reads(collection.space)`;
- create a collection, add a resource, comment, react: `may_post(space)`;
- edit, reorder or delete a collection or a resource, change a collection's cover or
  its related collections: its creator while they `may_post(space)`, anyone who
  `may_manage(space)` (coordinators; staff for open spaces) otherwise;
- relate a collection to another: edit the first and `reads(other.space)`.
Refusals raise `ActionRefused` (with `not_found` when the space is unreadable) and
write nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Space
from cercle.conversations.attachments import CheckedFile, check_upload
from cercle.conversations.models import ReactionKind, Tag
from cercle.conversations.rendering import plain_text
from cercle.errors import ActionRefused
from cercle.knowledge.bookmarks import (
    BookmarkFolder,
    BookmarkLink,
    Limits,
    TooManyBookmarks,
    parse_bookmarks,
)
from cercle.knowledge.covers import check_cover
from cercle.knowledge.models import (
    Collection,
    Resource,
    ResourceComment,
    ResourceKind,
    ResourceReaction,
)
from cercle.richtext import render_markdown
from cercle.search.index import index_document, remove_document

MAX_DEPTH = 8
MAX_NOTE = 50_000
MAX_EXCERPT = 5_000
MAX_COVER_ALT = 300
Direction = Literal["up", "down"]
Items = Literal["resources", "collections"]


class OrderRefused(ActionRefused):
    """A new order that does not match the collection as it is now (changed meanwhile,
    or ids from elsewhere): nothing was written, the page should be reloaded."""


def _access(actor: User, space: Space) -> permissions.CommunityAccess:
    return permissions.community_access(actor, space.community)


def _require(allowed: bool, *, readable: bool = True) -> None:
    if not allowed:
        raise ActionRefused(_("You may not do this here."), not_found=not readable)


def _clean_title(title: str, limit: int = 200) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ActionRefused(_("Give it a title."))
    return title[:limit]


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as error:
        raise ActionRefused(_("Enter a web address starting with http:// or https://.")) from error
    return url


def _depth(collection: Collection | None) -> int:
    depth = 0
    while collection is not None:
        depth += 1
        collection = collection.parent
    return depth


def _unique_slug(community_id: int, title: str) -> str:
    base = slugify(title)[:70] or "collection"
    slug, number = base, 2
    while Collection.objects.filter(community_id=community_id, slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _clean_excerpt(excerpt: str) -> str:
    excerpt = (excerpt or "").strip()
    if len(excerpt) > MAX_EXCERPT:
        raise ActionRefused(
            _("This excerpt is too long: %(count)d characters at most.") % {"count": MAX_EXCERPT}
        )
    return excerpt


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("Write the note first."))
    if len(note) > MAX_NOTE:
        raise ActionRefused(
            _("This note is too long: %(count)d characters at most.") % {"count": MAX_NOTE}
        )
    return note


def _delete_on_commit(storage: Storage, name: str) -> None:
    """Files are not part of the transaction: an old one goes once the change is kept."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _tags_for(space: Space, tags: Iterable[Tag | str]) -> list[Tag]:
    slugs = [t.slug if isinstance(t, Tag) else t for t in tags]
    found = list(Tag.objects.filter(community_id=space.community_id, slug__in=slugs))
    if len(found) != len(set(slugs)):
        raise ActionRefused(_("Choose tags from the community's vocabulary."))
    return found


# --- Collections ----------------------------------------------------------------------------


def do_create_collection(
    actor: User,
    space: Space,
    *,
    title: str,
    description: str = "",
    parent: Collection | None = None,
) -> Collection:
    """A sub-collection lives in its parent's space: a tree never mixes visibilities."""
    if parent is not None:
        space = parent.space
    access = _access(actor, space)
    _require(access.may_post(space), readable=access.reads(space))
    title = _clean_title(title)
    if _depth(parent) >= MAX_DEPTH:
        raise ActionRefused(
            _("Collections nest %(count)d levels deep at most.") % {"count": MAX_DEPTH}
        )
    with transaction.atomic():
        siblings = Collection.objects.filter(community_id=space.community_id, parent=parent)
        last = siblings.aggregate(last=Max("position"))["last"]
        collection = Collection.objects.create(
            community_id=space.community_id,
            space=space,
            parent=parent,
            title=title,
            slug=_unique_slug(space.community_id, title),
            description=(description or "").strip(),
            position=0 if last is None else last + 1,
            created_by=actor,
        )
        record_event(
            verbs.COLLECTION_CREATED,
            actor=actor,
            community=space.community,
            target=collection,
        )
    return collection


def do_edit_collection(
    actor: User,
    collection: Collection,
    *,
    title: str,
    description: str = "",
    cover: UploadedFile | None = None,
    cover_alt: str | None = None,
    remove_cover: bool = False,
) -> Collection:
    """The address (slug) stays: links to the collection keep working.

    A new `cover` (re-encoded, see covers.check_cover) replaces the old one, whose file
    is deleted once the change is committed; `remove_cover` takes it away with its
    description. `cover_alt` describes the image for those who do not see it (None
    keeps the current description)."""
    access = _access(actor, collection.space)
    _require(
        permissions.knowledge.may_edit_library_item(
            access, collection.space, collection.created_by_id
        ),
        readable=access.reads(collection.space),
    )
    title = _clean_title(title)
    checked = check_cover(cover) if cover is not None else None
    alt = collection.cover_alt if cover_alt is None else " ".join(cover_alt.split())
    if len(alt) > MAX_COVER_ALT:
        raise ActionRefused(
            _("Describe the image in %(count)d characters at most.") % {"count": MAX_COVER_ALT}
        )
    storage = collection.cover.storage
    old_cover = collection.cover.name or ""
    stored = ""
    try:
        with transaction.atomic():
            collection.title = title
            collection.description = (description or "").strip()
            if checked is not None:
                collection.cover.save(checked.name, checked.content, save=False)
                stored = collection.cover.name or ""
            elif remove_cover:
                collection.cover = ""
                alt = ""
            collection.cover_alt = alt
            collection.save(update_fields=["title", "description", "cover", "cover_alt"])
            record_event(
                verbs.COLLECTION_EDITED,
                actor=actor,
                community=collection.space.community,
                target=collection,
            )
            if old_cover != (collection.cover.name or ""):
                _delete_on_commit(storage, old_cover)
    except Exception:
        # Nothing half-written: a cover stored before the failure goes too.
        if stored:
            storage.delete(stored)
        raise
    return collection


def _may_edit_relations(actor: User, collection: Collection) -> None:
    access = _access(actor, collection.space)
    _require(
        permissions.knowledge.may_edit_library_item(
            access, collection.space, collection.created_by_id
        ),
        readable=access.reads(collection.space),
    )


def do_relate_collections(actor: User, collection: Collection, other: Collection) -> None:
    """Related collections may be in other communities; each side is shown only to
    those who read the other's space (queries.related_collections)."""
    _may_edit_relations(actor, collection)
    other_access = _access(actor, other.space)
    _require(other_access.reads(other.space), readable=False)
    if other.pk == collection.pk:
        raise ActionRefused(_("A collection cannot be related to itself."))
    with transaction.atomic():
        collection.related.add(other)
        record_event(
            verbs.COLLECTION_RELATED,
            actor=actor,
            community=collection.space.community,
            target=collection,
        )


def do_unrelate_collections(actor: User, collection: Collection, other: Collection) -> None:
    """Undo a relation (both sides: it is symmetrical); the actor must read the other
    collection's space, as to relate it (an unreadable one is not even named)."""
    _may_edit_relations(actor, collection)
    other_access = _access(actor, other.space)
    _require(other_access.reads(other.space), readable=False)
    with transaction.atomic():
        if not collection.related.filter(pk=other.pk).exists():
            raise ActionRefused(_("These collections are not related."))
        collection.related.remove(other)
        record_event(
            verbs.COLLECTION_UNRELATED,
            actor=actor,
            community=collection.space.community,
            target=collection,
        )


def _swap(
    items: QuerySet[Collection] | QuerySet[Resource],
    item_pk: int,
    direction: str,
    among: set[int] | None = None,
) -> None:
    """Swap the item with its neighbour in `direction`; with `among`, the neighbour is
    the next item of that set (those the actor sees), the others keep their places."""
    ordered: list[Collection | Resource] = list(items.order_by("position", "pk"))
    index = next(i for i, item in enumerate(ordered) if item.pk == item_pk)
    step = -1 if direction == "up" else 1
    other = index + step
    while among is not None and 0 <= other < len(ordered) and ordered[other].pk not in among:
        other += step
    if other < 0 or other >= len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _save_positions(items, ordered)


def _save_positions(
    items: QuerySet[Collection] | QuerySet[Resource], ordered: Sequence[Collection | Resource]
) -> None:
    for position, item in enumerate(ordered):
        if item.position != position:
            items.model._default_manager.filter(pk=item.pk).update(position=position)


def do_move_collection(actor: User, collection: Collection, direction: Direction) -> None:
    """Top-level collections of different spaces are siblings: one moves past the next
    collection the actor sees, never stopping behind one they cannot read."""
    access = _access(actor, collection.space)
    _require(
        permissions.knowledge.may_edit_library_item(
            access, collection.space, collection.created_by_id
        ),
        readable=access.reads(collection.space),
    )
    if direction not in ("up", "down"):
        raise ActionRefused(_("Move up or down."))
    with transaction.atomic():
        siblings = Collection.objects.select_for_update().filter(
            community_id=collection.community_id, parent_id=collection.parent_id
        )
        among = None
        if collection.parent_id is None:
            readable = siblings.filter(space__in=permissions.readable_spaces(access))
            among = set(readable.values_list("pk", flat=True))
        _swap(siblings, collection.pk, direction, among)


@dataclass(frozen=True)
class Reordered:
    """Where the moved item landed, for the announcement (position counts from 1)."""

    title: str
    position: int
    count: int


def do_reorder(
    actor: User, collection: Collection, items: Items, moved_id: int, order: Sequence[int]
) -> Reordered:
    """Put the resources (or the sub-collections) of `collection` in `order`, in which
    only `moved_id` changed place: the drag and drop counterpart of Move up and Move
    down, with the same rights (those on the moved item)."""
    space = collection.space
    access = _access(actor, space)
    _require(access.reads(space), readable=False)
    if items not in ("resources", "collections"):
        raise OrderRefused(_("Reorder resources or sub-collections."))
    with transaction.atomic():
        siblings: QuerySet[Collection] | QuerySet[Resource]
        if items == "resources":
            siblings = Resource.objects.select_for_update().filter(collection_id=collection.pk)
        else:
            siblings = Collection.objects.select_for_update().filter(parent_id=collection.pk)
        current: list[Collection | Resource] = list(siblings.order_by("position", "pk"))
        by_pk = {item.pk: item for item in current}
        moved = by_pk.get(moved_id)
        if moved is None:
            raise OrderRefused(_("This item is not in the collection any more: reload the page."))
        creator_id = moved.added_by_id if isinstance(moved, Resource) else moved.created_by_id
        _require(permissions.knowledge.may_edit_library_item(access, space, creator_id))
        wanted = list(order)
        if len(wanted) != len(set(wanted)) or set(wanted) != set(by_pk):
            raise OrderRefused(_("The collection changed in the meantime: reload the page."))
        others_before = [item.pk for item in current if item.pk != moved_id]
        if [pk for pk in wanted if pk != moved_id] != others_before:
            raise OrderRefused(_("Move one item at a time."))
        _save_positions(siblings, [by_pk[pk] for pk in wanted])
        record_event(
            verbs.COLLECTION_REORDERED[items],
            actor=actor,
            community=space.community,
            target=collection,
        )
    return Reordered(title=str(moved), position=wanted.index(moved_id) + 1, count=len(wanted))


# --- Resources ------------------------------------------------------------------------------


def _index(resource: Resource) -> None:
    collection = resource.collection
    body = " ".join(
        part
        for part in (
            resource.excerpt,
            resource.url,
            plain_text(resource.note_html) if resource.note_html else "",
            resource.text,
        )
        if part
    )
    index_document(
        kind="resource",
        object_id=resource.pk,
        url=resource.get_absolute_url(),
        community_id=collection.community_id,
        space_id=collection.space_id,
        title=resource.title,
        body=body,
        author_id=resource.added_by_id,
        created_at=resource.created_at,
        tags=[tag.slug for tag in resource.tags.all()],
        language=collection.community.language,
    )


def _add(
    actor: User,
    collection: Collection,
    resource: Resource,
    tags: Iterable[Tag | str],
    upload: UploadedFile | None = None,
) -> Resource:
    space = collection.space
    access = _access(actor, space)
    _require(access.may_post(space), readable=access.reads(space))
    chosen = _tags_for(space, tags)
    check = check_upload(upload) if upload is not None else None
    return _create(actor, collection, resource, chosen, upload, check)


def _create(
    actor: User,
    collection: Collection,
    resource: Resource,
    chosen: list[Tag],
    upload: UploadedFile | None = None,
    check: CheckedFile | None = None,
) -> Resource:
    """Save a resource the caller has checked, index it and record the event."""
    with transaction.atomic():
        last = collection.resources.aggregate(last=Max("position"))["last"]
        resource.collection = collection
        resource.added_by = actor
        resource.position = 0 if last is None else last + 1
        if upload is not None and check is not None:
            resource.original_name = check.safe_name
            resource.content_type = check.content_type
            resource.size = check.size
            resource.text = check.text
            resource.file.save(check.safe_name, upload, save=False)
        resource.save()
        resource.tags.set(chosen)
        _index(resource)
        record_event(
            verbs.RESOURCE_ADDED[resource.kind],
            actor=actor,
            community=collection.community,
            target=resource,
        )
    return resource


def do_add_link(
    actor: User,
    collection: Collection,
    *,
    url: str,
    title: str = "",
    excerpt: str = "",
    tags: Iterable[Tag | str] = (),
) -> Resource:
    url = _clean_url(url)
    resource = Resource(
        kind=ResourceKind.LINK,
        url=url,
        title=_clean_title(title or url, 300),
        excerpt=(excerpt or "").strip(),
    )
    return _add(actor, collection, resource, tags)


def do_add_file(
    actor: User,
    collection: Collection,
    *,
    upload: UploadedFile,
    title: str = "",
    excerpt: str = "",
    tags: Iterable[Tag | str] = (),
) -> Resource:
    resource = Resource(
        kind=ResourceKind.FILE,
        title=_clean_title(title or upload.name or "", 300),
        excerpt=(excerpt or "").strip(),
    )
    return _add(actor, collection, resource, tags, upload)


def do_add_note(
    actor: User,
    collection: Collection,
    *,
    title: str,
    note: str,
    tags: Iterable[Tag | str] = (),
) -> Resource:
    note = _clean_note(note)
    resource = Resource(
        kind=ResourceKind.NOTE,
        title=_clean_title(title, 300),
        note=note,
        note_html=render_markdown(note),
    )
    return _add(actor, collection, resource, tags)


def do_move_resource(actor: User, resource: Resource, direction: Direction) -> None:
    space = resource.collection.space
    access = _access(actor, space)
    _require(
        permissions.knowledge.may_edit_library_item(access, space, resource.added_by_id),
        readable=access.reads(space),
    )
    if direction not in ("up", "down"):
        raise ActionRefused(_("Move up or down."))
    with transaction.atomic():
        siblings = Resource.objects.select_for_update().filter(collection_id=resource.collection_id)
        _swap(siblings, resource.pk, direction)


def _may_edit_resource(actor: User, resource: Resource) -> None:
    space = resource.collection.space
    access = _access(actor, space)
    _require(
        permissions.knowledge.may_edit_library_item(access, space, resource.added_by_id),
        readable=access.reads(space),
    )


def do_edit_resource(
    actor: User,
    resource: Resource,
    *,
    title: str,
    excerpt: str = "",
    url: str = "",
    note: str = "",
    tags: Iterable[Tag | str] | None = None,
    upload: UploadedFile | None = None,
) -> Resource:
    """Change what the resource says; its kind stays. `url` counts for links, `note`
    for notes, `upload` (optional) replaces a file's content; `tags` None keeps them."""
    _may_edit_resource(actor, resource)
    space = resource.collection.space
    chosen = _tags_for(space, tags) if tags is not None else None
    check = None
    if resource.kind == ResourceKind.LINK:
        resource.url = _clean_url(url)
        resource.title = _clean_title(title or resource.url, 300)
    elif resource.kind == ResourceKind.NOTE:
        resource.note = _clean_note(note)
        resource.note_html = render_markdown(resource.note)
        resource.title = _clean_title(title, 300)
    else:
        check = check_upload(upload) if upload is not None else None
        fallback = check.safe_name if check is not None else resource.original_name
        resource.title = _clean_title(title or fallback, 300)
    resource.excerpt = _clean_excerpt(excerpt)
    storage = resource.file.storage
    old_file = resource.file.name or ""
    stored = ""
    try:
        with transaction.atomic():
            if upload is not None and check is not None:
                resource.original_name = check.safe_name
                resource.content_type = check.content_type
                resource.size = check.size
                resource.text = check.text
                resource.file.save(check.safe_name, upload, save=False)
                stored = resource.file.name or ""
            resource.save()
            if chosen is not None:
                resource.tags.set(chosen)
            _index(resource)
            record_event(
                verbs.RESOURCE_EDITED,
                actor=actor,
                community=space.community,
                target=resource,
            )
            if stored and old_file != stored:
                _delete_on_commit(storage, old_file)
    except Exception:
        if stored:
            storage.delete(stored)
        raise
    return resource


def do_delete_resource(actor: User, resource: Resource) -> None:
    """The resource goes with its comments and reactions, out of search, and its file
    out of storage once the deletion is committed."""
    _may_edit_resource(actor, resource)
    space = resource.collection.space
    with transaction.atomic():
        record_event(
            verbs.RESOURCE_DELETED, actor=actor, community=space.community, target=resource
        )
        remove_document(kind="resource", object_id=resource.pk)
        if resource.file:
            _delete_on_commit(resource.file.storage, resource.file.name or "")
        resource.delete()


def do_comment(actor: User, resource: Resource, *, body: str) -> ResourceComment:
    space = resource.collection.space
    access = _access(actor, space)
    _require(access.may_post(space), readable=access.reads(space))
    body = (body or "").strip()
    if not body:
        raise ActionRefused(_("Write a message first."))
    if len(body) > MAX_NOTE:
        raise ActionRefused(
            _("This message is too long: %(count)d characters at most.") % {"count": MAX_NOTE}
        )
    with transaction.atomic():
        comment = ResourceComment.objects.create(
            resource=resource, author=actor, body=body, body_html=render_markdown(body)
        )
        record_event(
            verbs.RESOURCE_COMMENTED,
            actor=actor,
            community=space.community,
            target=resource,
        )
    return comment


def do_toggle_reaction(actor: User, resource: Resource, kind: str) -> bool:
    """Add the reaction, or take it back; True when it is now there."""
    space = resource.collection.space
    access = _access(actor, space)
    _require(access.may_post(space), readable=access.reads(space))
    if kind not in ReactionKind.values:
        raise ActionRefused(_("Unknown reaction."))
    with transaction.atomic():
        deleted, _rows = ResourceReaction.objects.filter(
            resource=resource, person=actor, kind=kind
        ).delete()
        if deleted:
            return False
        ResourceReaction.objects.create(resource=resource, person=actor, kind=kind)
        record_event(
            verbs.RESOURCE_REACTED[kind],
            actor=actor,
            community=space.community,
            target=resource,
        )
    return True


# --- Bookmarks import -----------------------------------------------------------------------


# What one bookmarks file may hold: past any of these the import is refused, before
# anything is written (docs/architecture.md, the library). Folders nest as deep as
# collections do (MAX_DEPTH, counting the collection imported into).
MAX_BOOKMARKS_FILE = 10 * 1024 * 1024  # bytes
MAX_BOOKMARKS = 5_000  # links
MAX_BOOKMARK_FOLDERS = 500


@dataclass
class Skipped:
    title: str
    url: str
    reason: str


@dataclass
class ImportReport:
    collections: list[Collection] = field(default_factory=list)
    resources: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def check_bookmarks_file_size(size: int) -> None:
    """Refuse a bookmarks file larger than MAX_BOOKMARKS_FILE bytes (the page asks
    before reading the upload)."""
    if size > MAX_BOOKMARKS_FILE:
        raise ActionRefused(
            _("This bookmarks file is too large: %(size)d MB at most.")
            % {"size": MAX_BOOKMARKS_FILE // (1024 * 1024)}
        )


def _too_many(refusal: TooManyBookmarks) -> ActionRefused:
    if refusal.what == "folders":
        message = _("This file holds more than %(count)d folders: import fewer at a time.")
    elif refusal.what == "links":
        message = _("This file holds more than %(count)d links: import fewer at a time.")
    elif refusal.limit:
        message = _(
            "This file's folders nest too deep: in this collection, %(count)d levels at most."
        )
    else:
        message = _(
            "This collection is nested as deep as collections go: import into a "
            "collection higher up."
        )
    return ActionRefused(message % {"count": refusal.limit})


def do_import_bookmarks(actor: User, collection: Collection, html: str) -> ImportReport:
    """Folders become sub-collections of `collection`, links become link resources;
    the report says what was left out and why. A file past a limit (size, folders,
    links, depth) is refused whole, with nothing written."""
    space = collection.space
    access = _access(actor, space)
    _require(access.may_post(space), readable=access.reads(space))
    check_bookmarks_file_size(len(html.encode("utf-8", errors="replace")))
    depth = _depth(collection)
    limits = Limits(
        folders=MAX_BOOKMARK_FOLDERS, links=MAX_BOOKMARKS, depth=max(MAX_DEPTH - depth, 0)
    )
    try:
        root = parse_bookmarks(html, limits)
    except TooManyBookmarks as refusal:
        raise _too_many(refusal) from None
    report = ImportReport()
    with transaction.atomic():
        _import_folder(actor, collection, root, report)
    return report


def _import_folder(
    actor: User,
    collection: Collection,
    folder: BookmarkFolder,
    report: ImportReport,
) -> None:
    seen = set(collection.resources.values_list("url", flat=True))
    for entry in folder.children:
        if isinstance(entry, BookmarkFolder):
            child = do_create_collection(
                actor,
                collection.space,
                title=entry.title or _("Untitled folder"),
                parent=collection,
            )
            report.collections.append(child)
            _import_folder(actor, child, entry, report)
        else:
            _import_link(actor, collection, entry, report, seen)


def _import_link(
    actor: User, collection: Collection, link: BookmarkLink, report: ImportReport, seen: set[str]
) -> None:
    def skip(reason: str) -> None:
        report.skipped.append(Skipped(link.title, link.url, reason))

    try:
        url = _clean_url(link.url)
    except ActionRefused:
        return skip(_("Not a web address (only http and https are imported)."))
    if url in seen:
        return skip(_("Already in this collection."))
    seen.add(url)
    resource = Resource(kind=ResourceKind.LINK, url=url, title=(link.title or url)[:300])
    _create(actor, collection, resource, [])
    report.resources += 1
    return None
