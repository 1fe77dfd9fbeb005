"""Cercle's own SMTP or LMTP server, for a mail server to hand messages to
(`cercle mail-in --bind`, docs/mail.md "Receiving").

It takes only Cercle's addresses (RCPT TO of any other is refused: it is no relay),
writes each message to the spool and answers 250 once the spool file is on the disk,
never before. A thread beside it then stores the spooled messages in the database and
has them handled, deleting each file once the database has it; while the database is
down the files wait and are tried again every few seconds. An LMTP client gets one
answer per recipient after DATA, as LMTP wants.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings

from cercle.mailin import handover, receiving
from cercle.mailin.models import Transport
from cercle.mailin.spool import Spool, SpooledMessage, SpoolError

logger = logging.getLogger(__name__)

# Seconds between attempts while the database refuses, growing to the last.
RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)
# When nothing woke it, the spool thread still looks at the folder this often (files
# another process left, a drain by hand that failed).
SWEEP_SECONDS = 60.0


def parse_bind(value: str) -> tuple[str, int]:
    """HOST:PORT (or [IPv6]:PORT) as a host and a port; ValueError with the reason."""
    host, colon, port = value.strip().rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{value!r} is not HOST:PORT, for example 127.0.0.1:2525")
    return host.removeprefix("[").removesuffix("]"), int(port)


def protocol_limit() -> int:
    """Larger messages are refused during the SMTP dialogue (552); up to this, they are
    taken and refused by email once handled, with a clear answer (`MAIL_IN_MAX_BYTES`)."""
    return 2 * int(settings.MAIL_IN_MAX_BYTES)


class SpoolWorker:
    """The thread that moves spooled messages into the database and has them handled."""

    def __init__(
        self,
        spool: Spool,
        *,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        sweep_seconds: float = SWEEP_SECONDS,
    ) -> None:
        self.spool = spool
        self.retry_delays = tuple(retry_delays)
        self.sweep_seconds = sweep_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self.run, name="cercle-mail-spool", daemon=True)
        self.last_error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Whether the thread has stored what it could and waits (for the tests, and
        for a clean stop)."""
        return self._idle.wait(timeout)

    def _store(self, message: SpooledMessage) -> list[Any]:
        return handover.store(
            message.raw,
            transport=message.transport,
            envelope_from=message.envelope_from,
            recipients=message.recipients,
        )

    def run(self) -> None:
        """The thread's loop, until `stop`."""
        failures = 0
        try:
            while not self._stop.is_set():
                self._wake.clear()
                handover.fresh_connections()
                result = self.spool.drain(self._store, handover.process)
                self.last_error = result.error
                if result.error is None:
                    failures = 0
                    self._idle.set()
                    self._wake.wait(self.sweep_seconds)
                    continue
                delay = self.retry_delays[min(failures, len(self.retry_delays) - 1)]
                logger.warning(
                    "Could not store a received message (%s); %d message(s) wait in the "
                    "spool %s, trying again in %s s",
                    result.error,
                    result.left,
                    self.spool.folder,
                    delay,
                    exc_info=failures == 0,
                )
                failures += 1
                handover.close_connections()
                self._idle.set()
                self._stop.wait(delay)
        finally:
            handover.close_connections()


class ReceivingHandler:
    """aiosmtpd's hooks: refuse other addresses, spool, answer."""

    def __init__(self, spool: Spool, worker: SpoolWorker, *, lmtp: bool) -> None:
        self.spool = spool
        self.worker = worker
        self.lmtp = lmtp
        self.transport = Transport.LMTP if lmtp else Transport.SMTP
        # The disk (and `accepts`) away from the event loop, one thing at a time.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cercle-mail-in")

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        loop = asyncio.get_running_loop()
        if not await loop.run_in_executor(self._executor, receiving.accepts, address):
            return f"550 5.1.1 <{address}>: no such address here (Cercle receives only its own)"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Any, envelope: Any
    ) -> str:
        raw = envelope.original_content
        if isinstance(raw, str):  # only with decode_data, which we do not ask for
            raw = raw.encode("utf-8", "surrogateescape")
        recipients = list(envelope.rcpt_tos)
        # The null sender of delivery reports (MAIL FROM:<>) is kept empty.
        sender = (envelope.mail_from or "").strip()
        write = partial(
            self.spool.write,
            raw,
            transport=self.transport,
            envelope_from="" if sender == "<>" else sender,
            recipients=recipients,
        )
        loop = asyncio.get_running_loop()
        try:
            path = await loop.run_in_executor(self._executor, write)
        except SpoolError as error:
            logger.error("Refused a message for now (the sender will try again): %s", error)
            return self._answer(recipients, "451 4.3.0 Temporary failure, please try again later")
        self.worker.wake()
        return self._answer(recipients, f"250 2.0.0 OK: queued as {path.name}")

    def _answer(self, recipients: list[str], answer: str) -> str:
        if not self.lmtp:
            return answer
        code, _, text = answer.partition(" ")
        return "\r\n".join(f"{code} {text} <{r}>" for r in recipients)


class _LmtpController(Controller):
    def factory(self) -> SMTP:
        return LMTP(self.handler, **self.SMTP_kwargs)


class MailServer:
    """The SMTP (or LMTP) server and its spool thread, started and stopped together."""

    worker_class = SpoolWorker

    def __init__(
        self,
        host: str,
        port: int,
        *,
        lmtp: bool = False,
        spool_folder: Path | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.host, self.port, self.lmtp = host, port, lmtp
        self.spool = Spool(Path(spool_folder or settings.MAIL_IN_SPOOL))
        self.worker = self.worker_class(self.spool, retry_delays=retry_delays)
        self.handler = ReceivingHandler(self.spool, self.worker, lmtp=lmtp)
        controller = _LmtpController if lmtp else Controller
        self.controller = controller(
            self.handler,
            hostname=host,
            port=port,
            data_size_limit=protocol_limit(),
            ident="Cercle mail-in",
        )

    @property
    def protocol(self) -> str:
        return "LMTP" if self.lmtp else "SMTP"

    def start(self) -> None:
        """Prepare the spool, store what an earlier run left there, then listen."""
        self.spool.prepare()
        self.worker.start()
        try:
            self.controller.start()
        except BaseException:
            self.worker.stop()
            self.handler.close()
            raise

    def stop(self) -> None:
        try:
            self.controller.stop()
        finally:
            self.handler.close()
            self.worker.stop()

    def __enter__(self) -> MailServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
