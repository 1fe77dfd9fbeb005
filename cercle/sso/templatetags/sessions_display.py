"""Formatting a session's device for the sessions pages (no query, no decision)."""

from __future__ import annotations

from django import template

from cercle.sso.sessions_devices import Device, describe

register = template.Library()


@register.filter
def device(user_agent: str) -> Device:
    return describe(user_agent or "")
