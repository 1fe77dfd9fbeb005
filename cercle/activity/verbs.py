"""The vocabulary of the activity log: every verb Cercle records, declared once.

A declaration gives the verb's name, its engagement level (1 reacting, 2 taking part,
3 creating, or none: docs/metrics.md, "Levels of participation") and the tallies of
the count tables it counts toward (a topic, a question, an answer, a visit...).
`record_event` and every writer of events in bulk (the importers, the generator,
badges, presence) refuse a verb that is not declared here and take its level from
here; the count tables, `cercle analytics figures`, presence, the importers, badges
and the generator read these declarations instead of spelling verbs out. So a verb
means one thing everywhere. docs/metrics.md ("The verbs") defines each one, and a
test keeps that table and these declarations the same.

Some verbs come in families, one per kind of something (`topic.started.question`,
`reaction.helpful`): each member is declared here, and the family (`TOPIC_STARTED`,
`REACTION`) finds it from the kind. The activity log knows no model above it, so the
kinds are spelled here; tests check that they match the models' choices.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from cercle.activity.models import EngagementLevel

REACT = EngagementLevel.REACT
TAKE_PART = EngagementLevel.TAKE_PART
CREATE = EngagementLevel.CREATE


class Tally(StrEnum):
    """What a verb counts toward: the tally columns of the count tables (their names)."""

    VISITS = "visits"
    TOPICS = "topics"
    QUESTIONS = "questions"
    ANSWERS = "answers"
    REPLIES = "replies"  # replies that are not answers
    REACTIONS = "reactions"
    KNOWLEDGE = "knowledge"  # articles and resources added
    JOINED = "joined"
    LEFT = "left"


@dataclass(frozen=True)
class Verb:
    """One declared verb."""

    name: str
    level: EngagementLevel | None = None
    counts: frozenset[Tally] = field(default_factory=frozenset)
    # Whether the event makes a day of its actor's (a member day): all do but a
    # member's own leaving, which is not being there, and what someone who is not a
    # member does about becoming one (asking, withdrawing, declining an invitation):
    # they are not active members, and no figure may count more actives than members.
    member_day: bool = True

    def __str__(self) -> str:
        return self.name


class UndeclaredVerb(ValueError):
    """A verb that is not in the vocabulary: nothing is written."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name!r} is not a declared verb: declare it in cercle/activity/verbs.py "
            "and define it in docs/metrics.md"
        )


# Every declared verb by name.
VERBS: dict[str, Verb] = {}

# Lowercase words joined by dots: safe to write into SQL as they are (the tallies do).
_NAME = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")


def declare(
    name: str,
    level: EngagementLevel | None = None,
    *,
    counts: Iterable[Tally] = (),
    member_day: bool = True,
) -> Verb:
    """Add `name` to the vocabulary; each name once."""
    if not _NAME.fullmatch(name) or len(name) > 60:
        raise ValueError(f"{name!r} is not a verb: lowercase words joined by dots, 60 at most")
    if name in VERBS:
        raise ValueError(f"{name!r} is declared twice")
    verb = Verb(name, level, frozenset(counts), member_day)
    VERBS[name] = verb
    return verb


def declared(verb: Verb | str) -> Verb:
    """The declaration of `verb` (a `Verb` or its name); `UndeclaredVerb` when there is
    none, or when a `Verb` was made outside this module and differs from it."""
    name = verb.name if isinstance(verb, Verb) else verb
    found = VERBS.get(name)
    if found is None or (isinstance(verb, Verb) and verb != found):
        raise UndeclaredVerb(name)
    return found


def level_of(verb: Verb | str, level: int | None = None) -> EngagementLevel | None:
    """The declared level of `verb`; a `level` given as well must be the same."""
    found = declared(verb)
    if level is not None and level != found.level:
        raise ValueError(
            f"{found.name!r} is declared at level {found.level}, not {level} "
            "(cercle/activity/verbs.py): leave the level out"
        )
    return found.level


def verbs_counting(tally: Tally) -> tuple[str, ...]:
    """The names of the verbs that count toward `tally`, in order."""
    return tuple(sorted(name for name, verb in VERBS.items() if tally in verb.counts))


def not_member_days() -> tuple[str, ...]:
    """The names of the verbs that make no day of their actor's."""
    return tuple(sorted(name for name, verb in VERBS.items() if not verb.member_day))


