"""Presence: a member's visit to a community's pages, recorded once a day.

Participation levels count presence as well as contributions (Wenger's peripheral
members mostly read). The first page of a community that an active member opens on
a UTC day records one `community.visited` event (`verbs.COMMUNITY_VISITED`), after
the page answered successfully.

Once a day whatever the number of web workers: the database decides. In one
transaction, an INSERT ... SELECT adds the member's `Presence` row for the day (only
for an active member of the community at that address) with ON CONFLICT DO NOTHING
on its unique key, and the event is written only when that row went in. Two workers
serving the same member at the same moment insert one row and one event. The cache
remembers the day in front of it, so that the other pages of the day cost no query
in the worker that saw it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from cercle.activity import verbs
from cercle.web_effects import get_side_effect

# The log sits below the communities app and imports nothing of it: the one value of
# `communities.models.Status` it needs is named here (tests/test_analytics_presence.py
# checks that both agree).
ACTIVE_MEMBER = "active"

COMMUNITY_TYPE = "communities.community"
DAY_SECONDS = 86_400

# The member's row for the day, when they are an active member of the community.
_PRESENCE_SQL = (
    "INSERT INTO activity_presence (person_id, community_id, day) "
    "SELECT m.person_id, c.id, %s "
    "FROM communities_community c JOIN communities_membership m "
    "ON m.community_id = c.id AND m.person_id = %s AND m.status = %s "
    "WHERE c.slug = %s "
    "ON CONFLICT (community_id, person_id, day) DO NOTHING"
)
_VISIT_SQL = (
    "INSERT INTO analytics_activityevent "
    "(community_id, actor_id, verb, object_type, object_id, level, space_id, created_at) "
    "SELECT c.id, %s, %s, %s, c.id, %s, NULL, %s FROM communities_community c "
    "WHERE c.slug = %s"
)


@get_side_effect("presence")
def note_visit(person_id: int, slug: str) -> bool:
    """Record today's visit of `person_id` to the community at `slug`, once a day;
    True when an event was written (by this call: another worker's does not count)."""
    now = timezone.now()
    day = now.astimezone(UTC).date()
    key = f"presence:{person_id}:{slug}:{day.isoformat()}"
    # Read first: the day's other pages then cost one read of the cache, where an
    # `add` alone would try (and fail) to write on each of them.
    if cache.get(key) is not None or not cache.add(key, 1, DAY_SECONDS):
        return False
    visit = verbs.declared(verbs.COMMUNITY_VISITED)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _PRESENCE_SQL,
                [connection.ops.adapt_datefield_value(day), person_id, ACTIVE_MEMBER, slug],
            )
            if cursor.rowcount <= 0:
                return False  # not a member, or present already (another worker's row)
            cursor.execute(
                _VISIT_SQL,
                [
                    person_id,
                    visit.name,
                    COMMUNITY_TYPE,
                    visit.level,
                    connection.ops.adapt_datetimefield_value(now),
                    slug,
                ],
            )
            return True
    except Exception:
        # Nothing was written: a later page of the day may try again.
        cache.delete(key)
        raise


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
