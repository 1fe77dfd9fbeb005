"""Creating notifications, and every change a person makes to theirs.

The `notify_*` functions are called by the conversation and community actions
inside their own transactions, so a notification exists exactly when the change
that caused it does. Each one:

- gathers the people concerned, each with one reason, in order of precedence
  (being mentioned beats a reply to one's topic, which beats following the topic,
  which beats following the space, a tag or the author), so a person gets one
  notification per event;
- never tells the actor about their own doing;
- asks `cercle.permissions` whether each person may see what it is about;
- records the email frequency the person chose for that kind, and queues the
  immediate emails for once the transaction commits. The email task asks the
  permissions again when it runs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Space
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Mention, Post, Topic
from cercle.errors import ActionRefused
from cercle.mail import bounces
from cercle.notifications import mailing_list, queries
from cercle.notifications.models import (
    DIGEST,
    EMAIL_DEFAULTS,
    MAILING_LIST,
    EmailPreference,
    Frequency,
    Kind,
    Notification,
    Period,
)
from cercle.notifications.tasks import send_mailing_list_post, send_notification_email
from cercle.people.models import Follow

Reason = tuple[int, str]  # (person id, kind)


def _notify(
    reasons: Iterable[Reason],
    *,
    actor: User | None,
    community: Community,
    topic: Topic | None = None,
    post: Post | None = None,
    space: Space | None = None,
    subject: str = "",
    url: str = "",
    emailed: Collection[int] = frozenset(),
) -> list[Notification]:
    """One notification per person (the first reason wins), for those who may see it.
    Those in `emailed` receive the post by another email (mailing-list mode): their
    notification is done with email from the start."""
    chosen: dict[int, str] = {}
    for person_id, kind in reasons:
        if person_id is None or (actor is not None and person_id == actor.pk):
            continue
        chosen.setdefault(person_id, kind)
    if not chosen:
        return []
    people = list(User.objects.filter(pk__in=list(chosen), is_active=True))
    # Everyone's access in a fixed number of queries, however many people are told.
    accesses = permissions.community_accesses(people, community)
    allowed = [
        person
        for person in people
        if queries.may_see(accesses[person.pk], chosen[person.pk], post, space)
    ]
    frequencies: dict[int, str] = {}
    for kind in {chosen[person.pk] for person in allowed}:
        frequencies.update(
            queries.email_frequencies([p.pk for p in allowed if chosen[p.pk] == kind], kind)
        )
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient=person,
                kind=chosen[person.pk],
                actor=actor,
                community=community,
                topic=topic,
                post=post,
                space=space,
                subject=subject[:300],
                url=url,
                email_frequency=frequencies[person.pk],
                emailed_at=timezone.now() if person.pk in emailed else None,
            )
            for person in allowed
        ]
    )
    immediate = [
        n.pk
        for n in created
        if n.email_frequency == Frequency.IMMEDIATELY and n.recipient_id not in emailed
    ]
    if immediate:

        def queue() -> None:
            for pk in immediate:
                send_notification_email.enqueue(pk)

        transaction.on_commit(queue)
    return created


def _mentioned(post: Post) -> list[int]:
    return list(Mention.objects.filter(post=post).values_list("person_id", flat=True))


def _followers(condition: Q) -> list[int]:
    return list(Follow.objects.filter(condition).values_list("follower_id", flat=True).distinct())


def _author_followers(actor: User, post: Post) -> list[int]:
    """Those who follow the writer; none for a post written as a persona, which must not
    tell anyone who wrote it (docs/personas.md)."""
    return [] if post.persona_id else _followers(Q(person=actor.pk))


def _tagged(kind: str, people: Iterable[int]) -> list[Reason]:
    return [(person, kind) for person in people]


def notify_topic_started(actor: User, topic: Topic, post: Post) -> list[Notification]:
    """A new topic: the people it mentions, then those who follow its space or one of
    its tags, then those who follow its author."""
    tags = list(topic.tags.values_list("pk", flat=True))
    reasons = [
        *_tagged(Kind.MENTION, _mentioned(post)),
        *_tagged(Kind.NEW_TOPIC, _followers(Q(space=topic.space_id) | Q(tag__in=tags))),
        *_tagged(Kind.FOLLOWED_PERSON, _author_followers(actor, post)),
    ]
    listed = _queue_mailing_list(post)
    return _notify(
        reasons, actor=actor, community=topic.community, topic=topic, post=post, emailed=listed
    )


def _queue_mailing_list(post: Post) -> set[int]:
    """The people who receive `post` in mailing-list mode, their emails queued for once
    the transaction commits (`mailing_list`)."""
    found = mailing_list.recipients(post)
    if found:
        ids = sorted(found)
        transaction.on_commit(lambda: send_mailing_list_post.enqueue(post.pk, ids))
    return found


def notify_reply(actor: User, topic: Topic, post: Post) -> list[Notification]:
    """A reply: the people it mentions, then the topic's author (an answer to their
    question, or a reply to their topic), then the topic's and the author's followers."""
    own_kind = Kind.ANSWER if topic.kind == TopicKind.QUESTION else Kind.REPLY
    reasons = [
        *_tagged(Kind.MENTION, _mentioned(post)),
        *_tagged(own_kind, [topic.author_id] if topic.author_id else []),
        *_tagged(Kind.FOLLOWED_REPLY, _followers(Q(topic=topic.pk))),
        *_tagged(Kind.FOLLOWED_PERSON, _author_followers(actor, post)),
    ]
    listed = _queue_mailing_list(post)
    return _notify(
        reasons, actor=actor, community=topic.community, topic=topic, post=post, emailed=listed
    )


def notify_new_mentions(actor: User, post: Post) -> list[Notification]:
    """An edit that mentions someone new tells them, once per post."""
    told = set(
        Notification.objects.filter(post=post, kind=Kind.MENTION).values_list(
            "recipient_id", flat=True
        )
    )
    new = [pk for pk in _mentioned(post) if pk not in told]
    topic = post.topic
    return _notify(
        _tagged(Kind.MENTION, new), actor=actor, community=topic.community, topic=topic, post=post
    )


def notify_answer_accepted(actor: User, topic: Topic, post: Post) -> list[Notification]:
    """The answer's author, once per answer (accepting it again after a change of mind
    tells no one twice)."""
    told = Notification.objects.filter(post=post, kind=Kind.ACCEPTED).exists()
    reasons = _tagged(Kind.ACCEPTED, [post.author_id] if post.author_id and not told else [])
    return _notify(reasons, actor=actor, community=topic.community, topic=topic, post=post)


def notify_membership_decision(actor: User, membership: Membership) -> list[Notification]:
    """The answer to a request to join (the communities app emails it too)."""
    kind = Kind.REQUEST_APPROVED if membership.is_active else Kind.REQUEST_DECLINED
    return _notify([(membership.person_id, kind)], actor=actor, community=membership.community)


def notify_invitation(actor: User, invitee: User, community: Community) -> list[Notification]:
    """An invitation sent to the address of an existing account (emailed by the
    communities app, like every invitation)."""
    return _notify([(invitee.pk, Kind.INVITATION)], actor=actor, community=community)


def notify_about(
    kind: str,
    people: Iterable[int],
    *,
    actor: User | None,
    community: Community,
    subject: str,
    url: str,
    space: Space | None = None,
) -> list[Notification]:
    """News about something that is not a post (an event, a poll, a badge, an idea):
    `subject` names it as written, `url` leads to it. Those who may not read `space`
    (or, without a space, who are not members) are not told. Call it inside the
    action's transaction."""
    return _notify(
        _tagged(kind, people),
        actor=actor,
        community=community,
        space=space,
        subject=subject,
        url=url,
    )


