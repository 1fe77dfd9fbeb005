"""Every change to the idea board (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one transaction
and records its activity event (issue 7, point 10: an idea is level 3, creating; a
vote is level 1, reacting); a refusal raises `ActionRefused` and writes nothing.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Space
from cercle.errors import ActionRefused
from cercle.ideas.models import Idea, IdeaDecision, IdeaStatus, IdeaVote
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind
from cercle.richtext import render_markdown

MAX_TITLE = 200
MAX_DESCRIPTION = 10_000
MAX_REASON = 2_000


def _refuse(access: permissions.CommunityAccess, space: Space) -> ActionRefused:
    # A 404 when the person may not even read the space: saying more would leak it.
    return ActionRefused(_("You may not do this here."), not_found=not access.reads(space))


def do_propose_idea(actor: User, space: Space, *, title: str, description: str = "") -> Idea:
    access = permissions.community_access(actor, space.community)
    if not access.may_take_part(space):
        raise _refuse(access, space)
    title = " ".join((title or "").split())
    description = (description or "").strip()
    if len(title) < 3:
        raise ActionRefused(_("Give the idea a title of at least 3 characters."))
    if len(title) > MAX_TITLE:
        raise ActionRefused(
            _("The title is too long: %(count)d characters at most.") % {"count": MAX_TITLE}
        )
    if len(description) > MAX_DESCRIPTION:
        raise ActionRefused(
            _("The description is too long: %(count)d characters at most.")
            % {"count": MAX_DESCRIPTION}
        )
    with transaction.atomic():
        idea = Idea.objects.create(
            community=space.community,
            space=space,
            title=title,
            description=description,
            description_html=render_markdown(description),
            author=actor,
        )
        record_event(
            verbs.IDEA_PROPOSED,
            actor=actor,
            community=space.community,
            target=idea,
        )
    return idea


def _vote_access(actor: User, idea: Idea) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, idea.community)
    if not permissions.ideas.may_vote_for_idea(access, idea):
        if not access.reads(idea.space):
            raise ActionRefused(_("You may not do this here."), not_found=True)
        if idea.author_id == actor.pk:
            raise ActionRefused(_("Your own idea has your support already: others vote for it."))
        if not idea.is_open:
            raise ActionRefused(_("The animators have decided on this idea: voting is closed."))
        raise ActionRefused(_("Only members of the community vote for ideas."))
    return access


def do_vote(actor: User, idea: Idea) -> bool:
    """Vote for the idea; True when this call added the vote (False: it was there).

    The count moves by F() in the same transaction as the row that justifies it, and
    the unique constraint stops a second row: concurrent votes give exact counts."""
    _vote_access(actor, idea)
    with transaction.atomic():
        try:
            with transaction.atomic():
                IdeaVote.objects.create(idea=idea, person=actor)
        except IntegrityError:
            return False
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") + 1)
        record_event(
            verbs.IDEA_VOTED,
            actor=actor,
            community=idea.community,
            target=idea,
        )
    return True


def do_unvote(actor: User, idea: Idea) -> bool:
    """Take one's vote back; True when this call removed it."""
    _vote_access(actor, idea)
    with transaction.atomic():
        removed, _counts = IdeaVote.objects.filter(idea=idea, person=actor).delete()
        if not removed:
            return False
        Idea.objects.filter(pk=idea.pk).update(vote_count=F("vote_count") - 1)
        record_event(verbs.IDEA_UNVOTED, actor=actor, community=idea.community, target=idea)
    return True


def do_decide(actor: User, idea: Idea, *, status: str, reason: str) -> IdeaDecision:
    """Move the idea to `status`, with the reason members will read on its page; the
    author and the voters are told."""
    access = permissions.community_access(actor, idea.community)
    if not permissions.ideas.may_decide_idea(access, idea):
        raise _refuse(access, idea.space)
    if status not in IdeaStatus.values:
        raise ActionRefused(_("Choose a status."))
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise ActionRefused(_("Say why: members read the reason with the decision."))
    if len(reason) > MAX_REASON:
        raise ActionRefused(
            _("The reason is too long: %(count)d characters at most.") % {"count": MAX_REASON}
        )
    with transaction.atomic():
        # Two animators deciding at once: the second sees the first's status.
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if locked.status == status:
            raise ActionRefused(_("The idea already has this status."))
        decision = IdeaDecision.objects.create(
            idea=locked,
            from_status=locked.status,
            to_status=status,
            reason=reason,
            decided_by=actor,
        )
        locked.status = status
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        idea.status, idea.decided_at = locked.status, locked.decided_at
        record_event(verbs.IDEA_STATUS[status], actor=actor, community=idea.community, target=idea)
        voters = list(IdeaVote.objects.filter(idea=idea).values_list("person_id", flat=True))
        people = ([idea.author_id] if idea.author_id else []) + voters
        notify_about(
            Kind.IDEA_STATUS,
            people,
            actor=actor,
            community=idea.community,
            subject=idea.title,
            url=idea.get_absolute_url(),
            space=idea.space,
        )
    return decision
