"""Every change to personas (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one transaction
and records its activity event; a refusal raises `ActionRefused` and writes nothing.
Speaking as a persona happens in `cercle.conversations.actions` (`persona=`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Community, Status
from cercle.errors import ActionRefused
from cercle.people.actions import CheckedAvatar, check_avatar
from cercle.personas.models import RESERVED_SLUGS, Persona
from cercle.richtext import render_markdown

MAX_NAME = 80
MAX_STORY = 10_000
MAX_SPEAKERS = 50


def _require_manager(actor: User, community: Community) -> permissions.CommunityAccess:
    access = permissions.community_access(actor, community)
    if not permissions.personas.may_manage_personas(access):
        raise ActionRefused(_("You may not do this here."), not_found=not access.sees_landing())
    return access


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise ActionRefused(_("Give the persona a name of at least 2 characters."))
    if len(name) > MAX_NAME:
        raise ActionRefused(
            _("The name is too long: %(count)d characters at most.") % {"count": MAX_NAME}
        )
    return name


def _clean_story(story: str) -> str:
    story = (story or "").strip()
    if len(story) > MAX_STORY:
        raise ActionRefused(
            _("The story is too long: %(count)d characters at most.") % {"count": MAX_STORY}
        )
    return story


def _free_slug(community: Community, name: str) -> str:
    base = slugify(name)[:70] or "persona"
    taken = set(
        Persona.objects.filter(community=community, slug__startswith=base).values_list(
            "slug", flat=True
        )
    )
    slug, number = base, 1
    while slug in taken or slug in RESERVED_SLUGS:
        number += 1
        slug = f"{base}-{number}"
    return slug


def speakers_from(community: Community, handles: Iterable[str] | str) -> list[User]:
    """The active members named by `handles` (written "@anna, bob"), or a refusal that
    names the handles that are not."""
    if isinstance(handles, str):
        handles = re.split(r"[\s,;]+", handles)
    wanted = list(dict.fromkeys(h.strip().lstrip("@").lower() for h in handles if h.strip()))
    if len(wanted) > MAX_SPEAKERS:
        raise ActionRefused(_("Choose %(count)d speakers at most.") % {"count": MAX_SPEAKERS})
    found = {
        person.handle.lower(): person
        for person in User.objects.filter(
            handle__in=wanted,
            is_active=True,
            memberships__community=community,
            memberships__status=Status.ACTIVE,
        )
    }
    missing = [handle for handle in wanted if handle not in found]
    if missing:
        raise ActionRefused(
            _("These handles are not members of the community: %(handles)s.")
            % {"handles": ", ".join(f"@{handle}" for handle in missing)}
        )
    return [found[handle] for handle in wanted]


def _save_persona(
    persona: Persona,
    *,
    speakers: list[User] | None,
    checked: CheckedAvatar | None,
    remove_avatar: bool = False,
) -> None:
    """Save the persona (and its new picture) in the caller's transaction; a picture
    stored before a failure is deleted, the replaced one once the change commits."""
    stored: list[str] = []
    old_avatar = persona.avatar.name if persona.avatar else ""
    try:
        with transaction.atomic():
            if checked is not None:
                persona.avatar.save(f"avatar.{checked.extension}", checked.content, save=False)
                stored.append(persona.avatar.name)
            elif remove_avatar:
                persona.avatar = ""
            persona.save()
            if speakers is not None:
                persona.speakers.set(speakers)
            if old_avatar and old_avatar != (persona.avatar.name or ""):
                transaction.on_commit(lambda: default_storage.delete(old_avatar))
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise


def do_create_persona(
    actor: User,
    community: Community,
    *,
    name: str,
    story: str = "",
    speakers: Iterable[str] | str = (),
    avatar: UploadedFile | None = None,
) -> Persona:
    """A new, active persona; `speakers` are the handles of the members who may speak
    as it besides the coordinators."""
    _require_manager(actor, community)
    name, story = _clean_name(name), _clean_story(story)
    chosen = speakers_from(community, speakers)
    checked = check_avatar(avatar) if avatar is not None else None
    try:
        with transaction.atomic():
            persona = _new_persona(actor, community, name, story, chosen, checked)
    except IntegrityError:
        # Another coordinator took the same address at the same moment.
        raise ActionRefused(_("A persona of this name was just created: try again.")) from None
    return persona


def _new_persona(
    actor: User,
    community: Community,
    name: str,
    story: str,
    speakers: list[User],
    checked: CheckedAvatar | None,
) -> Persona:
    persona = Persona(
        community=community,
        name=name,
        slug=_free_slug(community, name),
        story=story,
        story_html=render_markdown(story),
        created_by=actor,
    )
    _save_persona(persona, speakers=speakers, checked=checked)
    record_event(verbs.PERSONA_CREATED, actor=actor, community=community, target=persona)
    return persona


def do_edit_persona(
    actor: User,
    persona: Persona,
    *,
    name: str,
    story: str = "",
    speakers: Iterable[str] | str = (),
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> Persona:
    """Change the name, story, picture or speakers. The address stays: links to the
    persona's page, in posts and elsewhere, keep working."""
    _require_manager(actor, persona.community)
    name, story = _clean_name(name), _clean_story(story)
    chosen = speakers_from(persona.community, speakers)
    checked = check_avatar(avatar) if avatar is not None else None
    with transaction.atomic():
        persona.name, persona.story, persona.story_html = name, story, render_markdown(story)
        _save_persona(persona, speakers=chosen, checked=checked, remove_avatar=remove_avatar)
        record_event(verbs.PERSONA_EDITED, actor=actor, community=persona.community, target=persona)
    return persona


def do_set_persona_active(actor: User, persona: Persona, active: bool) -> Persona:
    """Retire a persona (nobody speaks as it any more; its posts and page stay) or
    bring it back."""
    _require_manager(actor, persona.community)
    with transaction.atomic():
        Persona.objects.filter(pk=persona.pk).update(is_active=active)
        persona.is_active = active
        verb = verbs.PERSONA_REACTIVATED if active else verbs.PERSONA_RETIRED
        record_event(verb, actor=actor, community=persona.community, target=persona)
    return persona
