from __future__ import annotations

from django.db import models
from django.utils import timezone


class PeriodicRun(models.Model):
    """The last run of one scheduled job (`registry.Job`), by its name.

    A run in progress has `last_started` later than `last_finished`. `last_error` is
    empty when the last run succeeded, else its traceback."""

    name = models.CharField(max_length=80, unique=True)
    # When a scheduler first saw the job: a job on the calendar that never ran waits
    # for its first moment after this.
    first_seen = models.DateTimeField(default=timezone.now)
    last_started = models.DateTimeField(null=True, blank=True)
    last_finished = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_output = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.last_started is not None and (
            self.last_finished is None or self.last_finished < self.last_started
        )
