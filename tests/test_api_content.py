"""The content resources of the API (topics, posts, reactions, tags, events, polls,
the library, the wiki, ideas): each call writes what the page's action writes and
reads what the page's query reads.

Clients are signed in through the session (the site's own htmx calls: every scope);
`tests/test_api_matrix_content.py` goes through the permission matrix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activities import actions as activity_actions
from cercle.activities.models import Ballot, Poll, ResultsShown
from cercle.communities.models import Community, Role, Space, Visibility
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Post, PostRevision, Reaction, Tag, Topic
from cercle.events import actions as event_actions
from cercle.events.models import RSVP, Event
from cercle.ideas import actions as idea_actions
from cercle.ideas.models import Idea, IdeaVote
from cercle.knowledge import actions as library_actions
from cercle.knowledge.models import Resource
from cercle.personas import actions as persona_actions
from cercle.wiki import actions as wiki_actions
from cercle.wiki.models import Article, ArticleRevision
from tests.api import ApiClient, make_token
from tests.communities import client_for, join, make_person

pytestmark = pytest.mark.django_db

API = "/api/v1"


def call(client: Client, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One API call through the session; the status and the decoded JSON."""
    sender = getattr(client, method.lower())
    kwargs: dict[str, Any] = {}
    if body is not None:
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    response = sender(API + path, **kwargs)
    payload = response.json() if response.content else None
    return response.status_code, payload


def question(author: User, space: Space, title: str = "How do I oil a chain?") -> Topic:
    return conversation_actions.do_start_topic(
        author, space, kind="question", title=title, body="It squeaks."
    )


# --- Topics -------------------------------------------------------------------------------------


def test_topics_list_filters_by_kind_tag_status_and_space(
    alice: User, bob: User, coordinator: User, cargo: Community, general: Space, lab: Space
) -> None:
    tag = conversation_actions.do_create_tag(coordinator, cargo, name="Chains")
    unanswered = question(alice, general, "Which chain oil?")
    solved = question(alice, general, "Which tyres?")
    answer = conversation_actions.do_reply(bob, solved, body="Wide ones.")
    conversation_actions.do_accept_answer(alice, solved, answer)
    talk = conversation_actions.do_start_topic(
        bob, general, kind="discussion", title="Saturday ride", body="Who comes?", tags=[tag]
    )
    private = question(alice, lab, "Lab question")
    client = client_for(alice)

    def titles(query: str) -> list[str]:
        status, page = call(client, "get", f"/communities/cargo/topics{query}")
        assert status == 200, page
        return [item["title"] for item in page["items"]]

    assert set(titles("")) == {unanswered.title, solved.title, talk.title, private.title}
    assert set(titles("?kind=question")) == {unanswered.title, solved.title, private.title}
    assert titles("?tag=chains") == [talk.title]
    assert set(titles("?status=unanswered")) == {unanswered.title, talk.title, private.title}
    assert titles("?status=solved") == [solved.title]
    assert set(titles("?status=unsolved&space=general")) == {unanswered.title}
    assert titles("?space=lab") == [private.title]
    # Bob is not listed in the lab: its question is absent, and its address a 404.
    _status, page = call(client_for(bob), "get", "/communities/cargo/topics")
    assert private.title not in [item["title"] for item in page["items"]]
    assert call(client_for(bob), "get", "/communities/cargo/topics?space=lab")[0] == 404
    assert call(client_for(bob), "get", f"/topics/{private.pk}")[0] == 404


def test_topics_list_pages_with_a_cursor(alice: User, general: Space) -> None:
    made = [question(alice, general, f"Question number {n}") for n in range(7)]
    client = client_for(alice)
    seen: list[int] = []
    cursor = ""
    for _page in range(4):
        status, page = call(client, "get", f"/communities/cargo/topics?order=new&limit=3{cursor}")
        assert status == 200
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [topic.pk for topic in reversed(made)]
    assert call(client, "get", "/communities/cargo/topics?cursor=nonsense")[0] == 400


