"""Feeds: Atom and JSON Feed for a community, a space, a tag, a person and a search,
showing what the pages show to the same reader (an anonymous visitor at the public
addresses, the key's owner at the secret ones), with validators and bounded queries."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.animation import actions as animation_actions
from cercle.communities.models import Community, Space, Visibility
from cercle.conversations import actions
from cercle.conversations.models import Post, Tag, Topic
from cercle.feeds.actions import do_renew_feed_key
from cercle.feeds.models import FeedKey
from cercle.people import actions as people_actions
from cercle.personas import actions as persona_actions
from tests.communities import client_for, community, html

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
anonymous = Client()


def atom(client: Client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)  # noqa: S314 - Cercle's own response, in a test


def json_feed(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    document: dict[str, Any] = json.loads(response.content)
    return document


def titles(feed: ET.Element) -> list[str]:
    return [entry.findtext(f"{ATOM}title", "") for entry in feed.findall(f"{ATOM}entry")]


def keyed(person: User, path: str) -> str:
    """The secret variant of a public feed address, with `person`'s key."""
    key = FeedKey.objects.filter(person=person).first() or do_renew_feed_key(person)
    return path.replace("/feeds/", f"/feeds/k/{key.key}/", 1)


def topic(author: User, space: Space, title: str, **values: Any) -> Topic:
    return actions.do_start_topic(
        author, space, kind="discussion", title=title, body=f"**{title}** in words.", **values
    )


# --- The formats -----------------------------------------------------------------------------


def test_a_community_atom_feed_is_well_formed_with_the_essentials(
    alice: User, general: Space, coordinator: User
) -> None:
    actions.do_create_tag(coordinator, general.community, name="Brakes")
    first = topic(alice, general, "Disc or rim brakes?", tags=["brakes"])
    topic(alice, general, "Longtail frames")
    feed = atom(anonymous, "/feeds/c/cargo.atom")
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}id") == "http://testserver/feeds/c/cargo.atom"
    assert feed.findtext(f"{ATOM}title") == "Cargo"
    assert feed.findtext(f"{ATOM}updated", "").startswith(str(timezone.now().year))
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "alternate": "http://testserver/c/cargo/",
        "self": "http://testserver/feeds/c/cargo.atom",
    }
    entries = feed.findall(f"{ATOM}entry")
    # Newest first.
    assert titles(feed) == ["Longtail frames", "Disc or rim brakes?"]
    entry = entries[1]
    assert entry.findtext(f"{ATOM}id", "").startswith("tag:testserver,")
    assert entry.findtext(f"{ATOM}updated")
    assert entry.find(f"{ATOM}link").get("href") == (  # type: ignore[union-attr]
        f"http://testserver{first.get_absolute_url()}"
    )
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Alice Martin"
    content = entry.find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "html"
    assert "<strong>Disc or rim brakes?</strong>" in (content.text or "")
    assert entry.findtext(f"{ATOM}summary") == "Disc or rim brakes? in words."
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")] == ["brakes"]


def test_a_json_feed_is_a_valid_json_feed_1_1(alice: User, general: Space) -> None:
    made = topic(alice, general, "Carrying children")
    feed = json_feed(anonymous, "/feeds/c/cargo/s/general.json")
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == f"{general.name} · Cargo"
    assert feed["home_page_url"] == f"http://testserver{general.get_absolute_url()}"
    assert feed["feed_url"] == "http://testserver/feeds/c/cargo/s/general.json"
    [item] = feed["items"]
    assert item["id"].startswith("tag:testserver,")
    assert item["url"] == f"http://testserver{made.get_absolute_url()}"
    assert item["title"] == "Carrying children"
    assert "<strong>Carrying children</strong>" in item["content_html"]
    assert item["summary"] == "Carrying children in words."
    assert item["authors"] == [{"name": "Alice Martin"}]
    assert item["date_published"] <= item["date_modified"]


