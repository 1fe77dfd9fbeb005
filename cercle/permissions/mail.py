"""Mail in and out (docs/mail.md): who opens a space to new topics by email, who reads
the instance's received-mail log, and what a message received may do.

A message received acts as the person its address names, through the same questions as
the page: a reply asks `conversations.may_reply`, a new topic `may_start_topic`. What
is asked here is only what is particular to mail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cercle.permissions.conversations import may_reply, may_start_topic, sees_hidden
from cercle.permissions.core import Actor, CommunityAccess, is_staff

if TYPE_CHECKING:
    from cercle.communities.models import Space
    from cercle.conversations.models import Topic


def may_manage_mail(access: CommunityAccess) -> bool:
    """A community's mail settings (/c/<slug>/mail/: which spaces take new topics by
    email): those who manage the community."""
    return access.may_manage()


def may_see_received_mail(actor: Actor) -> bool:
    """The instance's received-mail log (/staff/mail/), with the messages' text: staff."""
    return is_staff(actor)


def may_start_topic_by_email(access: CommunityAccess, space: Space, kind: str) -> bool:
    """Writing to a space's address: a member who may start this kind of topic there,
    as on the page (the space must also accept mail, which its settings say)."""
    return (
        access.actor.is_authenticated
        and access.actor.is_active
        and may_start_topic(access, space, kind)
    )


def may_retry_received_mail(actor: Actor) -> bool:
    """Handling again a message that failed or waits (the log's "Try again"): staff, who
    read the log."""
    return is_staff(actor)


def may_reply_by_email(access: CommunityAccess, topic: Topic) -> bool:
    """Whether an email about `topic` offers its reader a reply address (Reply-To, a
    "Reply by email" link): when they may reply on the page. The reply received is asked
    again (`conversations.may_reply`) when it arrives."""
    return access.actor.is_authenticated and access.actor.is_active and may_reply(access, topic)


def may_name_topic(access: CommunityAccess, topic: Topic) -> bool:
    """Whether an answer by email to a refused reply may name the topic and link to it:
    only while the person may still read it (a private space they left, a hidden topic,
    a community they are no longer in: its title is no longer theirs to be told)."""
    if not access.actor.is_authenticated or not access.actor.is_active:
        return False
    if topic.is_hidden and not sees_hidden(access, topic.space):
        return False
    return access.reads(topic.space)
