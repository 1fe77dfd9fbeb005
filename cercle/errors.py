"""The refusal every action raises when it will not do what it was asked."""

from __future__ import annotations


class ActionRefused(Exception):
    """A change was refused and nothing was written; `message` says why, for people.

    `not_found` marks refusals where saying more would leak that something exists
    (a private space, an internal community): views answer them with a 404.
    """

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.not_found = not_found
