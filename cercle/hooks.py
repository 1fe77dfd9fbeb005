"""Hooks: how a lower layer lets higher ones act, without importing them.

A lower app declares a hook where something happens (a member joined, a reply was
posted) and calls it there; the higher apps that care register a receiver from their
`AppConfig.ready()`. Communities need not know that onboarding welcomes newcomers, nor
conversations that notifications tell followers: the layers stay in order
(docs/architecture.md, "Hooks").

A hook is a plain typed list of functions rather than a Django signal: its receivers'
arguments are checked by mypy, a reader finds every receiver with one search
(`<hook>.register(`), and they run in a known order (the apps' order in
`INSTALLED_APPS`), synchronously, inside the caller's transaction: a receiver that
fails rolls the whole action back, and a rolled-back action leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """Receivers called in their order of registration with the hook's arguments;
    calling the hook returns what each returned."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[P, R]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receiver(s)>"

    def register(self, receiver: Callable[P, R]) -> Callable[P, R]:
        """Add `receiver` (once: registering it again changes nothing); returns it, so
        that it can be used as a decorator."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def unregister(self, receiver: Callable[P, R]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def receivers(self) -> tuple[Callable[P, R], ...]:
        return tuple(self._receivers)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> list[R]:
        return [receiver(*args, **kwargs) for receiver in self._receivers]
