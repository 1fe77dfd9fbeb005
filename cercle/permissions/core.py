"""The one place that answers "may this person do this here?".

Pages, the API, search, feeds, notifications and emails all ask these functions;
none of them decides on its own. Each answer depends only on the person, their
membership and the community's type, so tests can check it as a matrix
(tests/test_permissions*.py).

The community typology (docs/permissions.md tells it in full):
- audience: an *internal* community is for internal people only (a verified
  address in an internal email domain): nobody else sees it, joins it or is
  invited, members included if they stop being internal;
- entry: *open* (join in one click), *on request* (coordinators or moderators
  decide) or *on invitation*;
- visibility: *public* (people who may see the landing page also read the open
  spaces) or *members only* (non-members see the landing page alone).
A private space is seen only by the members listed in it and the coordinators.
Instance staff see every landing page and may manage any community (to rescue
one whose coordinators left) but read no content their own membership does not
open to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    InternalEmailDomain,
    Membership,
    Role,
    Space,
    SpaceMember,
    Status,
)

Actor = User | AnonymousUser
Action = Literal["view", "join", "post", "moderate", "manage"]
ACTIONS: tuple[Action, ...] = ("view", "join", "post", "moderate", "manage")


# --- Accounts -----------------------------------------------------------------------------


def may_manage_account(actor: Actor, account: User) -> bool:
    """Only the owner changes an account's name, language, email, password or
    deletes it; administrators act through the admin site, not as the person."""
    return bool(actor.is_authenticated and actor.is_active and actor.pk == account.pk)


def may_use_admin_site(actor: Actor) -> bool:
    """The instance's operators (staff), for settings that no community owns."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)


def is_staff(actor: Actor) -> bool:
    return may_use_admin_site(actor)


def is_internal(actor: Actor) -> bool:
    """A person with a verified address in one of the instance's internal domains, or
    vouched for by the organisation's identity provider (`User.organisation_provider`)."""
    if not actor.is_authenticated or not actor.is_active:
        return False
    if getattr(actor, "organisation_provider", ""):
        return True
    cached: bool | None = getattr(actor, "_cercle_is_internal", None)
    if cached is None:
        domains = set(InternalEmailDomain.objects.values_list("domain", flat=True))
        addresses = EmailAddress.objects.filter(user_id=actor.pk, verified=True).values_list(
            "email", flat=True
        )
        cached = any(address.rsplit("@", 1)[-1].lower() in domains for address in addresses)
        setattr(actor, "_cercle_is_internal", cached)  # noqa: B010 - a per-request cache
    return cached


def email_is_internal(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].strip().lower()
    return InternalEmailDomain.objects.filter(domain=domain).exists()


def may_see_person(actor: Actor, person: User) -> bool:
    """A person's profile is seen by themselves and staff; by anyone (anonymous
    visitors included) when they made it public; otherwise only by the people who
    share an active community with them, in a community whose audience the reader
    meets (someone no longer internal no longer shares an internal community).

    `visible_people` is the same rule as a query filter, for
    lists (the member directory, "who knows what").
    """
    if not person.is_active:
        return False
    if actor.is_authenticated and actor.is_active and (actor.pk == person.pk or is_staff(actor)):
        return True
    # A profile is created lazily: no profile is a private one.
    if getattr(getattr(person, "profile", None), "is_public", False):
        return True
    if not actor.is_authenticated or not actor.is_active:
        return False
    audiences = set(
        Membership.objects.filter(
            person_id=actor.pk,
            status=Status.ACTIVE,
            community__memberships__person_id=person.pk,
            community__memberships__status=Status.ACTIVE,
        ).values_list("community__audience", flat=True)
    )
    if Audience.EXTERNAL in audiences:
        return True
    return bool(audiences) and is_internal(actor)


def communities_shared_with(actor: Actor) -> QuerySet[Membership]:
    """The actor's active memberships in communities whose audience they meet."""
    mine = Membership.objects.filter(person_id=actor.pk, status=Status.ACTIVE)
    if not is_internal(actor):
        mine = mine.filter(community__audience=Audience.EXTERNAL)
    return mine


def visible_people(actor: Actor, prefix: str = "") -> Q:
    """`may_see_person` as a filter on people (`prefix` leads to the person,
    for example "person__" on memberships), so that lists never show more than a
    profile page would."""

    def condition(**lookups: object) -> Q:
        return Q(**{f"{prefix}{lookup}": value for lookup, value in lookups.items()})

    active = condition(is_active=True)
    if is_staff(actor):
        return active
    seen = condition(profile__is_public=True)
    if actor.is_authenticated and actor.is_active:
        sharing = Membership.objects.filter(
            status=Status.ACTIVE,
            community_id__in=communities_shared_with(actor).values("community_id"),
        ).values("person_id")
        seen |= condition(pk=actor.pk) | condition(pk__in=sharing)
    return active & seen


def may_create_community(actor: Actor) -> bool:
    if not actor.is_authenticated or not actor.is_active:
        return False
    return is_staff(actor) or settings.COMMUNITY_CREATION == "members"


