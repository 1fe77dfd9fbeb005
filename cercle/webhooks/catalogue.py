"""What happens in Cercle that leaves it: the event types webhooks and chat bridges
carry, each declared once with the verbs of the activity log it comes from.

The activity log (`cercle.activity.log.event_recorded`) tells the receivers of
webhooks and bridges of each event an action records; a receiver looks up the verb
here (`types_of`) before anything else, and returns at once for a verb no type
carries, so that an action pays nothing for the types it does not carry.

A type's name is what a webhook delivery's `type` holds (Standard Webhooks: dotted,
lowercase); its label is what pages show when an endpoint chooses its types.
`moderators_only` types (a flag raised) go only to an endpoint whose owner moderates
the space. Whatever the type, nothing is sent about what the owner may not read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.activity import verbs


@dataclass(frozen=True)
class EventType:
    name: str
    label: StrOrPromise
    verbs: tuple[str, ...]
    moderators_only: bool = False

    def __str__(self) -> str:
        return self.name


def _names(*declared: verbs.Verb) -> tuple[str, ...]:
    return tuple(verb.name for verb in declared)


TOPIC_CREATED = EventType("topic.created", _("Topic created"), _names(*verbs.TOPIC_STARTED))
QUESTION_SOLVED = EventType("question.solved", _("Question solved"), _names(verbs.ANSWER_ACCEPTED))
POST_CREATED = EventType(
    "post.created", _("Reply posted"), _names(verbs.ANSWER_POSTED, verbs.REPLY_POSTED)
)
MEMBER_JOINED = EventType(
    "member.joined",
    _("Member joined"),
    _names(verbs.MEMBERSHIP_JOINED, verbs.MEMBERSHIP_APPROVED),
)
# A type named exactly as the one verb it comes from takes its name from the vocabulary
# (code spells no verb outside it: tests/test_activity_verbs.py).
EVENT_CREATED = EventType(verbs.EVENT_CREATED.name, _("Event created"), (verbs.EVENT_CREATED.name,))
EVENT_RSVP = EventType("event.rsvp", _("Event RSVP"), _names(*verbs.EVENT_RSVP))
POLL_CREATED = EventType(verbs.POLL_CREATED.name, _("Poll created"), (verbs.POLL_CREATED.name,))
POLL_CLOSED = EventType(verbs.POLL_CLOSED.name, _("Poll closed"), (verbs.POLL_CLOSED.name,))
CONTEST_RESULTS = EventType(
    "contest.results", _("Contest results announced"), _names(verbs.CONTEST_RESULTS_ANNOUNCED)
)
ARTICLE_PUBLISHED = EventType(
    "article.published",
    _("Wiki article published"),
    _names(verbs.ARTICLE_CREATED, verbs.ARTICLE_CAPTURED),
)
IDEA_PROPOSED = EventType(verbs.IDEA_PROPOSED.name, _("Idea proposed"), (verbs.IDEA_PROPOSED.name,))
FLAG_RAISED = EventType(
    "flag.raised", _("Flag raised"), _names(verbs.POST_FLAGGED), moderators_only=True
)

# Every type, in the order pages list them.
EVENT_TYPES: tuple[EventType, ...] = (
    TOPIC_CREATED,
    QUESTION_SOLVED,
    POST_CREATED,
    MEMBER_JOINED,
    EVENT_CREATED,
    EVENT_RSVP,
    POLL_CREATED,
    POLL_CLOSED,
    CONTEST_RESULTS,
    ARTICLE_PUBLISHED,
    IDEA_PROPOSED,
    FLAG_RAISED,
)

BY_NAME: dict[str, EventType] = {kind.name: kind for kind in EVENT_TYPES}

_BY_VERB: dict[str, tuple[EventType, ...]] = {}
for _kind in EVENT_TYPES:
    for _verb in _kind.verbs:
        _BY_VERB[_verb] = (*_BY_VERB.get(_verb, ()), _kind)


def types_of(verb: str) -> tuple[EventType, ...]:
    """The event types an activity verb is news for (none for most verbs)."""
    return _BY_VERB.get(verb, ())
