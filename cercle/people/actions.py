"""Changes to people's profiles, expertise and follows (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one transaction
and records its activity event; a refusal raises `ActionRefused` and writes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.communities.models import Space
from cercle.conversations.models import Tag, Topic
from cercle.errors import ActionRefused
from cercle.people.models import (
    MAX_LINKS,
    SPOKEN_LANGUAGES,
    Expertise,
    FieldVisibility,
    Follow,
    Level,
    Profile,
    profile_for,
)

Target = User | Topic | Space | Tag

# Avatars are decoded and written again by Pillow: what is stored is a plain image of
# one of these formats, without the uploaded file's metadata (EXIF can hold a location).
AVATAR_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
AVATAR_SIDE = 512
AVATAR_MAX_PIXELS = 40_000_000
MAX_LINK_LABEL = 60
MAX_LINK_URL = 500


class AvatarRefused(ActionRefused):
    """The uploaded photo was refused (its message says why, for the photo field)."""


class LinksRefused(ActionRefused):
    """A link of the profile was refused (its message says which and why)."""


# --- Profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedAvatar:
    content: ContentFile[bytes]
    extension: str


def check_avatar(upload: UploadedFile) -> CheckedAvatar:
    """A PNG, JPEG or WebP image no larger than `IMAGE_MAX_MB`, re-encoded by Pillow
    (at most 512 pixels a side, turned upright, metadata dropped), or a refusal."""
    limit = settings.IMAGE_MAX_MB * 1024 * 1024
    if (upload.size or 0) > limit:
        raise AvatarRefused(
            _("This image is too large: the limit is %(size)d MB.")
            % {"size": settings.IMAGE_MAX_MB}
        )
    refused = AvatarRefused(_("Use a PNG, JPEG or WebP image."))
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image_format = image.format or ""
            if image_format not in AVATAR_FORMATS:
                raise refused
            if image.width * image.height > AVATAR_MAX_PIXELS:
                raise AvatarRefused(_("This image has too many pixels: use a smaller one."))
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((AVATAR_SIDE, AVATAR_SIDE))
            if image_format == "JPEG" and upright.mode not in {"RGB", "L"}:
                upright = upright.convert("RGB")
            buffer = io.BytesIO()
            upright.save(buffer, format=image_format)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise refused from None
    finally:
        upload.seek(0)
    return CheckedAvatar(
        content=ContentFile(buffer.getvalue()), extension=AVATAR_FORMATS[image_format]
    )


def clean_links(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    """Links as stored on a profile: at most five, http or https only, each with a label
    (the address's host when none is given); empty pairs are skipped."""
    validate = URLValidator(schemes=["http", "https"])
    links = []
    for raw_label, raw_url in pairs:
        label, url = " ".join((raw_label or "").split()), (raw_url or "").strip()
        if not label and not url:
            continue
        if not url:
            raise LinksRefused(_("Give the address of the link “%(label)s”.") % {"label": label})
        try:
            if len(url) > MAX_LINK_URL:
                raise ValidationError("too long")
            validate(url)
        except ValidationError:
            raise LinksRefused(
                _("“%(url)s” is not a web address starting with http:// or https://.")
                % {"url": url[:100]}
            ) from None
        if len(label) > MAX_LINK_LABEL:
            raise LinksRefused(
                _("A link's label has %(count)d characters at most.") % {"count": MAX_LINK_LABEL}
            )
        links.append({"label": label or url.split("://", 1)[1].split("/", 1)[0], "url": url})
    if len(links) > MAX_LINKS:
        raise LinksRefused(_("Add %(count)d links at most.") % {"count": MAX_LINKS})
    return links


def _clean_languages(languages: Iterable[str]) -> list[str]:
    known = {code for code, _name in SPOKEN_LANGUAGES}
    chosen = set(languages)
    return [code for code, _name in SPOKEN_LANGUAGES if code in chosen and code in known]


def _clean_visibility(value: str) -> str:
    if value not in FieldVisibility.values:
        raise ActionRefused(_("Choose who may see this field."))
    return value


def do_update_profile(
    actor: User,
    person: User,
    *,
    headline: str = "",
    bio: str = "",
    organization: str = "",
    location: str = "",
    languages: Iterable[str] = (),
    interests: str = "",
    ask_me_about: str = "",
    links: Iterable[tuple[str, str]] = (),
    is_public: bool = False,
    named_in_analytics: bool = True,
    email_visibility: str = FieldVisibility.ONLY_ME,
    organization_visibility: str = FieldVisibility.PROFILE,
    location_visibility: str = FieldVisibility.PROFILE,
    avatar: UploadedFile | None = None,
    remove_avatar: bool = False,
) -> Profile:
    """Save everything a member tells about themselves, and who may see it.

    A new photo replaces the old one (deleted once the change is committed);
    `remove_avatar` goes back to the generated initials.
    """
    if not permissions.may_manage_account(actor, person):
        raise ActionRefused(_("You may only change your own profile."), not_found=True)
    values = {
        "headline": " ".join(headline.split()),
        "bio": bio.strip(),
        "organization": " ".join(organization.split()),
        "location": " ".join(location.split()),
        "interests": interests.strip(),
        "ask_me_about": ask_me_about.strip(),
    }
    for name, value in values.items():
        model_field = Profile._meta.get_field(name)
        limit = getattr(model_field, "max_length", None)
        if limit is not None and len(value) > limit:
            raise ActionRefused(
                _("%(field)s: %(count)d characters at most.")
                % {"field": capfirst(getattr(model_field, "verbose_name", name)), "count": limit}
            )
    checked_links = clean_links(links)
    visibilities = {
        "email_visibility": _clean_visibility(email_visibility),
        "organization_visibility": _clean_visibility(organization_visibility),
        "location_visibility": _clean_visibility(location_visibility),
    }
    checked_avatar = check_avatar(avatar) if avatar is not None else None
    stored_names: list[str] = []
    try:
        with transaction.atomic():
            profile = Profile.objects.select_for_update().filter(person=person).first()
            if profile is None:
                profile = profile_for(person)
            old_avatar = profile.avatar.name if profile.avatar else ""
            for name, value in {**values, **visibilities}.items():
                setattr(profile, name, value)
            profile.languages = _clean_languages(languages)
            profile.links = checked_links
            profile.is_public = bool(is_public)
            profile.named_in_analytics = bool(named_in_analytics)
            if checked_avatar is not None:
                profile.avatar.save(
                    f"avatar.{checked_avatar.extension}", checked_avatar.content, save=False
                )
                stored_names.append(profile.avatar.name)
            elif remove_avatar:
                profile.avatar = ""
            profile.save()
            record_event(verbs.PROFILE_UPDATED, actor=actor, community=None, target=profile)
            if old_avatar and old_avatar != (profile.avatar.name or ""):
                transaction.on_commit(lambda: default_storage.delete(old_avatar))
    except Exception:
        # Nothing half-written: a photo stored before the failure goes too.
        for name in stored_names:
            default_storage.delete(name)
        raise
    return profile


# --- Expertise ---------------------------------------------------------------------------------


def do_declare_expertise(actor: User, tag: Tag, level: int) -> Expertise:
    """Declare (or change) one's level on a tag of a community one is an active member of."""
    if level not in Level.values:
        raise ActionRefused(_("Choose a level: learning, practising or expert."))
    access = permissions.community_access(actor, tag.community)
    if not access.is_member:
        raise ActionRefused(
            _("Declare expertise with the tags of your own communities."),
            not_found=not access.reads_open_spaces(),
        )
    with transaction.atomic():
        expertise, _created = Expertise.objects.update_or_create(
            person=actor, tag=tag, defaults={"level": level}
        )
        record_event(
            verbs.EXPERTISE_DECLARED, actor=actor, community=tag.community, target=expertise
        )
    return expertise


def do_remove_expertise(actor: User, expertise: Expertise) -> None:
    if expertise.person_id != actor.pk:
        raise ActionRefused(_("This is not your expertise."), not_found=True)
    with transaction.atomic():
        community = expertise.tag.community
        record_event(verbs.EXPERTISE_REMOVED, actor=actor, community=community, target=expertise)
        expertise.delete()


# --- Follows -----------------------------------------------------------------------------------


def _field(target: Target) -> str:
    if isinstance(target, User):
        return "person"
    if isinstance(target, Topic):
        return "topic"
    if isinstance(target, Space):
        return "space"
    return "tag"


def do_follow(actor: User, target: Target) -> Follow:
    if not permissions.people.may_follow(actor, target):
        raise ActionRefused(_("You may not follow this."), not_found=True)
    field = _field(target)
    try:
        with transaction.atomic():
            follow = Follow.objects.create(follower=actor, **{field: target})
            record_event(
                verbs.FOLLOW[field],
                actor=actor,
                community=getattr(target, "community", None),
                target=target,
            )
    except IntegrityError:
        raise ActionRefused(_("You already follow this.")) from None
    return follow


def do_unfollow(actor: User, target: Target) -> None:
    with transaction.atomic():
        deleted, _count = Follow.objects.filter(follower=actor, **{_field(target): target}).delete()
        if not deleted:
            raise ActionRefused(_("You do not follow this."))


def is_following(actor: permissions.Actor, target: Target) -> bool:
    if not actor.is_authenticated:
        return False
    return Follow.objects.filter(follower_id=actor.pk, **{_field(target): target}).exists()
