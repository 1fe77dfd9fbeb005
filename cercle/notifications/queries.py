"""Reads of notifications and email preferences; every one asks `cercle.permissions`.

A notification is checked when it is created, and again whenever it is shown or
emailed: membership, listing in a private space or the content itself may have
changed since.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations.models import Post
from cercle.mail import bounces
from cercle.mail.models import Bounce
from cercle.notifications.models import (
    DIGEST,
    DIGEST_DEFAULT,
    EMAIL_DEFAULTS,
    MAILING_LIST,
    EmailPreference,
    Frequency,
    Kind,
    Notification,
)

# Kinds about the life of a community (not about a post): for its members only.
ANIMATION_KINDS = frozenset(
    {
        Kind.WELCOME,
        Kind.NEW_ACTIVITY,
        Kind.EVENT_REMINDER,
        Kind.EVENT_UPDATE,
        Kind.CONTEST_RESULTS,
        Kind.BADGE,
        Kind.IDEA_STATUS,
        Kind.ASKED_TO_ANSWER,
    }
)

Actor = permissions.Actor


def audience(kind: str) -> permissions.notifications.Audience:
    """Who may be told of a notification of this kind that is about no post or space."""
    if kind == Kind.INVITATION:
        return "invitee"
    if kind == Kind.REQUEST_APPROVED or kind in ANIMATION_KINDS:
        return "member"
    return "visitor"


def may_see(
    access: permissions.CommunityAccess,
    kind: str,
    post: Post | None,
    space: Space | None = None,
) -> bool:
    """May the person behind `access` be told about this? The one rule for creating,
    showing and emailing a notification (`permissions.notifications.may_be_told`)."""
    return permissions.notifications.may_be_told(access, audience(kind), post, space)


def still_visible(notification: Notification, access: permissions.CommunityAccess) -> bool:
    return may_see(access, notification.kind, notification.post, notification.space)


def visible_to(person: User) -> QuerySet[Notification]:
    """The person's notifications about things they may still see, newest first.

    The same rule as `may_see`, as one query: content notifications are kept while
    their post is visible in a space the person may read (`readable_spaces_everywhere`);
    those about the person's own membership always are.
    """
    readable = permissions.readable_spaces_everywhere(person)
    return Notification.objects.filter(recipient=person).filter(
        Q(post__isnull=True, space__isnull=True)
        | Q(post__isnull=True, space__in=readable)
        | Q(
            post__deleted_at=None,
            post__is_hidden=False,
            post__topic__is_hidden=False,
            post__topic__space__in=readable,
        )
    )


def unread_count(person: Actor) -> int:
    """The bell's figure: one query (the person's internal status is cached per request)."""
    if not person.is_authenticated:
        return 0
    return visible_to(person).filter(read_at=None).count()


def notification_list(person: User) -> QuerySet[Notification]:
    return visible_to(person).select_related(
        "actor__profile",
        "community",
        "post__topic__space__community",
        "post__topic__community",
        "post__persona",
        "post__topic__persona",
    )


def notification_for(person: User, notification_id: int) -> Notification | None:
    """One of the person's notifications, while they may see what it is about."""
    return notification_list(person).filter(pk=notification_id).first()


# --- Email preferences ---------------------------------------------------------------------


def email_preferences(person: User) -> dict[str, str]:
    """How often the person wants each kind of email, and the digest: theirs or the default."""
    chosen = dict(EmailPreference.objects.filter(person=person).values_list("kind", "frequency"))
    wanted = {kind: chosen.get(kind, default) for kind, default in EMAIL_DEFAULTS.items()}
    wanted[DIGEST] = chosen.get(DIGEST, DIGEST_DEFAULT)
    return wanted


def email_frequencies(person_ids: Iterable[int], kind: str) -> dict[int, str]:
    """For one kind, each person's frequency (one query for all of them)."""
    ids = list(person_ids)
    if kind not in EMAIL_DEFAULTS:
        return dict.fromkeys(ids, Frequency.NEVER)
    chosen = dict(
        EmailPreference.objects.filter(person_id__in=ids, kind=kind).values_list(
            "person_id", "frequency"
        )
    )
    return {pk: chosen.get(pk, EMAIL_DEFAULTS[kind]) for pk in ids}


def wants_email(person: User, kind: str) -> bool:
    """False once the person has turned this kind off (an unsubscribe link, the settings)."""
    return email_frequencies([person.pk], kind)[person.pk] != Frequency.NEVER


def in_mailing_list_mode(person: User) -> bool:
    """Whether the person receives every new post of what they follow by email."""
    return EmailPreference.objects.filter(
        person=person, kind=MAILING_LIST, frequency=Frequency.IMMEDIATELY
    ).exists()


def mailing_list_people(person_ids: Iterable[int]) -> set[int]:
    """Those of these people who are in mailing-list mode (one query)."""
    return set(
        EmailPreference.objects.filter(
            person_id__in=list(person_ids), kind=MAILING_LIST, frequency=Frequency.IMMEDIATELY
        ).values_list("person_id", flat=True)
    )


def stopped_mail(person: User) -> Bounce | None:
    """Why mail to the person's address stopped (a bounce), for their settings page;
    None while it goes. A stop of an address they no longer use is not theirs to fix."""
    bounce = bounces.stopped_bounce(person.pk)
    if bounce is None or bounce.address != person.email.strip().lower():
        return None
    return bounce
