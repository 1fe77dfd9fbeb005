"""Presence: a member's visit to a community's pages, recorded once a day.

Participation levels count presence as well as contributions (Wenger's peripheral
members mostly read). The first page of a community that an active member opens on
a UTC day records one `community.visited` event; the cache remembers it for the
day, so the other pages of that day cost nothing. The event is written in one
INSERT ... SELECT that only inserts for an active member of the community at that
address, after the page answered successfully.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cercle.communities.models import Status
from cercle.web_effects import get_side_effect

VISIT_VERB = "community.visited"
COMMUNITY_TYPE = "communities.community"
DAY_SECONDS = 86_400


@get_side_effect("presence")
def note_visit(person_id: int, slug: str) -> bool:
    """Record today's visit of `person_id` to the community at `slug`, once a day;
    True when an event was written."""
    now = timezone.now()
    key = f"presence:{person_id}:{slug}:{now.astimezone(UTC).date().isoformat()}"
    if not cache.add(key, 1, DAY_SECONDS):
        return False
    sql = (
        "INSERT INTO analytics_activityevent "
        "(community_id, actor_id, verb, object_type, object_id, level, space_id, created_at) "
        "SELECT c.id, m.person_id, %s, %s, c.id, NULL, NULL, %s "
        "FROM communities_community c JOIN communities_membership m "
        "ON m.community_id = c.id AND m.person_id = %s AND m.status = %s "
        "WHERE c.slug = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                VISIT_VERB,
                COMMUNITY_TYPE,
                connection.ops.adapt_datetimefield_value(now),
                person_id,
                Status.ACTIVE,
                slug,
            ],
        )
        return bool(cursor.rowcount > 0)


class PresenceMiddleware:
    """Notes the visit of a signed-in member to a community page (`/c/SLUG/...`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.CERCLE_RECORD_PRESENCE
            and request.method == "GET"
            and response.status_code == 200
            and request.user.is_authenticated
            and request.resolver_match is not None
            and request.path.startswith("/c/")
        ):
            slug = request.resolver_match.kwargs.get("slug")
            if isinstance(slug, str):
                note_visit(request.user.pk, slug)
        return response
