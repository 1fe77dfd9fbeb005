"""Reading the XML files of a data dump, row by row, in bounded memory.

A Stack Exchange dump is one XML file per table: a root element (`<posts>`) and one
`<row Id="..." .../>` per record, every value an attribute. The files are read
with expat, the parser under `xml.etree.ElementTree.iterparse`, used directly: it
streams the same way, and it tells the line of each row, so that every problem is
reported with its file and line. Nothing is kept but the rows of the last chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.parsers import expat

from django.utils.translation import gettext as _

CHUNK_BYTES = 1 << 16
_CODES = expat.errors.codes
# Errors that mean the text stops too early: an empty or cut file.
_TRUNCATED = {
    _CODES[expat.errors.XML_ERROR_NO_ELEMENTS],
    _CODES[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
    _CODES[expat.errors.XML_ERROR_PARTIAL_CHAR],
    _CODES[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}
# Errors that bytes of another encoding than the declared one cause.
_BAD_BYTES = {
    _CODES[expat.errors.XML_ERROR_INVALID_TOKEN],
    _CODES[expat.errors.XML_ERROR_BAD_CHAR_REF],
}


class DumpError(Exception):
    """A problem with the dump, told with the file (and the line) where it is."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.file = Path(path).name
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return _("%(file)s: %(message)s") % {"file": self.path, "message": self.message}
        return _("%(file)s, line %(line)d: %(message)s") % {
            "file": self.path,
            "line": self.line,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class Row:
    """One `<row>` element: its attributes, and where it is, for error messages."""

    path: Path
    line: int
    attrs: dict[str, str]

    def error(self, message: str) -> DumpError:
        return DumpError(self.path, message, self.line)

    def text(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    def integer(self, name: str) -> int:
        value = self.attrs.get(name)
        if value is None:
            raise self.error(_("the row has no %(name)s attribute.") % {"name": name})
        return self._to_int(name, value)

    def optional_integer(self, name: str) -> int | None:
        value = self.attrs.get(name)
        return None if value is None or value == "" else self._to_int(name, value)

    def time(self, name: str) -> datetime:
        value = self.attrs.get(name)
        if value is None:
            raise self.error(_("the row has no %(name)s attribute.") % {"name": name})
        return self._to_time(name, value)

    def optional_time(self, name: str) -> datetime | None:
        value = self.attrs.get(name)
        return None if not value else self._to_time(name, value)

    def _to_int(self, name: str, value: str) -> int:
        try:
            return int(value)
        except ValueError:
            raise self.error(
                _("%(name)s=%(value)r is not a whole number.") % {"name": name, "value": value}
            ) from None

    def _to_time(self, name: str, value: str) -> datetime:
        try:
            return parse_time(value)
        except ValueError:
            raise self.error(
                _("%(name)s=%(value)r is not a date.") % {"name": name, "value": value}
            ) from None


def parse_time(value: str) -> datetime:
    """A dump's time, always UTC: `2011-03-05T14:02:11.123`, `...T14:02:11` or `2011-03-05`
    (votes carry only their day, at midnight)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class DumpFile:
    """One table of the dump, found whatever the case of its name (Posts.xml, posts.xml)."""

    def __init__(self, path: Path, table: str) -> None:
        self.path = path
        self.table = table
        self.size = path.stat().st_size
        self.bytes_read = 0

    @property
    def name(self) -> str:
        return self.path.name

    def rows(self, on_chunk: Callable[[DumpFile, int], None] | None = None) -> Iterator[Row]:
        """Every `<row>` in file order. `on_chunk(self, rows_so_far)` after each chunk."""
        parser = expat.ParserCreate()
        pending: list[Row] = []
        depth = 0
        root_checked = False
        path = self.path
        expected_root = self.table.lower()

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal depth, root_checked
            depth += 1
            if depth == 1:
                root_checked = True
                if name.lower() != expected_root:
                    raise DumpError(
                        path,
                        _("the file holds <%(found)s>, not the <%(expected)s> of this table.")
                        % {"found": name, "expected": expected_root},
                        parser.CurrentLineNumber,
                    )
            elif depth == 2 and name == "row":
                pending.append(Row(path, parser.CurrentLineNumber, attrs))

        def end(name: str) -> None:
            nonlocal depth
            depth -= 1

        parser.StartElementHandler = start
        parser.EndElementHandler = end
        count = 0
        self.bytes_read = 0
        with path.open("rb") as stream:
            while True:
                chunk = stream.read(CHUNK_BYTES)
                self._parse(parser, chunk, final=not chunk)
                self.bytes_read += len(chunk)
                count += len(pending)
                yield from pending
                pending.clear()
                if on_chunk is not None:
                    on_chunk(self, count)
                if not chunk:
                    break
        if not root_checked:  # pragma: no cover - expat reports an empty document first
            raise DumpError(path, _("the file holds no XML element."), 1)

    def _parse(self, parser: expat.XMLParserType, chunk: bytes, *, final: bool) -> None:
        try:
            parser.Parse(chunk, final)
        except expat.ExpatError as error:
            raise DumpError(self.path, self._explain(error), error.lineno) from None

    def _explain(self, error: expat.ExpatError) -> str:
        reason = expat.errors.messages[error.code]
        if error.code in _TRUNCATED:
            return _(
                "the file ends in the middle of the XML (%(reason)s): it is empty or "
                "truncated; copy or extract it again."
            ) % {"reason": reason}
        if error.code in _BAD_BYTES and not self._is_utf8_at(error.lineno):
            return _(
                "the file is not in UTF-8 (%(reason)s): dumps are UTF-8; convert it "
                "or take the original file again."
            ) % {"reason": reason}
        return _("broken XML (%(reason)s, column %(column)d).") % {
            "reason": reason,
            "column": error.offset + 1,
        }

    def _is_utf8_at(self, lineno: int) -> bool:
        """Whether the failing line decodes as UTF-8: if not, the encoding is wrong."""
        with self.path.open("rb") as stream:
            for number, line in enumerate(stream, start=1):
                if number == lineno:
                    try:
                        line.decode("utf-8")
                    except UnicodeDecodeError:
                        return False
                    return True
        return True


def find_tables(directory: Path) -> dict[str, Path]:
    """The dump's XML files by lower-case table name: {"posts": .../Posts.xml, ...}."""
    found: dict[str, Path] = {}
    for entry in sorted(directory.iterdir()):
        if entry.is_file() and entry.suffix.lower() == ".xml":
            found.setdefault(entry.stem.lower(), entry)
    return found