def test_creating_a_topic_writes_it_with_its_opening_post(
    alice: User, coordinator: User, cargo: Community, general: Space
) -> None:
    conversation_actions.do_create_tag(coordinator, cargo, name="Brakes")
    status, topic = call(
        client_for(alice),
        "post",
        "/communities/cargo/topics",
        {
            "space": "general",
            "kind": "question",
            "title": "Disc or drum?",
            "body": "For a **heavy** bike.",
            "tags": ["brakes"],
        },
    )
    assert status == 201, topic
    row = Topic.objects.get(pk=topic["id"])
    assert (row.kind, row.title, row.author) == ("question", "Disc or drum?", alice)
    assert [tag.slug for tag in row.tags.all()] == ["brakes"]
    assert topic["posts"]["items"][0]["body_html"] == "<p>For a <strong>heavy</strong> bike.</p>\n"
    assert PostRevision.objects.filter(post__topic=row).count() == 1
    # A refusal of the action comes back with the page's words, and writes nothing.
    status, problem = call(
        client_for(alice),
        "post",
        "/communities/cargo/topics",
        {"space": "general", "title": "No", "body": "Too short a title."},
    )
    assert status == 422
    assert problem["detail"] == "Give the topic a title of at least 3 characters."
    # Announcements are for coordinators: refused, nothing written.
    status, _problem = call(
        client_for(alice),
        "post",
        "/communities/cargo/topics",
        {"space": "general", "kind": "announcement", "title": "Hear ye", "body": "News."},
    )
    assert status == 403
    assert Topic.objects.count() == 1


def test_topic_detail_pages_its_posts(alice: User, bob: User, general: Space) -> None:
    topic = question(alice, general)
    for number in range(4):
        conversation_actions.do_reply(bob, topic, body=f"Answer {number}")
    client = client_for(alice)
    status, detail = call(client, "get", f"/topics/{topic.pk}?limit=2")
    assert status == 200
    assert [post["position"] for post in detail["posts"]["items"]] == [0, 1]
    status, rest = call(
        client, "get", f"/topics/{topic.pk}/posts?limit=10&cursor={detail['posts']['next_cursor']}"
    )
    assert [post["body"] for post in rest["items"]] == ["Answer 1", "Answer 2", "Answer 3"]
    assert rest["next_cursor"] is None
    assert detail["can"] == {"reply": True, "moderate": False, "reopen": False}


# --- Posts --------------------------------------------------------------------------------------


def test_replying_editing_and_the_revisions(alice: User, bob: User, general: Space) -> None:
    topic = question(alice, general)
    status, post = call(client_for(bob), "post", f"/topics/{topic.pk}/posts", {"body": "Oil it."})
    assert status == 201, post
    row = Post.objects.get(pk=post["id"])
    assert (row.author, row.position, row.body) == (bob, 1, "Oil it.")
    status, edited = call(client_for(bob), "patch", f"/posts/{row.pk}", {"body": "Oil it well."})
    assert status == 200
    assert edited["revision_count"] == 2
    assert list(PostRevision.objects.filter(post=row).values_list("body", flat=True)) == [
        "Oil it well.",
        "Oil it.",
    ]
    status, revisions = call(client_for(alice), "get", f"/posts/{row.pk}/revisions")
    assert [revision["number"] for revision in revisions] == [2, 1]
    # Someone else's post: refused, and the text stays.
    status, _problem = call(client_for(alice), "patch", f"/posts/{row.pk}", {"body": "Mine now."})
    assert status == 403
    row.refresh_from_db()
    assert row.body == "Oil it well."
    # Quoting a post of another topic is refused.
    other = question(alice, general, "Another question")
    status, _problem = call(
        client_for(bob),
        "post",
        f"/topics/{topic.pk}/posts",
        {"body": "As I said", "reply_to": other.posts.get().pk},
    )
    assert status == 422
    assert Post.objects.filter(topic=topic).count() == 2


