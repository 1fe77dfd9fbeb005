"""Every change to value stories and sponsors (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one transaction
and records its activity event: recording a story is creating (level 3); editing and
deleting it, naming and removing a sponsor have no level. A refusal raises
`ActionRefused` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email
from cercle.richtext import render_markdown
from cercle.value.contributions import MAX_CONTRIBUTIONS, Target, link_for, readable, target_of
from cercle.value.models import Cycle, Sponsor, StoryContribution, ValueStory

MIN_TITLE = 3
MAX_TITLE = 200
MIN_TEXT = 10
MAX_TEXT = 20_000


def _refuse(access: permissions.CommunityAccess) -> ActionRefused:
    # A 404 for whoever may not even read the stories: saying more would tell they exist.
    return ActionRefused(
        _("You may not do this here."),
        not_found=not permissions.value.may_read_value_stories(access),
    )


def _readable_space(access: permissions.CommunityAccess, space: Space) -> bool:
    return space.community_id == access.community.pk and access.reads(space)


def check_story(
    access: permissions.CommunityAccess,
    *,
    cycle: str,
    title: str,
    text: str,
    space: Space | None,
    contributions: Sequence[Target],
    current_space_id: int | None = None,
) -> tuple[str, str]:
    """The story's cleaned title and text, or the refusal that says what is wrong.
    A story keeps the space it had even when its editor no longer reads it."""
    if cycle not in Cycle.values:
        raise ActionRefused(_("Choose the cycle of value the story tells."))
    title = " ".join((title or "").split())
    text = (text or "").strip()
    if len(title) < MIN_TITLE:
        raise ActionRefused(
            _("Give the story a title of at least %(count)d characters.") % {"count": MIN_TITLE}
        )
    if len(title) > MAX_TITLE:
        raise ActionRefused(
            _("The title is too long: %(count)d characters at most.") % {"count": MAX_TITLE}
        )
    if len(text) < MIN_TEXT:
        raise ActionRefused(
            _("Tell what happened, in %(count)d characters at least.") % {"count": MIN_TEXT}
        )
    if len(text) > MAX_TEXT:
        raise ActionRefused(
            _("The story is too long: %(count)d characters at most.") % {"count": MAX_TEXT}
        )
    moved = space is not None and space.pk != current_space_id
    if moved and space is not None and not _readable_space(access, space):
        raise ActionRefused(_("Choose a space of this community that you read."))
    if len(contributions) > MAX_CONTRIBUTIONS:
        raise ActionRefused(
            _("Name %(count)d contributions at most.") % {"count": MAX_CONTRIBUTIONS}
        )
    for target in contributions:
        if not readable(access, target):
            raise ActionRefused(
                _("“%(title)s” is not a contribution of this community that you may read.")
                % {"title": target}
            )
    return title, text


def _link(story: ValueStory, targets: Sequence[Target], start: int = 0) -> None:
    StoryContribution.objects.bulk_create(
        StoryContribution(story=story, position=start + number, **link_for(target))
        for number, target in enumerate(targets)
    )


def do_record_story(
    actor: User,
    community: Community,
    *,
    cycle: str,
    title: str,
    text: str,
    space: Space | None = None,
    contributions: Sequence[Target] = (),
) -> ValueStory:
    """Tell a value-creation story, naming the contributions it came from."""
    access = permissions.community_access(actor, community)
    if not permissions.value.may_record_value_story(access):
        raise _refuse(access)
    contributions = list(dict.fromkeys(contributions))
    title, text = check_story(
        access, cycle=cycle, title=title, text=text, space=space, contributions=contributions
    )
    with transaction.atomic():
        story = ValueStory.objects.create(
            community=community,
            space=space,
            author=actor,
            cycle=cycle,
            title=title,
            text=text,
            text_html=render_markdown(text),
        )
        _link(story, contributions)
        record_event(
            verbs.VALUE_STORY_RECORDED,
            actor=actor,
            community=community,
            target=story,
        )
    return story


def do_edit_story(
    actor: User,
    story: ValueStory,
    *,
    cycle: str,
    title: str,
    text: str,
    space: Space | None,
    contributions: Sequence[Target],
) -> ValueStory:
    """Change a story. `contributions` replaces the ones its editor may read; those the
    editor may not read (an author since removed from a private space) are kept as
    they were, after the others: nobody loses what they cannot see."""
    access = permissions.community_access(actor, story.community)
    if not permissions.value.may_edit_value_story(access, story.author_id):
        raise _refuse(access)
    contributions = list(dict.fromkeys(contributions))
    title, text = check_story(
        access,
        cycle=cycle,
        title=title,
        text=text,
        space=space,
        contributions=contributions,
        current_space_id=story.space_id,
    )
    with transaction.atomic():
        # Two editors at once: the second waits, then replaces the first's links whole.
        if not list(ValueStory.objects.select_for_update().filter(pk=story.pk).values("pk")):
            raise ActionRefused(_("This story was deleted in the meantime."))
        links = list(
            StoryContribution.objects.filter(story=story).select_related(
                "topic__space", "article__space", "resource__collection__space"
            )
        )
        kept = [link for link in links if not readable(access, target_of(link))]
        StoryContribution.objects.filter(story=story).exclude(
            pk__in=[link.pk for link in kept]
        ).delete()
        kept_targets = {target_of(link) for link in kept}
        fresh = [target for target in contributions if target not in kept_targets]
        _link(story, fresh)
        for number, link in enumerate(kept, start=len(fresh)):
            if link.position != number:
                link.position = number
                link.save(update_fields=["position"])
        story.cycle, story.title, story.text, story.space = cycle, title, text, space
        story.text_html = render_markdown(text)
        story.save()
        record_event(verbs.VALUE_STORY_EDITED, actor=actor, community=story.community, target=story)
    return story


def do_delete_story(actor: User, story: ValueStory) -> None:
    access = permissions.community_access(actor, story.community)
    if not permissions.value.may_edit_value_story(access, story.author_id):
        raise _refuse(access)
    with transaction.atomic():
        record_event(
            verbs.VALUE_STORY_DELETED, actor=actor, community=story.community, target=story
        )
        story.delete()


# --- Sponsors -----------------------------------------------------------------------------


def _manager(actor: User, community: Community) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, community)
    if not permissions.value.may_manage_sponsors(access):
        raise ActionRefused(_("You may not do this here."), not_found=True)
    return access


def account_for(email: str) -> User | None:
    """The active account an address belongs to (a verified address first, as the
    invitations do, then the address the account logs in with)."""
    email = (email or "").strip()
    if not email:
        return None
    found = (
        EmailAddress.objects.filter(email__iexact=email, verified=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if found is not None:
        user: User = found.user
        return user
    return User.objects.filter(email__iexact=email, is_active=True).first()


def do_name_sponsor(actor: User, community: Community, *, email: str) -> Sponsor:
    """Name the person whose account uses `email` a sponsor: they read the summary.
    They need not be a member; they must meet the community's audience to see it."""
    _manager(actor, community)
    person = account_for(email)
    if person is None:
        raise ActionRefused(
            _("No account uses this address: ask the person to sign up first, then name them.")
        )
    if not permissions.community_access(person, community).sees_landing():
        raise ActionRefused(
            _(
                "%(name)s is not internal: this community is for internal people only, "
                "so they could not read the summary."
            )
            % {"name": person.display_name}
        )
    try:
        with transaction.atomic():
            sponsor = Sponsor.objects.create(community=community, person=person, added_by=actor)
            record_event(
                verbs.VALUE_SPONSOR_NAMED, actor=actor, community=community, target=sponsor
            )
            queue_email(
                compose(
                    "value/email/sponsor_named",
                    person.email,
                    {"person": person, "community": community, "named_by": actor},
                    person.language or community.language,
                )
            )
    except IntegrityError:
        raise ActionRefused(
            _("%(name)s is already a sponsor.") % {"name": person.display_name}
        ) from None
    return sponsor


def do_remove_sponsor(actor: User, sponsor: Sponsor) -> None:
    _manager(actor, sponsor.community)
    with transaction.atomic():
        record_event(
            verbs.VALUE_SPONSOR_REMOVED, actor=actor, community=sponsor.community, target=sponsor
        )
        sponsor.delete()
