"""People: a community's member directory and its "who knows what"
(/communities/{slug}/people, /communities/{slug}/experts), and a person's profile
(/people/{handle}) as the profile page shows it to the caller: the person only when
the caller may see them (`permissions.may_see_person`, a 404 otherwise), their email,
organisation and location only as they chose, their contributions and expertise only
where the caller may read."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F
from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from cercle import permissions
from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.pagination import Page, cursor_page
from cercle.api.problems import ERRORS
from cercle.api.routes.community_kit import (
    CommunityRef,
    PersonRef,
    absolute,
    community_ref,
    need,
    person_ref,
)
from cercle.communities.models import Community
from cercle.conversations.models import Tag
from cercle.people import queries
from cercle.people.models import Expertise, stored_or_default_profile

community_router = Router(tags=["people"])
router = Router(tags=["people"])

EXPERTS_SHOWN = 20


class ExpertiseOut(Schema):
    tag: str
    level: int  # 1 learning, 2 practising, 3 expert
    level_label: str


class MemberOut(Schema):
    id: int  # the membership
    person: PersonRef
    headline: str
    role: str
    joined_at: datetime | None
    expertise: list[ExpertiseOut]


class ExpertOut(Schema):
    person: PersonRef
    headline: str
    score: int
    declared_level: int
    accepted_answers: int
    helpful_reactions: int
    evidence: list[str]


class CommunityExpertiseOut(ExpertiseOut):
    community: CommunityRef


class LinkOut(Schema):
    label: str
    url: str


class ContributionOut(Schema):
    post_id: int
    topic_id: int
    topic_title: str
    community: CommunityRef
    created_at: datetime
    url: str


class ProfileOut(Schema):
    handle: str
    display_name: str
    is_self: bool
    is_public: bool
    headline: str
    bio_html: str
    # Null when the person chose not to show it to you.
    email: str | None
    organization: str | None
    location: str | None
    languages: list[str]
    interests: str
    ask_me_about: str
    links: list[LinkOut]
    expertise: list[CommunityExpertiseOut]
    shared_communities: list[CommunityRef]
    accepted_answers: int
    helpful_reactions: int
    contributions: list[ContributionOut]
    following: bool
    may_follow: bool
    url: str


def _expertise(row: Expertise) -> ExpertiseOut:
    return ExpertiseOut(tag=row.tag.slug, level=row.level, level_label=row.get_level_display())


def _headline(person: object) -> str:
    profile = getattr(person, "profile", None)
    return str(getattr(profile, "headline", "") or "")


# --- A community's people -------------------------------------------------------------------


def _reading(request: HttpRequest, slug: str) -> tuple[User, Community]:
    """The community's people are seen by those who read its open spaces (a 404 for
    the others, as the directory page answers)."""
    person = need(request, Scope.READ)
    community, access = permissions.community_for(person, slug)
    if not queries.reads_directory(access):
        raise Http404
    return person, community


@community_router.get(
    "/{slug}/people",
    response={200: Page[MemberOut], **ERRORS},
    summary="List a community's members",
)
def directory(
    request: HttpRequest,
    slug: str,
    q: str = "",
    tag: str = "",
    role: str = "",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page[MemberOut]:
    """The community's active members you may see, by name, as its directory lists
    them (for those who read its open spaces): `q` searches names and handles, `tag`
    keeps those who declare expertise on a tag (its slug), `role` (coordinator,
    moderator, member) filters."""
    person, community = _reading(request, slug)
    chosen = Tag.objects.filter(community=community, slug=tag).first() if tag else None
    if tag and chosen is None:
        return Page[MemberOut](items=[], next_cursor=None)
    # Ordered by an annotation: a cursor keeps plain values, not related rows.
    members = queries.directory(person, community, query=q, tag=chosen, role=role).annotate(
        person_name=F("person__display_name")
    )
    rows, next_cursor = cursor_page(
        members, ordering=("person_name", "pk"), cursor=cursor, limit=limit
    )
    return Page[MemberOut](
        items=[
            MemberOut(
                id=row.pk,
                person=person_ref(row.person),
                headline=_headline(row.person),
                role=row.role,
                joined_at=row.joined_at,
                expertise=[_expertise(e) for e in getattr(row.person, "community_expertise", [])],
            )
            for row in rows
        ],
        next_cursor=next_cursor,
    )


@community_router.get(
    "/{slug}/experts", response={200: Page[ExpertOut], **ERRORS}, summary="Who knows what"
)
def experts(request: HttpRequest, slug: str, q: str = "", tag: str = "") -> Page[ExpertOut]:
    """The members who know about a tag (`tag`, its slug) and/or a subject (`q`),
    best first, with the evidence in words: the first 20, as the page shows them
    (one page; `next_cursor` is always null)."""
    person, community = _reading(request, slug)
    chosen = Tag.objects.filter(community=community, slug=tag).first() if tag else None
    if tag and chosen is None:
        return Page[ExpertOut](items=[], next_cursor=None)
    found = queries.who_knows_what(person, community, tag=chosen, text=q[:200], limit=EXPERTS_SHOWN)
    return Page[ExpertOut](
        items=[
            ExpertOut(
                person=person_ref(expert.person),
                headline=_headline(expert.person),
                score=expert.score,
                declared_level=expert.declared_level,
                accepted_answers=expert.accepted_answers,
                helpful_reactions=expert.helpful_reactions,
                evidence=expert.evidence,
            )
            for expert in found
        ],
        next_cursor=None,
    )


# --- A profile ---------------------------------------------------------------------------------


@router.get("/{handle}", response={200: ProfileOut, **ERRORS}, summary="A person's profile")
def profile(request: HttpRequest, handle: str) -> ProfileOut:
    """The profile at `handle` as its page shows it to you; a 404 when you may not
    see the person (their profile is private and you share no community)."""
    reader = need(request, Scope.READ)
    page = queries.profile_page(reader, handle)
    person, shown = page.person, page.profile
    stored = stored_or_default_profile(person)
    return ProfileOut(
        handle=person.handle,
        display_name=person.display_name,
        is_self=page.is_self,
        is_public=stored.is_public,
        headline=shown.headline,
        bio_html=shown.bio_html,
        email=person.email if page.shows_email else None,
        organization=shown.organization if page.shows_organization else None,
        location=shown.location if page.shows_location else None,
        languages=list(shown.languages),
        interests=shown.interests,
        ask_me_about=shown.ask_me_about,
        links=[LinkOut(label=link["label"], url=link["url"]) for link in shown.links],
        expertise=[
            CommunityExpertiseOut(
                tag=row.tag.slug,
                level=row.level,
                level_label=row.get_level_display(),
                community=community_ref(row.tag.community),
            )
            for row in page.expertise
        ],
        shared_communities=[community_ref(community) for community in page.shared],
        accepted_answers=page.accepted_answers,
        helpful_reactions=page.helpful_reactions,
        contributions=[
            ContributionOut(
                post_id=post.pk,
                topic_id=post.topic_id,
                topic_title=post.topic.title,
                community=community_ref(post.topic.community),
                created_at=post.created_at,
                url=absolute(post.get_absolute_url()),
            )
            for post in page.contributions
        ],
        following=page.following,
        may_follow=page.may_follow,
        url=absolute(reverse("profile", kwargs={"handle": person.handle})),
    )
