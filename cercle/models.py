"""One submission, one creation: the tokens creation forms carry, once claimed.

A creation form carries a random token (`{% once_field %}`, from
`cercle/ui/templatetags/once.py`); `cercle.web.once` claims it in the same transaction
as the action and remembers where the submission led, so that the same form sent
again (a double click, ten tabs, a resent request) is answered with that place instead
of a second creation. `cercle.web.purge_old_tokens` forgets old claims.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

# The form field that carries the token, and what a token may look like (anything
# else is ignored, as if the form had none).
ONCE_FIELD = "once"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    """A token no one can guess: 128 random bits."""
    return secrets.token_urlsafe(16)


class SubmissionClaim(models.Model):
    """A form token claimed by the one submission that did its work."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    # Where the submission led (the redirect the first answer gave): every repeat goes there.
    location = models.CharField(max_length=2000, blank=True)
    claimed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "token"], name="claim_once_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.token}"
