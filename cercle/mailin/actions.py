"""What a message received does, by the kind of address it came to (docs/mail.md):

- a reply address posts a reply as the person it names (`do_reply_by_email`);
- a space's address starts a topic as the person who sent it (`do_start_topic_by_email`);
- a bounce address records the delivery reports it carries (`do_record_delivery_reports`).

Each goes through the same action and permission questions as the page
(`conversations.actions.do_reply`, `do_start_topic`, `permissions`), and returns a
`Decision`: the outcome, its reason for staff, and the answer to send, if any.
`receiving.process` calls them, after the checks every message passes, inside the
transaction that records the outcome.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.utils import translation

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversations
from cercle.conversations.models import Post, Topic
from cercle.errors import ActionRefused
from cercle.mail.addresses import Recipient, without_private_addresses
from cercle.mail.bounces import record_bounce
from cercle.mailin.answers import Answer, Refusal, absolute, language_for
from cercle.mailin.message import MailAttachment, ParsedMail
from cercle.mailin.models import Outcome, SpaceMailbox

logger = logging.getLogger(__name__)
T = TypeVar("T")

# "Re:", "RE :", "Fwd:", "Fw:", "TR:" (French Outlook), "AW:"/"WG:" (German), "[list]"
# tags... at the head of a subject, as many times as they come.
SUBJECT_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|tr|aw|wg|sv|vs|réf)\s*:|\[[^\]]*\])\s*", re.I)


@dataclass
class Decision:
    """What became of a message: `outcome`, `reason` in English words for staff, the
    person, community, topic and post concerned, and the answer to send, if any."""

    outcome: str
    reason: str
    person: User | None = None
    community: Community | None = None
    topic: Topic | None = None
    post: Post | None = None
    answer: Answer | None = None


# An outcome, its reason for staff, and the answer's refusal: what a message whose body
# is empty once its quotes and signature are trimmed gets, whatever address it came to.
NOTHING_TO_POST = (
    Outcome.REFUSED_EMPTY,
    "Nothing left to post once quotes and signatures were removed.",
    Refusal.EMPTY,
)


def attempt(language: str, action: Callable[[], T]) -> T | ActionRefused:
    """Run a Cercle action for the sender: its result, or the refusal it raised, worded
    in the sender's language (the answer quotes it to them)."""
    try:
        with translation.override(language):
            return action()
    except ActionRefused as refusal:
        return refusal


def invalid(action: str, refusal: ActionRefused) -> tuple[str, str, str, str]:
    """The outcome, reason, refusal and detail of an action that refused the content."""
    return (
        Outcome.REFUSED_INVALID,
        f"{action} refused: {refusal.message}",
        Refusal.INVALID,
        refusal.message,
    )


def uploads(attachments: tuple[MailAttachment, ...]) -> list[UploadedFile]:
    """The message's files as uploads, so that `attachments.check_upload` judges them
    by their content as it judges files added on the page."""
    return [
        SimpleUploadedFile(
            attachment.filename or "attachment",
            attachment.content,
            content_type=attachment.content_type or "application/octet-stream",
        )
        for attachment in attachments
    ]


def topic_title(subject: str) -> str:
    """A new topic's title: the subject without its "Re:", "Fwd:", "TR:" prefixes."""
    title = " ".join(subject.split())
    while True:
        shorter = SUBJECT_PREFIX.sub("", title, count=1)
        if shorter == title:
            return title.strip()
        title = shorter


def owns_address(person: User, address: str) -> bool:
    """Whether `address` is one of the person's: their account's, or any address they
    added to it (case-insensitive)."""
    address = address.strip().lower()
    if not address:
        return False
    if person.email.lower() == address:
        return True
    owned: bool = EmailAddress.objects.filter(user_id=person.pk, email__iexact=address).exists()
    return owned


