"""The badges job: award the built-in badges people have earned, and fill the "members
of the month" showcase. Run by `cercle award_badges` (cron) or its task.

Both are idempotent and set-based: the number of queries depends on the number of
badges, of communities that get something new and of time zones, never on the number
of members. Each new award is told to its holder once: a run notifies exactly the
awards it inserted (`BadgeAward.batch`), so two runs at once never tell anyone twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cercle.activity import verbs
from cercle.activity.log import new_event
from cercle.activity.models import ActivityEvent
from cercle.badges.models import BadgeAward, MemberOfTheMonth
from cercle.badges.rules import BUILTIN_BADGES, BuiltinBadge
from cercle.communities.models import Community, Membership, Role, Status
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind

SHOWCASE_PLACES = 3


@dataclass
class JobReport:
    awarded: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    showcases: int = 0

    def __str__(self) -> str:
        awarded = ", ".join(f"{key}: {count}" for key, count in self.awarded.items() if count)
        lines = [f"Badges awarded: {awarded or 'none'}."]
        if self.skipped:
            lines.append(f"Skipped (their app is not ready): {', '.join(self.skipped)}.")
        lines.append(f"Members-of-the-month showcases filled: {self.showcases}.")
        return "\n".join(lines)


def badges_url(community: Community) -> str:
    return reverse("badges:community", kwargs={"slug": community.slug})


def award_builtin_badges(
    now: datetime | None = None, communities: list[int] | None = None
) -> JobReport:
    """Award every built-in badge earned and not yet held; tell each new holder."""
    now = now or timezone.now()
    report = JobReport()
    for badge in BUILTIN_BADGES.values():
        pairs = badge.earners(now, communities)
        if pairs is None:
            report.skipped.append(badge.key)
            continue
        report.awarded[badge.key] = _award(badge, list(pairs), now)
    return report


def _award(badge: BuiltinBadge, pairs: list[tuple[int, int]], now: datetime) -> int:
    if not pairs:
        return 0
    batch = uuid.uuid4().hex
    with transaction.atomic():
        BadgeAward.objects.bulk_create(
            [
                BadgeAward(
                    person_id=person,
                    community_id=community,
                    badge_key=badge.key,
                    awarded_at=now,
                    batch=batch,
                )
                for person, community in pairs
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        # Only what this run inserted: a concurrent run's awards are its own to tell.
        new = list(
            BadgeAward.objects.filter(batch=batch).values_list("pk", "community_id", "person_id")
        )
        by_community: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for pk, community_id, person_id in new:
            by_community[community_id].append((pk, person_id))
        for community in Community.objects.filter(pk__in=list(by_community)):
            awards = by_community[community.pk]
            with override(community.language):
                name = str(badge.name)
            notify_about(
                Kind.BADGE,
                [person for _pk, person in awards],
                actor=None,
                community=community,
                subject=name,
                url=badges_url(community),
            )
        # The activity log, as one insert (record_event writes one row at a time).
        # (Which badge was earned: the award says it.)
        ActivityEvent.objects.bulk_create(
            [
                new_event(
                    verbs.BADGE_EARNED,
                    actor_id=person_id,
                    community_id=community_id,
                    target=(BadgeAward._meta.label_lower, pk),
                )
                for pk, community_id, person_id in new
            ],
            batch_size=500,
        )
    return len(new)


# --- Members of the month -------------------------------------------------------------------


def previous_month(community_zone_now: datetime) -> date:
    """The first day of the month before the one `community_zone_now` falls in."""
    first = community_zone_now.date().replace(day=1)
    return (first.replace(year=first.year - 1, month=12) if first.month == 1 else
            first.replace(month=first.month - 1))  # fmt: skip


def month_bounds(month: date, zone: object) -> tuple[datetime, datetime]:
    """The month as [start, end) aware datetimes on the community's clock."""
    following = (
        month.replace(year=month.year + 1, month=1)
        if month.month == 12
        else month.replace(month=month.month + 1)
    )
    start = datetime.combine(month, time.min, tzinfo=zone)  # type: ignore[arg-type]
    end = datetime.combine(following, time.min, tzinfo=zone)  # type: ignore[arg-type]
    return start, end


def fill_members_of_the_month(
    now: datetime | None = None, communities: list[int] | None = None
) -> int:
    """Compute the showcase of the previous calendar month (on each community's clock)
    for every community that has none for that month yet; returns how many were filled.

    The score of a member is the sum of the engagement levels of their activity
    events that month (reacting 1, taking part 2, creating 3); ties go to the one
    who created more (level-3 events), then to the longer-standing account. The
    coordinators are the hosts: they are not ranked. A month already filled, by the
    job or by an animator, is never computed again."""
    now = now or timezone.now()
    candidates = Community.objects.all()
    if communities is not None:
        candidates = candidates.filter(pk__in=communities)
    by_zone: dict[str, list[Community]] = defaultdict(list)
    for community in candidates.only("pk", "time_zone"):
        by_zone[community.time_zone].append(community)
    filled = 0
    for group in by_zone.values():
        zone = group[0].zone
        month = previous_month(now.astimezone(zone))
        start, end = month_bounds(month, zone)
        done = set(
            MemberOfTheMonth.objects.filter(
                community_id__in=[c.pk for c in group], month=month
            ).values_list("community_id", flat=True)
        )
        todo = [c.pk for c in group if c.pk not in done]
        if not todo:
            continue
        ranked = (
            ActivityEvent.objects.filter(
                community_id__in=todo,
                created_at__gte=start,
                created_at__lt=end,
                level__isnull=False,
                actor__isnull=False,
                actor__is_active=True,
            )
            .filter(
                Exists(
                    Membership.objects.filter(
                        person_id=OuterRef("actor_id"),
                        community_id=OuterRef("community_id"),
                        status=Status.ACTIVE,
                    ).exclude(role=Role.COORDINATOR)
                )
            )
            .order_by()
            .values("community_id", "actor_id")
            .annotate(score=Sum("level"), creating=Count("pk", filter=Q(level=3)))
            .order_by("community_id", "-score", "-creating", "actor_id")
        )
        # One pass over the month's active members, best first in each community
        # (a window function over the aggregate is not portable across databases).
        rows: list[MemberOfTheMonth] = []
        places: dict[int, int] = defaultdict(int)
        for row in ranked.iterator(chunk_size=2000):
            place = places[row["community_id"]] + 1
            if place > SHOWCASE_PLACES:
                continue
            places[row["community_id"]] = place
            rows.append(
                MemberOfTheMonth(
                    community_id=row["community_id"],
                    month=month,
                    rank=place,
                    person_id=row["actor_id"],
                    score=row["score"],
                )
            )
        with transaction.atomic():
            MemberOfTheMonth.objects.bulk_create(rows, ignore_conflicts=True)
        filled += len({row.community_id for row in rows})
    return filled


def run(now: datetime | None = None, communities: list[int] | None = None) -> JobReport:
    """The whole job: badges, then the showcase."""
    report = award_builtin_badges(now, communities)
    report.showcases = fill_members_of_the_month(now, communities)
    return report
