"""`cercle forget_unpublished_files`: delete the files dropped into a composer and never
published, after 30 days."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cercle.conversations.composer import KEEP_UNPUBLISHED, forget_unpublished_uploads


class Command(BaseCommand):
    help = (
        "Delete the files dropped or pasted into a message more than 30 days ago that no "
        "published post took and no draft of their uploader still links to (rows and "
        "stored files). Idempotent; `cercle periodic` runs it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        forgotten = forget_unpublished_uploads()
        days = KEEP_UNPUBLISHED.days
        self.stdout.write(f"{forgotten} unpublished file(s) older than {days} days deleted.")
