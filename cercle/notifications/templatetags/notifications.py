"""The bell in the header.

Pages draw it without a database query: unless the page has counted the unread
notifications already (the notifications page has), the bell asks for its figure
with htmx as soon as the page has loaded, then every minute. Without JavaScript it
is a plain link to the notifications page.
"""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    count = context.get("unread_notifications")
    return {"show": True, "count": count, "pending": count is None}
