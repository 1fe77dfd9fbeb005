"""How an outcome looks in the received-mail log: a badge of one tone (cercle.css's
`badge--<tone>`). Plain values, so that the template filter computes nothing."""

from __future__ import annotations

# Outcome values (cercle.mailin.models.Outcome), named here as strings: the template
# filter that reads this must not import the models.
TONES: dict[str, str] = {
    "posted": "success",
    "topic_started": "success",
    "bounce_recorded": "quiet",
    "ignored_auto_reply": "quiet",
    "ignored_loop": "quiet",
    "ignored_duplicate": "quiet",
    "pending": "info",
    "failed": "danger",
}


def tone(outcome: str) -> str:
    """Refusals are warnings; the rest as `TONES` says."""
    return TONES.get(outcome, "warning")