def test_a_feed_answers_304_to_its_validators_and_changes_with_its_content(
    alice: User, general: Space
) -> None:
    topic(alice, general, "First")
    response = anonymous.get("/feeds/c/cargo.atom")
    etag, modified = response["ETag"], response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert anonymous.get("/feeds/c/cargo.atom", headers={"if-none-match": etag}).status_code == 304
    again = anonymous.get("/feeds/c/cargo.atom", headers={"if-modified-since": modified})
    assert again.status_code == 304
    topic(alice, general, "Second")
    fresh = anonymous.get("/feeds/c/cargo.atom", headers={"if-none-match": etag})
    assert fresh.status_code == 200
    assert fresh["ETag"] != etag


# --- Who reads what ----------------------------------------------------------------------------


def test_a_private_spaces_topic_never_reaches_an_anonymous_feed_nor_a_non_members_secret_one(
    alice: User, bob: User, charlie: User, general: Space, lab: Space
) -> None:
    topic(alice, general, "Open talk")
    topic(alice, lab, "Lab secrets")
    assert titles(atom(anonymous, "/feeds/c/cargo.atom")) == ["Open talk"]
    # Bob is a member not listed in the lab; Charlie is in no community.
    for outsider in (bob, charlie):
        assert titles(atom(anonymous, keyed(outsider, "/feeds/c/cargo.atom"))) == ["Open talk"]
        assert anonymous.get(keyed(outsider, "/feeds/c/cargo/s/lab.atom")).status_code == 404
    assert titles(atom(anonymous, keyed(alice, "/feeds/c/cargo.atom"))) == [
        "Lab secrets",
        "Open talk",
    ]
    assert titles(atom(anonymous, keyed(alice, "/feeds/c/cargo/s/lab.atom"))) == ["Lab secrets"]
    assert anonymous.get("/feeds/c/cargo/s/lab.atom").status_code == 404
    # A public address is the same for everyone: a signed-in session changes nothing.
    assert titles(atom(client_for(alice), "/feeds/c/cargo.atom")) == ["Open talk"]


def test_a_members_only_community_has_feeds_only_at_its_members_secret_addresses(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS, members=[alice])
    topic(alice, closed.spaces.get(is_default=True), "Members talk")
    assert anonymous.get("/feeds/c/closed.atom").status_code == 200
    assert titles(atom(anonymous, "/feeds/c/closed.atom")) == []
    assert titles(atom(anonymous, keyed(charlie, "/feeds/c/closed.atom"))) == []
    assert titles(atom(anonymous, keyed(alice, "/feeds/c/closed.atom"))) == ["Members talk"]
    secret = anonymous.get(keyed(alice, "/feeds/c/closed.json"))
    assert secret["Cache-Control"] == "private, max-age=300"
    assert secret["X-Robots-Tag"] == "noindex"


def test_hidden_and_merged_topics_and_unpublished_planned_posts_stay_out(
    alice: User, coordinator: User, general: Space
) -> None:
    shown = topic(alice, general, "Shown")
    hidden = topic(alice, general, "Hidden")
    # Hiding the opening post hides the topic.
    actions.do_hide_post(coordinator, Post.objects.get(topic=hidden, position=0))
    merged = topic(alice, general, "Merged")
    actions.do_merge_topics(coordinator, merged, shown)
    animation_actions.do_plan_post(
        coordinator,
        general,
        topic_kind="discussion",
        title="Planned for next week",
        body="Soon.",
        publish_at=timezone.now() + timedelta(days=7),
    )
    # Not even the animator who prepares it: a feed only carries what went out.
    for reader in (None, coordinator):
        url = keyed(reader, "/feeds/c/cargo.atom") if reader else "/feeds/c/cargo.atom"
        assert titles(atom(anonymous, url)) == ["Shown"]


