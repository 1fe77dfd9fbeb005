"""Everything Cercle holds about a person, as data.json and index.html in a zip.

The relations exported are listed in `coverage.COVERAGE`; this module reads them.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models.fields.files import FieldFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.conversations.models import Topic
from cercle.privacy.coverage import COVERAGE, SECTION_TITLES, Exported

# How the export names people other than the one it is about.
ANOTHER_MEMBER = "another member"
ME = "me"
# Uploaded files larger than this, in total, are listed in data.json but not copied.
FILES_MAX_BYTES = 500 * 1024 * 1024


def person_relations() -> list[tuple[str, models.Field[Any, Any]]]:
    """Every foreign key or many-to-many that points to a person, as
    ("app_label.Model.field", field): hidden ones (related_name="+") included."""
    found = []
    for relation in User._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and relation.is_relation):
            continue
        field = relation.field  # type: ignore[union-attr]
        found.append((f"{field.model._meta.label}.{field.name}", field))
    return found


class _Context:
    """What the export may say about things that are not the person's own."""

    def __init__(self, person: User) -> None:
        self.person = person
        self.readable_spaces = set(
            permissions.readable_spaces_everywhere(person).values_list("pk", flat=True)
        )
        self._topics: dict[int, str] = {}
        self.unreadable: set[int] = set()
        self.files: list[tuple[str, FieldFile]] = []
        self.files_bytes = 0

    def topic_title(self, topic_id: int) -> str:
        """The conversation's title if the person may read it now, else a placeholder."""
        if topic_id not in self._topics:
            topic = Topic.objects.filter(pk=topic_id).only("title", "space_id", "author_id")
            found = topic.first()
            if found is None:
                title = ""
            elif found.author_id == self.person.pk or (
                found.space_id in self.readable_spaces and not found.is_hidden
            ):
                title = found.title
            else:
                title = _("[a conversation you can no longer read]")
                self.unreadable.add(topic_id)
            self._topics[topic_id] = title
        return self._topics[topic_id]

    def add_file(self, section: str, row_id: Any, value: FieldFile) -> str:
        name = Path(value.name or "").name
        inside = f"files/{section}/{row_id}-{name}"
        try:
            size = value.size
        except (OSError, ValueError):
            return ""
        if self.files_bytes + size > FILES_MAX_BYTES:
            return ""
        self.files_bytes += size
        self.files.append((inside, value))
        return inside


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: models.Model, spec: Exported, section: str, context: _Context) -> dict[str, Any]:
    meta = obj._meta
    out: dict[str, Any] = {}
    for field in meta.concrete_fields:
        name = field.name
        if spec.fields is not None and name not in spec.fields and not field.primary_key:
            continue
        if name in spec.drop or name.endswith("_html") or name == "search_vector":
            continue
        if field.is_relation and field.related_model is User:
            user_id = getattr(obj, field.attname)
            out[name] = (
                None
                if user_id is None
                else (ME if user_id == context.person.pk else ANOTHER_MEMBER)
            )
            continue
        if field.is_relation:
            out[f"{name}_id"] = getattr(obj, field.attname)
            continue
        value = getattr(obj, name)
        if isinstance(value, FieldFile):
            out[name] = context.add_file(section, obj.pk, value) if value else ""
            continue
        out[name] = _plain(value)
    for m2m in meta.many_to_many:
        if spec.fields is not None and m2m.name not in spec.fields:
            continue
        if m2m.related_model is User:
            continue
        out[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    _add_context(obj, out, context)
    return out


def _add_context(obj: models.Model, out: dict[str, Any], context: _Context) -> None:
    """The title of the conversation a row belongs to, when the person may read it."""
    topic_id = getattr(obj, "topic_id", None)
    if topic_id is None:
        post = getattr(obj, "post", None) if hasattr(obj, "post_id") else None
        topic_id = getattr(post, "topic_id", None)
    if isinstance(topic_id, int):
        out["conversation"] = context.topic_title(topic_id)
        if obj._meta.label == "notifications.Notification" and topic_id in context.unreadable:
            # The notification's subject quotes the title: not if it cannot be read.
            out["subject"] = out["conversation"]
    if obj._meta.label == "people.Follow":
        followed = getattr(obj, "person", None)
        if followed is not None and permissions.may_see_person(context.person, followed):
            out["person"] = followed.display_name


def _account(person: User) -> dict[str, Any]:
    return {
        "id": person.pk,
        "email": person.email,
        "display_name": person.display_name,
        "handle": person.handle,
        "language": person.language,
        "organisation_provider": person.organisation_provider,
        "date_joined": _plain(person.date_joined),
        "last_login": _plain(person.last_login),
        "is_active": person.is_active,
        "is_staff": person.is_staff,
        "is_superuser": person.is_superuser,
        "groups": list(person.groups.values_list("name", flat=True)),
    }


def sections(person: User, context: _Context | None = None) -> dict[str, list[dict[str, Any]]]:
    context = context or _Context(person)
    data: dict[str, list[dict[str, Any]]] = {}
    for label, field in person_relations():
        spec = COVERAGE.get(label)
        if not isinstance(spec, Exported):
            continue
        model = apps.get_model(field.model._meta.label)
        rows = model._default_manager.filter(**{field.name: person}).order_by("pk")
        data.setdefault(spec.section, []).extend(
            _row(obj, spec, spec.section, context) for obj in rows.iterator()
        )
    return data


def build(person: User) -> tuple[dict[str, Any], _Context]:
    context = _Context(person)
    data = {
        "format": "cercle-export/1",
        "site": settings.SITE_URL,
        "generated_at": timezone.now().isoformat(),
        "account": _account(person),
        **sections(person, context),
    }
    return data, context


def _titled(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The sections that hold rows, titled in the reader's language, in a set order."""
    return [(str(title), data[key]) for key, title in SECTION_TITLES.items() if data.get(key)]


def write_zip(person: User, destination: Path) -> int:
    """Write the person's export to `destination`; return its size in bytes."""
    data, context = build(person)
    language = person.language or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string(
            "privacy/export_index.html",
            {
                "person": person,
                "account": data["account"],
                "sections": _titled(data),
                "generated_at": timezone.now(),
                "LANGUAGE_CODE": language,
            },
        )
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
        archive.writestr("index.html", html)
        for inside, value in _files(context.files):
            with value.open("rb") as handle:
                archive.writestr(inside, handle.read())
    return destination.stat().st_size


def _files(files: Iterable[tuple[str, FieldFile]]) -> Iterable[tuple[str, FieldFile]]:
    for inside, value in files:
        try:
            if value.storage.exists(value.name or ""):
                yield inside, value
        except (OSError, ValueError):
            continue
