"""The small profile card shown when a reader hovers or focuses a person's link
(cercle/static/js/people.js asks for it; without JavaScript the link leads to the
profile). It shows no more than the profile page would: the person only to those who
may see them, their roles only in the communities both share, their expertise only in
communities whose content the reader may read."""

from __future__ import annotations

from dataclasses import dataclass

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Membership, Status
from cercle.people import actions
from cercle.people.models import Expertise, Profile, stored_or_default_profile
from cercle.people.queries import person_for

EXPERTISE_SHOWN = 4
ROLES_SHOWN = 3


@dataclass
class PersonCard:
    person: User
    profile: Profile
    # The person's memberships in communities the reader shares with them.
    roles: list[Membership]
    expertise: list[Expertise]
    is_self: bool
    may_follow: bool
    following: bool


def person_card(reader: permissions.Actor, handle: str) -> PersonCard:
    """The card of the person at `handle`, or a 404 when the reader may not see them."""
    person = person_for(reader, handle)
    is_self = reader.is_authenticated and reader.pk == person.pk
    roles: list[Membership] = []
    if reader.is_authenticated:
        roles = list(
            Membership.objects.filter(
                person=person,
                status=Status.ACTIVE,
                community_id__in=permissions.communities_shared_with(reader).values("community_id"),
            )
            .select_related("community")
            .order_by("role", "community__name")[:ROLES_SHOWN]
        )
    readable_communities = permissions.readable_spaces_everywhere(reader).values("community_id")
    expertise = list(
        Expertise.objects.filter(person=person, tag__community_id__in=readable_communities)
        .select_related("tag")
        .order_by("-level", "tag__name")[:EXPERTISE_SHOWN]
    )
    may_follow = bool(reader.is_authenticated and not is_self)
    return PersonCard(
        person=person,
        profile=stored_or_default_profile(person),
        roles=roles,
        expertise=expertise,
        is_self=is_self,
        may_follow=may_follow,
        following=may_follow and actions.is_following(reader, person),
    )