class Family:
    """The verbs of one family, found from the kind they vary by."""

    def __init__(self, **members: Verb) -> None:
        self._members = dict(members)

    def __getitem__(self, kind: str) -> Verb:
        try:
            return self._members[str(kind)]
        except KeyError:
            names = ", ".join(verb.name for verb in self)
            raise UndeclaredVerb(f"{kind} (the family: {names})") from None

    def __iter__(self) -> Iterator[Verb]:
        return iter(self._members.values())

    def kinds(self) -> tuple[str, ...]:
        return tuple(self._members)


# --- Communities, spaces and memberships ---------------------------------------------------

COMMUNITY_CREATED = declare("community.created")
COMMUNITY_UPDATED = declare("community.updated")
COMMUNITY_VISITED = declare("community.visited", counts={Tally.VISITS})
COMMUNITY_RHYTHM_CHANGED = declare("community.rhythm_changed")
SPACE_CREATED = declare("space.created")
SPACE_UPDATED = declare("space.updated")
SPACE_MEMBER_ADDED = declare("space.member_added")
SPACE_MEMBER_REMOVED = declare("space.member_removed")
MEMBERSHIP_JOINED = declare("membership.joined", counts={Tally.JOINED})
MEMBERSHIP_REQUESTED = declare("membership.requested", member_day=False)
MEMBERSHIP_REQUEST_CANCELLED = declare("membership.request_cancelled", member_day=False)
MEMBERSHIP_APPROVED = declare("membership.approved", counts={Tally.JOINED})
MEMBERSHIP_DECLINED = declare("membership.declined")
MEMBERSHIP_LEFT = declare("membership.left", counts={Tally.LEFT}, member_day=False)
MEMBERSHIP_REMOVED = declare("membership.removed", counts={Tally.LEFT})
MEMBERSHIP_BANNED = declare("membership.banned", counts={Tally.LEFT})
MEMBERSHIP_UNBANNED = declare("membership.unbanned")
MEMBERSHIP_ROLE_CHANGED = declare("membership.role_changed")
INVITATION_SENT = declare("invitation.sent")
INVITATION_ACCEPTED = declare("invitation.accepted")
INVITATION_DECLINED = declare("invitation.declined", member_day=False)
INVITATION_REVOKED = declare("invitation.revoked")

# --- Conversations ---------------------------------------------------------------------------

TOPIC_STARTED_DISCUSSION = declare("topic.started.discussion", CREATE, counts={Tally.TOPICS})
TOPIC_STARTED_QUESTION = declare(
    "topic.started.question", CREATE, counts={Tally.TOPICS, Tally.QUESTIONS}
)
TOPIC_STARTED_ANNOUNCEMENT = declare("topic.started.announcement", CREATE, counts={Tally.TOPICS})
# By the topic's kind (`conversations.models.Kind`).
TOPIC_STARTED = Family(
    discussion=TOPIC_STARTED_DISCUSSION,
    question=TOPIC_STARTED_QUESTION,
    announcement=TOPIC_STARTED_ANNOUNCEMENT,
)
ANSWER_POSTED = declare("answer.posted", REACT, counts={Tally.ANSWERS})
REPLY_POSTED = declare("reply.posted", REACT, counts={Tally.REPLIES})
# An imported comment: a reply that is not an answer, as it was not at its source.
COMMENT_POSTED = declare("comment.posted", REACT, counts={Tally.REPLIES})
ANSWER_ACCEPTED = declare("answer.accepted")
ANSWER_UNACCEPTED = declare("answer.unaccepted")
POST_EDITED = declare("post.edited")
POST_DELETED = declare("post.deleted")
POST_FLAGGED = declare("post.flagged")
TAG_CREATED = declare("tag.created")
TAG_DELETED = declare("tag.deleted")
# By the reaction's kind (`conversations.models.ReactionKind`).
REACTION = Family(
    **{
        kind: declare(f"reaction.{kind}", REACT, counts={Tally.REACTIONS})
        for kind in ("thanks", "helpful", "agree", "idea", "celebrate")
    }
)
# By the moderator's action, as the moderation log names it.
MODERATION = Family(
    **{
        action: declare(f"moderation.{action}")
        for action in (
            "delete",
            "hide",
            "restore",
            "lock",
            "unlock",
            "pin",
            "unpin",
            "move",
            "merge",
            "flags_dismissed",
            "flags_kept",
        )
    }
)

