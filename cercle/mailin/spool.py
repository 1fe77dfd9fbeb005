"""The spool: where the SMTP/LMTP receiver writes a message before it says "250"
(docs/mail.md, "Receiving").

A folder in the Maildir manner (`CERCLE_MAIL_IN_SPOOL`): a message is written whole into
`tmp/`, synced to the disk, then renamed into `new/`, a step that either happens whole
or not at all. Only then is it acknowledged; it leaves `new/` once the database has it
(`drain`), so that a database that is down loses nothing: the file waits, and is tried
again. Each file holds one line of JSON (the envelope: transport, sender, recipients)
and then the message's bytes exactly as received.

Two processes may drain the same spool (the receiver, and `cercle mail-in --drain` run
by hand): each file is locked while it is stored, and one that vanished meanwhile is
left alone, so that a message is stored once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

logger = logging.getLogger(__name__)

# A file left in tmp/ this long was never acknowledged (its writer died mid-way): the
# sending server was not told "250" and sends it again, so it may go.
STALE_TMP_SECONDS = 3600


class SpoolError(OSError):
    """The message could not be made durable: answer "try again later"."""


@dataclass(frozen=True)
class SpooledMessage:
    path: Path
    raw: bytes
    transport: str
    envelope_from: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Stored(Generic[T]):
    value: T


@dataclass
class DrainResult:
    stored: int = 0
    # The error that stopped the pass (the database's); the files wait for the next.
    error: BaseException | None = None
    left: int = 0
    broken: list[Path] = field(default_factory=list)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Spool:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.tmp = self.folder / "tmp"
        self.new = self.folder / "new"
        # Files whose envelope cannot be read: kept for a person to look at, not retried.
        self.broken = self.folder / "broken"
        self._counter = 0

    def prepare(self) -> None:
        """Create the folders, and forget what a writer that died left in tmp/."""
        for folder in (self.tmp, self.new, self.broken):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        limit = time.time() - STALE_TMP_SECONDS
        for leftover in self.tmp.iterdir():
            try:
                if leftover.stat().st_mtime < limit:
                    leftover.unlink()
            except FileNotFoundError:
                continue

    def _unique_name(self) -> str:
        # Sortable by arrival (the drain keeps the order), unique across processes and
        # machines sharing the folder, as Maildir's names are.
        self._counter += 1
        host = socket.gethostname().replace("/", "_").replace(".", "_") or "host"
        return f"{time.time_ns():020d}.P{os.getpid()}Q{self._counter}R{secrets.token_hex(6)}.{host}"

    def write(
        self, raw: bytes, *, transport: str, envelope_from: str, recipients: Sequence[str]
    ) -> Path:
        """Make the message durable; raises SpoolError when it could not."""
        envelope = json.dumps(
            {"transport": transport, "from": envelope_from, "to": list(recipients)},
            ensure_ascii=True,
        ).encode()
        name = self._unique_name()
        temporary = self.tmp / name
        try:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(descriptor, "wb") as output:
                    output.write(envelope + b"\n" + raw)
                    output.flush()
                    os.fsync(output.fileno())
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
            final = self.new / name
            os.rename(temporary, final)
            _sync_folder(self.new)
        except OSError as error:
            raise SpoolError(f"cannot write to the spool {self.folder}: {error}") from error
        return final

    def waiting(self) -> list[Path]:
        """The files not yet stored, oldest first."""
        try:
            return sorted(
                (p for p in self.new.iterdir() if not p.name.startswith(".")),
                key=lambda p: p.name,
            )
        except FileNotFoundError:
            return []

    @staticmethod
    def read(path: Path) -> SpooledMessage:
        content = path.read_bytes()
        line, _, raw = content.partition(b"\n")
        envelope = json.loads(line)
        recipients = envelope["to"]
        if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
            raise ValueError("the recipients are not a list of addresses")
        return SpooledMessage(
            path=path,
            raw=raw,
            transport=str(envelope["transport"]),
            envelope_from=str(envelope["from"]),
            recipients=tuple(recipients),
        )

    def drain(
        self,
        store: Callable[[SpooledMessage], T],
        then: Callable[[T], object] | None = None,
    ) -> DrainResult:
        """Store every waiting file through `store`, oldest first, deleting each once
        `store` returned, and then calling `then` with what it returned (the handling,
        which may take its time: the file is gone by then). The first exception `store`
        raises stops the pass (the database is down: the next files would fail too) and
        is returned."""
        result = DrainResult()
        for path in self.waiting():
            try:
                done = self._store_one(path, store)
            except Exception as error:
                result.error = error
                break
            if isinstance(done, Stored):
                result.stored += 1
                if then is not None:
                    then(done.value)
            elif isinstance(done, Path):
                result.broken.append(done)
        result.left = len(self.waiting())
        return result

    def _store_one(
        self, path: Path, store: Callable[[SpooledMessage], T]
    ) -> Stored[T] | Path | None:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return None  # another drain stored it
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # another drain is storing it
            try:
                # Stored and deleted by another drain between our open and our lock.
                if os.stat(path).st_ino != os.fstat(descriptor).st_ino:
                    return None
            except FileNotFoundError:
                return None
            try:
                message = self.read(path)
            except (ValueError, KeyError, TypeError) as error:
                kept = self.broken / path.name
                os.rename(path, kept)
                logger.error("Spool file %s is unreadable (%s): moved to %s", path, error, kept)
                return kept
            value = store(message)
            path.unlink()
            _sync_folder(self.new)
            return Stored(value)
        finally:
            os.close(descriptor)  # releases the lock