def test_moderators_hide_and_restore_posts(
    alice: User, bob: User, moderator: User, cargo: Community, general: Space
) -> None:
    join(moderator, cargo, Role.MODERATOR)
    topic = question(alice, general)
    reply = conversation_actions.do_reply(bob, topic, body="Buy my oil at spam.example")
    assert call(client_for(alice), "post", f"/posts/{reply.pk}/hide", {"reason": "spam"})[0] == 403
    assert not Post.objects.get(pk=reply.pk).is_hidden
    status, hidden = call(client_for(moderator), "post", f"/posts/{reply.pk}/hide", {"reason": "x"})
    assert status == 200
    assert hidden["is_hidden"] is True
    assert Post.objects.get(pk=reply.pk).is_hidden
    # Members no longer see it; the moderator still does, marked.
    assert call(client_for(alice), "get", f"/posts/{reply.pk}")[0] == 404
    _status, posts = call(client_for(alice), "get", f"/topics/{topic.pk}/posts")
    assert [post["position"] for post in posts["items"]] == [0]
    status, restored = call(client_for(moderator), "post", f"/posts/{reply.pk}/restore")
    assert (status, restored["is_hidden"]) == (200, False)


def test_the_asker_accepts_an_answer(
    alice: User, bob: User, coordinator: User, general: Space
) -> None:
    topic = question(alice, general)
    answer = conversation_actions.do_reply(bob, topic, body="Oil it.")
    # The one who answered is not the asker: refused.
    assert call(client_for(bob), "post", f"/posts/{answer.pk}/accept")[0] == 403
    topic.refresh_from_db()
    assert topic.accepted_answer is None
    status, accepted = call(client_for(alice), "post", f"/posts/{answer.pk}/accept")
    assert (status, accepted["is_accepted_answer"]) == (200, True)
    topic.refresh_from_db()
    assert topic.accepted_answer == answer
    status, detail = call(client_for(alice), "get", f"/topics/{topic.pk}")
    assert (detail["is_solved"], detail["accepted_answer_id"]) == (True, answer.pk)
    status, reopened = call(
        client_for(coordinator), "delete", f"/topics/{topic.pk}/accepted-answer"
    )
    assert (status, reopened["is_solved"]) == (200, False)


def test_a_persona_post_never_shows_its_writer(
    alice: User, coordinator: User, cargo: Community, general: Space
) -> None:
    persona_actions.do_create_persona(coordinator, cargo, name="Velia the Vélo")
    status, topic = call(
        client_for(coordinator),
        "post",
        "/communities/cargo/topics",
        {"space": "general", "title": "Welcome all", "body": "Hello!", "persona": "velia-the-velo"},
    )
    assert status == 201, topic
    status, post = call(
        client_for(coordinator),
        "post",
        f"/topics/{topic['id']}/posts",
        {"body": "And welcome again.", "persona": "velia-the-velo"},
    )
    assert status == 201
    assert Post.objects.get(pk=post["id"]).author == coordinator
    persona = {"kind": "persona", "name": "Velia the Vélo", "handle": "velia-the-velo", "id": None}
    for reader in (alice, coordinator):
        client = client_for(reader)
        listed = call(client, "get", "/communities/cargo/topics")[1]["items"][0]
        detail = call(client, "get", f"/topics/{topic['id']}")[1]
        revisions = call(client, "get", f"/posts/{post['id']}/revisions")[1]
        assert listed["author"] == persona
        assert [item["author"] for item in detail["posts"]["items"]] == [persona, persona]
        assert revisions[0]["editor"] == persona
        everything = json.dumps([listed, detail, revisions])
        assert coordinator.display_name not in everything
        assert coordinator.handle not in everything
    # Only those who may speak as it.
    status, _problem = call(
        client_for(alice),
        "post",
        f"/topics/{topic['id']}/posts",
        {"body": "Me too", "persona": "velia-the-velo"},
    )
    assert status == 403
    assert Post.objects.filter(topic_id=topic["id"]).count() == 2


# --- Reactions and tags -----------------------------------------------------------------------


def test_reactions_are_added_once_and_taken_back(alice: User, bob: User, general: Space) -> None:
    topic = question(alice, general)
    answer = conversation_actions.do_reply(bob, topic, body="Oil it.")
    client = client_for(alice)
    for _twice in range(2):
        status, state = call(client, "put", f"/posts/{answer.pk}/reactions/helpful")
        assert (status, state["reactions"], state["mine"]) == (200, {"helpful": 1}, ["helpful"])
    assert Reaction.objects.filter(post=answer, person=alice, kind="helpful").count() == 1
    status, state = call(client, "delete", f"/posts/{answer.pk}/reactions/helpful")
    assert (status, state["reactions"]) == (200, {})
    assert not Reaction.objects.exists()
    # Not on one's own post; not an unknown kind.
    assert call(client_for(bob), "put", f"/posts/{answer.pk}/reactions/thanks")[0] == 403
    assert call(client, "put", f"/posts/{answer.pk}/reactions/love")[0] == 422
    assert not Reaction.objects.exists()


