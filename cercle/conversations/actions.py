"""Every change to conversations (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one
transaction, keeps the search index in step, and records its activity event.
Refusals raise `ActionRefused` and write nothing. The apps above learn of new
topics, replies, edits and accepted answers through `cercle.conversations.hooks`
(notifications tell the people concerned), called in the same transaction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Community, Membership, Space, Status
from cercle.conversations import hooks
from cercle.conversations.attachments import check_upload
from cercle.conversations.models import (
    Attachment,
    Draft,
    Flag,
    Kind,
    Mention,
    ModerationEntry,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadState,
    Tag,
    Topic,
)
from cercle.errors import ActionRefused
from cercle.richtext import mentioned_handles, render_markdown

if TYPE_CHECKING:
    from cercle.personas.models import Persona

MAX_BODY = 50_000
MAX_ATTACHMENTS = 10


def _access(actor: User, space: Space) -> permissions.CommunityAccess:
    return permissions.community_access(actor, space.community)


def _require(allowed: bool, *, readable: bool = True) -> None:
    if not allowed:
        raise ActionRefused(_("You may not do this here."), not_found=not readable)


def _clean_body(body: str) -> str:
    # Keep the indentation of the first line: it may open a code block.
    body = re.sub(r"\A(?:[ \t]*\r?\n)+", "", (body or "").rstrip())
    if not body.strip():
        raise ActionRefused(_("Write a message first."))
    if len(body) > MAX_BODY:
        raise ActionRefused(
            _("This message is too long: %(count)d characters at most.") % {"count": MAX_BODY}
        )
    return body


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ActionRefused(_("Give the topic a title of at least 3 characters."))
    if len(title) > 200:
        raise ActionRefused(_("The title is too long: 200 characters at most."))
    return title


def _mentionable(space: Space, body: str) -> dict[str, User]:
    """People written as @handle who are active members able to read the space."""
    handles = mentioned_handles(body)
    if not handles:
        return {}
    people = User.objects.filter(
        handle__in=handles,
        is_active=True,
        memberships__community_id=space.community_id,
        memberships__status=Status.ACTIVE,
    )
    found = {}
    for person in people:
        if permissions.community_access(person, space.community).reads(space):
            found[person.handle] = person
    return found


def _render(post: Post, space: Space) -> list[User]:
    mentioned = _mentionable(space, post.body)
    post.body_html = render_markdown(
        post.body, {handle: person.display_name for handle, person in mentioned.items()}
    )
    return list(mentioned.values())


def _save_mentions(post: Post, people: Iterable[User]) -> None:
    people = [p for p in people if p.pk != post.author_id]
    Mention.objects.filter(post=post).exclude(person__in=people).delete()
    Mention.objects.bulk_create(
        [Mention(post=post, person=person) for person in people], ignore_conflicts=True
    )


def _attach(post: Post, actor: User, files: Sequence[UploadedFile]) -> list[Attachment]:
    if len(files) > MAX_ATTACHMENTS:
        raise ActionRefused(
            _("Attach at most %(count)d files to a message.") % {"count": MAX_ATTACHMENTS}
        )
    checked = [(upload, check_upload(upload)) for upload in files]
    attachments = []
    for upload, check in checked:
        attachment = Attachment(
            community_id=post.topic.community_id,
            post=post,
            uploader=actor,
            original_name=check.safe_name,
            content_type=check.content_type,
            size=check.size,
            text=check.text,
        )
        attachment.file.save(check.safe_name, upload, save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments


UPLOADED_LINK = re.compile(r"/attachments/(\d+)/")


def _claim_uploads(post: Post, actor: User) -> None:
    """The files the actor dropped or pasted into the composer (`composer.do_upload`)
    that the text links to now belong to the post, and are served to its readers."""
    wanted = {int(number) for number in UPLOADED_LINK.findall(post.body)}
    if wanted:
        Attachment.objects.filter(
            pk__in=wanted, uploader=actor, post=None, community_id=post.topic.community_id
        ).update(post=post)


def _forget_draft(actor: User, space: Space, topic: Topic | None) -> None:
    """The draft of what was just published has done its work."""
    Draft.objects.filter(person=actor, space=space, topic=topic).delete()


def _index(post: Post) -> None:
    """Keep what is derived from `post` in step with it (the search index registers)."""
    hooks.post_changed(post)


def _reindex_topic(topic: Topic) -> None:
    posts = topic.posts.select_related("topic__community", "topic__space").prefetch_related(
        "attachments", "topic__tags"
    )
    for post in posts:
        _index(post)


# --- Topics and replies ---------------------------------------------------------------------


def _tags_for(community: Community, tags: Iterable[Tag | str]) -> list[Tag]:
    wanted = [t if isinstance(t, Tag) else None for t in tags]
    slugs = [t for t in tags if isinstance(t, str)]
    found = list(Tag.objects.filter(community=community, slug__in=slugs))
    if len(found) != len(set(slugs)):
        raise ActionRefused(_("Choose tags from the community's vocabulary."))
    chosen = [t for t in wanted if t is not None] + found
    if any(tag.community_id != community.pk for tag in chosen):
        raise ActionRefused(_("Choose tags from the community's vocabulary."))
    if len(chosen) > 5:
        raise ActionRefused(_("Choose at most 5 tags."))
    return chosen


def _require_persona(access: permissions.CommunityAccess, persona: Persona | None) -> None:
    if persona is not None and not permissions.personas.may_speak_as(access, persona):
        raise ActionRefused(_("You may not speak as this persona."))


def _record_post(actor: User, community: Community, post: Post) -> None:
    """A post's activity event: the topic started (its opening post), an answer (in a
    question topic) or a reply. Written as a persona or not, the verb is the same and
    counts the same everywhere (docs/personas.md): the real writer is the actor, the
    persona is the post's (`Post.persona`, which the audit log reads), and no page shows
    events to members."""
    topic = post.topic
    if post.position == 0:
        record_event(
            verbs.TOPIC_STARTED[topic.kind], actor=actor, community=community, target=topic
        )
        return
    verb = verbs.ANSWER_POSTED if topic.kind == Kind.QUESTION else verbs.REPLY_POSTED
    record_event(verb, actor=actor, community=community, target=post)


def do_start_topic(
    actor: User,
    space: Space,
    *,
    kind: str,
    title: str,
    body: str,
    tags: Iterable[Tag | str] = (),
    files: Sequence[UploadedFile] = (),
    persona: Persona | None = None,
) -> Topic:
    """Open a topic; with `persona`, written as that persona (the actor must be allowed
    to speak as it), the actor staying its real author for the audit."""
    access = _access(actor, space)
    if kind not in Kind.values:
        raise ActionRefused(_("Unknown kind of topic."))
    _require(
        permissions.conversations.may_start_topic(access, space, kind), readable=access.reads(space)
    )
    _require_persona(access, persona)
    title, body = _clean_title(title), _clean_body(body)
    chosen_tags = _tags_for(space.community, tags)
    now = timezone.now()
    with transaction.atomic():
        topic = Topic.objects.create(
            community=space.community,
            space=space,
            kind=kind,
            title=title,
            author=actor,
            last_activity_at=now,
            last_poster=actor,
            persona=persona,
        )
        topic.tags.set(chosen_tags)
        post = Post(topic=topic, position=0, author=actor, body=body, persona=persona)
        mentioned = _render(post, space)
        post.save()
        PostRevision.objects.create(post=post, number=1, title=title, body=body, editor=actor)
        _save_mentions(post, mentioned)
        _attach(post, actor, files)
        _claim_uploads(post, actor)
        _forget_draft(actor, space, None)
        _index(post)
        hooks.topic_started(actor, topic, post)
        # The author has read what they wrote: their own topic is not "Unread" to them.
        do_mark_read(actor, topic, 0)
        _record_post(actor, space.community, post)
    return topic


def do_reply(
    actor: User,
    topic: Topic,
    *,
    body: str,
    reply_to: Post | None = None,
    files: Sequence[UploadedFile] = (),
    persona: Persona | None = None,
) -> Post:
    access = _access(actor, topic.space)
    _require(permissions.conversations.may_reply(access, topic), readable=access.reads(topic.space))
    _require_persona(access, persona)
    body = _clean_body(body)
    if reply_to is not None and reply_to.topic_id != topic.pk:
        raise ActionRefused(_("You can only quote a message of the same topic."))
    with transaction.atomic():
        locked = Topic.objects.select_for_update().get(pk=topic.pk)
        # Asked again on the locked row: the topic may have been locked, hidden or merged
        # since the caller loaded it.
        locked.space, locked.community = topic.space, topic.community
        _require(permissions.conversations.may_reply(access, locked))
        position = locked.last_position + 1
        post = Post(
            topic=locked,
            position=position,
            author=actor,
            body=body,
            reply_to=reply_to,
            persona=persona,
        )
        mentioned = _render(post, topic.space)
        post.save()
        PostRevision.objects.create(post=post, number=1, body=body, editor=actor)
        _save_mentions(post, mentioned)
        Topic.objects.filter(pk=topic.pk).update(
            last_position=position,
            reply_count=F("reply_count") + 1,
            last_activity_at=timezone.now(),
            last_poster=actor,
        )
        _attach(post, actor, files)
        post.topic = topic
        _claim_uploads(post, actor)
        _forget_draft(actor, topic.space, topic)
        _index(post)
        hooks.replied(actor, topic, post)
        _record_post(actor, topic.community, post)
        do_mark_read(actor, topic, position)
    topic.refresh_from_db()
    return post


def do_edit_post(actor: User, post: Post, *, body: str, title: str | None = None) -> Post:
    topic = post.topic
    access = _access(actor, topic.space)
    _require(
        permissions.conversations.may_edit(access, post, topic.space),
        readable=access.reads(topic.space),
    )
    body = _clean_body(body)
    new_title = _clean_title(title) if title is not None and post.position == 0 else None
    if body == post.body and (new_title is None or new_title == topic.title):
        return post
    with transaction.atomic():
        post.body = body
        mentioned = _render(post, topic.space)
        post.edited_at = timezone.now()
        number = (post.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
        post.revision_count = number
        post.save()
        if new_title is not None:
            topic.title = new_title
            topic.save(update_fields=["title"])
        PostRevision.objects.create(
            post=post, number=number, title=new_title or "", body=body, editor=actor
        )
        _save_mentions(post, mentioned)
        _claim_uploads(post, actor)
        hooks.post_edited(actor, post)
        if new_title is not None:
            _reindex_topic(topic)
        else:
            _index(post)
        record_event(verbs.POST_EDITED, actor=actor, community=topic.community, target=post)
    return post


def do_delete_post(actor: User, post: Post) -> None:
    """Leave a tombstone: the place in the conversation stays, the words go."""
    topic = post.topic
    access = _access(actor, topic.space)
    _require(
        permissions.conversations.may_delete(access, post, topic.space),
        readable=access.reads(topic.space),
    )
    with transaction.atomic():
        post.deleted_at = timezone.now()
        post.deleted_by = actor
        post.save(update_fields=["deleted_at", "deleted_by"])
        if topic.accepted_answer_id == post.pk:
            Topic.objects.filter(pk=topic.pk).update(accepted_answer=None, solved_at=None)
        hooks.post_deleted(post)
        record_event(verbs.POST_DELETED, actor=actor, community=topic.community, target=post)
        if actor.pk != post.author_id:
            _log(actor, topic.community, "delete", topic=topic, post=post)


def do_accept_answer(actor: User, topic: Topic, post: Post) -> Topic:
    access = _access(actor, topic.space)
    _require(
        permissions.conversations.may_accept_answer(access, topic),
        readable=access.reads(topic.space),
    )
    if post.topic_id != topic.pk or post.position == 0:
        raise ActionRefused(_("Accept one of the answers to this question."))
    if post.deleted_at or post.is_hidden:
        raise ActionRefused(_("This answer is no longer visible and cannot be accepted."))
    with transaction.atomic():
        topic.accepted_answer = post
        topic.solved_at = timezone.now()
        topic.save(update_fields=["accepted_answer", "solved_at"])
        _index(topic.posts.get(position=0))
        record_event(verbs.ANSWER_ACCEPTED, actor=actor, community=topic.community, target=post)
        hooks.answer_accepted(actor, topic, post)
    return topic


def do_unaccept_answer(actor: User, topic: Topic) -> Topic:
    access = _access(actor, topic.space)
    _require(
        permissions.conversations.may_accept_answer(access, topic),
        readable=access.reads(topic.space),
    )
    with transaction.atomic():
        topic.accepted_answer = None
        topic.solved_at = None
        topic.save(update_fields=["accepted_answer", "solved_at"])
        _index(topic.posts.get(position=0))
        record_event(verbs.ANSWER_UNACCEPTED, actor=actor, community=topic.community, target=topic)
    return topic


def do_toggle_reaction(actor: User, post: Post, kind: str) -> bool:
    """Add the reaction, or take it back if it was there; True when it is now there."""
    topic = post.topic
    access = _access(actor, topic.space)
    if kind not in ReactionKind.values:
        raise ActionRefused(_("Unknown reaction."))
    _require(
        permissions.conversations.may_react(access, post, topic.space),
        readable=access.reads(topic.space),
    )
    with transaction.atomic():
        # One toggle at a time per person: without this lock, two quick taps both find
        # nothing to remove and both add, so they leave a reaction instead of none.
        memberships = Membership.objects.select_for_update()
        list(memberships.filter(person=actor, community_id=topic.community_id).values("pk"))
        removed, _count = Reaction.objects.filter(post=post, person=actor, kind=kind).delete()
        if removed:
            return False
        try:
            with transaction.atomic():
                Reaction.objects.create(post=post, person=actor, kind=kind)
        except IntegrityError:
            # The same person reacted twice at once: one reaction stands.
            return True
        record_event(
            verbs.REACTION[kind],
            actor=actor,
            community=topic.community,
            target=post,
        )
    return True


def do_mark_read(actor: User, topic: Topic, position: int) -> None:
    state, created = ReadState.objects.get_or_create(
        person=actor, topic=topic, defaults={"last_read_position": position}
    )
    if not created and position > state.last_read_position:
        ReadState.objects.filter(pk=state.pk, last_read_position__lt=position).update(
            last_read_position=position, read_at=timezone.now()
        )


# --- Tags ---------------------------------------------------------------------------------------


def do_create_tag(actor: User, community: Community, *, name: str, description: str = "") -> Tag:
    _require(
        permissions.conversations.may_curate_tags(permissions.community_access(actor, community))
    )
    name = " ".join(name.split())
    slug = slugify(name)[:40]
    if not slug:
        raise ActionRefused(_("Give the tag a name made of letters or digits."))
    with transaction.atomic():
        if Tag.objects.filter(community=community, slug=slug).exists():
            raise ActionRefused(_("The vocabulary already has the tag %(name)s.") % {"name": name})
        tag = Tag.objects.create(community=community, name=name, slug=slug, description=description)
        record_event(verbs.TAG_CREATED, actor=actor, community=community, target=tag)
    return tag


def do_delete_tag(actor: User, tag: Tag) -> None:
    _require(
        permissions.conversations.may_curate_tags(
            permissions.community_access(actor, tag.community)
        )
    )
    with transaction.atomic():
        topics = list(tag.topics.select_related("community", "space"))
        tag.delete()
        for topic in topics:
            _reindex_topic(topic)
        record_event(verbs.TAG_DELETED, actor=actor, community=tag.community)


# --- Moderation ---------------------------------------------------------------------------------


def _log(
    actor: User,
    community: Community,
    action: str,
    *,
    topic: Topic | None = None,
    post: Post | None = None,
    note: str = "",
) -> None:
    ModerationEntry.objects.create(
        community=community, moderator=actor, action=action, topic=topic, post=post, note=note[:500]
    )
    record_event(verbs.MODERATION[action], actor=actor, community=community, target=post or topic)


def _require_moderator(actor: User, space: Space) -> permissions.CommunityAccess:
    access = _access(actor, space)
    _require(access.may_moderate(space), readable=access.reads(space))
    return access


def do_flag(actor: User, post: Post, *, reason: str, note: str = "") -> Flag:
    topic = post.topic
    access = _access(actor, topic.space)
    _require(
        permissions.conversations.may_flag(access, post, topic.space),
        readable=access.reads(topic.space),
    )
    if reason not in dict(Flag._meta.get_field("reason").choices or []):
        raise ActionRefused(_("Choose a reason."))
    try:
        with transaction.atomic():
            flag = Flag.objects.create(post=post, reporter=actor, reason=reason, note=note.strip())
            record_event(verbs.POST_FLAGGED, actor=actor, community=topic.community, target=post)
    except IntegrityError:
        raise ActionRefused(_("You have already flagged this message.")) from None
    return flag


def do_resolve_flags(actor: User, post: Post, *, resolution: str) -> int:
    _require_moderator(actor, post.topic.space)
    with transaction.atomic():
        count = Flag.objects.filter(post=post, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=actor, resolution=resolution[:20]
        )
        _log(actor, post.topic.community, f"flags_{resolution}"[:20], topic=post.topic, post=post)
    return count


def do_hide_post(actor: User, post: Post, *, reason: str = "") -> None:
    topic = post.topic
    _require_moderator(actor, topic.space)
    with transaction.atomic():
        post.is_hidden, post.hidden_reason = True, reason.strip()[:200]
        post.save(update_fields=["is_hidden", "hidden_reason"])
        if post.position == 0:
            topic.is_hidden = True
            topic.save(update_fields=["is_hidden"])
            _reindex_topic(topic)
        else:
            _index(post)
        Flag.objects.filter(post=post, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=actor, resolution="hidden"
        )
        _log(actor, topic.community, "hide", topic=topic, post=post, note=reason)


def do_restore_post(actor: User, post: Post) -> None:
    topic = post.topic
    _require_moderator(actor, topic.space)
    with transaction.atomic():
        post.is_hidden, post.hidden_reason = False, ""
        post.save(update_fields=["is_hidden", "hidden_reason"])
        if post.position == 0:
            topic.is_hidden = False
            topic.save(update_fields=["is_hidden"])
            _reindex_topic(topic)
        else:
            _index(post)
        _log(actor, topic.community, "restore", topic=topic, post=post)


def do_set_locked(actor: User, topic: Topic, locked: bool) -> None:
    _require_moderator(actor, topic.space)
    with transaction.atomic():
        topic.is_locked = locked
        topic.save(update_fields=["is_locked"])
        _log(actor, topic.community, "lock" if locked else "unlock", topic=topic)


def do_set_pinned(actor: User, topic: Topic, pinned: bool) -> None:
    _require_moderator(actor, topic.space)
    with transaction.atomic():
        topic.is_pinned = pinned
        topic.save(update_fields=["is_pinned"])
        _log(actor, topic.community, "pin" if pinned else "unpin", topic=topic)


def do_move_topic(actor: User, topic: Topic, to_space: Space) -> Topic:
    _require_moderator(actor, topic.space)
    if to_space.community_id != topic.community_id:
        raise ActionRefused(_("A topic moves only between spaces of the same community."))
    _require_moderator(actor, to_space)
    if to_space.pk == topic.space_id:
        raise ActionRefused(_("The topic is already in this space."))
    with transaction.atomic():
        origin = topic.space
        topic.space = to_space
        topic.save(update_fields=["space"])
        # Reindexed, not only reassigned: each document's address names the space too.
        _reindex_topic(topic)
        _log(actor, topic.community, "move", topic=topic, note=f"{origin.name} → {to_space.name}")
    return topic


def do_merge_topics(actor: User, source: Topic, target: Topic) -> Topic:
    """Move every message of a duplicate into the topic it duplicates, in time order."""
    _require_moderator(actor, source.space)
    _require_moderator(actor, target.space)
    if source.pk == target.pk or source.community_id != target.community_id:
        raise ActionRefused(_("Merge two different topics of the same community."))
    if source.merged_into_id or target.merged_into_id:
        raise ActionRefused(_("This topic has already been merged."))
    with transaction.atomic():
        target = Topic.objects.select_for_update().get(pk=target.pk)
        moved = source.posts.count()
        # The target's opening post stays first; every other post, its own and the moved
        # ones, then takes its place by time. Both sets are parked out of the way first,
        # so that positions stay unique at every step.
        park = 1_000_000
        Post.objects.filter(topic=target, position__gt=0).update(position=F("position") + 2 * park)
        Post.objects.filter(topic=source).update(topic=target, position=F("position") + park)
        replies = list(
            Post.objects.filter(topic=target, position__gt=0)
            .order_by("created_at", "pk")
            .only("pk")
        )
        for position, post in enumerate(replies, start=1):
            post.position = position
        Post.objects.bulk_update(replies, ["position"], batch_size=500)
        Topic.objects.filter(pk=target.pk).update(
            last_position=len(replies),
            reply_count=F("reply_count") + moved,
            last_activity_at=max(target.last_activity_at, source.last_activity_at),
        )
        source.merged_into = target
        source.is_hidden = True
        source.reply_count = 0
        source.save(update_fields=["merged_into", "is_hidden", "reply_count"])
        hooks.topic_merged_away(source)
        target.refresh_from_db()
        _reindex_topic(target)
        _log(actor, target.community, "merge", topic=target, note=f"#{source.pk} {source.title}")
    return target
