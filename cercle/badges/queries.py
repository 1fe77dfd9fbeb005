"""Reads about badges and the showcase; every one asks `cercle.permissions`, so that a
badge never tells someone about a community they may not see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_stubs_ext import StrOrPromise

from cercle import permissions
from cercle.accounts.models import User
from cercle.badges.awarding import previous_month
from cercle.badges.models import BadgeAward, CustomBadge, MemberOfTheMonth
from cercle.badges.rules import BUILTIN_BADGES
from cercle.communities.models import Community

Actor = permissions.Actor
RECENT_AWARDS = 20
HOLDERS_PAGE_SIZE = 30
PROFILE_BADGES = 40


@dataclass
class Badge:
    """A badge as shown: built-in (translated when shown) or custom (as written)."""

    name: StrOrPromise
    description: StrOrPromise
    emoji: str
    image_url: str = ""
    key: str = ""
    custom: CustomBadge | None = None
    holders: int = 0
    mine: bool = False


def image_url(badge: CustomBadge, community: Community) -> str:
    if not badge.image:
        return ""
    version = int(badge.updated_at.timestamp()) if badge.updated_at else 0
    path = reverse("badges:image", kwargs={"slug": community.slug, "badge_id": badge.pk})
    return f"{path}?v={version}"


def badge_of(award: BadgeAward, community: Community) -> Badge:
    """What an award shows: the built-in badge it names, or its custom badge."""
    if award.custom_badge is not None:
        custom = award.custom_badge
        return Badge(
            custom.name,
            custom.description,
            custom.emoji,
            image_url(custom, community),
            custom=custom,
        )
    builtin = BUILTIN_BADGES.get(award.badge_key)
    if builtin is None:
        # A badge retired from the code keeps its key as its name.
        return Badge(award.badge_key, "", "🏅", key=award.badge_key)
    return Badge(builtin.name, builtin.description, builtin.emoji, key=builtin.key)


@dataclass
class Held:
    award: BadgeAward
    badge: Badge


def recognized_community(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """A community whose badges the actor may see, or a 404."""
    community, access = permissions.community_for(actor, slug)
    if not permissions.badges.sees_recognition(access):
        raise Http404
    return community, access


# --- The community's badges -------------------------------------------------------------------


@dataclass
class BadgesPage:
    community: Community
    access: permissions.CommunityAccess
    builtin: list[Badge]
    custom: list[Badge]
    recent: list[Held]


def badges_page(actor: Actor, slug: str) -> BadgesPage:
    """Every badge of the community with how many hold it, which the reader holds,
    and the latest awards: four queries."""
    community, access = recognized_community(actor, slug)
    counts: dict[tuple[str, int | None], int] = {
        (row["badge_key"], row["custom_badge_id"]): row["n"]
        for row in BadgeAward.objects.filter(community=community, person__is_active=True)
        .order_by()
        .values("badge_key", "custom_badge_id")
        .annotate(n=Count("pk"))
    }
    mine: set[tuple[str, int | None]] = set()
    if actor.is_authenticated:
        mine = set(
            BadgeAward.objects.filter(community=community, person_id=actor.pk).values_list(
                "badge_key", "custom_badge_id"
            )
        )
    builtin = [
        Badge(
            b.name,
            b.description,
            b.emoji,
            key=b.key,
            holders=counts.get((b.key, None), 0),
            mine=(b.key, None) in mine,
        )
        for b in BUILTIN_BADGES.values()
    ]
    custom = [
        Badge(
            c.name,
            c.description,
            c.emoji,
            image_url(c, community),
            custom=c,
            holders=counts.get(("", c.pk), 0),
            mine=("", c.pk) in mine,
        )
        for c in CustomBadge.objects.filter(community=community).order_by("name")
    ]
    recent = [
        Held(award, badge_of(award, community))
        for award in BadgeAward.objects.filter(community=community, person__is_active=True)
        .select_related("person__profile", "custom_badge")
        .order_by("-awarded_at", "-pk")[:RECENT_AWARDS]
    ]
    return BadgesPage(community, access, builtin, custom, recent)


@dataclass
class CustomBadgePage:
    community: Community
    access: permissions.CommunityAccess
    badge: Badge
    page: Page[BadgeAward]


def custom_badge_page(
    actor: Actor, slug: str, badge_id: int, page_number: str | int | None = 1
) -> CustomBadgePage:
    community, access = recognized_community(actor, slug)
    custom = CustomBadge.objects.filter(community=community, pk=badge_id).first()
    if custom is None:
        raise Http404
    holders = (
        BadgeAward.objects.filter(custom_badge=custom, person__is_active=True)
        .select_related("person__profile", "awarded_by")
        .order_by("-awarded_at", "-pk")
    )
    page = Paginator(holders, HOLDERS_PAGE_SIZE).get_page(page_number)
    badge = Badge(
        custom.name, custom.description, custom.emoji, image_url(custom, community), custom=custom
    )
    return CustomBadgePage(community, access, badge, page)


def custom_badge_for(actor: Actor, slug: str, badge_id: int) -> tuple[CustomBadge, Community]:
    """A custom badge of a community whose badges the actor may see, or a 404."""
    community, _access = recognized_community(actor, slug)
    custom = CustomBadge.objects.filter(community=community, pk=badge_id).first()
    if custom is None:
        raise Http404
    custom.community = community
    return custom, community


# --- On profiles ------------------------------------------------------------------------------


def profile_badges(reader: Actor, person: User) -> list[tuple[Community, list[Held]]]:
    """The person's badges in the communities whose content the reader may read (a badge
    of an internal or members-only community stays unknown to outsiders), grouped by
    community: one query."""
    readable = permissions.readable_spaces_everywhere(reader).values("community_id")
    awards = (
        BadgeAward.objects.filter(person=person, community_id__in=readable)
        .select_related("community", "custom_badge")
        .order_by("community__name", "-awarded_at", "-pk")[:PROFILE_BADGES]
    )
    grouped: dict[int, tuple[Community, list[Held]]] = {}
    for award in awards:
        community = award.community
        grouped.setdefault(community.pk, (community, []))[1].append(
            Held(award, badge_of(award, community))
        )
    return list(grouped.values())


# --- Members of the month -----------------------------------------------------------------


@dataclass
class Showcase:
    month: date
    entries: list[MemberOfTheMonth]


def showcase(community: Community, access: permissions.CommunityAccess) -> Showcase | None:
    """The latest showcase, if it is about last month or this one (an old one is not
    news): one query, for those who may see the community's members."""
    if not permissions.badges.sees_recognition(access):
        return None
    last_month = previous_month(timezone.now().astimezone(community.zone))
    entries = list(
        MemberOfTheMonth.objects.filter(
            community=community, month__gte=last_month, person__is_active=True
        )
        .select_related("person__profile")
        .order_by("-month", "rank")[:6]
    )
    if not entries:
        return None
    month = entries[0].month
    return Showcase(month, [e for e in entries if e.month == month])


def showcase_entries(community: Community, month: date) -> QuerySet[MemberOfTheMonth]:
    return (
        MemberOfTheMonth.objects.filter(community=community, month=month)
        .select_related("person__profile", "chosen_by")
        .order_by("rank")
    )