def test_tags_are_read_by_readers_and_curated_by_coordinators(
    alice: User, coordinator: User, cargo: Community
) -> None:
    status, tag = call(
        client_for(coordinator), "post", "/communities/cargo/tags", {"name": "Cargo racks"}
    )
    assert (status, tag["slug"]) == (201, "cargo-racks")
    status, page = call(client_for(alice), "get", "/communities/cargo/tags")
    assert [item["name"] for item in page["items"]] == ["Cargo racks"]
    assert call(client_for(alice), "post", "/communities/cargo/tags", {"name": "Mine"})[0] == 403
    assert call(client_for(alice), "delete", "/communities/cargo/tags/cargo-racks")[0] == 403
    assert list(Tag.objects.values_list("slug", flat=True)) == ["cargo-racks"]
    assert call(client_for(coordinator), "delete", "/communities/cargo/tags/cargo-racks")[0] == 204
    assert not Tag.objects.exists()


# --- Events, polls ------------------------------------------------------------------------------


def _event(coordinator: User, space: Space, **more: Any) -> Event:
    start = timezone.now() + timedelta(days=3)
    return event_actions.do_create_event(
        coordinator,
        space,
        title=more.pop("title", "Repair café"),
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        time_zone="Europe/Paris",
        place=more.pop("place", "The workshop"),
        **more,
    )


def test_events_rsvps_and_planned_events(
    alice: User, coordinator: User, general: Space, immediate_tasks: None
) -> None:
    shown = _event(coordinator, general, capacity=1)
    planned = _event(
        coordinator, general, title="Secret ride", publish_at=timezone.now() + timedelta(days=1)
    )
    titles = {
        item["title"]
        for item in call(client_for(alice), "get", "/communities/cargo/events")[1]["items"]
    }
    assert titles == {"Repair café"}
    assert call(client_for(alice), "get", f"/communities/cargo/events/{planned.pk}")[0] == 404
    animator = call(client_for(coordinator), "get", "/communities/cargo/events")[1]["items"]
    assert {item["title"] for item in animator} == {"Repair café", "Secret ride"}
    status, answered = call(
        client_for(alice),
        "put",
        f"/communities/cargo/events/{shown.pk}/rsvp",
        {"response": "going"},
    )
    assert (status, answered["my_response"], answered["going_count"]) == (200, "going", 1)
    assert RSVP.objects.get(event=shown, person=alice).response == "going"
    start = (timezone.now() + timedelta(days=9)).isoformat()
    end = (timezone.now() + timedelta(days=9, hours=1)).isoformat()
    body = {
        "space": "general",
        "title": "Ride out",
        "starts_at": start,
        "ends_at": end,
        "place": "The square",
    }
    assert call(client_for(alice), "post", "/communities/cargo/events", body)[0] == 403
    assert not Event.objects.filter(title="Ride out").exists()
    status, created = call(client_for(coordinator), "post", "/communities/cargo/events", body)
    assert status == 201, created
    assert Event.objects.get(pk=created["id"]).created_by == coordinator


