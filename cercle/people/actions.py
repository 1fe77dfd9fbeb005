"""Changes to people's profiles and follows (views never save by hand)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.analytics.activity import record_event
from cercle.communities.models import Space
from cercle.conversations.models import Tag, Topic
from cercle.errors import ActionRefused
from cercle.people.models import Follow

Target = User | Topic | Space | Tag


def _field(target: Target) -> str:
    if isinstance(target, User):
        return "person"
    if isinstance(target, Topic):
        return "topic"
    if isinstance(target, Space):
        return "space"
    return "tag"


def may_follow(actor: User, target: Target) -> bool:
    """One can follow only what one may read (a person: someone one can see)."""
    if isinstance(target, User):
        return target.pk != actor.pk and permissions.may_see_person(actor, target)
    if isinstance(target, Topic):
        return permissions.community_access(actor, target.community).reads(target.space)
    if isinstance(target, Space):
        return permissions.community_access(actor, target.community).reads(target)
    return permissions.community_access(actor, target.community).reads_open_spaces()


def do_follow(actor: User, target: Target) -> Follow:
    if not may_follow(actor, target):
        raise ActionRefused(_("You may not follow this."), not_found=True)
    field = _field(target)
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=actor, **{field: target})
            record_event(
                f"follow.{field}",
                actor=actor,
                community=getattr(target, "community", None),
                target=target,
            )
    except IntegrityError:
        raise ActionRefused(_("You already follow this.")) from None
    return follow


def do_unfollow(actor: User, target: Target) -> None:
    with transaction.atomic():
        deleted, _count = Follow.objects.filter(follower=actor, **{_field(target): target}).delete()
        if not deleted:
            raise ActionRefused(_("You do not follow this."))


def is_following(actor: permissions.Actor, target: Target) -> bool:
    if not actor.is_authenticated:
        return False
    return Follow.objects.filter(follower_id=actor.pk, **{_field(target): target}).exists()
