"""Cursor pagination for every list of the API: keyset pages that stay fast and
stable however deep one goes (a new topic does not shift the next page), and that
run the same number of queries whatever the page size.

An endpoint orders its queryset by a unique key (its last field is the primary key)
and calls `cursor_page`; the response carries `items` and `next_cursor`, an opaque
string the caller sends back as `?cursor=` for the next page (null on the last).
A cursor that was tampered with, or made for another ordering, is a 400 problem.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.db.models import Model, Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from ninja import Schema

from cercle.api.problems import ApiError

DEFAULT_LIMIT = 25
MAX_LIMIT = 100

M = TypeVar("M", bound=Model)
T = TypeVar("T")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def _encode(values: Sequence[Any], ordering: Sequence[str]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    raw = json.dumps({"o": list(ordering), "v": plain}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, ordering: Sequence[str]) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values: list[Any] = data["v"]
        valid = data["o"] == list(ordering) and len(values) == len(ordering)
    except (binascii.Error, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise ApiError(400, _("This cursor is not valid for this list: start again without it."))
    return values


def _value(instance: Model, field: str) -> Any:
    """The value of `field` (through relations: `community__name`) on `instance`; a
    related row itself stands for its key."""
    value: Any = instance
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value.pk if isinstance(value, Model) else value


def _typed(field: str, value: Any) -> Any:
    """A cursor's value as the database compares it (times come back as text)."""
    if isinstance(value, str) and field.lstrip("-").endswith(("_at", "time", "created", "date")):
        return parse_datetime(value) or value
    return value


def _after(ordering: Sequence[str], values: Sequence[Any]) -> Q:
    """The rows that come after `values` in `ordering` (keyset: a OR of prefixes)."""
    typed = [_typed(field, value) for field, value in zip(ordering, values, strict=True)]
    condition = Q()
    for index, field in enumerate(ordering):
        name = field.lstrip("-")
        step = Q(**{f"{name}__{'lt' if field.startswith('-') else 'gt'}": typed[index]})
        for previous, earlier in zip(ordering[:index], typed[:index], strict=True):
            step &= Q(**{previous.lstrip("-"): earlier})
        condition |= step
    return condition


def cursor_page(
    queryset: QuerySet[M],
    *,
    ordering: Sequence[str],
    cursor: str | None = None,
    limit: int | None = None,
) -> tuple[list[M], str | None]:
    """One page of `queryset` in `ordering` (fields, "-" for descending, ending with
    "pk" or "-pk"; no field may be null), after `cursor`; and the cursor of the next
    page, or None. One query, whatever `limit` (1 to MAX_LIMIT, DEFAULT_LIMIT if None)."""
    if not ordering or ordering[-1].lstrip("-") not in ("pk", "id"):
        raise ValueError("a cursor ordering must end with the primary key")
    size = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= size <= MAX_LIMIT:
        raise ApiError(400, _("Ask for 1 to %(max)d items a page.") % {"max": MAX_LIMIT})
    rows = queryset.order_by(*ordering)
    if cursor:
        rows = rows.filter(_after(ordering, _decode(cursor, ordering)))
    found = list(rows[: size + 1])
    if len(found) <= size:
        return found, None
    found = found[:size]
    last = found[-1]
    return found, _encode([_value(last, field) for field in ordering], ordering)