# --- Personas ---------------------------------------------------------------------------------

PERSONA_CREATED = declare("persona.created")
PERSONA_EDITED = declare("persona.edited")
PERSONA_RETIRED = declare("persona.retired")
PERSONA_REACTIVATED = declare("persona.reactivated")

# --- Wiki and library ------------------------------------------------------------------------

ARTICLE_CREATED = declare("article.created", CREATE, counts={Tally.KNOWLEDGE})
ARTICLE_CAPTURED = declare("article.captured", CREATE, counts={Tally.KNOWLEDGE})
ARTICLE_EDITED = declare("article.edited", CREATE)
ARTICLE_RESTORED = declare("article.restored", CREATE)
COLLECTION_CREATED = declare("collection.created", CREATE)
COLLECTION_EDITED = declare("collection.edited", CREATE)
COLLECTION_RELATED = declare("collection.related", CREATE)
COLLECTION_UNRELATED = declare("collection.unrelated")
# By what was reordered: the resources of a collection, or its sub-collections.
COLLECTION_REORDERED = Family(
    resources=declare("collection.reordered.resources"),
    collections=declare("collection.reordered.collections"),
)
# By the resource's kind (`knowledge.models.ResourceKind`).
RESOURCE_ADDED = Family(
    **{
        kind: declare(f"resource.added.{kind}", CREATE, counts={Tally.KNOWLEDGE})
        for kind in ("link", "file", "note")
    }
)
RESOURCE_EDITED = declare("resource.edited", CREATE)
RESOURCE_DELETED = declare("resource.deleted")
RESOURCE_COMMENTED = declare("resource.commented", REACT)
# By the reaction's kind; reactions to resources are not the conversations' reactions.
RESOURCE_REACTED = Family(
    **{
        kind: declare(f"resource.reacted.{kind}", REACT)
        for kind in ("thanks", "helpful", "agree", "idea", "celebrate")
    }
)

# --- Events and rituals ----------------------------------------------------------------------

EVENT_CREATED = declare("event.created")
EVENT_EDITED = declare("event.edited")
EVENT_CANCELLED = declare("event.cancelled")
# By the answer the member now has (`events.models.Response`, but "none").
EVENT_RSVP = Family(
    **{
        response: declare(f"event.rsvp.{response}", TAKE_PART)
        for response in ("going", "waiting", "maybe", "not_going")
    }
)
EVENT_RSVP_PROMOTED = declare("event.rsvp.promoted")
EVENT_ATTENDED = declare("event.attended", TAKE_PART)
EVENT_FEED_KEY_RENEWED = declare("event.feed_key_renewed")
# The secret key of a person's news feed addresses (cercle.feeds), made or renewed.
FEED_KEY_RENEWED = declare("feed.key_renewed")
RITUAL_CREATED = declare("ritual.created")
RITUAL_EDITED = declare("ritual.edited")
RITUAL_STOPPED = declare("ritual.stopped")

# --- Polls, quizzes, challenges ---------------------------------------------------------------

POLL_CREATED = declare("poll.created")
POLL_EDITED = declare("poll.edited")
POLL_DELETED = declare("poll.deleted")
POLL_VOTED = declare("poll.voted", REACT)
POLL_VOTE_CHANGED = declare("poll.vote_changed")
# Recorded once when a published poll's closing moment has passed (no actor), by
# `cercle webhooks close-polls`: the news webhooks carry as `poll.closed`.
POLL_CLOSED = declare("poll.closed")
QUIZ_CREATED = declare("quiz.created")
QUIZ_EDITED = declare("quiz.edited")
QUIZ_DELETED = declare("quiz.deleted")
QUIZ_ANSWERED = declare("quiz.answered", TAKE_PART)
CHALLENGE_CREATED = declare("challenge.created")
CHALLENGE_EDITED = declare("challenge.edited")
CHALLENGE_DELETED = declare("challenge.deleted")
CHALLENGE_ANSWERED = declare("challenge.answered", TAKE_PART)
CHALLENGE_ANSWER_EDITED = declare("challenge.answer_edited")
CHALLENGE_ANSWER_REMOVED = declare("challenge.answer_removed")
# By the activity's kind (its model's `KIND`).
ACTIVITY_CREATED = Family(poll=POLL_CREATED, quiz=QUIZ_CREATED, challenge=CHALLENGE_CREATED)
ACTIVITY_EDITED = Family(poll=POLL_EDITED, quiz=QUIZ_EDITED, challenge=CHALLENGE_EDITED)
ACTIVITY_DELETED = Family(poll=POLL_DELETED, quiz=QUIZ_DELETED, challenge=CHALLENGE_DELETED)

