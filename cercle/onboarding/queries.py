"""Reads for onboarding: the newcomer's checklist, read from what they really did, and
the newcomers animators see. Every read asks `cercle.permissions`.

Checklists are read with the memberships they belong to, in the same query
(`with_checklist`): one `EXISTS` per step, whatever the number of people or
communities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Role, Space, Status
from cercle.conversations.models import Post, Reaction, Tag, Topic
from cercle.onboarding.actions import NEW_THIS_WEEK_DAYS, NEWCOMER_DAYS, sender, welcome_url
from cercle.onboarding.models import OnboardingSettings, Welcome, WelcomeSent
from cercle.people.models import Expertise, Follow, Profile
from cercle.personas.models import Persona

Actor = permissions.Actor
NEWCOMERS_PAGE_SIZE = 25
TAGS_SHOWN = 40
TOPIC_CHOICES = 100

PROFILE, INTRODUCE, FOLLOW, REACT = "profile", "introduce", "follow", "react"


@dataclass
class ChecklistItem:
    key: str
    label: str
    hint: str
    done: bool
    url: str


@dataclass
class Checklist:
    person_id: int
    community: Community
    items: list[ChecklistItem]

    @property
    def key(self) -> str:
        """Unique on a page that shows several checklists (for element ids)."""
        return f"{self.person_id}-{self.community.pk}"

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def is_complete(self) -> bool:
        return self.done_count == self.total

    @property
    def percent(self) -> int:
        return round(100 * self.done_count / self.total) if self.total else 100


def settings_for(communities: Iterable[Community]) -> dict[int, OnboardingSettings]:
    """The stored settings of these communities (one query), keyed by community."""
    found = OnboardingSettings.objects.filter(
        community__in=[c.pk for c in communities]
    ).select_related("introductions_topic__space", "introductions_topic__community", "persona")
    return {s.community_id: s for s in found}


def with_checklist(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Memberships annotated with their checklist, in the same single query: each step
    is an `EXISTS` on the member and the community of the row, so a page of newcomers
    or a member's recent communities cost one query whatever their number.

    - the profile is complete with a few words about oneself (`bio`) and either a photo
      or a declared expertise (the profile is the same in every community);
    - an introduction is any message, not deleted, in the community's introductions
      topic (a step only when it has one that members can reach);
    - following means at least one tag or one space of the community;
    - a first reaction on any message of the community.
    """
    person, community = OuterRef("person_id"), OuterRef("community_id")
    introductions = OnboardingSettings.objects.filter(
        community_id=community,
        introductions_topic__space__is_private=False,
        introductions_topic__is_hidden=False,
        introductions_topic__merged_into=None,
    )
    return memberships.select_related("community").annotate(
        intro_topic_id=Subquery(introductions.values("introductions_topic_id")[:1]),
        intro_title=Subquery(introductions.values("introductions_topic__title")[:1]),
        intro_space=Subquery(introductions.values("introductions_topic__space__slug")[:1]),
        done_profile=Exists(
            Profile.objects.filter(person_id=person)
            .exclude(bio="")
            .filter(
                ~Q(avatar="") | Exists(Expertise.objects.filter(person_id=OuterRef("person_id")))
            )
        ),
        done_introduce=Exists(
            Post.objects.filter(
                author_id=person, topic_id=OuterRef("intro_topic_id"), deleted_at=None
            )
        ),
        done_follow=Exists(
            Follow.objects.filter(follower_id=person).filter(
                Q(tag__community_id=community) | Q(space__community_id=community)
            )
        ),
        done_react=Exists(
            Reaction.objects.filter(person_id=person, post__topic__community_id=community)
        ),
    )


