"""What the composer does beside publishing: drafts kept on the server, previews
rendered as posts are, and files dropped or pasted while writing.

None of it is an activity of the community (nothing here records an event): a draft,
a preview or a file not yet published is seen by its writer alone. Publishing goes
through `actions.do_start_topic` and `actions.do_reply`, which delete the draft and
attach the files the published text links to (`actions._claim_uploads`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations.actions import MAX_BODY, _mentionable
from cercle.conversations.attachments import check_upload
from cercle.conversations.models import Attachment, Draft, Topic
from cercle.errors import ActionRefused
from cercle.richtext import render_markdown

# Files uploaded while writing and not yet in a published post, per person and
# community: enough for a long message with pictures, bounded against a script.
MAX_PENDING_UPLOADS = 30


def _may_write(
    actor: User,
    space: Space,
    topic: Topic | None,
    access: permissions.CommunityAccess | None = None,
) -> bool:
    access = access or permissions.community_access(actor, space.community)
    if topic is None:
        return access.may_post(space)
    return permissions.conversations.may_reply(access, topic)


def draft_for(
    actor: User,
    space: Space,
    topic: Topic | None = None,
    *,
    access: permissions.CommunityAccess | None = None,
) -> Draft | None:
    """The person's draft of a reply to `topic`, or of a new topic in `space`; none when
    they may no longer write there (a draft is never served where its writer may not
    post: a private space they left, a topic locked or hidden since). `access`, the
    page's own, saves asking for it again."""
    if not actor.is_authenticated or not _may_write(actor, space, topic, access):
        return None
    return Draft.objects.filter(person=actor, space=space, topic=topic).first()


def do_save_draft(
    actor: User, space: Space, *, topic: Topic | None = None, title: str = "", body: str = ""
) -> Draft | None:
    """Keep what the person is writing; an empty text deletes the draft (nothing left
    to keep). One draft per person and topic, or per person and space for a new topic:
    saving again replaces it."""
    if not _may_write(actor, space, topic):
        raise ActionRefused(_("You may not do this here."), not_found=True)
    title = (title or "")[:200]
    if len(body or "") > MAX_BODY:
        raise ActionRefused(
            _("This message is too long: %(count)d characters at most.") % {"count": MAX_BODY}
        )
    if topic is not None:
        title = ""
    with transaction.atomic():
        if not title.strip() and not (body or "").strip():
            Draft.objects.filter(person=actor, space=space, topic=topic).delete()
            return None
        draft, _created = Draft.objects.update_or_create(
            person=actor, space=space, topic=topic, defaults={"title": title, "body": body}
        )
    return draft


def preview_html(space: Space, body: str) -> str:
    """The HTML a post with `body` would show in `space`: the same Markdown, the same
    allow-list and the same @mentions (of people who may read the space) as publishing."""
    mentioned = _mentionable(space, body or "")
    return render_markdown(
        body or "", {handle: person.display_name for handle, person in mentioned.items()}
    )


def do_upload(actor: User, space: Space, upload: UploadedFile) -> Attachment:
    """A file dropped or pasted into the composer, checked by content as attachments
    are (`attachments.check_upload`), stored before the post exists. Only its uploader
    may fetch it until a published post links to it; then it belongs to that post and
    its readers."""
    access = permissions.community_access(actor, space.community)
    if not access.may_post(space):
        raise ActionRefused(_("You may not do this here."), not_found=not access.reads(space))
    pending = Attachment.objects.filter(
        uploader=actor, community_id=space.community_id, post=None
    ).count()
    if pending >= MAX_PENDING_UPLOADS:
        raise ActionRefused(
            _(
                "You have %(count)d files waiting in unpublished messages: "
                "publish or remove some first."
            )
            % {"count": pending}
        )
    check = check_upload(upload)
    attachment = Attachment(
        community_id=space.community_id,
        post=None,
        uploader=actor,
        original_name=check.safe_name,
        content_type=check.content_type,
        size=check.size,
        text=check.text,
    )
    attachment.file.save(check.safe_name, upload, save=False)
    attachment.save()
    return attachment


def markdown_for(attachment: Attachment) -> str:
    """What the composer inserts for an uploaded file: an image, or a link to the file."""
    name = attachment.original_name.replace("[", "(").replace("]", ")")
    url = attachment.get_absolute_url().replace(" ", "%20").replace(")", "%29")
    return f"![{name}]({url})" if attachment.is_image else f"[{name}]({url})"


# Files dropped into a composer and never published are forgotten after this long,
# unless a draft of their uploader still links to them.
KEEP_UNPUBLISHED = timedelta(days=30)


def forget_unpublished_uploads(now: datetime | None = None) -> int:
    """Delete the files (rows and stored files) uploaded more than `KEEP_UNPUBLISHED`
    ago that no post took and no draft of their uploader links to; how many. Idempotent:
    for `cercle periodic`, daily."""
    limit = (now or timezone.now()) - KEEP_UNPUBLISHED
    old = list(Attachment.objects.filter(post=None, created_at__lt=limit))
    if not old:
        return 0
    drafts: dict[int | None, list[str]] = {}
    for person, body in Draft.objects.filter(
        person_id__in={file.uploader_id for file in old}
    ).values_list("person_id", "body"):
        drafts.setdefault(person, []).append(body)
    forgotten = 0
    for file in old:
        link = f"/attachments/{file.pk}/"
        if any(link in body for body in drafts.get(file.uploader_id, [])):
            continue
        file.file.delete(save=False)
        file.delete()
        forgotten += 1
    return forgotten
