"""`cercle forget_form_tokens`: forget the claimed form tokens older than a week."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cercle.web import KEEP_CLAIMS, purge_old_tokens


class Command(BaseCommand):
    help = (
        "Forget the form tokens claimed more than a week ago (one submission, one creation: "
        "a form that old is not sent twice). Idempotent; `cercle periodic` runs it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        forgotten = purge_old_tokens()
        days = KEEP_CLAIMS.days
        self.stdout.write(f"{forgotten} form token(s) older than {days} days forgotten.")