def checklist_of(membership: Membership) -> Checklist:
    """The checklist of a membership read through `with_checklist`."""
    community = membership.community
    topic_id = getattr(membership, "intro_topic_id", None)
    topic_url = ""
    if topic_id is not None:
        topic_url = reverse(
            "topic",
            kwargs={
                "slug": community.slug,
                "space": getattr(membership, "intro_space", ""),
                "topic_id": topic_id,
            },
        )
    items = [
        ChecklistItem(
            PROFILE,
            _("Complete your profile"),
            _("A few words about you, and a photo or the subjects you know."),
            bool(getattr(membership, "done_profile", False)),
            reverse("profile_edit"),
        ),
    ]
    if topic_id is not None:
        items.append(
            ChecklistItem(
                INTRODUCE,
                _("Introduce yourself"),
                _("Say who you are and what brings you here, in “%(title)s”.")
                % {"title": getattr(membership, "intro_title", "")},
                bool(getattr(membership, "done_introduce", False)),
                topic_url,
            )
        )
    items += [
        ChecklistItem(
            FOLLOW,
            _("Follow what interests you"),
            _("Follow at least one tag or space to hear about new conversations."),
            bool(getattr(membership, "done_follow", False)),
            welcome_url(community) + "#follow",
        ),
        ChecklistItem(
            REACT,
            _("React to a message"),
            _("Thank someone, or mark an answer as helpful."),
            bool(getattr(membership, "done_react", False)),
            topic_url or community.get_absolute_url(),
        ),
    ]
    return Checklist(person_id=membership.person_id, community=community, items=items)


def checklist(person: User, community: Community) -> Checklist:
    """One member's checklist in one community (one query)."""
    membership = with_checklist(
        Membership.objects.filter(person_id=person.pk, community_id=community.pk)
    ).first()
    if membership is None:
        raise Http404
    return checklist_of(membership)


def is_newcomer(membership: Membership | None, now: datetime | None = None) -> bool:
    """An active member who joined in the last 30 days; the coordinators are the hosts,
    never newcomers (the creator of a community has no checklist)."""
    if membership is None or membership.status != Status.ACTIVE or membership.joined_at is None:
        return False
    if membership.role == Role.COORDINATOR:
        return False
    now = now or timezone.now()
    return membership.joined_at >= now - timedelta(days=NEWCOMER_DAYS)


def newcomer_checklists(person: User, memberships: Sequence[Membership]) -> list[Checklist]:
    """The unfinished checklists of a member in the communities they joined lately,
    for their home page (one query, however many communities)."""
    recent = [m.pk for m in memberships if is_newcomer(m)]
    if not recent:
        return []
    found = with_checklist(Membership.objects.filter(pk__in=recent, person_id=person.pk))
    checklists = [checklist_of(m) for m in found.order_by("community__name")]
    return [c for c in checklists if not c.is_complete]


# --- The welcome page ---------------------------------------------------------------------


@dataclass
class WelcomePage:
    community: Community
    access: permissions.CommunityAccess
    onboarding: OnboardingSettings | None
    persona: Persona | None
    checklist: Checklist
    tags: list[Tag]
    spaces: list[Space]
    followed_tags: set[int]
    followed_spaces: set[int]
    is_newcomer: bool


def welcome_page(actor: Actor, slug: str) -> WelcomePage:
    community, access = permissions.community_for(actor, slug)
    if not isinstance(actor, User) or not permissions.onboarding.sees_onboarding(access):
        raise Http404
    onboarding = settings_for([community]).get(community.pk)
    tags = list(Tag.objects.filter(community=community).order_by("name")[:TAGS_SHOWN])
    spaces = list(permissions.readable_spaces(access))
    follows = Follow.objects.filter(follower=actor).filter(
        Q(tag__community=community) | Q(space__community=community)
    )
    followed_tags, followed_spaces = set(), set()
    for tag_id, space_id in follows.values_list("tag_id", "space_id"):
        if tag_id:
            followed_tags.add(tag_id)
        if space_id:
            followed_spaces.add(space_id)
    return WelcomePage(
        community=community,
        access=access,
        onboarding=onboarding,
        persona=sender(onboarding),
        checklist=checklist(actor, community),
        tags=tags,
        spaces=spaces,
        followed_tags=followed_tags,
        followed_spaces=followed_spaces,
        is_newcomer=is_newcomer(access.membership),
    )


# --- For animators -----------------------------------------------------------------------


def animated_community(actor: Actor, slug: str) -> tuple[Community, permissions.CommunityAccess]:
    """A community the actor animates, or a 404 (animator pages tell others nothing)."""
    community, access = permissions.community_for(actor, slug)
    if not access.may_animate():
        raise Http404
    return community, access


