"""What the account pages ask the apps above them (`cercle.hooks`).

- `password_sign_in_refusal(email)`: may this address use a password (log in, reset
  it, sign up)? Each receiver returns "" (no objection) or the message to show, for
  example "people at example.org sign in through their organisation" (cercle.sso
  registers one for its organisation-only domains, docs/sso.md).
"""

from __future__ import annotations

from cercle.hooks import Hook

password_sign_in_refusal: Hook[[str], str] = Hook("password_sign_in_refusal")


def refusal_for(email: str) -> str:
    """The first objection to a password for `email`, or ""."""
    if not email or "@" not in email:
        return ""
    return next((message for message in password_sign_in_refusal(email) if message), "")
