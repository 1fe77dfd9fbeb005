"""What a GET may write: the named side effects of reading a page.

Reading a page changes nothing (another site can make a browser GET any address),
except through the functions marked here with `@get_side_effect(name)`. Each is
listed in docs/architecture.md under "What a GET may write":

- "read markers" (`conversations.reading.note_topic_read`): how far the reader has
  read a topic, for the unread and "new replies" markers;
- "space visits" (`conversations.reading.note_space_visit`): when the reader last
  opened a space, for "new since your last visit";
- "presence" (`activity.presence.note_visit`): a member's first community page of a
  day, for the participation levels;
- "calendar feed key" (`events.queries.feed_token`): the key of a member's personal
  calendar feed, made the first time its address is shown to them.

Each writes only about the reader, and only what reading means. tests/
test_page_queries.py requests the pages with GET and fails on any write made outside
these functions, so a new one has to be declared (and documented) to pass.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

_running: ContextVar[str | None] = ContextVar("cercle_get_side_effect", default=None)

# name -> the function that does it ("module.function").
DECLARED: dict[str, str] = {}


def get_side_effect(name: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Mark `func` as the one way a GET may write `name` (see the module's list)."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        DECLARED[name] = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _running.set(name)
            try:
                return func(*args, **kwargs)
            finally:
                _running.reset(token)

        return run

    return decorate


def running() -> str | None:
    """The declared side effect being written now, if any (the tests' write check)."""
    return _running.get()