def introduction_topic_choices(community: Community, current: Topic | None) -> QuerySet[Topic]:
    """Topics an animator may choose as the introductions topic: visible discussions
    in spaces every member reads, the most recently active first (bounded), and the
    current choice."""
    recent = (
        Topic.objects.filter(
            community=community,
            space__is_private=False,
            is_hidden=False,
            merged_into=None,
        )
        .exclude(kind="question")
        .order_by("-is_pinned", "-last_activity_at")
        .values("pk")[:TOPIC_CHOICES]
    )
    condition = Q(pk__in=Subquery(recent))
    if current is not None:
        condition |= Q(pk=current.pk)
    return (
        Topic.objects.filter(condition)
        .select_related("space")
        .order_by("-is_pinned", "-last_activity_at")
    )


def persona_choices(community: Community) -> QuerySet[Persona]:
    """The personas the welcome may come from: the community's active ones."""
    return Persona.objects.filter(community=community, is_active=True).order_by("name")


def new_this_week(community: Community, now: datetime | None = None) -> QuerySet[Membership]:
    since = (now or timezone.now()) - timedelta(days=NEW_THIS_WEEK_DAYS)
    return Membership.objects.filter(
        community=community, status=Status.ACTIVE, joined_at__gte=since
    ).exclude(role=Role.COORDINATOR)


def newcomer_count(community: Community, actor: Actor) -> int:
    return new_this_week(community).exclude(person_id=actor.pk).count()


@dataclass
class Newcomer:
    membership: Membership
    checklist: Checklist
    welcomed_by_me: bool
    welcomes: int
    returning: bool

    @property
    def person(self) -> User:
        return self.membership.person


@dataclass
class NewcomersPage:
    community: Community
    access: permissions.CommunityAccess
    page: Page[Any]
    newcomers: list[Newcomer]


def _as_newcomers(
    memberships: QuerySet[Membership], community: Community, actor: Actor
) -> QuerySet[Membership]:
    """Memberships with their checklist and what the animators did about them, in the
    same query."""
    welcomes = Welcome.objects.filter(community=community, newcomer_id=OuterRef("person_id"))
    return with_checklist(memberships.select_related("person__profile")).annotate(
        welcomed_by_me=Exists(welcomes.filter(welcomer_id=actor.pk)),
        welcomes=Coalesce(
            Subquery(
                welcomes.order_by().values("newcomer_id").annotate(n=Count("pk")).values("n")[:1]
            ),
            0,
        ),
        # Welcomed before their latest joining: they had been members before.
        returning=Exists(
            WelcomeSent.objects.filter(
                community=community,
                person_id=OuterRef("person_id"),
                sent_at__lt=OuterRef("joined_at"),
            )
        ),
    )


def _newcomer(membership: Membership) -> Newcomer:
    return Newcomer(
        membership=membership,
        checklist=checklist_of(membership),
        welcomed_by_me=bool(getattr(membership, "welcomed_by_me", False)),
        welcomes=int(getattr(membership, "welcomes", 0)),
        returning=bool(getattr(membership, "returning", False)),
    )


def newcomers(actor: Actor, slug: str, page_number: str | int | None = 1) -> NewcomersPage:
    """Members who became active in the last week, newest first, each with their
    checklist and whether the animators already welcomed them: one query for the page
    (and one for its count)."""
    community, access = animated_community(actor, slug)
    memberships = _as_newcomers(
        new_this_week(community).exclude(person_id=actor.pk), community, actor
    ).order_by("-joined_at", "-pk")
    page = Paginator(memberships, NEWCOMERS_PAGE_SIZE).get_page(page_number)
    return NewcomersPage(
        community=community,
        access=access,
        page=page,
        newcomers=[_newcomer(m) for m in page.object_list],
    )


def newcomer_row(actor: User, community: Community, person: User) -> Newcomer | None:
    """One newcomer's row again (after a welcome sent with htmx)."""
    memberships = Membership.objects.filter(
        community=community, person=person, status=Status.ACTIVE
    )
    found = _as_newcomers(memberships, community, actor).first()
    return _newcomer(found) if found is not None else None