def test_poll_results_only_when_the_page_shows_them(
    alice: User, bob: User, coordinator: User, general: Space
) -> None:
    poll = activity_actions.do_create_poll(
        coordinator,
        general,
        activity_actions.PollFields(
            title="Best saddle?",
            choices=["Leather", "Gel"],
            results_shown=ResultsShown.AFTER_VOTING,
            anonymous=True,
        ),
    )
    choice = poll.choices.first()
    assert choice is not None
    activity_actions.do_vote(bob, poll, [choice.pk])
    status, before = call(client_for(alice), "get", f"/communities/cargo/polls/{poll.pk}")
    assert status == 200
    assert before["shows_results"] is False
    assert {c["votes"] for c in before["choices"]} == {None}
    status, after = call(
        client_for(alice),
        "put",
        f"/communities/cargo/polls/{poll.pk}/vote",
        {"choices": [choice.pk]},
    )
    assert status == 200, after
    assert after["shows_results"] is True
    assert [(c["label"], c["votes"], c["mine"]) for c in after["choices"]] == [
        ("Leather", 2, True),
        ("Gel", 0, False),
    ]
    assert {c["voters"] == [] for c in after["choices"]} == {True}  # anonymous: no names
    assert Ballot.objects.filter(poll=poll).count() == 2
    status, listed = call(client_for(alice), "get", "/communities/cargo/polls")
    assert [item["title"] for item in listed["items"]] == ["Best saddle?"]
    assert Poll.objects.count() == 1


# --- Library, wiki, ideas ---------------------------------------------------------------------


def test_library_collections_and_resources(
    alice: User, coordinator: User, general: Space, lab: Space, bob: User
) -> None:
    shelf = library_actions.do_create_collection(coordinator, general, title="Maintenance")
    library_actions.do_create_collection(coordinator, lab, title="Lab notes")
    client = client_for(alice)
    status, note = call(
        client,
        "post",
        f"/communities/cargo/library/collections/{shelf.slug}/resources",
        {"kind": "note", "title": "Chain care", "note": "Clean, then *oil*."},
    )
    assert status == 201, note
    status, link = call(
        client,
        "post",
        f"/communities/cargo/library/collections/{shelf.slug}/resources",
        {"kind": "link", "title": "Sheldon Brown", "url": "https://www.sheldonbrown.com/"},
    )
    assert status == 201, link
    assert list(Resource.objects.values_list("kind", "added_by")) == [
        ("note", alice.pk),
        ("link", alice.pk),
    ]
    status, page = call(
        client, "get", f"/communities/cargo/library/collections/{shelf.slug}/resources"
    )
    assert [item["title"] for item in page["items"]] == ["Chain care", "Sheldon Brown"]
    assert page["items"][0]["note_html"] == "<p>Clean, then <em>oil</em>.</p>\n"
    assert call(client, "get", f"/communities/cargo/library/resources/{link['id']}")[0] == 200
    # Bob does not read the lab: its collection is absent from his list.
    bobs = call(client_for(bob), "get", "/communities/cargo/library/collections")[1]["items"]
    assert [item["title"] for item in bobs] == ["Maintenance"]
    assert (
        call(client_for(bob), "get", "/communities/cargo/library/collections/lab-notes")[0] == 404
    )


def test_wiki_edits_conflict_when_someone_saved_since(
    alice: User, bob: User, general: Space
) -> None:
    status, article = call(
        client_for(alice),
        "post",
        "/communities/cargo/wiki/articles",
        {"space": "general", "title": "Tyre pressure", "body": "Pump them."},
    )
    assert (status, article["revision"]) == (201, 1)
    path = f"/communities/cargo/wiki/articles/{article['slug']}"
    status, edited = call(
        client_for(bob),
        "put",
        path,
        {"title": "Tyre pressure", "body": "Pump them to 4 bar.", "base_revision": 1},
    )
    assert (status, edited["revision"]) == (200, 2)
    # Alice still edits from revision 1: a conflict, and nothing written.
    status, problem = call(
        client_for(alice),
        "put",
        path,
        {"title": "Tyre pressure", "body": "Pump them hard.", "base_revision": 1},
    )
    assert status == 409
    assert problem["current_revision"] == 2
    assert problem["current_body"] == "Pump them to 4 bar."
    assert "combine both texts" in problem["detail"]
    assert ArticleRevision.objects.count() == 2
    status, revisions = call(client_for(alice), "get", path + "/revisions")
    assert [(r["number"], r["base_revision"]) for r in revisions["items"]] == [(2, 1), (1, None)]
    assert (
        call(client_for(alice), "get", "/communities/cargo/wiki/articles")[1]["items"][0][
            "revision"
        ]
        == 2
    )