# --- What people do with their notifications --------------------------------------------


def do_open(person: User, notification_id: int) -> Notification:
    """The notification, marked read, for its recipient only (others get a 404)."""
    notification = queries.notification_for(person, notification_id)
    if notification is None:
        # Someone else's, or about something the person may no longer see.
        raise ActionRefused("", not_found=True)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(
            read_at=notification.read_at
        )
    return notification


def do_mark_all_read(person: User) -> int:
    return Notification.objects.filter(recipient=person, read_at=None).update(
        read_at=timezone.now()
    )


PREFERENCE_CHOICES: Mapping[str, frozenset[str]] = {
    **{kind: frozenset(Frequency.values) for kind in EMAIL_DEFAULTS},
    DIGEST: frozenset(Period.values),
    MAILING_LIST: frozenset({Frequency.IMMEDIATELY, Frequency.NEVER}),
}


def do_set_email_preferences(person: User, wanted: Mapping[str, str]) -> None:
    """Save how often the person wants each kind of email (and the digest)."""
    for key, value in wanted.items():
        if value not in PREFERENCE_CHOICES.get(key, ()):
            raise ValueError(f"no email preference {key}={value}")
    with transaction.atomic():
        for key, value in wanted.items():
            EmailPreference.objects.update_or_create(
                person=person, kind=key, defaults={"frequency": value}
            )


def do_resume_mail(person: User) -> int:
    """The person says their mailbox works again: mail to their addresses starts again
    (`bounces.clear_bounce`); returns how many stops were lifted."""
    return bounces.clear_bounce(person.pk)


def do_unsubscribe(person: User, keys: Iterable[str]) -> None:
    """Turn these kinds of email off: no more emails of them, pending summaries included."""
    keys = [key for key in keys if key in PREFERENCE_CHOICES]
    with transaction.atomic():
        do_set_email_preferences(person, dict.fromkeys(keys, Frequency.NEVER))
