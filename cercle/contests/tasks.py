"""The results task lives beside what queues it (`cercle.contests.actions`); its old
address stays valid for the wake-ups queued under it before it moved."""

from cercle.contests.actions import announce_results_task

__all__ = ["announce_results_task"]
