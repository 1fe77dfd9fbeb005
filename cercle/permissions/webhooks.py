"""Webhooks: who registers endpoints, and what an endpoint's owner may be sent.

A community's endpoints are managed by its coordinators; the instance-wide endpoints
(told of every community) by staff. Whatever the endpoint, a delivery tells its owner
only of what the owner may read, asked here at the moment of sending: the space is
readable by them (staff are asked like anyone else, so they read what their own
memberships, or a public community, let them read), a membership is news only to
those who may see the person, and `moderators_only` types (a flag raised) need a
moderator of the space.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.core import Actor, CommunityAccess, is_staff, may_see_person

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.communities.models import Space


def may_manage_webhooks(access: CommunityAccess) -> bool:
    """A community's endpoints (/c/<slug>/webhooks/): those who manage the community,
    its coordinators (and staff rescuing a community whose coordinators left, as for
    its settings). Registering gives no reading: deliveries carry only what the
    endpoint's owner reads."""
    return access.may_manage()


def may_manage_instance_webhooks(actor: Actor) -> bool:
    """The instance-wide endpoints (/staff/webhooks/): staff."""
    return is_staff(actor)


def may_read_subject(access: CommunityAccess, space: Space | None, person: User | None) -> bool:
    """Whether the person of `access` may read what an event is about: something in
    `space`, or (no space) a member, `person`, who joined the community."""
    if not access.actor.is_authenticated or not access.actor.is_active:
        return False
    if space is not None:
        return access.reads(space)
    if not access.reads_open_spaces():
        return False
    return person is None or may_see_person(access.actor, person)


def may_receive_subject(
    access: CommunityAccess,
    space: Space | None,
    person: User | None,
    *,
    moderators_only: bool,
) -> bool:
    """`may_read_subject`, and for a `moderators_only` type a moderator of the space."""
    if not may_read_subject(access, space, person):
        return False
    return not moderators_only or access.may_moderate(space)