# --- Contests ---------------------------------------------------------------------------------

CONTEST_CREATED = declare("contest.created")
CONTEST_EDITED = declare("contest.edited")
CONTEST_DELETED = declare("contest.deleted")
CONTEST_ENTRY_SUBMITTED = declare("contest.entry.submitted", CREATE)
CONTEST_ENTRY_EDITED = declare("contest.entry.edited")
CONTEST_ENTRY_WITHDRAWN = declare("contest.entry.withdrawn")
CONTEST_VOTED = declare("contest.voted", REACT)
CONTEST_VOTE_WITHDRAWN = declare("contest.vote.withdrawn")
CONTEST_SCORED = declare("contest.scored", TAKE_PART)
CONTEST_RESULTS_ANNOUNCED = declare("contest.results.announced")

# --- Ideas ------------------------------------------------------------------------------------

IDEA_PROPOSED = declare("idea.proposed", CREATE)
IDEA_VOTED = declare("idea.voted", REACT)
IDEA_UNVOTED = declare("idea.unvoted")
# By the status the animators gave the idea (`ideas.models.IdeaStatus`).
IDEA_STATUS = Family(
    **{status: declare(f"idea.{status}") for status in ("new", "discussion", "adopted", "declined")}
)

# --- Animation: planned posts and publishing --------------------------------------------------

POST_PLANNED = declare("post.planned")
POST_REPLANNED = declare("post.replanned")
POST_PUBLISH_NOW = declare("post.publish_now")
POST_UNPLANNED = declare("post.unplanned")
# By the planned thing's kind (its model's `KIND`, `animation.planning`): it went out,
# or its moment came and it could not.
_PLANNED_KINDS = ("event", "poll", "quiz", "challenge", "contest", "post")
PUBLISHED = Family(**{kind: declare(f"{kind}.published") for kind in _PLANNED_KINDS})
NOT_PUBLISHED = Family(**{kind: declare(f"{kind}.not_published") for kind in _PLANNED_KINDS})

# --- Badges and the showcase ------------------------------------------------------------------

BADGE_CREATED = declare("badge.created")
# A community's own badge given by a coordinator (the actor), or one given by an
# imported site (no actor).
BADGE_AWARDED = declare("badge.awarded")
BADGE_REVOKED = declare("badge.revoked")
# A built-in badge a member earned by its rule (the actor: the member; which badge:
# the award).
BADGE_EARNED = declare("badge.earned")
SHOWCASE_PINNED = declare("showcase.pinned")
SHOWCASE_CITED = declare("showcase.cited")
SHOWCASE_REMOVED = declare("showcase.removed")

# --- People -----------------------------------------------------------------------------------

PROFILE_UPDATED = declare("profile.updated")
EXPERTISE_DECLARED = declare("expertise.declared")
EXPERTISE_REMOVED = declare("expertise.removed")
# By what is followed.
FOLLOW = Family(
    **{target: declare(f"follow.{target}") for target in ("person", "topic", "space", "tag")}
)

# --- Onboarding, value, analytics, next actions -----------------------------------------------

ONBOARDING_UPDATED = declare("onboarding.updated")
NEWCOMER_WELCOMED = declare("newcomer.welcomed")
VALUE_STORY_RECORDED = declare("value.story_recorded", CREATE)
VALUE_STORY_EDITED = declare("value.story_edited")
VALUE_STORY_DELETED = declare("value.story_deleted")
VALUE_SPONSOR_NAMED = declare("value.sponsor_named")
VALUE_SPONSOR_REMOVED = declare("value.sponsor_removed")
ANALYTICS_RULE_CHANGED = declare("analytics.rule_changed")
# By the decision's outcome (`nextactions.models.Outcome`).
NEXT_ACTION = Family(
    **{outcome: declare(f"next_action.{outcome}") for outcome in ("done", "dismissed")}
)
