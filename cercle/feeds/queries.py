"""What each feed carries, read through the permissions package exactly as the pages.

A feed is a community's, a space's, a tag's, a person's or a search's latest entries,
as `actor` may read them: an anonymous visitor for the public addresses, the owner of
the key for the secret ones (`/feeds/k/<key>/...`). Every entry is a topic (its opening
post's rendered HTML as content) or, in a person's feed, one of their posts. A fixed
number of queries, whatever the number of entries.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Status
from cercle.conversations.models import Post, Tag, Topic
from cercle.conversations.rendering import plain_text
from cercle.feeds.models import FeedKey
from cercle.people.queries import person_for
from cercle.search.forms import SearchForm
from cercle.search.query import search_topics
from cercle.search.results import Result
from cercle.search.results import results as results_of

# Entries in a feed: readers fetch often and keep what they saw.
FEED_ENTRIES = 30
SUMMARY_CHARS = 280


@dataclass(frozen=True)
class Entry:
    """One item of a feed; addresses are paths (the view makes them absolute)."""

    url: str
    title: str
    published: datetime
    updated: datetime
    # The public name: a persona's name for what was written as one, never its writer.
    author_name: str
    content_html: str  # rendered and sanitized at save (cercle/richtext.py)
    summary: str  # plain text
    tags: tuple[str, ...] = ()


@dataclass
class Feed:
    title: str
    description: str
    page_url: str  # the page the feed follows
    # When nothing is in the feed: the date it would otherwise take (stable, for caches).
    origin: datetime
    language: str = ""
    entries: list[Entry] = field(default_factory=list)

    @property
    def updated(self) -> datetime:
        return max((entry.updated for entry in self.entries), default=self.origin)


def reader_for_key(key: str | None) -> permissions.Actor:
    """Who reads a feed: an anonymous visitor without a key, the key's owner with one
    (a 404 when the key is unknown, renewed, or its owner deactivated)."""
    if key is None:
        return AnonymousUser()
    found = FeedKey.objects.filter(key=key, person__is_active=True).select_related("person").first()
    if found is None or not hmac.compare_digest(found.key, key):
        raise Http404
    return found.person


# --- Topics: a community, a space, a tag ---------------------------------------------------


def _summary(html: str) -> str:
    return Truncator(plain_text(html)).chars(SUMMARY_CHARS)


def _topic_entries(topics: QuerySet[Topic]) -> list[Entry]:
    """The newest visible topics of `topics` (already limited to readable spaces), each
    with its opening post: three queries."""
    shown = list(
        topics.filter(is_hidden=False, merged_into=None)
        .select_related("author", "persona", "space", "community")
        .prefetch_related("tags")
        .order_by("-created_at", "-pk")[:FEED_ENTRIES]
    )
    openings = {
        post.topic_id: post
        for post in Post.objects.filter(topic__in=[topic.pk for topic in shown], position=0)
    }
    entries = []
    for topic in shown:
        opening = openings.get(topic.pk)
        removed = opening is None or opening.is_hidden or opening.deleted_at is not None
        html = "" if removed or opening is None else opening.body_html
        edited = None if removed or opening is None else opening.edited_at
        entries.append(
            Entry(
                url=topic.get_absolute_url(),
                title=topic.title,
                published=topic.created_at,
                updated=max(topic.created_at, edited or topic.created_at),
                author_name=_public_name(topic.author, topic.persona),
                content_html=html,
                summary=_summary(html),
                tags=tuple(tag.slug for tag in topic.tags.all()),
            )
        )
    return entries


def _public_name(author: User | None, persona: object | None) -> str:
    if persona is not None:
        return str(persona)
    return author.display_name if author is not None else _("a former member")


def community_feed(actor: permissions.Actor, slug: str) -> Feed:
    community, access = permissions.community_for(actor, slug)
    topics = Topic.objects.filter(
        community=community, space__in=permissions.readable_spaces(access)
    )
    return Feed(
        title=community.name,
        description=_("The latest topics of %(community)s") % {"community": community.name},
        page_url=community.get_absolute_url(),
        origin=community.created_at,
        language=community.language,
        entries=_topic_entries(topics),
    )


def space_feed(actor: permissions.Actor, slug: str, space_slug: str) -> Feed:
    space, _access = permissions.space_for(actor, slug, space_slug)
    community = space.community
    return Feed(
        title=f"{space.name} · {community.name}",
        description=_("The latest topics of %(space)s") % {"space": space.name},
        page_url=space.get_absolute_url(),
        origin=space.created_at,
        language=community.language,
        entries=_topic_entries(Topic.objects.filter(space=space)),
    )


def tag_feed(actor: permissions.Actor, slug: str, tag_slug: str) -> Feed:
    community, access = permissions.community_for(actor, slug)
    tag = Tag.objects.filter(community=community, slug=tag_slug).first()
    # The tags of a community whose content the reader may not read are not told.
    if tag is None or not access.reads_open_spaces():
        raise Http404
    topics = Topic.objects.filter(
        community=community, tags=tag, space__in=permissions.readable_spaces(access)
    )
    query = QueryDict(mutable=True)
    query.update({"community": community.slug, "tag": tag.slug})
    return Feed(
        title=f"#{tag.slug} · {community.name}",
        description=_("The latest topics tagged #%(tag)s in %(community)s")
        % {"tag": tag.slug, "community": community.name},
        page_url=f"{reverse('search')}?{query.urlencode()}",
        origin=tag.created_at,
        language=community.language,
        entries=_topic_entries(topics),
    )


# --- A person's public activity ------------------------------------------------------------


def person_feed(actor: permissions.Actor, handle: str) -> Feed:
    """The topics and replies a person wrote under their own name, in spaces the reader
    may read (what their profile lists); a 404 when the reader may not see them."""
    person = person_for(actor, handle)
    posts = list(
        Post.objects.filter(
            author=person,
            # Written as a persona: the persona's, never the writer's.
            persona=None,
            deleted_at=None,
            is_hidden=False,
            topic__is_hidden=False,
            topic__merged_into=None,
            topic__space__in=permissions.readable_spaces_everywhere(actor).values("pk"),
        )
        .select_related("topic__space", "topic__community")
        .order_by("-created_at", "-pk")[:FEED_ENTRIES]
    )
    entries = [
        Entry(
            url=post.topic.get_absolute_url() if post.position == 0 else post.get_absolute_url(),
            title=post.topic.title
            if post.position == 0
            else _("Reply to “%(title)s”") % {"title": post.topic.title},
            published=post.created_at,
            updated=max(post.created_at, post.edited_at or post.created_at),
            author_name=person.display_name,
            content_html=post.body_html,
            summary=_summary(post.body_html),
        )
        for post in posts
    ]
    return Feed(
        title=person.display_name,
        description=_("What %(name)s writes") % {"name": person.display_name},
        page_url=reverse("profile", kwargs={"handle": person.handle}),
        origin=person.date_joined,
        entries=entries,
    )


# --- A search ------------------------------------------------------------------------------


def search_feed(actor: permissions.Actor, query: QueryDict) -> Feed:
    """The first results of the search page for the same query parameters, as the
    reader may see them (the page's form, filters and permission filter)."""
    communities = list(permissions.visible_communities(actor).order_by("name"))
    spaces = list(
        permissions.readable_spaces_everywhere(actor)
        .select_related("community")
        .order_by("community__name", "name")
    )
    form = SearchForm(query, communities=communities, spaces=spaces)
    entries: list[Entry] = []
    text = ""
    if form.is_valid() and form.text:
        text = form.text
        author = form.cleaned_data["author"]
        author_id = (
            User.objects.filter(handle=author).values_list("pk", flat=True).first() or -1
            if author
            else None
        )
        hits, _total = search_topics(
            actor, text, form.filters(communities, author_id), limit=FEED_ENTRIES
        )
        entries = _search_entries(results_of(hits, communities))
    return Feed(
        title=_("Search: %(text)s") % {"text": text} if text else _("Search"),
        description=_("The results of a search"),
        page_url=f"{reverse('search')}?{query.urlencode()}" if query else reverse("search"),
        origin=datetime(2020, 1, 1, tzinfo=UTC),
        entries=entries,
    )


def _search_entries(shown: list[Result]) -> list[Entry]:
    openings = {
        post.topic_id: post
        for post in Post.objects.filter(
            topic__in=[r.topic.pk for r in shown if r.topic is not None], position=0
        ).select_related("author", "persona")
    }
    entries = []
    for result in shown:
        opening = openings.get(result.topic.pk) if result.topic is not None else None
        if opening is not None and result.topic is not None:
            removed = opening.is_hidden or opening.deleted_at is not None
            html = "" if removed else opening.body_html
            entries.append(
                Entry(
                    url=result.url,
                    title=result.title,
                    published=result.topic.created_at,
                    updated=max(result.topic.created_at, opening.edited_at or opening.created_at),
                    author_name=_public_name(opening.author, opening.persona),
                    content_html=html,
                    summary=_summary(html),
                )
            )
            continue
        # A library resource or a wiki article: what the search page shows of it.
        entries.append(
            Entry(
                url=result.url,
                title=result.title,
                published=result.hit.created_at,
                updated=result.hit.created_at,
                author_name=result.author.display_name if result.author else "",
                content_html=result.hit.snippet_html,
                summary=_summary(result.hit.snippet_html),
            )
        )
    return entries


# --- The account page ----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyedCommunity:
    community: Community
    atom: str
    json: str


@dataclass
class AccountFeeds:
    key: FeedKey | None
    communities: list[KeyedCommunity]


def key_of(person: User) -> FeedKey | None:
    return FeedKey.objects.filter(person=person).first()


def account_feeds(person: User) -> AccountFeeds:
    """The person's secret key (None until they make one) and, for each community they
    are an active member of, its secret feed addresses (paths)."""
    key = key_of(person)
    communities = [
        membership.community
        for membership in Membership.objects.filter(
            person=person,
            status=Status.ACTIVE,
            community__in=permissions.visible_communities(person),
        )
        .select_related("community")
        .order_by("community__name")
    ]
    keyed = []
    for community in communities:
        if key is not None:
            paths = {
                fmt: reverse(
                    "feeds:k_community",
                    kwargs={"key": key.key, "slug": community.slug, "fmt": fmt},
                )
                for fmt in ("atom", "json")
            }
            keyed.append(KeyedCommunity(community, paths["atom"], paths["json"]))
        else:
            keyed.append(KeyedCommunity(community, "", ""))
    return AccountFeeds(key=key, communities=keyed)
