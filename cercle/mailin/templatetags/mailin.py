"""`{{ outcome|outcome_tone }}`: the badge tone of a received message's outcome."""

from __future__ import annotations

from django import template

from cercle.mailin.tones import tone

register = template.Library()


@register.filter
def outcome_tone(outcome: str) -> str:
    return tone(outcome)
