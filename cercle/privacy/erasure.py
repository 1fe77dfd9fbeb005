"""Deleting an account, with the person's choice for their contributions
(docs/privacy.md, "Erasure"):

- *keep*: what they wrote stays where it is, signed "a former member";
- *erase*: their words go. Posts become tombstones (the place in the conversation
  stays, the text and its earlier versions go); their topics that nobody else replied
  to are deleted; their ideas, contest entries, comments on resources, challenge
  answers and value stories are deleted. Shared works others built on stay, without
  their name: wiki revisions, resources and collections in the knowledge base, and
  the events, polls, quizzes and contests they organised.

Either way their own rows go with the account (reactions, votes, RSVPs, follows,
notifications, drafts, profile, memberships, sessions...).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy
from django_stubs_ext import StrOrPromise

from cercle.accounts.actions import do_delete_account
from cercle.accounts.models import User
from cercle.activities.models import Attempt, ChallengeAnswer
from cercle.activities.models import Ballot as PollBallot
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.contests.models import Entry
from cercle.conversations import hooks as conversation_hooks
from cercle.conversations.models import Attachment, Draft, Post, PostRevision, Reaction, Topic
from cercle.events.models import RSVP
from cercle.ideas.models import Idea, IdeaVote
from cercle.knowledge.models import ResourceComment
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email
from cercle.notifications.models import Notification
from cercle.people.models import Follow
from cercle.privacy.models import DataExport
from cercle.value.models import ValueStory
from cercle.wiki.models import ArticleRevision

logger = logging.getLogger(__name__)

KEEP = "keep"
ERASE = "erase"


@dataclass(frozen=True)
class KindFate:
    """One kind of thing the person has, how many, and what each choice does to it."""

    key: str
    count: int
    label: str
    if_kept: StrOrPromise
    if_erased: StrOrPromise


def _own_topics(person: User) -> tuple[models.QuerySet[Topic], models.QuerySet[Topic]]:
    """The person's topics (without, with) replies by someone else."""
    others = Post.objects.filter(topic=OuterRef("pk"), deleted_at=None).exclude(author_id=person.pk)
    topics = Topic.objects.filter(author=person).annotate(answered=Exists(others))
    return topics.filter(answered=False), topics.filter(answered=True)


def summary(person: User) -> list[KindFate]:
    """What happens to each kind of the person's things, with counts, for the page
    that asks them to choose."""
    alone, answered = _own_topics(person)
    gone = pgettext_lazy("what becomes of it", "Deleted.")
    stays = _("Kept, signed “a former member”.")
    rows: list[tuple[str, int, Any, StrOrPromise, StrOrPromise]] = [
        (
            "posts",
            Post.objects.filter(author=person, deleted_at=None).count(),
            ngettext_lazy("%(count)d post", "%(count)d posts", "count"),
            stays,
            _("Replaced by “message deleted”; the text and its earlier versions are deleted."),
        ),
        (
            "topics_alone",
            alone.count(),
            ngettext_lazy(
                "%(count)d topic nobody else replied to",
                "%(count)d topics nobody else replied to",
                "count",
            ),
            stays,
            gone,
        ),
        (
            "topics_answered",
            answered.count(),
            ngettext_lazy(
                "%(count)d topic others replied to",
                "%(count)d topics others replied to",
                "count",
            ),
            stays,
            _("The title stays so that the replies of others keep their place, unsigned."),
        ),
        (
            "uploads",
            Attachment.objects.filter(uploader=person).count(),
            ngettext_lazy("%(count)d file attached", "%(count)d files attached", "count"),
            stays,
            gone,
        ),
        (
            "ideas",
            Idea.objects.filter(author=person).count(),
            ngettext_lazy("%(count)d idea", "%(count)d ideas", "count"),
            stays,
            _("Deleted, with the votes others gave them."),
        ),
        (
            "contest_entries",
            Entry.objects.filter(author=person).count(),
            ngettext_lazy("%(count)d contest entry", "%(count)d contest entries", "count"),
            stays,
            gone,
        ),
        (
            "challenge_answers",
            ChallengeAnswer.objects.filter(author=person).count(),
            ngettext_lazy("%(count)d challenge answer", "%(count)d challenge answers", "count"),
            gone,
            gone,
        ),
        (
            "resource_comments",
            ResourceComment.objects.filter(author=person).count(),
            ngettext_lazy(
                "%(count)d comment on a resource", "%(count)d comments on resources", "count"
            ),
            stays,
            gone,
        ),
        (
            "value_stories",
            ValueStory.objects.filter(author=person).count(),
            ngettext_lazy("%(count)d value story", "%(count)d value stories", "count"),
            stays,
            gone,
        ),
        (
            "wiki_revisions",
            ArticleRevision.objects.filter(editor=person).count(),
            ngettext_lazy("%(count)d wiki revision", "%(count)d wiki revisions", "count"),
            stays,
            _("Kept without your name: a wiki page is shared work others built on."),
        ),
        (
            "reactions",
            Reaction.objects.filter(person=person).count(),
            ngettext_lazy("%(count)d reaction", "%(count)d reactions", "count"),
            gone,
            gone,
        ),
        (
            "votes",
            PollBallot.objects.filter(voter=person).count()
            + IdeaVote.objects.filter(person=person).count(),
            ngettext_lazy("%(count)d vote", "%(count)d votes", "count"),
            gone,
            gone,
        ),
        (
            "quiz_attempts",
            Attempt.objects.filter(person=person).count(),
            ngettext_lazy("%(count)d quiz attempt", "%(count)d quiz attempts", "count"),
            gone,
            gone,
        ),
        (
            "rsvps",
            RSVP.objects.filter(person=person).count(),
            ngettext_lazy("%(count)d event reply", "%(count)d event replies", "count"),
            gone,
            gone,
        ),
        (
            "follows",
            Follow.objects.filter(follower=person).count(),
            ngettext_lazy("%(count)d follow", "%(count)d follows", "count"),
            gone,
            gone,
        ),
        (
            "notifications",
            Notification.objects.filter(recipient=person).count(),
            ngettext_lazy("%(count)d notification", "%(count)d notifications", "count"),
            gone,
            gone,
        ),
        (
            "drafts",
            Draft.objects.filter(person=person).count(),
            ngettext_lazy("%(count)d draft", "%(count)d drafts", "count"),
            gone,
            gone,
        ),
    ]
    return [
        KindFate(key, count, str(label % {"count": count}), kept, erased)
        for key, count, label, kept, erased in rows
    ]