# --- Communities ------------------------------------------------------------------------------


@dataclass
class CommunityAccess:
    """Everything the permission questions about one community need, loaded once."""

    actor: Actor
    community: Community
    membership: Membership | None
    internal: bool
    staff: bool
    _listed_space_ids: frozenset[int] | None = field(default=None, repr=False)
    # Answers that feature modules compute once per access (e.g. "is a sponsor").
    memo: dict[str, bool] = field(default_factory=dict, repr=False)

    # Who the person is, here.
    @property
    def status(self) -> str | None:
        return self.membership.status if self.membership else None

    @property
    def is_member(self) -> bool:
        """An active member, of any role, who still meets the community's audience,
        with an account still active (a deactivated account is nobody's member)."""
        return self.status == Status.ACTIVE and self._meets_audience and self._account_active

    @property
    def _account_active(self) -> bool:
        # Signed in with an account that was not deactivated (deprovisioned, or by an
        # administrator): a deactivated person is treated as an anonymous visitor.
        return bool(self.actor.is_authenticated and self.actor.is_active)

    @property
    def role(self) -> str | None:
        return self.membership.role if self.is_member and self.membership else None

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_moderator(self) -> bool:
        return self.role in {Role.MODERATOR, Role.COORDINATOR}

    @property
    def is_banned(self) -> bool:
        return self.status == Status.BANNED

    @property
    def has_pending_invitation(self) -> bool:
        return self.status == Status.INVITED

    @property
    def _meets_audience(self) -> bool:
        return self.community.audience == Audience.EXTERNAL or self.internal

    def listed_space_ids(self) -> frozenset[int]:
        if self._listed_space_ids is None:
            if self.is_member:
                self._listed_space_ids = frozenset(
                    SpaceMember.objects.filter(
                        person_id=self.actor.pk, space__community=self.community
                    ).values_list("space_id", flat=True)
                )
            else:
                self._listed_space_ids = frozenset()
        return self._listed_space_ids

    # The questions.
    def sees_landing(self) -> bool:
        return self.staff or self._meets_audience

    def reads_open_spaces(self) -> bool:
        if self.is_member:
            return True
        if self.is_banned:
            return False
        return self.community.is_public and self._meets_audience

    def reads(self, space: Space) -> bool:
        if space.is_private:
            return self.is_coordinator or (self.is_member and space.pk in self.listed_space_ids())
        return self.reads_open_spaces()

    def may_join(self) -> bool:
        """Start joining: join at once (open), ask (on request) or accept an invitation."""
        if not self._account_active or not self._meets_audience:
            return False
        if self.status in {Status.ACTIVE, Status.REQUESTED, Status.BANNED}:
            return False
        if self.status == Status.INVITED:
            return True
        return self.community.entry in {Entry.OPEN, Entry.REQUEST}

    def may_post(self, space: Space | None = None) -> bool:
        if not self.is_member:
            return False
        return space is None or self.reads(space)

    def may_moderate(self, space: Space | None = None) -> bool:
        if not self.is_moderator:
            return False
        return space is None or self.reads(space)

    def may_manage(self, space: Space | None = None) -> bool:
        """Settings, spaces and membership of the community."""
        if space is not None and space.is_private:
            return self.is_coordinator
        return self.is_coordinator or self.staff

    def may_decide_requests(self) -> bool:
        return self.is_moderator or self.staff

    def may_invite(self) -> bool:
        return self.is_coordinator or self.staff

    def may_leave(self) -> bool:
        return self.status == Status.ACTIVE and self._account_active

    # Animating: planning and running activities, taking part in them.
    def may_animate(self, space: Space | None = None) -> bool:
        """Plan and run activities (polls, quizzes, challenges, contests, events, planned
        posts), see them before they are published, award badges, welcome newcomers and
        decide on ideas: the community's animators, who are its coordinators."""
        return self.is_coordinator and (space is None or self.reads(space))

    def may_take_part(self, space: Space) -> bool:
        """Vote, answer, RSVP, enter a contest, propose an idea: an active member who
        reads the space."""
        return self.may_post(space)

    def joined_before(self, moment: datetime) -> bool:
        """An active member since before `moment` (contest votes)."""
        joined = self.membership.joined_at if self.membership else None
        return self.is_member and joined is not None and joined <= moment

    def may(self, action: Action, space: Space | None = None) -> bool:
        if action == "view":
            return self.sees_landing() if space is None else self.reads(space)
        if action == "join":
            if space is not None and space.is_private:
                return False
            return self.may_join()
        if action == "post":
            return self.may_post(space)
        if action == "moderate":
            return self.may_moderate(space)
        return self.may_manage(space)


def community_access(
    actor: Actor, community: Community, membership: Membership | Literal[False] | None = False
) -> CommunityAccess:
    """The access of `actor` to `community`; pass `membership` when already loaded."""
    if membership is False:
        membership = (
            Membership.objects.filter(person_id=actor.pk, community=community).first()
            if actor.is_authenticated
            else None
        )
    return CommunityAccess(
        actor=actor,
        community=community,
        membership=membership,
        internal=is_internal(actor) if community.audience == Audience.INTERNAL else False,
        staff=is_staff(actor),
    )


