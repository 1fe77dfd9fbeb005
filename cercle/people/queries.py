"""Reads about people that pages (and later the API) share; every one asks
`cercle.permissions`, and counts only what the reader may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.http import Http404
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from cercle import permissions
from cercle import sections as page_sections
from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Role, Status
from cercle.conversations.models import Post, Reaction, ReactionKind, Tag, Topic
from cercle.people import actions
from cercle.people.models import (
    Expertise,
    FieldVisibility,
    Level,
    Profile,
    stored_or_default_profile,
)
from cercle.search.query import MAX_LIMIT, SearchFilters, search

Actor = permissions.Actor
RECENT_CONTRIBUTIONS = 10
DIRECTORY_PAGE_SIZE = 24


# --- Who may see whom -------------------------------------------------------------------------


def shared_communities(reader: Actor, person: User) -> list[Community]:
    """The communities where both are active members (and the reader meets the audience)."""
    if not reader.is_authenticated:
        return []
    return list(
        Community.objects.filter(
            pk__in=permissions.communities_shared_with(reader).values("community_id"),
        )
        .filter(memberships__person_id=person.pk, memberships__status=Status.ACTIVE)
        .order_by("name")
    )


# --- Profile page -----------------------------------------------------------------------------


@dataclass
class ProfilePage:
    person: User
    profile: Profile
    is_self: bool
    shows_email: bool
    shows_organization: bool
    shows_location: bool
    expertise: list[Expertise]
    shared: list[Community]
    accepted_answers: int
    helpful_reactions: int
    contributions: list[Post]
    following: bool
    may_follow: bool
    # What the apps above add (the person's badges...): cercle/sections.py.
    sections: list[page_sections.Shown] = field(default_factory=list)


def shows_field(visibility: str, *, is_self: bool, shares_a_community: bool) -> bool:
    """Whether a field with this visibility is shown to someone who sees the profile."""
    if is_self or visibility == FieldVisibility.PROFILE:
        return True
    return visibility == FieldVisibility.COMMUNITIES and shares_a_community


def person_for(reader: Actor, handle: str) -> User:
    """The person at `handle`, with their profile, or a 404 when the reader may not see them."""
    person = User.objects.select_related("profile").filter(handle=handle).first()
    if person is None or not permissions.may_see_person(reader, person):
        raise Http404
    return person


def profile_page(reader: Actor, handle: str) -> ProfilePage:
    person = person_for(reader, handle)
    profile = stored_or_default_profile(person)
    is_self = reader.is_authenticated and reader.pk == person.pk
    shared = shared_communities(reader, person)
    readable = permissions.readable_spaces_everywhere(reader).values("pk")
    readable_communities = permissions.readable_spaces_everywhere(reader).values("community_id")
    contributions = list(
        Post.objects.filter(
            author=person,
            # Written as a persona: the persona's, never shown as the writer's.
            persona=None,
            deleted_at=None,
            is_hidden=False,
            topic__is_hidden=False,
            topic__merged_into=None,
            topic__space__in=readable,
        )
        .select_related("topic__space", "topic__community")
        .order_by("-created_at", "-pk")[:RECENT_CONTRIBUTIONS]
    )
    accepted = Topic.objects.filter(
        accepted_answer__author=person,
        accepted_answer__persona=None,
        accepted_answer__deleted_at=None,
        accepted_answer__is_hidden=False,
        is_hidden=False,
        space__in=readable,
    ).count()
    helpful = Reaction.objects.filter(
        kind=ReactionKind.HELPFUL,
        post__author=person,
        post__persona=None,
        post__deleted_at=None,
        post__is_hidden=False,
        post__topic__is_hidden=False,
        post__topic__space__in=readable,
    ).count()
    # Tags belong to communities: only those whose content the reader may read.
    expertise = list(
        Expertise.objects.filter(person=person, tag__community_id__in=readable_communities)
        .select_related("tag__community")
        .order_by("-level", "tag__community__name", "tag__name")
    )
    may_follow = bool(reader.is_authenticated and not is_self)
    shares = bool(shared)
    return ProfilePage(
        person=person,
        profile=profile,
        is_self=is_self,
        shows_email=shows_field(
            profile.email_visibility, is_self=is_self, shares_a_community=shares
        ),
        shows_organization=shows_field(
            profile.organization_visibility, is_self=is_self, shares_a_community=shares
        ),
        shows_location=shows_field(
            profile.location_visibility, is_self=is_self, shares_a_community=shares
        ),
        expertise=expertise,
        shared=shared,
        accepted_answers=accepted,
        helpful_reactions=helpful,
        contributions=contributions,
        following=may_follow and actions.is_following(reader, person),
        may_follow=may_follow,
        sections=page_sections.gather("people.profile", reader=reader, person=person),
    )


@dataclass
class Photo:
    file: FieldFile
    content_type: str


PHOTO_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}


def photo_of(person: User) -> Photo | None:
    """The person's uploaded photo (stored under a name whose extension Cercle chose)."""
    avatar = stored_or_default_profile(person).avatar
    if not avatar:
        return None
    extension = avatar.name.rsplit(".", 1)[-1] if avatar.name else ""
    return Photo(file=avatar, content_type=PHOTO_TYPES.get(extension, "application/octet-stream"))