def test_a_persona_post_shows_the_persona_and_never_reaches_its_writers_feed(
    coordinator: User, alice: User, general: Space, cargo: Community
) -> None:
    people_actions.do_update_profile(coordinator, coordinator, is_public=True)
    persona = persona_actions.do_create_persona(coordinator, cargo, name="Vélia")
    topic(coordinator, general, "Welcome from Vélia", persona=persona)
    own = topic(coordinator, general, "Claire's own words")
    actions.do_reply(coordinator, own, body="A reply as Vélia.", persona=persona)
    actions.do_reply(coordinator, own, body="A reply as myself.")
    feed = atom(anonymous, "/feeds/c/cargo.atom")
    authors = {
        entry.findtext(f"{ATOM}title"): entry.findtext(f"{ATOM}author/{ATOM}name")
        for entry in feed.findall(f"{ATOM}entry")
    }
    assert authors == {"Welcome from Vélia": "Vélia", "Claire's own words": "Claire Coord"}
    mine = json_feed(anonymous, f"/feeds/people/{coordinator.handle}.json")
    assert [item["title"] for item in mine["items"]] == [
        "Reply to “Claire's own words”",
        "Claire's own words",
    ]
    assert "Vélia" not in json.dumps(mine, ensure_ascii=False)


def test_a_persons_feed_follows_their_profile_visibility_and_what_the_reader_reads(
    alice: User, bob: User, charlie: User, general: Space, lab: Space
) -> None:
    topic(alice, general, "Open question")
    topic(alice, lab, "Lab question")
    # A private profile: seen by those who share a community with Alice.
    assert anonymous.get(f"/feeds/people/{alice.handle}.atom").status_code == 404
    assert anonymous.get(keyed(charlie, f"/feeds/people/{alice.handle}.atom")).status_code == 404
    assert titles(atom(anonymous, keyed(bob, f"/feeds/people/{alice.handle}.atom"))) == [
        "Open question"
    ]
    assert titles(atom(anonymous, keyed(alice, f"/feeds/people/{alice.handle}.atom"))) == [
        "Lab question",
        "Open question",
    ]
    people_actions.do_update_profile(alice, alice, is_public=True)
    assert titles(atom(anonymous, f"/feeds/people/{alice.handle}.atom")) == ["Open question"]


def test_a_tag_feed_carries_the_tagged_topics_the_reader_may_read(
    alice: User, coordinator: User, general: Space, lab: Space, cargo: Community
) -> None:
    actions.do_create_tag(coordinator, cargo, name="Brakes")
    topic(alice, general, "Brake pads", tags=["brakes"])
    topic(alice, lab, "Brake prototypes", tags=["brakes"])
    topic(alice, general, "Untagged")
    assert titles(atom(anonymous, "/feeds/c/cargo/tags/brakes.atom")) == ["Brake pads"]
    assert titles(atom(anonymous, keyed(alice, "/feeds/c/cargo/tags/brakes.atom"))) == [
        "Brake prototypes",
        "Brake pads",
    ]
    assert anonymous.get("/feeds/c/cargo/tags/nothing.atom").status_code == 404


def test_the_search_feed_takes_the_search_pages_parameters_and_permission_filter(
    alice: User, coordinator: User, general: Space, lab: Space, cargo: Community
) -> None:
    actions.do_create_tag(coordinator, cargo, name="Brakes")
    topic(alice, general, "Hydraulic brakes", tags=["brakes"])
    topic(alice, general, "Hydraulic forks")
    topic(alice, lab, "Hydraulic prototypes")
    found = json_feed(anonymous, "/feeds/search.json?q=hydraulic")
    assert sorted(item["title"] for item in found["items"]) == [
        "Hydraulic brakes",
        "Hydraulic forks",
    ]
    assert found["title"] == "Search: hydraulic"
    secret = json_feed(anonymous, keyed(alice, "/feeds/search.json?q=hydraulic"))
    assert len(secret["items"]) == 3
    tagged = atom(anonymous, "/feeds/search.atom?q=hydraulic&tag=brakes&community=cargo")
    assert titles(tagged) == ["Hydraulic brakes"]
    assert json_feed(anonymous, "/feeds/search.json")["items"] == []


# --- Secret addresses --------------------------------------------------------------------------