def person_for_address(address: str) -> User | None:
    """The Cercle person who writes from `address`: the account's own address, else one
    they added and verified."""
    address = address.strip().lower()
    if not address:
        return None
    person = User.objects.filter(email__iexact=address).first()
    if person is not None:
        return person
    owned = (
        EmailAddress.objects.filter(email__iexact=address, verified=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return owned.user if owned is not None else None


# --- Reply addresses ----------------------------------------------------------------------


def do_reply_by_email(  # noqa: PLR0911 - one return per check, in order
    parsed: ParsedMail, recipient: Recipient
) -> Decision:
    """A reply to a topic's notification: the address names the person and the topic
    (its mac proves it); the sender must be that person, and may still reply there."""
    person = User.objects.filter(pk=recipient.person_id or 0).first()
    if person is None:
        return Decision(Outcome.REFUSED_ADDRESS, "The reply address's person no longer exists.")
    if not owns_address(person, parsed.from_address):
        # A forged From, or someone the reply was forwarded to: no post, and no answer
        # (the forger would learn the address works; the person did nothing).
        logger.warning(
            "mail in: a reply address of person %s used by %r",
            person.pk,
            parsed.from_address,
        )
        return Decision(
            Outcome.REFUSED_SENDER,
            f"The reply address belongs to person {person.pk}; the message came from "
            f"{parsed.from_address or 'no address'}, not one of theirs.",
            person=person,
        )
    language = language_for(person)
    topic = (
        Topic.objects.select_related("community", "space__community")
        .filter(pk=recipient.topic_id or 0)
        .first()
    )
    if topic is None:
        return Decision(
            Outcome.REFUSED_PERMISSION,
            f"The topic {recipient.topic_id} of the reply address no longer exists.",
            person=person,
            answer=Answer(Refusal.NOT_ALLOWED_REPLY, parsed.from_address, language, person),
        )
    language = language_for(person, topic.community)
    access = permissions.community_access(person, topic.community)
    decision = Decision("", "", person=person, community=topic.community, topic=topic)

    def refuse(outcome: str, reason: str, refusal: str, detail: str = "") -> Decision:
        named = permissions.mail.may_name_topic(access, topic)
        decision.outcome, decision.reason = outcome, reason
        decision.answer = Answer(
            refusal,
            parsed.from_address,
            language,
            person,
            detail=detail,
            topic_title=topic.title if named else "",
            topic_url=absolute(topic.get_absolute_url()) if named else "",
        )
        return decision

    if not person.is_active:
        return refuse(
            Outcome.REFUSED_PERMISSION,
            "The person's account is deactivated.",
            Refusal.NOT_ALLOWED_REPLY,
        )
    if not permissions.conversations.may_reply(access, topic):
        return refuse(
            Outcome.REFUSED_PERMISSION,
            "The person may not reply to this topic (no longer a member, no longer reads "
            "its space, or the topic is locked, hidden or merged).",
            Refusal.NOT_ALLOWED_REPLY,
        )
    body = without_private_addresses(parsed.body.strip())
    if not body:
        return refuse(*NOTHING_TO_POST)
    post = attempt(
        language,
        lambda: conversations.do_reply(person, topic, body=body, files=uploads(parsed.attachments)),
    )
    if isinstance(post, ActionRefused):
        if not permissions.conversations.may_reply(
            permissions.community_access(person, topic.community), topic
        ):
            return refuse(
                Outcome.REFUSED_PERMISSION,
                f"The reply action refused: {post.message}",
                Refusal.NOT_ALLOWED_REPLY,
            )
        return refuse(*invalid("The reply action", post))
    decision.outcome, decision.post = Outcome.POSTED, post
    decision.reason = f"Posted as reply {post.position} of topic {topic.pk}."
    return decision


# --- Space addresses ----------------------------------------------------------------------


def do_start_topic_by_email(  # noqa: PLR0911 - one return per check, in order
    parsed: ParsedMail, recipient: Recipient
) -> Decision:
    """A new topic written to a space's address: the space must take mail, and the sender
    (the person whose address the From is) may start this kind of topic there."""
    space = (
        Space.objects.select_related("community")
        .filter(community__slug=recipient.community_slug, slug=recipient.space_slug)
        .first()
    )
    if space is None:
        return Decision(
            Outcome.REFUSED_ADDRESS,
            f"No space {recipient.space_slug!r} in a community {recipient.community_slug!r}.",
        )
    community = space.community
    sender = person_for_address(parsed.from_address)
    language = language_for(sender, community)
    decision = Decision("", "", person=sender, community=community)

    def refuse(outcome: str, reason: str, refusal: str, detail: str = "") -> Decision:
        decision.outcome, decision.reason = outcome, reason
        decision.answer = Answer(refusal, parsed.from_address, language, sender, detail=detail)
        return decision

    mailbox = SpaceMailbox.objects.filter(space=space).first()
    if mailbox is None or not mailbox.enabled:
        return refuse(
            Outcome.REFUSED_SPACE_CLOSED,
            f"The space {space.pk} does not take new topics by email.",
            Refusal.SPACE_CLOSED,
        )
    if sender is None:
        return refuse(
            Outcome.REFUSED_PERMISSION,
            f"No person uses the address {parsed.from_address or '(none)'}.",
            Refusal.UNKNOWN_SENDER,
        )
    access = permissions.community_access(sender, community)
    if not permissions.mail.may_start_topic_by_email(access, space, mailbox.kind):
        return refuse(
            Outcome.REFUSED_PERMISSION,
            f"Person {sender.pk} may not start a {mailbox.kind} in space {space.pk}.",
            Refusal.NOT_ALLOWED_SPACE,
        )
    title = topic_title(parsed.subject)
    if not title:
        return refuse(
            Outcome.REFUSED_INVALID, "The message has no subject to be the title.", Refusal.NO_TITLE
        )
    body = without_private_addresses(parsed.body.strip())
    if not body:
        return refuse(*NOTHING_TO_POST)
    topic = attempt(
        language,
        lambda: conversations.do_start_topic(
            sender,
            space,
            kind=mailbox.kind,
            title=title,
            body=body,
            files=uploads(parsed.attachments),
        ),
    )
    if isinstance(topic, ActionRefused):
        return refuse(*invalid("The new topic action", topic))
    decision.outcome, decision.topic = Outcome.TOPIC_STARTED, topic
    decision.post = topic.posts.order_by("position").first()
    decision.reason = f"Started topic {topic.pk} in space {space.pk}."
    return decision


# --- Bounce addresses ---------------------------------------------------------------------


def do_record_delivery_reports(parsed: ParsedMail, recipient: Recipient) -> Decision:
    """A delivery report (RFC 3464) at the bounce address of a person: each failure is
    recorded (`mail.bounces.record_bounce`), which stops mail to a hard-bouncing address."""
    person = User.objects.filter(pk=recipient.person_id or 0).first()
    if person is None:
        return Decision(Outcome.REFUSED_ADDRESS, "The bounce address's person no longer exists.")
    failed = [report for report in parsed.reports if report.action == "failed"]
    if not failed:
        actions = ", ".join(sorted({r.action for r in parsed.reports})) or "none readable"
        return Decision(
            Outcome.IGNORED_AUTO_REPLY,
            f"A delivery report without a failure (actions: {actions}).",
            person=person,
        )
    own = {person.email.lower()} | {
        email.lower()
        for email in EmailAddress.objects.filter(user_id=person.pk).values_list("email", flat=True)
    }
    recorded = []
    for report in failed:
        # The bounce address proves the person; the report's words name the address. One
        # not theirs is read as theirs: a report cannot stop mail to someone else.
        address = report.recipient.strip().lower()
        if address not in own:
            address = person.email
        bounce = record_bounce(
            person.pk,
            address,
            permanent=report.permanent,
            status=report.status,
            diagnostic=report.diagnostic,
        )
        state = "stopped" if bounce.stopped else f"{bounce.count} so far"
        kind = "permanent" if report.permanent else "temporary"
        recorded.append(f"{address}: {kind} failure {report.status or '?'} ({state})")
    return Decision(Outcome.BOUNCE_RECORDED, "; ".join(recorded), person=person)
