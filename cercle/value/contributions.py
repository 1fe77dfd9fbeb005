"""The community's own contributions a value story names: topics, wiki articles and
library resources, given by their addresses on this site.

An address is resolved with Django's URL resolver (so it follows the real routes),
looked up in a fixed number of queries (one per kind), and accepted only when it is
a contribution of the story's community that the writer may read: whatever does not
exist, belongs elsewhere or is out of the writer's sight gets the same refusal, so the
answer never tells that something hidden is there.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.knowledge.models import Resource
from cercle.value.models import ContributionKind, StoryContribution
from cercle.wiki.models import Article

Target = Topic | Article | Resource
MAX_CONTRIBUTIONS = 12

# The pages whose address names a topic, an article or a resource, and the URL
# parameter that holds its key.
PAGES: dict[str, tuple[ContributionKind, str]] = {
    "topic": (ContributionKind.TOPIC, "topic_id"),
    "topic_reply": (ContributionKind.TOPIC, "topic_id"),
    "wiki_article": (ContributionKind.ARTICLE, "article"),
    "wiki_history": (ContributionKind.ARTICLE, "article"),
    "wiki_diff": (ContributionKind.ARTICLE, "article"),
    "wiki_revision": (ContributionKind.ARTICLE, "article"),
    "knowledge:resource": (ContributionKind.RESOURCE, "pk"),
    "knowledge:download": (ContributionKind.RESOURCE, "pk"),
}


@dataclass(frozen=True)
class Address:
    """What an address points at: a kind and the key its page is found by."""

    text: str
    community_slug: str
    kind: ContributionKind
    key: str  # a topic or resource id, an article's slug


def site_hosts(extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names under which addresses count as this site's: the configured
    site address's, and those the caller adds (the host the request came to)."""
    hosts = {urlsplit(settings.SITE_URL).netloc.lower()}
    hosts.update(host.lower() for host in extra if host)
    return frozenset(hosts)


def parse(text: str, hosts: Collection[str]) -> Address | None:
    """The contribution `text` names, or None when it is no address of such a page."""
    text = text.strip()
    parts = urlsplit(text)
    elsewhere = bool(parts.scheme or parts.netloc) and (
        parts.scheme not in {"http", "https"} or parts.netloc.lower() not in hosts
    )
    if elsewhere or not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    page = PAGES.get(match.view_name)
    if page is None:
        return None
    kind, key = page
    return Address(text, str(match.kwargs.get("slug", "")), kind, str(match.kwargs[key]))


def readable(access: permissions.CommunityAccess, target: Target) -> bool:
    """Whether `access` may read `target` (its title included); the target's space
    (and a resource's collection) must be loaded."""
    if isinstance(target, Topic):
        if target.community_id != access.community.pk:
            return False
        if target.is_hidden and not permissions.conversations.sees_hidden(access, target.space):
            return False
        return access.reads(target.space)
    if isinstance(target, Article):
        return target.community_id == access.community.pk and access.reads(target.space)
    collection = target.collection
    return collection.community_id == access.community.pk and access.reads(collection.space)


def _refusal(text: str) -> ActionRefused:
    return ActionRefused(
        _(
            "“%(address)s” is not the address of a topic, wiki article or library resource "
            "of this community that you may read."
        )
        % {"address": text}
    )


def split_lines(text: str) -> list[str]:
    """One address a line; blank lines and repeated addresses count once."""
    seen: dict[str, None] = {}
    for line in (text or "").splitlines():
        if line.strip():
            seen.setdefault(line.strip(), None)
    return list(seen)


def resolve_addresses(
    access: permissions.CommunityAccess, texts: Sequence[str], hosts: Collection[str]
) -> list[Target]:
    """The contributions the addresses name, in their order, each once; the first
    address that is not a readable contribution of the community is refused."""
    if len(texts) > MAX_CONTRIBUTIONS:
        raise ActionRefused(
            _("Name %(count)d contributions at most.") % {"count": MAX_CONTRIBUTIONS}
        )
    addresses: list[Address] = []
    for text in texts:
        address = parse(text, hosts)
        if address is None or address.community_slug != access.community.slug:
            raise _refusal(text)
        addresses.append(address)
    ids = {kind: [a.key for a in addresses if a.kind == kind] for kind in ContributionKind}
    topics = {
        str(topic.pk): topic
        for topic in Topic.objects.select_related("space").filter(
            community=access.community, pk__in=[int(key) for key in ids[ContributionKind.TOPIC]]
        )
    }
    articles = {
        article.slug: article
        for article in Article.objects.select_related("space").filter(
            community=access.community, slug__in=ids[ContributionKind.ARTICLE]
        )
    }
    resources = {
        str(resource.pk): resource
        for resource in Resource.objects.select_related("collection__space").filter(
            collection__community=access.community,
            pk__in=[int(key) for key in ids[ContributionKind.RESOURCE]],
        )
    }
    found: list[Target] = []
    for address in addresses:
        target: Target | None
        if address.kind == ContributionKind.TOPIC:
            target = topics.get(address.key)
        elif address.kind == ContributionKind.ARTICLE:
            target = articles.get(address.key)
        else:
            target = resources.get(address.key)
        if target is None or not readable(access, target):
            raise _refusal(address.text)
        if target not in found:
            found.append(target)
    return found


def target_of(link: StoryContribution) -> Target:
    target = link.topic or link.article or link.resource
    if target is None:  # the check constraint forbids it
        raise ValueError(f"contribution {link.pk} names nothing")
    return target


def kind_of(target: Target) -> ContributionKind:
    if isinstance(target, Topic):
        return ContributionKind.TOPIC
    if isinstance(target, Article):
        return ContributionKind.ARTICLE
    return ContributionKind.RESOURCE


def link_for(target: Target) -> dict[str, Target]:
    """The keyword that stores `target` in a `StoryContribution`."""
    if isinstance(target, Topic):
        return {"topic": target}
    if isinstance(target, Article):
        return {"article": target}
    return {"resource": target}