def test_renewing_the_key_from_the_account_page_revokes_the_old_addresses(
    alice: User, general: Space
) -> None:
    client = client_for(alice)
    page = html(client, "/accounts/feeds/")
    assert "Make my secret addresses" in page
    assert not FeedKey.objects.filter(person=alice).exists()
    client.post("/accounts/feeds/renew/")
    old = FeedKey.objects.get(person=alice).key
    page = html(client, "/accounts/feeds/")
    assert f"http://testserver/feeds/k/{old}/c/cargo.atom" in page
    assert f"http://testserver/feeds/k/{old}/c/cargo.json" in page
    assert anonymous.get(f"/feeds/k/{old}/c/cargo.atom").status_code == 200
    # Without ticking the confirmation, nothing changes.
    client.post("/accounts/feeds/renew/")
    assert FeedKey.objects.get(person=alice).key == old
    response = client.post("/accounts/feeds/renew/", {"confirm": "yes"}, follow=True)
    new = FeedKey.objects.get(person=alice).key
    assert new != old
    assert "the old addresses no longer work anywhere" in response.content.decode()
    assert anonymous.get(f"/feeds/k/{old}/c/cargo.atom").status_code == 404
    assert anonymous.get(f"/feeds/k/{new}/c/cargo.atom").status_code == 200
    assert ActivityEvent.objects.filter(actor=alice, verb="feed.key_renewed").count() == 2
    assert anonymous.get("/accounts/feeds/").status_code == 302


def test_a_deactivated_persons_key_and_an_unknown_key_give_404(alice: User, general: Space) -> None:
    url = keyed(alice, "/feeds/c/cargo.atom")
    assert anonymous.get(url).status_code == 200
    alice.is_active = False
    alice.save()
    assert anonymous.get(url).status_code == 404
    assert anonymous.get("/feeds/k/not-a-key/c/cargo.atom").status_code == 404


def test_the_pages_name_their_feeds_in_their_head(alice: User, general: Space) -> None:
    people_actions.do_update_profile(alice, alice, is_public=True)
    pages = {
        "/c/cargo/": "/feeds/c/cargo.",
        general.get_absolute_url(): "/feeds/c/cargo/s/general.",
        f"/people/{alice.handle}/": f"/feeds/people/{alice.handle}.",
        "/search/?q=bikes": "/feeds/search.",
        "/search/?q=bikes&community=cargo&tag=brakes": "/feeds/c/cargo/tags/brakes.",
    }
    for page, feed in pages.items():
        head = html(anonymous, page).split("</head>")[0]
        assert 'type="application/atom+xml" title=' in head, page
        assert f'href="{feed}atom' in head, page
        assert 'type="application/feed+json"' in head, page
        assert f'href="{feed}json' in head, page


# --- Bounded queries ---------------------------------------------------------------------------


def queries_for(url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert anonymous.get(url).status_code == 200
    return len(captured)


def test_every_feed_makes_the_same_number_of_queries_for_5_and_50_entries(
    alice: User, bob: User, coordinator: User, general: Space, cargo: Community
) -> None:
    people_actions.do_update_profile(alice, alice, is_public=True)
    tag = actions.do_create_tag(coordinator, cargo, name="Wheels")
    urls = [
        keyed(bob, "/feeds/c/cargo.atom"),
        "/feeds/c/cargo/s/general.json",
        f"/feeds/c/cargo/tags/{tag.slug}.atom",
        f"/feeds/people/{alice.handle}.json",
        keyed(bob, "/feeds/search.atom?q=wheel"),
    ]

    def add(count: int) -> None:
        for number in range(count):
            made = topic(alice, general, f"Wheel {number}", tags=[tag])
            actions.do_reply(alice, made, body="And a reply.")

    add(5)
    few = [queries_for(url) for url in urls]
    add(45)
    assert Tag.objects.get(pk=tag.pk).topics.count() == 50
    assert [queries_for(url) for url in urls] == few
    assert max(few) <= 12
