"""Reads about personas; every one asks `cercle.permissions`."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from cercle import permissions
from cercle.communities.models import Community
from cercle.conversations.models import Post
from cercle.personas.models import Persona

Actor = permissions.Actor
RECENT_POSTS = 10
MAX_PERSONAS = 100


def personas_page(
    actor: Actor, slug: str
) -> tuple[Community, permissions.CommunityAccess, list[Persona]]:
    """The personas whoever sees the landing page may meet: the active ones, and the
    retired ones too for those who manage them."""
    community, access = permissions.community_for(actor, slug)
    personas = Persona.objects.filter(community=community)
    if not permissions.personas.may_manage_personas(access):
        personas = personas.filter(is_active=True)
    return community, access, list(personas.order_by("-is_active", "name")[:MAX_PERSONAS])


def persona_for(
    actor: Actor, slug: str, persona_slug: str
) -> tuple[Persona, permissions.CommunityAccess]:
    """A persona's page is seen by whoever sees the community's landing page; a retired
    persona's too, since its posts still link to it."""
    community, access = permissions.community_for(actor, slug)
    persona = Persona.objects.filter(community=community, slug=persona_slug).first()
    if persona is None:
        raise Http404
    persona.community = community
    return persona, access


def recent_posts(persona: Persona, access: permissions.CommunityAccess) -> list[Post]:
    """What the persona said lately, where the reader may read it."""
    return list(
        Post.objects.filter(
            persona=persona,
            deleted_at=None,
            is_hidden=False,
            topic__is_hidden=False,
            topic__merged_into=None,
            topic__space__in=permissions.readable_spaces(access),
        )
        .select_related("topic__space", "topic__community")
        .order_by("-created_at", "-pk")[:RECENT_POSTS]
    )


def speakable(access: permissions.CommunityAccess) -> list[Persona]:
    """The personas the actor may speak as here (the same rule as `may_speak_as`, as
    one query), for the "Post as" choice of the composer."""
    if not access.is_member:
        return []
    personas = Persona.objects.filter(community=access.community, is_active=True)
    if not access.is_coordinator:
        personas = personas.filter(speakers=access.actor.pk)
    return list(personas.order_by("name")[:MAX_PERSONAS])


def audit_log(access: permissions.CommunityAccess) -> QuerySet[Post]:
    """Every post written as one of the community's personas, newest first, with its
    real writer. Coordinators read every space; staff, rescuing a community, see only
    the posts of the spaces their own membership opens to them."""
    posts = Post.objects.filter(persona__community=access.community)
    if not access.is_coordinator:
        posts = posts.filter(topic__space__in=permissions.readable_spaces(access))
    return posts.select_related("persona", "author", "topic__space", "topic__community").order_by(
        "-created_at", "-pk"
    )


def names_on_landing(community: Community, limit: int = 4) -> list[str]:
    """The names of the community's active personas, for its landing page (one query)."""
    return list(
        Persona.objects.filter(community=community, is_active=True)
        .order_by("name")
        .values_list("name", flat=True)[:limit]
    )
