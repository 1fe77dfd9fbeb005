"""The built-in badges: what each recognizes, and who has earned it, as one query.

Each rule answers with the (person, community) pairs that have earned the badge and
do not hold it yet, among the community's active members: one set-based query per
badge, whatever the number of members. A rule that reads an app whose tables are not
there yet (events, contests, ideas while they are being built or migrated) is
skipped, and the job says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import connection, models
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from cercle.badges.models import BadgeAward
from cercle.communities.models import Membership, Status
from cercle.conversations.models import Post, Reaction, ReactionKind, Topic
from cercle.onboarding.models import Welcome

Pairs = QuerySet[models.Model, tuple[int, int]]


@dataclass(frozen=True)
class BuiltinBadge:
    key: str
    name: StrOrPromise
    description: StrOrPromise
    emoji: str
    # (now, community ids or None for all) -> the new earners, or None when not ready.
    earners: Callable[[datetime, list[int] | None], Pairs | None]


def earners(
    base: QuerySet[models.Model],
    *,
    key: str,
    person: str,
    community: str,
    at_least: int = 1,
    communities: list[int] | None = None,
) -> Pairs:
    """The (person id, community id) pairs of `base` rows, counted per pair, that reach
    `at_least`, for active members not yet holding badge `key`."""
    rows = base.filter(
        Exists(
            Membership.objects.filter(
                person_id=OuterRef(person), community_id=OuterRef(community), status=Status.ACTIVE
            )
        ),
        ~Exists(
            BadgeAward.objects.filter(
                person_id=OuterRef(person),
                community_id=OuterRef(community),
                badge_key=key,
                custom_badge=None,
            )
        ),
    )
    if communities is not None:
        rows = rows.filter(**{f"{community}__in": communities})
    pairs = rows.order_by().values(earner=F(person), where=F(community))
    if at_least > 1:
        pairs = pairs.annotate(count=Count("pk")).filter(count__gte=at_least)
    else:
        pairs = pairs.distinct()
    return pairs.values_list("earner", "where")


def _ready(app_label: str, model_name: str, fields: Iterable[str]) -> type[models.Model] | None:
    """The model if its app defines it with these fields and its table exists."""
    try:
        model = apps.get_model(app_label, model_name)
        for name in fields:
            model._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return None
    if model._meta.db_table not in connection.introspection.table_names():
        return None
    return model


# --- The rules -------------------------------------------------------------------------


def _first_post(now: datetime, communities: list[int] | None) -> Pairs:
    return earners(
        # Posts written as a persona are the persona's: they earn its writer nothing
        # (a badge would tell members who speaks behind it).
        Post.objects.filter(deleted_at=None, is_hidden=False, topic__is_hidden=False, persona=None),
        key="first_post",
        person="author_id",
        community="topic__community_id",
        communities=communities,
    )


def _first_accepted_answer(now: datetime, communities: list[int] | None) -> Pairs:
    # Accepting one's own answer to one's own question earns nothing.
    accepted = (
        Topic.objects.filter(
            accepted_answer__isnull=False,
            accepted_answer__deleted_at=None,
            accepted_answer__is_hidden=False,
            is_hidden=False,
        )
        .exclude(accepted_answer__author_id=F("author_id"))
        .filter(accepted_answer__persona=None)
    )
    return earners(
        accepted,
        key="first_accepted_answer",
        person="accepted_answer__author_id",
        community="community_id",
        communities=communities,
    )


def _helpful_ten(now: datetime, communities: list[int] | None) -> Pairs:
    return earners(
        Reaction.objects.filter(
            kind=ReactionKind.HELPFUL, post__deleted_at=None, post__persona=None
        ),
        key="helpful_ten",
        person="post__author_id",
        community="post__topic__community_id",
        at_least=10,
        communities=communities,
    )


def _conversation_starter(now: datetime, communities: list[int] | None) -> Pairs:
    return earners(
        Topic.objects.filter(is_hidden=False, merged_into=None, persona=None),
        key="conversation_starter",
        person="author_id",
        community="community_id",
        at_least=10,
        communities=communities,
    )


def _welcomer(now: datetime, communities: list[int] | None) -> Pairs:
    # A Welcome is unique per (community, welcomer, newcomer): counting rows counts people.
    return earners(
        Welcome.objects.all(),
        key="welcomer",
        person="welcomer_id",
        community="community_id",
        at_least=5,
        communities=communities,
    )


def _event_regular(now: datetime, communities: list[int] | None) -> Pairs | None:
    rsvp = _ready("events", "RSVP", ["event", "person", "attended"])
    if rsvp is None:
        return None
    try:
        return earners(
            rsvp._default_manager.filter(attended=True),
            key="event_regular",
            person="person_id",
            community="event__community_id",
            at_least=3,
            communities=communities,
        )
    except FieldError:
        return None


def _contest_winner(now: datetime, communities: list[int] | None) -> Pairs | None:
    entry = _ready("contests", "Entry", ["contest", "author", "rank"])
    if entry is None:
        return None
    try:
        # Winners are ranks 1 to the contest's number of winners, once results are out.
        winners = entry._default_manager.filter(
            rank__gte=1,
            rank__lte=F("contest__winner_count"),
            contest__results_announced_at__lte=now,
        )
        return earners(
            winners,
            key="contest_winner",
            person="author_id",
            community="contest__community_id",
            communities=communities,
        )
    except FieldError:
        return None


def _idea_adopted(now: datetime, communities: list[int] | None) -> Pairs | None:
    idea = _ready("ideas", "Idea", ["community", "author", "status"])
    if idea is None:
        return None
    try:
        return earners(
            idea._default_manager.filter(status="adopted"),
            key="idea_adopted",
            person="author_id",
            community="community_id",
            communities=communities,
        )
    except FieldError:
        return None


BUILTIN_BADGES: dict[str, BuiltinBadge] = {
    badge.key: badge
    for badge in [
        BuiltinBadge(
            "first_post",
            _("First words"),
            _("Wrote a first message in the community."),
            "✍️",
            _first_post,
        ),
        BuiltinBadge(
            "first_accepted_answer",
            _("Problem solver"),
            _("Gave an answer that was accepted as the solution to someone's question."),
            "✅",
            _first_accepted_answer,
        ),
        BuiltinBadge(
            "helpful_ten",
            _("Helping hand"),
            _("Received ten “helpful” reactions."),
            "💡",
            _helpful_ten,
        ),
        BuiltinBadge(
            "conversation_starter",
            _("Conversation starter"),
            _("Started ten conversations."),
            "💬",
            _conversation_starter,
        ),
        BuiltinBadge(
            "welcomer",
            _("Welcomer"),
            _("Welcomed five newcomers in person."),
            "👋",
            _welcomer,
        ),
        BuiltinBadge(
            "event_regular",
            _("Event regular"),
            _("Attended three of the community's events."),
            "📅",
            _event_regular,
        ),
        BuiltinBadge(
            "contest_winner",
            _("Contest winner"),
            _("Won a place among the winners of a contest."),
            "🏆",
            _contest_winner,
        ),
        BuiltinBadge(
            "idea_adopted",
            _("Idea adopted"),
            _("Proposed an idea that the community adopted."),
            "🌱",
            _idea_adopted,
        ),
    ]
}
