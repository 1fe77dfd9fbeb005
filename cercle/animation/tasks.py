"""The planning's task lives beside what queues it (`cercle.animation.planning`); its
old address stays valid for the wake-ups queued under it before it moved."""

from cercle.animation.planning import publish_due_task

__all__ = ["publish_due_task"]