# --- Editing one's expertise ------------------------------------------------------------------


def expertise_tags(actor: User) -> list[tuple[Community, list[Tag]]]:
    """The tags a member may declare expertise with: those of their active communities."""
    tags = (
        Tag.objects.filter(
            community_id__in=permissions.communities_shared_with(actor).values("community_id"),
        )
        .select_related("community")
        .order_by("community__name", "community_id", "name")
    )
    grouped: dict[int, tuple[Community, list[Tag]]] = {}
    for tag in tags:
        grouped.setdefault(tag.community_id, (tag.community, []))[1].append(tag)
    return list(grouped.values())


def my_expertise(actor: User) -> list[Expertise]:
    return list(
        Expertise.objects.filter(person=actor)
        .select_related("tag__community")
        .order_by("tag__community__name", "tag__name")
    )


# --- Member directory --------------------------------------------------------------------------


def reads_directory(access: permissions.CommunityAccess) -> bool:
    """The directory and "who knows what" are seen by those who read the open spaces."""
    return access.reads_open_spaces()


def directory(
    actor: Actor,
    community: Community,
    *,
    query: str = "",
    tag: Tag | None = None,
    role: str = "",
) -> QuerySet[Membership]:
    """The community's active members the actor may see, by name, with their profile
    and their expertise in this community (`person.community_expertise`)."""
    members = Membership.objects.filter(community=community, status=Status.ACTIVE).filter(
        permissions.visible_people(actor, "person__")
    )
    query = " ".join(query.split())[:100]
    if query:
        handle = slugify(query.lstrip("@"))
        by_name = Q(person__display_name__icontains=query)
        members = members.filter(
            by_name | Q(person__handle__icontains=handle) if handle else by_name
        )
    if tag is not None:
        members = members.filter(person__expertise__tag=tag)
    if role in Role.values:
        members = members.filter(role=role)
    return (
        members.select_related("person__profile")
        .prefetch_related(
            Prefetch(
                "person__expertise",
                queryset=Expertise.objects.filter(tag__community=community)
                .select_related("tag")
                .order_by("-level", "tag__name"),
                to_attr="community_expertise",
            )
        )
        .order_by("person__display_name", "person_id")
    )


# --- Who knows what ------------------------------------------------------------------------------

WEIGHT_DECLARED = 3
WEIGHT_ACCEPTED = 5
WEIGHT_HELPFUL = 1


@dataclass
class Expert:
    person: User
    score: int
    declared_level: int  # 0 when nothing is declared
    accepted_answers: int
    helpful_reactions: int
    evidence: list[str] = field(default_factory=list)


