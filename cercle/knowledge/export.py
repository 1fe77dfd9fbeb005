"""A collection as a zip of Markdown files: one file per resource with front matter,
a folder per sub-collection, an index.md in each folder."""

from __future__ import annotations

import json
import tempfile
import zipfile
from typing import IO

from django.utils.text import slugify

from cercle import permissions
from cercle.knowledge.models import Collection, Resource


def _front_matter(values: dict[str, object]) -> str:
    # JSON strings are valid YAML scalars: titles with colons or quotes stay intact.
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def _resource_markdown(resource: Resource) -> str:
    text = _front_matter(
        {
            "title": resource.title,
            "kind": resource.kind,
            "url": resource.url,
            "file": resource.original_name,
            "tags": [tag.slug for tag in resource.tags.all()],
            "added_by": resource.added_by.display_name if resource.added_by else "",
            "created_at": resource.created_at.isoformat(),
        }
    )
    text += f"# {resource.title}\n\n"
    if resource.url:
        text += f"<{resource.url}>\n\n"
    if resource.excerpt:
        text += "\n".join(f"> {line}" for line in resource.excerpt.splitlines()) + "\n\n"
    if resource.note:
        text += resource.note + "\n"
    return text


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    while candidate in taken:
        candidate, number = f"{name}-{number}", number + 1
    taken.add(candidate)
    return candidate


def _write(
    archive: zipfile.ZipFile,
    collection: Collection,
    prefix: str,
    access: permissions.CommunityAccess,
) -> None:
    taken = {"index"}
    resources = collection.resources.select_related("added_by").prefetch_related("tags")
    lines = [f"# {collection.title}\n"]
    if collection.description:
        lines.append(collection.description + "\n")
    for resource in resources:
        name = _unique(slugify(resource.title)[:60] or f"resource-{resource.pk}", taken)
        archive.writestr(f"{prefix}{name}.md", _resource_markdown(resource))
        lines.append(f"- [{resource.title}]({name}.md)")
    children = [c for c in collection.children.select_related("space") if access.reads(c.space)]
    for child in children:
        folder = _unique(child.slug, taken)
        lines.append(f"- [{child.title}]({folder}/index.md)")
        _write(archive, child, f"{prefix}{folder}/", access)
    archive.writestr(f"{prefix}index.md", "\n".join(lines) + "\n")


def export_collection(collection: Collection, access: permissions.CommunityAccess) -> IO[bytes]:
    """The zip, in a temporary file (in memory while small), ready to stream."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, collection, f"{collection.slug}/", access)
    spool.seek(0)
    return spool
