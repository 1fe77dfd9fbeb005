"""Members' pictures: their photo, or their initials on a colour of their own."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django import template

if TYPE_CHECKING:
    from cercle.accounts.models import User
    from cercle.people.models import Profile

register = template.Library()

# Each colour keeps white initials above 6:1 contrast (WCAG AA asks for 4.5:1).
PALETTE = (
    "#0b5d6b", "#8a3212", "#1e6b34", "#6b3fa0", "#a61b1b", "#7a5200",
    "#1f4e8c", "#4f5a60", "#9c2c6b", "#2d6a4f", "#5c4b8a", "#8c4a00",
)  # fmt: skip


def initials(person: User) -> str:
    """Up to two letters: the first of the first two words of the name."""
    words = [word for word in (person.display_name or "").split() if word[:1].isalnum()]
    letters = "".join(word[0] for word in words[:2]) or (person.handle or "?")[:1]
    return letters.upper()


def colour(person: User) -> str:
    """A colour that is always the same for the same handle (unlike Python's hash())."""
    digest = hashlib.sha256((person.handle or "").encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _photo_version(person: User) -> str | None:
    """The photo's version for its address, or None without a photo. The profile is
    read from what the page's query loaded with the person (`select_related(
    "person__profile")`, as every page with avatars does): never a query per face."""
    profile: Profile | None = person._state.fields_cache.get("profile")
    if profile is None or not profile.avatar:
        return None
    return str(int(profile.updated_at.timestamp())) if profile.updated_at else "0"


@register.inclusion_tag("people/_avatar.html")
def avatar(person: User | None, size: int = 40) -> dict[str, Any]:
    """`{% avatar person 48 %}`: decorative (the name is always written beside it)."""
    if person is None:
        return {"size": size, "initials": "?", "colour": PALETTE[7], "photo_version": None}
    return {
        "person": person,
        "size": size,
        "initials": initials(person),
        "colour": colour(person),
        "photo_version": _photo_version(person),
    }


@register.inclusion_tag("people/_person.html")
def person(who: User | None, size: int = 24, *, meta: str = "") -> dict[str, Any]:
    """`{% person post.author 24 %}`: the face and the name, linked to the profile (the
    one way every page names a member). `meta` is a quieter word after the name."""
    return {"who": who, "size": size, "meta": meta}
