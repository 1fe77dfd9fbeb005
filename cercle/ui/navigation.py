"""The community navigation that stays put: the sidebar on a desktop, the drawer on a
phone, and the one "Create" menu, drawn by the base layout on every page of a community.

A page of a community says so by its address (`/c/<slug>/...`): the layout's context
processor (`context_processors.site`) hands the template a lazy `community_nav`, read
only where the layout draws the navigation, which calls `community_nav()` once. It asks
the permissions package every question (what the person reads, may post, may animate),
and reads in a fixed number of queries whatever the number of spaces and topics:

- the community and its spaces (one query),
- the person's membership and, for a member listed in private spaces, those listings
  (`permissions.community_access`, one or two queries),
- the unread topics of every space at once (one grouped query, members only).

The features above this layer (library, wiki, events...) are named by their URL names
only: the navigation imports none of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, FilteredRelation, Q
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.communities.models import Community, Space
from cercle.conversations.models import Kind, Topic

# How far back a topic that the member never opened still counts as unread: older ones
# are the community's archive, found through the lists and search, not a to-do.
UNREAD_WINDOW = timedelta(days=30)


@dataclass
class Link:
    label: str
    url: str
    icon: str
    current: bool = False


@dataclass
class SpaceLink:
    space: Space
    url: str
    unread: int
    current: bool


@dataclass
class CommunityNav:
    community: Community
    home: Link
    spaces: list[SpaceLink]
    # Library, wiki, events... for those who read the community.
    places: list[Link]
    # The animators' tools, for those the permissions let animate (empty otherwise).
    animate: list[Link] = field(default_factory=list)
    # Everything the person may create here, each to its creation page.
    create: list[Link] = field(default_factory=list)

    @property
    def unread_total(self) -> int:
        return sum(item.unread for item in self.spaces)


def unread_by_space(access: permissions.CommunityAccess, spaces: list[Space]) -> dict[int, int]:
    """For a member, how many topics of each space they have not read to the end, in
    one query: topics with activity since they joined (and within `UNREAD_WINDOW`),
    not last written by them, never opened or opened before their last reply."""
    if not access.is_member or not spaces or access.membership is None:
        return {}
    now = timezone.now()
    joined: datetime = access.membership.joined_at or now - UNREAD_WINDOW
    since = max(joined, now - UNREAD_WINDOW)
    reader = access.actor.pk
    rows = (
        Topic.objects.filter(
            space_id__in=[space.pk for space in spaces],
            merged_into=None,
            is_hidden=False,
            last_activity_at__gt=since,
        )
        .exclude(last_poster_id=reader)
        .alias(mine=FilteredRelation("read_states", condition=Q(read_states__person_id=reader)))
        .filter(Q(mine__id=None) | Q(mine__last_read_position__lt=F("last_position")))
        .values("space_id")
        .annotate(unread=Count("pk"))
        .order_by()
    )
    return {row["space_id"]: row["unread"] for row in rows}


def _link(
    label: str, view: str, icon: str, current_view: str, *, query: str = "", **kwargs: str
) -> Link | None:
    try:
        url = reverse(view, kwargs=kwargs)
    except NoReverseMatch:  # a feature left out of the URLs (a trimmed installation)
        return None
    return Link(label, url + query, icon, current=view == current_view and not query)


def _links(*candidates: Link | None) -> list[Link]:
    return [link for link in candidates if link is not None]


def community_nav(
    actor: permissions.Actor,
    slug: str,
    *,
    current_view: str = "",
    current_space: str = "",
) -> CommunityNav | None:
    """The navigation of the community at `slug` for `actor`, or None when they may not
    see the community (the page itself answers that)."""
    spaces = list(Space.objects.filter(community__slug=slug).select_related("community"))
    if not spaces:
        return None
    community = spaces[0].community
    access = permissions.community_access(actor, community)
    if not access.sees_landing():
        return None
    readable = [space for space in spaces if access.reads(space)]
    unread = unread_by_space(access, readable)
    reads = access.reads_open_spaces()
    home = Link(
        _("Community home"),
        community.get_absolute_url(),
        "house",
        current=current_view == "community",
    )
    space_links = [
        SpaceLink(
            space,
            space.get_absolute_url(),
            unread.get(space.pk, 0),
            current=space.slug == current_space,
        )
        for space in readable
    ]
    # Where the wiki and new topics go: the space the person is in, else the default one.
    here = next((space for space in readable if space.slug == current_space), None)
    default = next((space for space in readable if space.is_default), None)
    target = here or default or (readable[0] if readable else None)
    at = {"slug": slug}
    places: list[Link] = []
    if reads:
        places = _links(
            _link(_("Library"), "knowledge:library", "library", current_view, **at),
            _link(_("Wiki"), "wiki_space", "book-open", current_view, space=target.slug, **at)
            if target
            else None,
            _link(_("Events"), "events:list", "calendar-days", current_view, **at),
            _link(_("Activities"), "activities:list", "vote", current_view, **at),
            _link(_("Contests"), "contests:list", "trophy", current_view, **at),
            _link(_("Ideas"), "ideas:board", "lightbulb", current_view, **at),
            _link(_("Members"), "community_people", "users", current_view, **at),
            _link(_("Who knows what?"), "community_experts", "graduation-cap", current_view, **at),
            _link(_("Badges"), "badges:community", "award", current_view, **at),
        )
    animate: list[Link] = []
    if permissions.cockpit.may_see_cockpit(access):
        animate += _links(
            _link(_("Cockpit"), "analytics:cockpit", "gauge", current_view, **at),
            _link(_("Next actions"), "nextactions:queue", "list-checks", current_view, **at),
        )
    if access.may_animate():
        animate += _links(
            _link(_("Editorial calendar"), "animation:calendar", "calendar", current_view, **at),
            _link(_("Newcomers"), "onboarding:newcomers", "user-plus", current_view, **at),
            _link(_("Rituals"), "events:rituals", "clock", current_view, **at),
        )
    if permissions.personas.may_manage_personas(access):
        animate += _links(_link(_("Personas"), "personas:list", "user-round", current_view, **at))
    if permissions.value.may_read_value_stories(access) and access.may_animate():
        stories = _link(_("Value stories"), "value:stories", "sparkles", current_view, **at)
        animate += _links(stories)
    return CommunityNav(
        community=community,
        home=home,
        spaces=space_links,
        places=places,
        animate=animate,
        create=create_links(access, slug, target, readable),
    )


def create_links(
    access: permissions.CommunityAccess, slug: str, target: Space | None, readable: list[Space]
) -> list[Link]:
    """Every kind of thing the person may create in this community, each going to its
    existing creation page, in the order of the three levels of engagement."""
    at = {"slug": slug}
    links: list[Link | None] = []
    if target is not None:
        in_space = {"slug": slug, "space": target.slug}
        if permissions.conversations.may_start_topic(access, target, Kind.DISCUSSION):
            links.append(_link(_("Discussion"), "topic_new", "message-square", "", **in_space))
        if permissions.conversations.may_start_topic(access, target, Kind.QUESTION):
            links.append(
                _link(
                    _("Question"),
                    "topic_new",
                    "message-circle-question",
                    "",
                    query="?kind=question",
                    **in_space,
                )
            )
    if access.may_animate():
        links += [
            _link(_("Poll"), "activities:new_poll", "vote", "", **at),
            _link(_("Quiz"), "activities:new_quiz", "circle-help", "", **at),
            _link(_("Challenge"), "activities:new_challenge", "target", "", **at),
            _link(_("Contest"), "contests:new", "trophy", "", **at),
            _link(_("Event"), "events:new", "calendar-plus", "", **at),
            _link(_("Ritual"), "events:new_ritual", "clock", "", **at),
        ]
    if target is not None and access.may_post(target):
        links.append(_link(_("Wiki article"), "wiki_new", "file-text", "", space=target.slug, **at))
    if any(access.may_post(space) for space in readable):
        links.append(_link(_("Library resource"), "knowledge:library", "library", "", **at))
        links.append(_link(_("Idea"), "ideas:new", "lightbulb", "", **at))
    if access.may_animate():
        links.append(_link(_("Planned post"), "animation:new_post", "calendar-days", "", **at))
    return _links(*links)


def for_request(request: HttpRequest) -> CommunityNav | None:
    """The navigation for the community the requested address is in, if any."""
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match is not None else None
    if not slug or not isinstance(slug, str):
        return None
    user = getattr(request, "user", None)
    if user is None:
        return None
    return community_nav(
        user,
        slug,
        current_view=match.view_name if match is not None else "",
        current_space=str(match.kwargs.get("space", "")) if match is not None else "",
    )
