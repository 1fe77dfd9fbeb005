"""Writing millions of rows: COPY on PostgreSQL, `executemany` on SQLite.

The ORM's `bulk_create` builds one object per row and one parameter per value; at
the scale of millions of activity events that is most of the time spent. Here rows
are plain tuples written in the database's own bulk path: `COPY ... FROM STDIN` on
PostgreSQL, a prepared INSERT run over many rows on SQLite. Primary keys that other
rows point to are reserved beforehand (`reserve_ids`), so a row and the rows that
refer to it can be written without reading anything back.

Everything runs inside the caller's transaction: nothing is visible, and nothing
stays, unless the whole generation commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone

Converter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime | None) -> str | None:
    # As Django stores them on SQLite: naive UTC text.
    if value is None:
        return None
    return str(value.astimezone(UTC).replace(tzinfo=None))


def _json(value: Any) -> str:
    return json.dumps(value)


class Table:
    """The columns of `model` that a bulk write fills, with their default values.

    Each row given to `write` is a tuple of the values of `columns`, in that order;
    every other concrete column gets its field default (or NULL, or "")."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.columns = list(columns)
        by_name = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in self.columns if name not in by_name]
        if unknown:  # pragma: no cover - a programming error, caught by the tests
            raise ValueError(f"{model.__name__} has no column {unknown}")
        self.extra: list[tuple[str, Any]] = []
        for field in model._meta.concrete_fields:
            if field.attname in self.columns or (field.primary_key and "id" not in self.columns):
                continue
            if field.has_default():
                default = field.get_default()
            elif isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
                default = timezone.now()  # a row that carries no time of its own: now
            elif field.null:
                default = None
            elif isinstance(field, models.CharField | models.TextField | models.FileField):
                default = ""
            else:  # pragma: no cover - a programming error, caught by the tests
                raise ValueError(f"{model.__name__}.{field.attname} needs a value")
            self.extra.append((field.attname, default))
        sqlite = connection.vendor == "sqlite"
        self.convert: list[Converter | None] = []
        self.names = self.columns + [name for name, _value in self.extra]
        for name in self.names:
            field = by_name[name]
            if sqlite and isinstance(field, models.DateTimeField):
                self.convert.append(_sqlite_datetime)
            elif isinstance(field, models.JSONField):
                self.convert.append(_json)
            else:
                self.convert.append(None)
        self.defaults = tuple(value for _name, value in self.extra)

    def _prepare(self, row: Sequence[Any]) -> tuple[Any, ...]:
        values = (*row, *self.defaults)
        if not any(self.convert):
            return values
        return tuple(
            value if convert is None else convert(value)
            for value, convert in zip(values, self.convert, strict=True)
        )

    def write(self, rows: Iterable[Sequence[Any]]) -> int:
        """Write the rows; return how many."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(name) for name in self.names)
        count = 0
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(self._prepare(row))
                        count += 1
                return count
            marks = ", ".join(["%s"] * len(self.names))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - our names
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(self._prepare(row))
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys for rows of `model` that the caller will write itself.

    On PostgreSQL they come from the table's sequence (others writing at the same time
    get other numbers); on SQLite the caller's transaction holds the write lock, so the
    numbers after the highest in use are free."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    if pk is None:  # pragma: no cover - every concrete model has one
        raise ValueError(f"{model.__name__} has no primary key")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        column, name = connection.ops.quote_name(pk.column), connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {name}")  # noqa: S608 - our names
        highest = int(cursor.fetchone()[0])
    return list(range(highest + 1, highest + 1 + count))