def test_ideas_proposed_and_voted(alice: User, bob: User, general: Space) -> None:
    status, idea = call(
        client_for(alice),
        "post",
        "/communities/cargo/ideas",
        {"space": "general", "title": "A shared trailer", "description": "For big loads."},
    )
    assert status == 201, idea
    idea_actions.do_propose_idea(bob, general, title="Winter rides")
    status, voted = call(client_for(bob), "put", f"/communities/cargo/ideas/{idea['id']}/vote")
    assert (status, voted["vote_count"], voted["voted"]) == (200, 1, True)
    assert IdeaVote.objects.filter(idea_id=idea["id"], person=bob).exists()
    # One's own idea has one's support already: the action says so.
    status, problem = call(client_for(alice), "put", f"/communities/cargo/ideas/{idea['id']}/vote")
    assert status == 422
    assert "Your own idea" in problem["detail"]
    board = call(client_for(alice), "get", "/communities/cargo/ideas")[1]["items"]
    assert [item["title"] for item in board] == ["A shared trailer", "Winter rides"]
    status, unvoted = call(client_for(bob), "delete", f"/communities/cargo/ideas/{idea['id']}/vote")
    assert (status, unvoted["vote_count"]) == (200, 0)
    assert Idea.objects.count() == 2


# --- Reads need a session or a token ------------------------------------------------------------


@pytest.mark.usefixtures("general")
def test_anonymous_callers_are_asked_to_authenticate() -> None:
    assert call(Client(), "get", "/communities/cargo/topics")[0] == 401


def test_an_outsider_meets_the_same_walls_as_on_the_pages(alice: User, general: Space) -> None:
    topic = question(alice, general)
    stranger = make_person("stranger@example.org", "Stranger")
    # A public community: its open spaces are read by anyone signed in.
    assert call(client_for(stranger), "get", f"/topics/{topic.pk}")[0] == 200
    assert call(client_for(stranger), "post", f"/topics/{topic.pk}/posts", {"body": "Hi"})[0] == 403
    Community.objects.filter(pk=general.community_id).update(visibility=Visibility.MEMBERS)
    assert call(client_for(stranger), "get", f"/topics/{topic.pk}")[0] == 404
    assert call(client_for(stranger), "get", "/communities/cargo/topics")[0] == 404
    assert Post.objects.filter(topic=topic).count() == 1


# --- Lists run a fixed number of queries --------------------------------------------------------


def own_queries(captured: list[dict[str, str]]) -> list[str]:
    """The queries of the endpoint itself: the rate limit's cache (a database cache
    here, whose first write of a window differs from the next) is the API core's."""
    return [
        query["sql"]
        for query in captured
        if "cercle_cache" not in query["sql"] and "SAVEPOINT" not in query["sql"]
    ]


