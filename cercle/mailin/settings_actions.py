"""The writes of a community's mail settings (/c/<slug>/mail/): which spaces take new
topics by email, and which kind of topic a message starts there.

Checked through `permissions.mail` (those who manage the community), validated (a
space of the community, a kind of topic that exists), saved with the activity event a
space's change records (`space.updated`), in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.conversations.models import Kind
from cercle.errors import ActionRefused
from cercle.mailin.models import SpaceMailbox

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.communities.models import Space

# The kinds of topic a message may start, in the order the page offers them.
TOPIC_KINDS: tuple[str, ...] = (Kind.DISCUSSION, Kind.QUESTION, Kind.ANNOUNCEMENT)


def check_kind(kind: str) -> str:
    if kind not in TOPIC_KINDS:
        raise ActionRefused(
            _("Choose what a message starts: a discussion, a question or an announcement.")
        )
    return kind


def do_set_space_mailbox(actor: User, space: Space, enabled: bool, kind: str) -> SpaceMailbox:
    """Open (or close) `space` to new topics by email, each message starting a topic of
    `kind`. Closing keeps the row (and the kind chosen) with `enabled` off: the address
    then refuses, and opening again finds the same choice."""
    access = permissions.community_access(actor, space.community)
    if not permissions.mail.may_manage_mail(access):
        raise ActionRefused(
            _("Only those who manage the community choose which spaces take email."),
            not_found=not access.reads_open_spaces(),
        )
    check_kind(kind)
    with transaction.atomic():
        mailbox = SpaceMailbox.objects.select_for_update().filter(space=space).first()
        if mailbox is not None and mailbox.enabled == enabled and mailbox.kind == kind:
            return mailbox  # nothing changed: nothing written, nothing recorded
        if mailbox is None:
            mailbox = SpaceMailbox(space=space)
        mailbox.enabled = enabled
        mailbox.kind = kind
        mailbox.updated_by = actor
        mailbox.save()
        record_event(verbs.SPACE_UPDATED, actor=actor, community=space.community, target=space)
    return mailbox
