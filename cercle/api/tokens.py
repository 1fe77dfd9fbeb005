"""Personal access tokens: made on the account page, shown once, stored hashed,
expiring, revocable (docs/api.md, "Authentication").

The api-core branch fills this in: the `PersonalToken` model (api/models.py), its
pages and `caller_for_token`."""

from __future__ import annotations

from cercle.api.caller import Caller

TOKEN_PREFIX = "cercle_pat_"  # noqa: S105 - a prefix that names the token, not a secret


def caller_for_token(token: str) -> Caller | None:
    """The caller a personal access token stands for, or None (unknown, revoked,
    expired, or its person deactivated)."""
    return None