def test_every_list_runs_the_same_queries_for_5_items_as_for_50(
    alice: User, bob: User, coordinator: User, cargo: Community, general: Space
) -> None:
    """Twelve of everything, read by pages of 5 and of 50: a query per row would show
    as 7 more queries on the larger page."""
    tags = [
        conversation_actions.do_create_tag(coordinator, cargo, name=f"Tag {n}") for n in range(12)
    ]
    persona = persona_actions.do_create_persona(coordinator, cargo, name="Velia")
    shelf = library_actions.do_create_collection(coordinator, general, title="Shelf")
    topic = question(alice, general, "The first question")
    conversation_actions.do_start_topic(
        coordinator, general, kind="discussion", title="From Velia", body="Hi", persona=persona
    )
    for n in range(12):
        writer = (alice, bob)[n % 2]
        other = conversation_actions.do_start_topic(
            writer,
            general,
            kind="question",
            title=f"Question {n}",
            body="?",
            tags=[tags[1]] if n == 1 else [tags[1], tags[n]],
        )
        conversation_actions.do_reply(bob if writer == alice else alice, other, body="!")
        answer = conversation_actions.do_reply((alice, bob)[n % 2], topic, body=f"Answer {n}")
        if answer.author != alice:
            conversation_actions.do_toggle_reaction(alice, answer, "thanks")
        _event(coordinator, general, title=f"Event {n}")
        activity_actions.do_create_poll(
            coordinator,
            general,
            activity_actions.PollFields(title=f"Poll {n}", choices=["A", "B"]),
        )
        library_actions.do_create_collection(coordinator, general, title=f"Collection {n}")
        library_actions.do_add_note(writer, shelf, title=f"Note {n}", note="Text", tags=tags[:2])
        wiki_actions.do_create_article(writer, general, title=f"Article {n}", body="Text")
        idea_actions.do_propose_idea(writer, general, title=f"Idea {n}")
    article = Article.objects.first()
    assert article is not None
    for n in range(12):
        article = wiki_actions.do_edit_article(
            alice,
            article,
            title=article.title,
            body=f"Text {n}",
            base_number=article.revision_number,
        )
    client = client_for(alice)
    lists = [
        "/communities/cargo/topics",
        "/communities/cargo/topics?space=general&kind=question&tag=tag-1",
        f"/topics/{topic.pk}/posts",
        f"/topics/{topic.pk}",
        "/communities/cargo/tags",
        "/communities/cargo/events",
        "/communities/cargo/polls",
        "/communities/cargo/library/collections",
        f"/communities/cargo/library/collections/{shelf.slug}/resources",
        "/communities/cargo/wiki/articles",
        f"/communities/cargo/wiki/articles/{article.slug}/revisions",
        "/communities/cargo/ideas",
    ]
    for path in lists:
        counts = []
        for limit in (5, 50):
            joiner = "&" if "?" in path else "?"
            with CaptureQueriesContext(connection) as queries:
                status, page = call(client, "get", f"{path}{joiner}limit={limit}")
            assert status == 200, (path, page)
            items = page["posts"]["items"] if "posts" in page else page["items"]
            assert len(items) >= min(limit, 7), (path, len(items))
            counts.append(len(own_queries(queries.captured_queries)))
        assert counts[0] == counts[1], (path, counts)


def test_a_read_only_token_reads_and_never_writes(alice: User, general: Space) -> None:
    topic = question(alice, general)
    reader = ApiClient(make_token(alice, scopes=("read",)))
    assert reader.get(f"/topics/{topic.pk}").status_code == 200
    response = reader.post(f"/topics/{topic.pk}/posts", {"body": "Through a read-only token"})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert Post.objects.filter(topic=topic).count() == 1
    writer = ApiClient(make_token(alice))
    response = writer.post(f"/topics/{topic.pk}/posts", {"body": "Through a token"})
    assert response.status_code == 201, response.json()
    assert Post.objects.filter(topic=topic).count() == 2


# --- The example script of the docs, against a live server --------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "answer_unanswered.py"


@pytest.mark.django_db(transaction=True)
def test_the_example_script_answers_an_unanswered_question(
    live_server: Any, alice: User, bob: User, general: Space
) -> None:
    older = question(alice, general, "Which lock for a cargo bike?")
    newer = question(alice, general, "Where to park at the station?")
    answered = question(alice, general, "Already answered")
    conversation_actions.do_reply(bob, answered, body="Here.")
    token = make_token(bob)
    command = [sys.executable, str(EXAMPLE), "--site", live_server.url, "--community", "cargo"]
    environment = {**os.environ, "CERCLE_TOKEN": token}
    listed = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == [
        f"#{newer.pk}  {newer.title}  (Alice Martin)",
        f"#{older.pk}  {older.title}  (Alice Martin)",
    ]
    done = subprocess.run(
        [*command, "--answer", "A **D-lock**, chained to something solid."],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    reply = Post.objects.get(topic=older, position=1)
    assert (reply.author, reply.body) == (bob, "A **D-lock**, chained to something solid.")
    assert f"Answered #{older.pk}: {live_server.url}/c/cargo/s/general/t/{older.pk}/" in done.stdout
    # A person who may not post there is told why, in the problem's words.
    outsider = make_token(make_person("out@example.org", "Outsider"))
    refused = subprocess.run(
        [*command, "--answer", "Me too", "--topic", str(newer.pk)],
        env={**os.environ, "CERCLE_TOKEN": outsider},
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1
    assert "403 You may not do this here." in refused.stderr
    assert not Post.objects.filter(topic=newer, position__gt=0).exists()
    help_text = subprocess.run(
        [sys.executable, str(EXAMPLE), "--help"], capture_output=True, text=True, check=True
    )
    assert "unanswered questions" in help_text.stdout