def who_knows_what(
    actor: Actor,
    community: Community,
    *,
    tag: Tag | None = None,
    text: str = "",
    limit: int = 10,
) -> list[Expert]:
    """The active members of `community` who know about `tag` and/or `text`, best first.

    The subject is a set of topics: those tagged `tag`, those matching `text` (the 100
    best hits of `cercle.search.query.search` in this community), both at once, or
    every topic of the community when neither is given. Each member is scored by what
    they declare and what they have shown:

        score = 3 * declared level + 5 * accepted answers + 1 * "helpful" reactions

    - declared level: 1 learning, 2 practising, 3 expert, on `tag` (with `text` only,
      the highest level on the community's tags whose name matches the text; with
      neither, the highest level on any of its tags); 0 when nothing is declared;
    - accepted answers: answers they wrote that were accepted, in the subject's topics;
    - "helpful" reactions: received on their posts in the subject's topics.
    Ties go to more accepted answers, then more reactions, then the higher declared
    level, then the older account. Members with a score of 0 are left out.

    Only what the actor may see counts: topics in spaces the actor reads (a private
    space's answers never show through someone's evidence), neither hidden nor
    deleted posts; and only members the actor may see (`permissions.visible_people`). Someone
    who may not read the community's open spaces gets an empty list.

    Knowledge articles come later: `_article_counts()` is the hook where they will
    add their own demonstrated expertise (its weight and its evidence line).

    Each expert carries `evidence`: the reasons, in words, in the active language
    ("12 accepted answers tagged #cargo-bikes", "declares: expert").
    """
    access = permissions.community_access(actor, community)
    if not reads_directory(access) or limit <= 0:
        return []
    if tag is not None and tag.community_id != community.pk:
        return []
    text = " ".join(text.split())[:200]
    topics = Topic.objects.filter(
        community=community,
        is_hidden=False,
        merged_into=None,
        space__in=permissions.readable_spaces(access).values("pk"),
    )
    if tag is not None:
        topics = topics.filter(tags=tag)
    if text:
        topics = topics.filter(pk__in=_topics_matching(actor, community, text))
    members = (
        Membership.objects.filter(community=community, status=Status.ACTIVE)
        .filter(permissions.visible_people(actor, "person__"))
        .values("person_id")
    )
    declared_tags = _declared_scope(community, tag, text)
    declared = dict(
        Expertise.objects.filter(person_id__in=members, tag__in=declared_tags)
        .values("person_id")
        .annotate(level=Max("level"))
        .values_list("person_id", "level")
    )
    accepted = dict(
        topics.filter(
            accepted_answer__author_id__in=members,
            # What is said as a persona credits no one's expertise (docs/personas.md).
            accepted_answer__persona=None,
            accepted_answer__deleted_at=None,
            accepted_answer__is_hidden=False,
        )
        .values("accepted_answer__author_id")
        .annotate(count=Count("pk"))
        .values_list("accepted_answer__author_id", "count")
    )
    helpful = dict(
        Reaction.objects.filter(
            kind=ReactionKind.HELPFUL,
            post__topic__in=topics,
            post__author_id__in=members,
            post__persona=None,
            post__deleted_at=None,
            post__is_hidden=False,
        )
        .values("post__author_id")
        .annotate(count=Count("pk"))
        .values_list("post__author_id", "count")
    )
    articles = _article_counts(actor, community, topics)
    ranked = sorted(
        (
            (
                declared.get(pk, 0) * WEIGHT_DECLARED
                + accepted.get(pk, 0) * WEIGHT_ACCEPTED
                + helpful.get(pk, 0) * WEIGHT_HELPFUL
                + articles.get(pk, 0),
                pk,
            )
            for pk in set(declared) | set(accepted) | set(helpful) | set(articles)
        ),
        key=lambda row: (
            -row[0],
            -accepted.get(row[1], 0),
            -helpful.get(row[1], 0),
            -declared.get(row[1], 0),
            row[1],
        ),
    )
    top = [(score, pk) for score, pk in ranked if score > 0][:limit]
    if not top:
        return []
    people = User.objects.select_related("profile").in_bulk([pk for _score, pk in top])
    declared_on: dict[int, Tag] = {}
    if tag is None and declared:
        # Which tag each of the shown experts declares their level on, for the evidence.
        for row in (
            Expertise.objects.filter(person_id__in=[pk for _s, pk in top], tag__in=declared_tags)
            .select_related("tag")
            .order_by("-level", "tag__name")
        ):
            declared_on.setdefault(row.person_id, row.tag)
    experts = []
    for score, pk in top:
        expert = Expert(
            person=people[pk],
            score=score,
            declared_level=declared.get(pk, 0),
            accepted_answers=accepted.get(pk, 0),
            helpful_reactions=helpful.get(pk, 0),
        )
        expert.evidence = _evidence(expert, tag=tag, text=text, declared_on=declared_on.get(pk))
        experts.append(expert)
    return experts


