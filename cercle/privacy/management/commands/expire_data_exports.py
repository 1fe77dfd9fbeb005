from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cercle.privacy.actions import expire_exports


class Command(BaseCommand):
    help = (
        "Delete the files of data exports past their expiry date (CERCLE_EXPORT_DAYS after "
        "they were ready); their rows stay, marked expired. Exports left pending for a day "
        "are marked failed. Idempotent; `cercle periodic` runs it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = expire_exports()
        self.stdout.write(f"{expired} export(s) expired.")
