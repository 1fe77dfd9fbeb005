"""Every change the queue of next actions makes (views never save by hand).

Each `do_*` function asks `cercle.permissions` (`may_act_on_next_actions`: the
community's coordinators), checks that the item is in the queue now, then, in one
transaction, does what the item asks (notify the experts, welcome the newcomer),
stores the `Decision` and records its activity event (`next_action.done` or
`next_action.dismissed`, no engagement level). A refusal raises `ActionRefused` and
writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Community
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.nextactions import queries
from cercle.nextactions.models import Decision, How, ItemKind, Outcome
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind as NotificationKind
from cercle.onboarding import actions as onboarding_actions

MAX_NOTE = 500


def _require_coordinator(actor: User, community: Community) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, community)
    if not permissions.cockpit.may_act_on_next_actions(access):
        raise ActionRefused(
            _("Only the community's coordinators act on its next actions."),
            not_found=not (
                permissions.cockpit.may_see_cockpit(access) or access.reads_open_spaces()
            ),
        )
    return access


def check_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise ActionRefused(_("Keep the note under %(count)d characters.") % {"count": MAX_NOTE})
    return note


def _lock(community: Community) -> None:
    """Decisions on one community's queue are taken one at a time (PostgreSQL; SQLite
    writes one transaction at a time anyway), so an item is decided once."""
    list(Community.objects.select_for_update().filter(pk=community.pk).values_list("pk"))


def _current(
    access: permissions.CommunityAccess, kind: str, object_id: int, now: datetime | None
) -> queries.Item:
    item = queries.current_item(access, kind, object_id, now)
    if item is None:
        raise ActionRefused(
            _("This item is no longer in the queue: it was dealt with in the meantime.")
        )
    return item


def _decide(
    actor: User,
    community: Community,
    item: queries.Item,
    *,
    outcome: str,
    note: str,
    how: str = How.BY_HAND,
) -> Decision:
    decision = Decision.objects.create(
        community=community,
        kind=item.kind,
        object_id=item.object_id,
        outcome=outcome,
        how=how,
        note=note,
        decided_by=actor,
        decided_at=timezone.now(),
    )
    record_event(verbs.NEXT_ACTION[outcome], actor=actor, community=community, target=decision)
    return decision


def do_decide(
    actor: User,
    community: Community,
    *,
    kind: str,
    object_id: int,
    outcome: str,
    note: str = "",
    now: datetime | None = None,
) -> Decision:
    """Mark an item of the queue done (the coordinator did it their own way) or
    dismissed (nothing to do), with an optional note; it leaves the queue."""
    access = _require_coordinator(actor, community)
    if kind not in ItemKind.values:
        raise ActionRefused(_("Choose an item of the queue."))
    if outcome not in Outcome.values:
        raise ActionRefused(_("Choose whether the item is done or dismissed."))
    note = check_note(note)
    with transaction.atomic():
        _lock(community)
        item = _current(access, kind, object_id, now)
        return _decide(actor, community, item, outcome=outcome, note=note)


def do_ask_experts(
    actor: User,
    topic: Topic,
    experts: Iterable[int],
    *,
    note: str = "",
    now: datetime | None = None,
) -> Decision:
    """The queue's "Ask them": notify the chosen experts, and no one else, that the coordinator asks
    them to answer the question (in the app, and by email as each of them chose), and
    mark the question done. Only experts the queue suggests for it may be chosen."""
    community = topic.community
    access = _require_coordinator(actor, community)
    chosen = set(experts)
    if not chosen:
        raise ActionRefused(_("Choose at least one expert to ask."))
    note = check_note(note)
    with transaction.atomic():
        _lock(community)
        item = _current(access, ItemKind.QUESTION, topic.pk, now)
        if not isinstance(item, queries.QuestionItem):
            raise ActionRefused(_("Choose an unanswered question of the queue."))
        if not chosen <= {expert.person.pk for expert in item.experts}:
            raise ActionRefused(
                _(
                    "Choose among the experts suggested for this question: the others may "
                    "not read it, asked not to be named, or declared no such expertise."
                )
            )
        question = item.topic
        notify_about(
            NotificationKind.ASKED_TO_ANSWER,
            sorted(chosen),
            actor=actor,
            community=community,
            subject=question.title,
            url=question.get_absolute_url(),
            space=question.space,
        )
        return _decide(
            actor, community, item, outcome=Outcome.DONE, note=note, how=How.ASKED_EXPERTS
        )


def do_welcome_newcomer(
    actor: User, community: Community, newcomer: User, *, now: datetime | None = None
) -> Decision:
    """One click: the onboarding app's personal welcome (a notification from the
    coordinator, counted for the "welcomer" badge), and the item is done."""
    access = _require_coordinator(actor, community)
    with transaction.atomic():
        _lock(community)
        item = _current(access, ItemKind.NEWCOMER, newcomer.pk, now)
        onboarding_actions.do_welcome(actor, community, newcomer)
        return _decide(actor, community, item, outcome=Outcome.DONE, note="", how=How.WELCOMED)
