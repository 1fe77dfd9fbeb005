"""Every change animators make to badges: custom badges, awarding them by hand (always
with a reason), and the "members of the month" showcase.

Each `do_*` function checks permission through `cercle.permissions`, validates,
writes in one transaction, records its activity event and notifies; on refusal it
raises `ActionRefused` and writes nothing. The built-in badges are awarded by the
job in `cercle.badges.awarding`, never by hand.
"""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.badges.awarding import SHOWCASE_PLACES, badges_url, previous_month
from cercle.badges.models import BadgeAward, CustomBadge, MemberOfTheMonth
from cercle.communities.models import Community, Membership, Status
from cercle.errors import ActionRefused
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind
from cercle.people.actions import check_avatar

MAX_NAME = 60
MAX_DESCRIPTION = 300
MAX_EMOJI = 16
MAX_REASON = 300
MAX_CITATION = 200


def _require_animator(actor: User, community: Community) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, community)
    if not access.may_animate():
        raise ActionRefused(
            _("Only the community's animators may do this."), not_found=not access.sees_landing()
        )
    return access


def _active_member(person: User, community: Community) -> None:
    if (
        not person.is_active
        or not Membership.objects.filter(
            person=person, community=community, status=Status.ACTIVE
        ).exists()
    ):
        raise ActionRefused(_("%(name)s is not a member of this community.") % {"name": person})


# --- Custom badges ------------------------------------------------------------------------


def do_create_badge(
    actor: User,
    community: Community,
    *,
    name: str,
    description: str,
    emoji: str = "",
    image: UploadedFile | None = None,
) -> CustomBadge:
    _require_animator(actor, community)
    name, description, emoji = " ".join(name.split()), description.strip(), emoji.strip()
    if not name or len(name) > MAX_NAME:
        raise ActionRefused(
            _("Give the badge a name of at most %(count)d characters.") % {"count": MAX_NAME}
        )
    if not description or len(description) > MAX_DESCRIPTION:
        raise ActionRefused(
            _("Say what the badge recognizes, in at most %(count)d characters.")
            % {"count": MAX_DESCRIPTION}
        )
    if len(emoji) > MAX_EMOJI or any(character.isalnum() for character in emoji):
        raise ActionRefused(_("The emoji field takes one emoji, not words."))
    checked = check_avatar(image) if image is not None else None
    with transaction.atomic():
        if CustomBadge.objects.filter(community=community, name__iexact=name).exists():
            raise ActionRefused(
                _("The community already has a badge named “%(name)s”.") % {"name": name}
            )
        badge = CustomBadge(
            community=community, name=name, description=description, emoji=emoji, created_by=actor
        )
        if checked is not None:
            badge.image.save(f"badge.{checked.extension}", checked.content, save=False)
        badge.save()
        record_event(verbs.BADGE_CREATED, actor=actor, community=community, target=badge)
    return badge


def do_award_badge(actor: User, badge: CustomBadge, person: User, *, reason: str) -> BadgeAward:
    """Give a custom badge to a member, saying why: the reason shows on their profile."""
    community = badge.community
    _require_animator(actor, community)
    reason = " ".join(reason.split())
    if not reason:
        raise ActionRefused(_("Say why you award this badge: the reason shows on the profile."))
    if len(reason) > MAX_REASON:
        raise ActionRefused(
            _("Keep the reason under %(count)d characters.") % {"count": MAX_REASON}
        )
    if person.pk == actor.pk:
        raise ActionRefused(_("You cannot award a badge to yourself."))
    _active_member(person, community)
    with transaction.atomic():
        try:
            with transaction.atomic():
                award = BadgeAward.objects.create(
                    person=person,
                    community=community,
                    custom_badge=badge,
                    reason=reason,
                    awarded_by=actor,
                )
        except IntegrityError:
            raise ActionRefused(
                _("%(name)s already holds this badge.") % {"name": person}
            ) from None
        notify_about(
            Kind.BADGE,
            [person.pk],
            actor=actor,
            community=community,
            subject=badge.name,
            url=badges_url(community),
        )
        record_event(verbs.BADGE_AWARDED, actor=actor, community=community, target=award)
    return award


def do_revoke_award(actor: User, award: BadgeAward) -> None:
    """Take back a custom badge given by mistake (earned badges are not taken back)."""
    community = award.community
    _require_animator(actor, community)
    if award.custom_badge_id is None:
        raise ActionRefused(_("Badges earned from activity are not taken back."))
    with transaction.atomic():
        deleted, _count = BadgeAward.objects.filter(pk=award.pk).delete()
        if not deleted:
            raise ActionRefused(_("This badge was already taken back."))
        record_event(
            verbs.BADGE_REVOKED, actor=actor, community=community, target=award.custom_badge
        )


# --- Members of the month ---------------------------------------------------------------


def showcase_month(community: Community) -> date:
    """The month the showcase is about: the previous one, on the community's clock."""
    return previous_month(timezone.now().astimezone(community.zone))


def do_pin_member(
    actor: User, community: Community, *, rank: int, person: User, citation: str
) -> MemberOfTheMonth:
    """Put a member in a place of this month's showcase, with a short citation: the
    member who had the place, and any other place the member had, are replaced."""
    _require_animator(actor, community)
    if rank not in range(1, SHOWCASE_PLACES + 1):
        raise ActionRefused(_("Choose a place from 1 to 3."))
    citation = " ".join(citation.split())
    if len(citation) > MAX_CITATION:
        raise ActionRefused(
            _("Keep the citation under %(count)d characters.") % {"count": MAX_CITATION}
        )
    _active_member(person, community)
    month = showcase_month(community)
    with transaction.atomic():
        MemberOfTheMonth.objects.filter(community=community, month=month).filter(rank=rank).delete()
        MemberOfTheMonth.objects.filter(community=community, month=month, person=person).delete()
        entry = MemberOfTheMonth.objects.create(
            community=community,
            month=month,
            rank=rank,
            person=person,
            citation=citation,
            chosen_by=actor,
        )
        record_event(verbs.SHOWCASE_PINNED, actor=actor, community=community, target=entry)
    return entry


def do_set_citation(actor: User, entry: MemberOfTheMonth, citation: str) -> MemberOfTheMonth:
    community = entry.community
    _require_animator(actor, community)
    citation = " ".join(citation.split())
    if len(citation) > MAX_CITATION:
        raise ActionRefused(
            _("Keep the citation under %(count)d characters.") % {"count": MAX_CITATION}
        )
    with transaction.atomic():
        entry.citation, entry.chosen_by = citation, actor
        entry.save(update_fields=["citation", "chosen_by", "updated_at"])
        record_event(verbs.SHOWCASE_CITED, actor=actor, community=community, target=entry)
    return entry


def do_remove_from_showcase(actor: User, entry: MemberOfTheMonth) -> None:
    community = entry.community
    _require_animator(actor, community)
    with transaction.atomic():
        MemberOfTheMonth.objects.filter(pk=entry.pk).delete()
        record_event(verbs.SHOWCASE_REMOVED, actor=actor, community=community)
