"""A small progress bar for long imports, on stderr: steps, counts and rate.

On a terminal the bar redraws in place, at most ten times a second; elsewhere (a
log file, a CI job) each step prints one line when it ends, never a stream of
carriage returns. `Progress.silent()` prints nothing, for `--quiet`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from django.utils.translation import gettext as _

BAR_WIDTH = 24
REDRAW_SECONDS = 0.1


class Progress:
    """Reports steps of a job; each step counts rows and, when known, a fraction done."""

    def __init__(
        self,
        write: Callable[[str], object] | None,
        *,
        flush: Callable[[], object] | None = None,
        interactive: bool = False,
    ) -> None:
        self._write = write
        self._flush = flush
        self.interactive = interactive and write is not None
        self._label = ""
        self._rows = 0
        self._fraction: float | None = None
        self._started = 0.0
        self._drawn_at = 0.0
        self._width = 0

    @classmethod
    def silent(cls) -> Progress:
        return cls(None)

    @classmethod
    def to(cls, stream: TextIO) -> Progress:
        """Progress on a stream; redrawn in place when the stream is a terminal."""
        return cls(stream.write, flush=stream.flush, interactive=stream.isatty())

    def start(self, label: str) -> None:
        self._label, self._rows, self._fraction = label, 0, None
        self._started = self._drawn_at = time.monotonic()
        if self.interactive:
            self._draw()

    def update(self, rows: int, fraction: float | None = None) -> None:
        """`rows` done so far in this step, and the fraction of the step (0..1) if known."""
        self._rows, self._fraction = rows, fraction
        now = time.monotonic()
        if self.interactive and now - self._drawn_at >= REDRAW_SECONDS:
            self._drawn_at = now
            self._draw()

    def finish(self, rows: int | None = None) -> None:
        if rows is not None:
            self._rows = rows
        self._fraction = 1.0
        if self._write is None:
            return
        if self.interactive:
            self._draw()
            self._write("\n")
        else:
            self._write(self.line() + "\n")
        if self._flush is not None:
            self._flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = self._rows / elapsed
        counts = _("%(rows)s rows, %(rate)s rows/s, %(seconds).1f s") % {
            "rows": f"{self._rows:,}",
            "rate": f"{rate:,.0f}",
            "seconds": elapsed,
        }
        if self._fraction is None:
            return f"{self._label:<28} {counts}"
        done = min(max(self._fraction, 0.0), 1.0)
        filled = round(done * BAR_WIDTH)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        return f"{self._label:<28} [{bar}] {done:4.0%}  {counts}"

    def _draw(self) -> None:
        if self._write is None:
            return
        text = self.line()
        # Spaces rub out what a longer previous line left behind.
        self._write("\r" + text + " " * max(self._width - len(text), 0))
        self._width = len(text)
        if self._flush is not None:
            self._flush()