def community_accesses(people: Iterable[User], community: Community) -> dict[int, CommunityAccess]:
    """`community_access` for many people at once (notifying a whole community), in a
    fixed number of queries: memberships, internal addresses, listings in private spaces."""
    people = list(people)
    ids = [person.pk for person in people]
    memberships = {
        m.person_id: m for m in Membership.objects.filter(community=community, person_id__in=ids)
    }
    internal: set[int] = set()
    if community.audience == Audience.INTERNAL:
        domains = set(InternalEmailDomain.objects.values_list("domain", flat=True))
        for user_id, email in EmailAddress.objects.filter(
            user_id__in=ids, verified=True
        ).values_list("user_id", "email"):
            if email.rsplit("@", 1)[-1].lower() in domains:
                internal.add(user_id)
        internal.update(person.pk for person in people if person.organisation_provider)
    listed: dict[int, set[int]] = {}
    for person_id, space_id in SpaceMember.objects.filter(
        person_id__in=ids, space__community=community
    ).values_list("person_id", "space_id"):
        listed.setdefault(person_id, set()).add(space_id)
    accesses: dict[int, CommunityAccess] = {}
    for person in people:
        if community.audience == Audience.INTERNAL and person.is_active:
            setattr(person, "_cercle_is_internal", person.pk in internal)  # noqa: B010
        access = CommunityAccess(
            actor=person,
            community=community,
            membership=memberships.get(person.pk),
            internal=person.is_active and person.pk in internal,
            staff=is_staff(person),
            _listed_space_ids=frozenset(listed.get(person.pk, ())),
        )
        accesses[person.pk] = access
    return accesses


def may(actor: Actor, action: Action, target: Community | Space) -> bool:
    """One question, for callers that hold a single object (the API, feeds)."""
    if isinstance(target, Space):
        return community_access(actor, target.community).may(action, target)
    return community_access(actor, target).may(action)


def visible_communities(actor: Actor) -> QuerySet[Community]:
    """Communities whose landing page `actor` may see."""
    communities = Community.objects.all()
    if is_staff(actor) or is_internal(actor):
        return communities
    return communities.filter(audience=Audience.EXTERNAL)


def readable_spaces(access: CommunityAccess) -> QuerySet[Space]:
    """The spaces of the community that `access` may read."""
    spaces = access.community.spaces.all()
    if not access.reads_open_spaces():
        return spaces.none()
    if access.is_coordinator:
        return spaces
    return spaces.filter(Q(is_private=False) | Q(pk__in=access.listed_space_ids()))


def readable_spaces_everywhere(actor: Actor) -> QuerySet[Space]:
    """Every space, in every community, that `actor` may read: the filter for
    search, feeds and anything else that lists content across communities."""
    meets_audience = Q(community__audience=Audience.EXTERNAL)
    if is_internal(actor):
        meets_audience = Q()
    open_to_all = Q(is_private=False, community__visibility="public") & meets_audience
    if not actor.is_authenticated or not actor.is_active:
        return Space.objects.filter(open_to_all)
    memberships = Membership.objects.filter(person_id=actor.pk)
    banned = memberships.filter(status=Status.BANNED).values("community_id")
    active = memberships.filter(status=Status.ACTIVE)
    member_of = active.values("community_id")
    coordinator_of = active.filter(role=Role.COORDINATOR).values("community_id")
    listed = SpaceMember.objects.filter(person_id=actor.pk).values("space_id")
    return Space.objects.filter(
        meets_audience
        & (
            (open_to_all & ~Q(community_id__in=banned))
            | Q(is_private=False, community_id__in=member_of)
            | Q(community_id__in=coordinator_of)
            | Q(pk__in=listed, community_id__in=member_of)
        )
    )


# --- Looking a community up for a person ---------------------------------------------------


def community_for(actor: Actor, slug: str) -> tuple[Community, CommunityAccess]:
    """The community at `slug` with the actor's access, or a 404 when they may not see it."""
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise Http404
    access = community_access(actor, community)
    if not access.sees_landing():
        raise Http404
    return community, access


def space_for(actor: Actor, slug: str, space_slug: str) -> tuple[Space, CommunityAccess]:
    """A space the actor may read, or a 404 that does not tell whether it exists."""
    community, access = community_for(actor, slug)
    space = Space.objects.filter(community=community, slug=space_slug).first()
    if space is None or not access.reads(space):
        raise Http404
    space.community = community
    return space, access


def community_can(access: CommunityAccess) -> dict[str, bool]:
    """What the community's header shows (its administration tabs), from the
    permissions package: pages that draw `communities/_community_head.html` pass it
    in their `can` record."""
    manage = access.may_manage()
    see_members = manage or access.may_decide_requests()
    moderate = access.is_moderator
    return {
        "administer": manage or see_members or moderate,
        "manage": manage,
        # Coordinators only, not staff rescuing a community (a chat bridge speaks for it).
        "coordinate": access.is_coordinator,
        "see_members": see_members,
        "moderate": moderate,
    }