def _topics_matching(actor: Actor, community: Community, text: str) -> set[int]:
    """The topics among the best search hits for `text` in this community (the search
    itself keeps to what the actor may read)."""
    hits, _total = search(actor, text, SearchFilters(community_id=community.pk), limit=MAX_LIMIT)
    topic_ids = {hit.object_id for hit in hits if hit.kind == "topic"}
    reply_ids = [hit.object_id for hit in hits if hit.kind == "post"]
    if reply_ids:
        topic_ids |= set(Post.objects.filter(pk__in=reply_ids).values_list("topic_id", flat=True))
    return topic_ids


def _declared_scope(community: Community, tag: Tag | None, text: str) -> QuerySet[Tag]:
    """The tags whose declared expertise counts for this question."""
    if tag is not None:
        return Tag.objects.filter(pk=tag.pk)
    tags = Tag.objects.filter(community=community)
    if not text:
        return tags
    slugs = {slugify(text), *(slugify(word) for word in text.split())} - {""}
    return tags.filter(Q(name__icontains=text) | Q(slug__in=slugs))


def _article_counts(actor: Actor, community: Community, topics: QuerySet[Topic]) -> dict[int, int]:
    """The hook for knowledge articles (not built yet): points per person for the
    articles they wrote on the subject that the actor may read. When articles exist,
    return their weighted counts here and add their evidence line in `_evidence`."""
    return {}


def level_word(level: int) -> str:
    """The level as it reads inside a sentence ("declares: expert")."""
    if level == Level.EXPERT:
        return pgettext("declared expertise", "expert")
    if level == Level.PRACTISING:
        return pgettext("declared expertise", "practising")
    return pgettext("declared expertise", "learning")


def _evidence(expert: Expert, *, tag: Tag | None, text: str, declared_on: Tag | None) -> list[str]:
    """Why this person ranks, in words, in the active language."""
    evidence = []
    if expert.declared_level:
        level = level_word(expert.declared_level)
        if tag is not None or declared_on is None:
            evidence.append(_("declares: %(level)s") % {"level": level})
        else:
            evidence.append(
                _("declares: %(level)s on #%(tag)s") % {"level": level, "tag": declared_on.slug}
            )
    tag_slug = tag.slug if tag is not None else ""
    if expert.accepted_answers:
        evidence.append(_accepted_line(expert.accepted_answers, tag_slug, text))
    if expert.helpful_reactions:
        evidence.append(_helpful_line(expert.helpful_reactions, tag_slug, text))
    return evidence


def _accepted_line(count: int, tag: str, text: str) -> str:
    values = {"count": count, "tag": tag, "text": text}
    if tag and text:
        return (
            ngettext(
                "%(count)d accepted answer tagged #%(tag)s about “%(text)s”",
                "%(count)d accepted answers tagged #%(tag)s about “%(text)s”",
                count,
            )
            % values
        )
    if tag:
        return (
            ngettext(
                "%(count)d accepted answer tagged #%(tag)s",
                "%(count)d accepted answers tagged #%(tag)s",
                count,
            )
            % values
        )
    if text:
        return (
            ngettext(
                "%(count)d accepted answer about “%(text)s”",
                "%(count)d accepted answers about “%(text)s”",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)d accepted answer in this community",
            "%(count)d accepted answers in this community",
            count,
        )
        % values
    )


def _helpful_line(count: int, tag: str, text: str) -> str:
    values = {"count": count, "tag": tag, "text": text}
    if tag and text:
        return (
            ngettext(
                "%(count)d “helpful” reaction on posts tagged #%(tag)s about “%(text)s”",
                "%(count)d “helpful” reactions on posts tagged #%(tag)s about “%(text)s”",
                count,
            )
            % values
        )
    if tag:
        return (
            ngettext(
                "%(count)d “helpful” reaction on posts tagged #%(tag)s",
                "%(count)d “helpful” reactions on posts tagged #%(tag)s",
                count,
            )
            % values
        )
    if text:
        return (
            ngettext(
                "%(count)d “helpful” reaction on posts about “%(text)s”",
                "%(count)d “helpful” reactions on posts about “%(text)s”",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)d “helpful” reaction in this community",
            "%(count)d “helpful” reactions in this community",
            count,
        )
        % values
    )
