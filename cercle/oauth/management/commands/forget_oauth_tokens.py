from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from oauth2_provider.models import clear_expired


class Command(BaseCommand):
    help = (
        "Delete the OAuth access and refresh tokens, and the authorization codes, that "
        "have expired (django-oauth-toolkit's clear_expired). Idempotent; `cercle "
        "periodic` runs it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        clear_expired()  # type: ignore[no-untyped-call]
        self.stdout.write("Expired OAuth tokens and codes deleted.")