def _tombstone_posts(posts: models.QuerySet[Post], now: Any) -> None:
    for post in posts.select_related("topic"):
        conversation_hooks.post_deleted(post)  # search forgets it
    PostRevision.objects.filter(post__in=posts).update(body="", title="")
    for attachment in Attachment.objects.filter(post__in=posts):
        attachment.file.delete(save=False)
        attachment.delete()
    posts.update(body="", body_html="", deleted_at=now)
    Topic.objects.filter(accepted_answer__in=posts).update(accepted_answer=None, solved_at=None)


def _erase_contributions(person: User) -> None:
    now = timezone.now()
    alone, _answered = _own_topics(person)
    alone_ids = list(alone.values_list("pk", flat=True))
    # Topics nobody else replied to go whole (their posts are the person's own).
    _tombstone_posts(Post.objects.filter(topic_id__in=alone_ids), now)
    Topic.objects.filter(pk__in=alone_ids).delete()
    _tombstone_posts(Post.objects.filter(author=person, deleted_at=None), now)
    # Their text in posts already deleted earlier goes too.
    Post.objects.filter(author=person).exclude(body="").update(body="", body_html="")
    PostRevision.objects.filter(Q(post__author=person) | Q(editor=person)).filter(
        ~Q(body="")
    ).update(body="", title="")
    for attachment in Attachment.objects.filter(uploader=person):
        attachment.file.delete(save=False)
        attachment.delete()
    Idea.objects.filter(author=person).delete()
    Entry.objects.filter(author=person).delete()
    ResourceComment.objects.filter(author=person).delete()
    ValueStory.objects.filter(author=person).delete()


def _unlink(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def do_erase_account(person: User, mode: str, *, request: HttpRequest | None = None) -> None:
    """Delete the person's account, keeping (anonymised) or erasing their
    contributions; record it in the security log and email a confirmation. All in
    one transaction: a failure changes nothing."""
    if mode not in (KEEP, ERASE):
        raise ValueError(f"Unknown erasure mode {mode!r}.")
    email, language, name = person.email, person.language, person.display_name
    counts = {fate.key: fate.count for fate in summary(person) if fate.count}
    with transaction.atomic():
        if mode == ERASE:
            _erase_contributions(person)
        record_security_event(
            SecurityKind.ERASURE,
            subject_label=email,
            request=request,
            contributions=mode,
            counts=counts,
        )
        queue_email(
            compose(
                "privacy/email/account_deleted",
                email,
                {"name": name, "mode": mode},
                language,
            )
        )
        # The zips of their exports go once the deletion is committed.
        paths = [e.path for e in DataExport.objects.filter(person=person) if e.path is not None]
        transaction.on_commit(lambda: _unlink(paths))
        do_delete_account(person)
    logger.info("account erased by its owner, contributions %s", mode)
