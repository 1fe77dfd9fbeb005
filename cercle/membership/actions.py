"""Every change to communities, spaces and memberships (views never save by hand).

Each `do_*` function checks permission through `cercle.permissions`, validates,
writes in one transaction, records its activity event and queues its emails; on
any refusal it raises `ActionRefused` and writes nothing. What the apps above do
when someone joins, is answered or is invited (a welcome, a notification) they
register on `cercle.communities.hooks`, which these actions call in their transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.communities import hooks
from cercle.communities.models import (
    Community,
    Entry,
    Invitation,
    Membership,
    Role,
    Space,
    SpaceMember,
    Status,
)
from cercle.errors import ActionRefused
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email

COMMUNITY_FIELDS = (
    "name", "slug", "domain", "purpose", "charter", "benefits", "logo", "cover",
    "language", "time_zone", "rhythm_gap_days", "audience", "entry", "visibility",
    "coordinators_need_two_factor",
)  # fmt: skip
MAX_INVITATIONS_AT_ONCE = 200


def _access(actor: User, community: Community) -> permissions.CommunityAccess:
    return permissions.community_access(actor, community)


def _require(allowed: bool, message: str | None = None, *, not_found: bool = False) -> None:
    if not allowed:
        raise ActionRefused(message or _("You may not do this here."), not_found=not_found)


def _lock_membership(membership: Membership) -> Membership:
    """Re-read a membership under lock, so that two decisions cannot cross."""
    return (
        Membership.objects.select_for_update()
        .select_related("person", "community")
        .get(pk=membership.pk)
    )


def _active_coordinators(community: Community) -> int:
    return Membership.objects.filter(
        community=community, status=Status.ACTIVE, role=Role.COORDINATOR
    ).count()


def _person_language(person: User, community: Community) -> str:
    return person.language or community.language


# --- Communities and spaces -------------------------------------------------------------


def do_create_community(actor: User, **values: Any) -> Community:
    _require(permissions.may_create_community(actor))
    return found_community(actor, **values)


def found_community(coordinator: User, **values: Any) -> Community:
    """Create a community that `coordinator` coordinates, with its general space.

    No permission check: `do_create_community` checks that a person may; operators'
    commands (`cercle demo`) found communities for a person they name."""
    actor = coordinator
    with transaction.atomic():
        community = Community(
            created_by=actor, **{k: values[k] for k in values if k in COMMUNITY_FIELDS}
        )
        if not community.slug:
            community.slug = slugify(community.name)[:60]
        _validate(community)
        community.save()
        with override(community.language):
            Space.objects.create(
                community=community,
                name=_("General"),
                slug="general",
                description=_("Where the whole community meets."),
                is_default=True,
            )
        Membership.objects.create(
            person=actor,
            community=community,
            role=Role.COORDINATOR,
            status=Status.ACTIVE,
            joined_at=timezone.now(),
        )
        record_event(verbs.COMMUNITY_CREATED, actor=actor, community=community, target=community)
    return community


def do_update_community(actor: User, community: Community, **values: Any) -> Community:
    _require(_access(actor, community).may_manage())
    # From the database: a model form has already set the new value on `community`.
    required_before = (
        Community.objects.filter(pk=community.pk)
        .values_list("coordinators_need_two_factor", flat=True)
        .first()
    )
    with transaction.atomic():
        for name, value in values.items():
            if name in COMMUNITY_FIELDS:
                setattr(community, name, value)
        _validate(community)
        community.save()
        record_event(verbs.COMMUNITY_UPDATED, actor=actor, community=community, target=community)
        if community.coordinators_need_two_factor != required_before:
            # Who must use a second factor is a security setting (docs/two-factor.md).
            record_security_event(
                SecurityKind.SETTING_CHANGED,
                actor=actor,
                setting="coordinators_need_two_factor",
                community=community.slug,
                value=community.coordinators_need_two_factor,
            )
    return community


def _validate(instance: Community | Space) -> None:
    try:
        instance.full_clean(exclude=["created_by"] if isinstance(instance, Community) else None)
    except ValidationError as error:
        messages = [m for messages in error.message_dict.values() for m in messages]
        raise ActionRefused(" ".join(messages)) from error


def do_create_space(
    actor: User,
    community: Community,
    *,
    name: str,
    description: str = "",
    is_private: bool = False,
    slug: str = "",
) -> Space:
    _require(_access(actor, community).may_manage())
    with transaction.atomic():
        position = community.spaces.count()
        space = Space(
            community=community,
            name=name.strip(),
            slug=slug or slugify(name)[:60],
            description=description,
            is_private=is_private,
            position=position,
        )
        if Space.objects.filter(community=community, slug=space.slug).exists():
            raise ActionRefused(_("This community already has a space at this address."))
        _validate(space)
        space.save()
        if is_private:
            SpaceMember.objects.create(space=space, person=actor, added_by=actor)
        record_event(verbs.SPACE_CREATED, actor=actor, community=community, target=space)
    return space


def do_update_space(
    actor: User, space: Space, *, name: str, description: str, is_private: bool
) -> Space:
    access = _access(actor, space.community)
    _require(access.may_manage(space), not_found=not access.reads(space))
    if space.is_default and is_private:
        raise ActionRefused(_("The default space stays open to every member."))
    with transaction.atomic():
        space.name, space.description, space.is_private = name.strip(), description, is_private
        _validate(space)
        space.save()
        record_event(verbs.SPACE_UPDATED, actor=actor, community=space.community, target=space)
    return space


def do_list_in_space(actor: User, space: Space, person: User) -> SpaceMember:
    access = _access(actor, space.community)
    _require(access.may_manage(space), not_found=not access.reads(space))
    if not space.is_private:
        raise ActionRefused(_("Every member already sees this space: it is not private."))
    if not Membership.objects.filter(
        person=person, community=space.community, status=Status.ACTIVE
    ).exists():
        raise ActionRefused(_("Only active members of the community can be added to a space."))
    with transaction.atomic():
        listing, created = SpaceMember.objects.get_or_create(
            space=space, person=person, defaults={"added_by": actor}
        )
        if not created:
            raise ActionRefused(_("%(name)s is already in this space.") % {"name": person})
        record_event(
            verbs.SPACE_MEMBER_ADDED, actor=actor, community=space.community, target=listing
        )
    return listing


def do_unlist_from_space(actor: User, space: Space, person: User) -> None:
    access = _access(actor, space.community)
    _require(access.may_manage(space), not_found=not access.reads(space))
    with transaction.atomic():
        deleted, _count = SpaceMember.objects.filter(space=space, person=person).delete()
        if not deleted:
            raise ActionRefused(_("%(name)s is not in this space.") % {"name": person})
        record_event(
            verbs.SPACE_MEMBER_REMOVED, actor=actor, community=space.community, target=space
        )


# --- Joining ----------------------------------------------------------------------------


def do_join(actor: User, community: Community, *, message: str = "") -> Membership:
    """Join an open community at once, or ask to join one that is on request."""
    access = _access(actor, community)
    _require(access.sees_landing(), not_found=True)
    if access.status == Status.ACTIVE:
        raise ActionRefused(_("You are already a member of this community."))
    if access.status == Status.REQUESTED:
        raise ActionRefused(_("You have already asked to join: the coordinators will answer soon."))
    if access.status == Status.BANNED:
        raise ActionRefused(_("You may not join this community."))
    if access.status == Status.INVITED:
        raise ActionRefused(_("You are invited: accept the invitation sent to you to join."))
    _require(access.may_join(), _("This community is on invitation only."))
    open_entry = community.entry == Entry.OPEN
    with transaction.atomic():
        membership = access.membership or Membership(person=actor, community=community)
        membership.role = Role.MEMBER
        membership.request_message = "" if open_entry else message.strip()
        membership.decision_message = ""
        membership.ended_at = None
        if open_entry:
            membership.status, membership.joined_at = Status.ACTIVE, timezone.now()
        else:
            membership.status = Status.REQUESTED
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:
            raise ActionRefused(_("You are already a member of this community.")) from None
        verb = verbs.MEMBERSHIP_JOINED if open_entry else verbs.MEMBERSHIP_REQUESTED
        record_event(verb, actor=actor, community=community, target=membership)
        if open_entry:
            hooks.member_joined(membership)
    return membership


def do_cancel_request(actor: User, community: Community) -> None:
    with transaction.atomic():
        membership = Membership.objects.filter(
            person=actor, community=community, status=Status.REQUESTED
        ).first()
        if membership is None:
            raise ActionRefused(_("You have no pending request for this community."))
        membership.delete()
        record_event(verbs.MEMBERSHIP_REQUEST_CANCELLED, actor=actor, community=community)


def do_decide_request(
    actor: User, membership: Membership, *, approve: bool, message: str = ""
) -> Membership:
    community = membership.community
    _require(_access(actor, community).may_decide_requests())
    with transaction.atomic():
        membership = _lock_membership(membership)
        if membership.status != Status.REQUESTED:
            raise ActionRefused(_("This request has already been answered."))
        if (
            approve
            and not permissions.community_access(
                membership.person, community, membership=None
            ).sees_landing()
        ):
            raise ActionRefused(_("This person is not internal and cannot join this community."))
        membership.decision_message = message.strip()
        membership.decided_by = actor
        if approve:
            membership.status, membership.joined_at = Status.ACTIVE, timezone.now()
            membership.save()
        else:
            membership.status = Status.LEFT
            membership.ended_at = timezone.now()
            membership.save()
        verb = verbs.MEMBERSHIP_APPROVED if approve else verbs.MEMBERSHIP_DECLINED
        record_event(verb, actor=actor, community=community, target=membership)
        hooks.request_decided(actor, membership)
        if approve:
            hooks.member_joined(membership)
        person = membership.person
        queue_email(
            compose(
                "communities/email/request_approved"
                if approve
                else "communities/email/request_declined",
                person.email,
                {"person": person, "community": community, "message": membership.decision_message},
                _person_language(person, community),
            )
        )
    return membership


# --- Invitations ------------------------------------------------------------------------


@dataclass
class InvitationReport:
    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def parse_addresses(text: str) -> list[str]:
    """Addresses pasted in any shape: one per line, or separated by commas, semicolons
    or spaces, possibly as `Name <address>`."""
    addresses = []
    for chunk in text.replace(";", ",").replace("\n", ",").split(","):
        for word in chunk.split():
            candidate = word.strip().strip("<>\"'").lower()
            if "@" in candidate and candidate not in addresses:
                addresses.append(candidate)
    return addresses


def do_invite(
    actor: User, community: Community, addresses: list[str], *, message: str = ""
) -> InvitationReport:
    """Invite many people at once; what cannot be sent is reported, not fatal."""
    _require(_access(actor, community).may_invite())
    if not addresses:
        raise ActionRefused(_("Paste at least one email address."))
    if len(addresses) > MAX_INVITATIONS_AT_ONCE:
        raise ActionRefused(
            _("Invite at most %(count)d people at once.") % {"count": MAX_INVITATIONS_AT_ONCE}
        )
    report = InvitationReport()
    with transaction.atomic():
        for address in addresses:
            reason = _invitation_refusal(community, address)
            if reason:
                report.skipped.append((address, reason))
                continue
            invitation = Invitation.objects.create(
                community=community, email=address, invited_by=actor, message=message.strip()
            )
            invitee = _account_for(address)
            if invitee is not None:
                Membership.objects.update_or_create(
                    person=invitee,
                    community=community,
                    defaults={"status": Status.INVITED, "role": Role.MEMBER},
                )
            language = invitee.language if invitee and invitee.language else community.language
            queue_email(
                compose(
                    "communities/email/invitation",
                    address,
                    {
                        "community": community,
                        "invitation": invitation,
                        "inviter": actor,
                        "accept_url": f"{settings.SITE_URL}/invitations/{invitation.token}/",
                    },
                    language,
                )
            )
            record_event(verbs.INVITATION_SENT, actor=actor, community=community, target=invitation)
            if invitee is not None:
                hooks.invited(actor, invitee, community)
            report.sent.append(address)
    return report


def _account_for(address: str) -> User | None:
    email = EmailAddress.objects.filter(email__iexact=address, verified=True).select_related("user")
    found = email.first()
    if found is not None:
        user: User = found.user
        return user
    return User.objects.filter(email__iexact=address).first()


def _invitation_refusal(community: Community, address: str) -> str:
    try:
        validate_email(address)
    except ValidationError:
        return _("not a valid email address")
    if community.is_internal and not permissions.email_is_internal(address):
        return _("not an internal address: this community is for internal people only")
    invitee = _account_for(address)
    if invitee is not None:
        status = (
            Membership.objects.filter(person=invitee, community=community)
            .values_list("status", flat=True)
            .first()
        )
        if status == Status.ACTIVE:
            return _("already a member")
        if status == Status.BANNED:
            return _("banned from this community")
    already = Invitation.objects.filter(
        community=community,
        email__iexact=address,
        accepted_at=None,
        declined_at=None,
        revoked_at=None,
        expires_at__gt=timezone.now(),
    ).exists()
    if already:
        return _("already invited")
    return ""


def _pending_invitation(token: str) -> Invitation:
    invitation = Invitation.objects.select_related("community").filter(token=token).first()
    if invitation is None or invitation.revoked_at is not None:
        raise ActionRefused(_("This invitation link is not valid."), not_found=True)
    if invitation.accepted_at is not None or invitation.declined_at is not None:
        raise ActionRefused(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ActionRefused(
            _("This invitation has expired: ask the coordinators of %(community)s for a new one.")
            % {"community": invitation.community}
        )
    return invitation


def check_invitation(token: str) -> Invitation:
    """The pending invitation behind `token`, or a refusal saying what is wrong."""
    return _pending_invitation(token)


def do_accept_invitation(actor: User, token: str) -> Membership:
    with transaction.atomic():
        invitation = _pending_invitation(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ActionRefused(_("This invitation has already been used."))
        community = invitation.community
        access = _access(actor, community)
        if not access.sees_landing():
            raise ActionRefused(
                _(
                    "This community is for internal people only: "
                    "log in with your organization's address."
                )
            )
        if access.status == Status.BANNED:
            raise ActionRefused(_("You may not join this community."))
        if access.status == Status.ACTIVE:
            raise ActionRefused(_("You are already a member of this community."))
        membership = access.membership or Membership(person=actor, community=community)
        membership.status, membership.role = Status.ACTIVE, Role.MEMBER
        membership.joined_at, membership.ended_at = timezone.now(), None
        membership.save()
        invitation.accepted_at, invitation.accepted_by = timezone.now(), actor
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record_event(verbs.INVITATION_ACCEPTED, actor=actor, community=community, target=invitation)
        record_event(verbs.MEMBERSHIP_JOINED, actor=actor, community=community, target=membership)
        hooks.member_joined(membership)
    return membership


def do_decline_invitation(actor: User, token: str) -> None:
    with transaction.atomic():
        invitation = _pending_invitation(token)
        invitation.declined_at = timezone.now()
        invitation.save(update_fields=["declined_at"])
        Membership.objects.filter(
            person=actor, community=invitation.community, status=Status.INVITED
        ).delete()
        record_event(
            verbs.INVITATION_DECLINED,
            actor=actor,
            community=invitation.community,
            target=invitation,
        )


def do_revoke_invitation(actor: User, invitation: Invitation) -> None:
    community = invitation.community
    _require(_access(actor, community).may_invite())
    with transaction.atomic():
        if not invitation.is_pending:
            raise ActionRefused(_("This invitation is no longer pending."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        Membership.objects.filter(
            person__email__iexact=invitation.email, community=community, status=Status.INVITED
        ).delete()
        record_event(verbs.INVITATION_REVOKED, actor=actor, community=community, target=invitation)


# --- Members ----------------------------------------------------------------------------


def _end_membership(membership: Membership, status: str, actor: User) -> None:
    membership.status = status
    membership.ended_at = timezone.now()
    membership.decided_by = actor if actor.pk != membership.person_id else None
    membership.save()
    SpaceMember.objects.filter(
        person=membership.person, space__community=membership.community
    ).delete()


def _refuse_losing_last_coordinator(membership: Membership) -> None:
    if (
        membership.role == Role.COORDINATOR
        and membership.status == Status.ACTIVE
        and _active_coordinators(membership.community) <= 1
    ):
        raise ActionRefused(
            _("A community needs at least one coordinator: appoint another one first.")
        )


def do_leave(actor: User, community: Community) -> None:
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(person=actor, community=community, status=Status.ACTIVE)
            .first()
        )
        if membership is None:
            raise ActionRefused(_("You are not a member of this community."))
        _refuse_losing_last_coordinator(membership)
        _end_membership(membership, Status.LEFT, actor)
        record_event(verbs.MEMBERSHIP_LEFT, actor=actor, community=community, target=membership)


def do_change_role(actor: User, membership: Membership, role: str) -> Membership:
    community = membership.community
    _require(_access(actor, community).may_manage())
    if role not in Role.values:
        raise ActionRefused(_("Unknown role."))
    with transaction.atomic():
        membership = _lock_membership(membership)
        if membership.status != Status.ACTIVE:
            raise ActionRefused(_("Only active members have a role."))
        if membership.role == role:
            return membership
        if role != Role.COORDINATOR:
            _refuse_losing_last_coordinator(membership)
        membership.role = role
        membership.save(update_fields=["role", "updated_at"])
        record_event(
            verbs.MEMBERSHIP_ROLE_CHANGED, actor=actor, community=community, target=membership
        )
    return membership


def do_remove_member(actor: User, membership: Membership) -> None:
    community = membership.community
    _require(_access(actor, community).may_manage())
    with transaction.atomic():
        membership = _lock_membership(membership)
        if membership.status != Status.ACTIVE:
            raise ActionRefused(_("This person is not an active member."))
        _refuse_losing_last_coordinator(membership)
        _end_membership(membership, Status.LEFT, actor)
        record_event(verbs.MEMBERSHIP_REMOVED, actor=actor, community=community, target=membership)


def do_ban(actor: User, membership: Membership, *, message: str = "") -> None:
    community = membership.community
    _require(_access(actor, community).may_manage())
    if membership.person_id == actor.pk:
        raise ActionRefused(_("You cannot ban yourself."))
    with transaction.atomic():
        membership = _lock_membership(membership)
        if membership.status == Status.BANNED:
            raise ActionRefused(_("This person is already banned."))
        _refuse_losing_last_coordinator(membership)
        membership.decision_message = message.strip()
        _end_membership(membership, Status.BANNED, actor)
        Invitation.objects.filter(
            community=community, email__iexact=membership.person.email, accepted_at=None
        ).update(revoked_at=timezone.now())
        record_event(verbs.MEMBERSHIP_BANNED, actor=actor, community=community, target=membership)


def do_unban(actor: User, membership: Membership) -> None:
    community = membership.community
    _require(_access(actor, community).may_manage())
    with transaction.atomic():
        membership = _lock_membership(membership)
        if membership.status != Status.BANNED:
            raise ActionRefused(_("This person is not banned."))
        membership.status = Status.LEFT
        membership.save(update_fields=["status", "updated_at"])
        record_event(verbs.MEMBERSHIP_UNBANNED, actor=actor, community=community, target=membership)


def do_attach_invitations(person: User, email: str) -> int:
    """Once `person` has verified `email`, the invitations sent to it show as theirs
    (on their communities page and the landing pages), as for existing accounts."""
    attached = 0
    with transaction.atomic():
        pending = Invitation.objects.filter(
            email__iexact=email,
            accepted_at=None,
            declined_at=None,
            revoked_at=None,
            expires_at__gt=timezone.now(),
        ).select_related("community")
        for invitation in pending:
            membership, created = Membership.objects.get_or_create(
                person=person,
                community=invitation.community,
                defaults={"status": Status.INVITED, "role": Role.MEMBER},
            )
            if created or membership.status == Status.LEFT:
                membership.status = Status.INVITED
                membership.save(update_fields=["status", "updated_at"])
                attached += 1
    return attached
