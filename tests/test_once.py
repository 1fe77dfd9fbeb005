"""One submission, one creation (issue 13, probe finding g): the same creation form
sent twice (a double click) or ten times at once creates one thing, and every repeat
is answered like the first submission. A refused submission frees its token.

The concurrency test runs on SQLite by default and on PostgreSQL with
`DATABASE_URL=postgres://... pytest tests/test_once.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cercle import web
from cercle.accounts.models import User
from cercle.badges import actions as badge_actions
from cercle.badges.models import CustomBadge
from cercle.communities.models import Community, Invitation, Space
from cercle.contests import actions as contest_actions
from cercle.contests.actions import ContestPlan
from cercle.contests.models import Contest, Entry, Vote
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, Post, Tag, Topic
from cercle.ideas import actions as idea_actions
from cercle.ideas.models import Idea
from cercle.knowledge import actions as knowledge_actions
from cercle.knowledge.models import ResourceComment
from cercle.models import ONCE_FIELD, SubmissionClaim, new_token
from cercle.people import actions as people_actions
from cercle.people.models import Level
from tests.communities import client_for, community, html, join, staff_person
from tests.concurrency import retrying, run_together
from tests.conftest import make_person
from tests.test_activities import make_challenge, make_poll, make_quiz


@pytest.fixture
def cargo(db: None, coordinator: User, alice: User, bob: User) -> Community:
    """Claire coordinates; Alice and Bob are members."""
    created = community(coordinator, slug="cargo")
    join(alice, created)
    join(bob, created)
    return created


def new_topic_url() -> str:
    return reverse("topic_new", kwargs={"slug": "cargo", "space": "general"})


def topic_values(token: str, **values: str) -> dict[str, str]:
    return (
        {"kind": Kind.DISCUSSION, "title": "Spring ride", "body": "Who comes?"}
        | values
        | {ONCE_FIELD: token}
    )


class Forms(HTMLParser):
    """The forms of a page: where each posts, and the names and values of its fields."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.forms: list[tuple[str, str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._fields = {}
            self.forms.append(
                (values.get("method", "get").lower(), values.get("action", ""), self._fields)
            )
        elif self._fields is not None and values.get("name"):
            self._fields.setdefault(values["name"], values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._fields = None


def token_in(page: str, action: str, page_url: str) -> str:
    """The token of the form of `page` that posts to `action` (other forms may post
    there too, such as the tags page's delete buttons)."""
    posting = [
        fields
        for method, target, fields in Forms(page).forms
        # An action may end with a fragment: the part of the page shown after posting.
        if method == "post" and (target or page_url).split("#")[0] == action
    ]
    assert posting, f"no form posts to {action} on {page_url}"
    tokens = [fields[ONCE_FIELD] for fields in posting if ONCE_FIELD in fields]
    assert tokens, f"the form that posts to {action} on {page_url} has no token"
    return tokens[0]


# --- A double click -------------------------------------------------------------------------


def test_a_topic_sent_twice_is_created_once_and_the_second_answer_leads_to_it(
    cargo: Community, alice: User
) -> None:
    client = client_for(alice)
    token = token_in(html(client, new_topic_url()), new_topic_url(), new_topic_url())
    first = client.post(new_topic_url(), topic_values(token))
    second = client.post(new_topic_url(), topic_values(token))
    topic = Topic.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == topic.get_absolute_url()
    assert SubmissionClaim.objects.get().location == topic.get_absolute_url()
    # A new page draws a new token: the next topic is a new submission.
    again = token_in(html(client, new_topic_url()), new_topic_url(), new_topic_url())
    assert again != token
    client.post(new_topic_url(), topic_values(again, title="Autumn ride"))
    assert Topic.objects.count() == 2


def test_a_reply_sent_twice_is_posted_once(cargo: Community, alice: User, bob: User) -> None:
    topic = conversation_actions.do_start_topic(
        alice,
        cargo.spaces.get(slug="general"),
        kind=Kind.DISCUSSION,
        title="Spring ride",
        body="Who?",
    )
    client = client_for(bob)
    page = topic.get_absolute_url()
    action = reverse("topic_reply", args=["cargo", "general", topic.pk])
    token = token_in(html(client, page), action, page)
    answers = [client.post(action, {"body": "I'm in", ONCE_FIELD: token}) for _click in range(2)]
    reply = Post.objects.get(topic=topic, position=1)
    assert Post.objects.filter(topic=topic).count() == 2
    assert [answer["Location"] for answer in answers] == [reply.get_absolute_url()] * 2


def test_a_refused_submission_may_be_corrected_and_sent_again_with_the_same_token(
    cargo: Community, alice: User
) -> None:
    client = client_for(alice)
    token = new_token()
    refused = client.post(new_topic_url(), topic_values(token, title=""))
    assert refused.status_code == 200
    assert "This field is required." in refused.content.decode()
    assert not Topic.objects.exists()
    assert not SubmissionClaim.objects.exists()
    corrected = client.post(new_topic_url(), topic_values(token))
    assert corrected.status_code == 302
    assert corrected["Location"] == Topic.objects.get().get_absolute_url()


def test_a_refusal_told_as_a_message_frees_the_token_too(cargo: Community, alice: User) -> None:
    # (The library's new collection used to refuse this way; it now answers with the
    # form as typed, like the test above. A comment left empty is still told as a
    # message.)
    general = cargo.spaces.get(slug="general")
    guides = knowledge_actions.do_create_collection(alice, general, title="Guides")
    note = knowledge_actions.do_add_note(alice, guides, title="Tyres", note="Pump them.")
    client = client_for(alice)
    action = reverse("knowledge:comment", args=["cargo", note.pk])
    token = new_token()
    refused = client.post(action, {"body": "", ONCE_FIELD: token})
    assert refused.status_code == 302
    assert not ResourceComment.objects.exists()
    assert not SubmissionClaim.objects.exists()
    client.post(action, {"body": "Thanks", ONCE_FIELD: token})
    client.post(action, {"body": "Thanks", ONCE_FIELD: token})
    assert list(ResourceComment.objects.values_list("body", flat=True)) == ["Thanks"]


def test_a_token_counts_for_its_person_only(cargo: Community, alice: User, bob: User) -> None:
    token = new_token()
    client_for(alice).post(new_topic_url(), topic_values(token))
    client_for(bob).post(new_topic_url(), topic_values(token, title="Bob's ride"))
    assert sorted(Topic.objects.values_list("author__display_name", flat=True)) == [
        "Alice Martin",
        "Bob Leroy",
    ]


def test_a_form_without_a_token_is_taken_as_before(cargo: Community, alice: User) -> None:
    """Old pages and scripts post no token: nothing guards them, nothing refuses them."""
    client = client_for(alice)
    values = {"kind": Kind.DISCUSSION, "title": "Spring ride", "body": "Who comes?"}
    client.post(new_topic_url(), values)
    client.post(new_topic_url(), values | {ONCE_FIELD: "not a token!"})
    assert Topic.objects.count() == 2
    assert not SubmissionClaim.objects.exists()


def test_invitations_sent_twice_go_out_once_and_the_repeat_shows_the_members_page(
    cargo: Community,
    coordinator: User,
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(coordinator)
    page = reverse("community_members", args=["cargo"])
    token = token_in(html(client, page), page, page)
    values = {"addresses": "dora@example.org", "message": "", ONCE_FIELD: token}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(page, values)
    assert first.status_code == 200
    assert "1 invitation sent." in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(page, values)
    assert second.status_code == 302
    assert second["Location"] == page
    assert Invitation.objects.filter(email="dora@example.org").count() == 1
    assert [message.to for message in mail.outbox] == [["dora@example.org"]]


def test_old_claims_are_forgotten_after_a_week(cargo: Community, alice: User) -> None:
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        SubmissionClaim.objects.create(person=alice, token=new_token(), location="/old/")
    SubmissionClaim.objects.create(person=alice, token=new_token(), location="/new/")
    assert web.purge_old_tokens() == 1
    assert list(SubmissionClaim.objects.values_list("location", flat=True)) == ["/new/"]
    assert web.purge_old_tokens() == 0


# --- Ten at once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_ten_submissions_at_once_create_one_topic_and_all_lead_to_it() -> None:
    claire = make_person("claire@example.org", "Claire Coord")
    alice = make_person("alice@example.org", "Alice Martin")
    join(alice, community(claire, slug="cargo"))
    clients = [client_for(alice) for _tab in range(10)]
    token = new_token()
    answers: list[tuple[int, str]] = []
    waits: list[str] = []

    def submission(client: Client) -> Callable[[], object]:
        def action() -> object:
            response = client.post(new_topic_url(), topic_values(token))
            answers.append((response.status_code, response["Location"]))
            return None

        return retrying(action, waits)

    assert run_together([submission(client) for client in clients]) == []
    topic = Topic.objects.get()
    assert answers == [(302, topic.get_absolute_url())] * 10
    assert SubmissionClaim.objects.count() == 1
    assert topic.posts.count() == 1
    if connection.vendor == "postgresql":
        assert waits == []


# --- Every creation form carries a token --------------------------------------------------------


@dataclass
class FormPage:
    """A page (seen by `who`) with a creation form that posts to the view `name`."""

    name: str
    who: User
    page: str
    action: str


def once_view_names() -> set[str]:
    """The URL names of every view wrapped in `web.once`."""
    found: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and web.claims_once(pattern.callback):
                found.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def world(cargo: Community, coordinator: User, alice: User, bob: User) -> list[FormPage]:
    """Something of everything, and the page of every creation form."""
    general: Space = cargo.spaces.get(slug="general")
    with time_machine.travel(timezone.now() - timedelta(hours=72)):
        brakes: Tag = conversation_actions.do_create_tag(coordinator, cargo, name="Brakes")
        question = conversation_actions.do_start_topic(
            alice, general, kind=Kind.QUESTION, title="Which pads?", body="For rain.", tags=[brakes]
        )
    people_actions.do_declare_expertise(bob, brakes, Level.EXPERT)
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Spring ride", body="Who comes?"
    )
    reply = conversation_actions.do_reply(bob, topic, body="I'm in")
    collection = knowledge_actions.do_create_collection(alice, general, title="Repairs")
    resource = knowledge_actions.do_add_note(alice, collection, title="Chain care", note="Oil.")
    poll = make_poll(coordinator, general)
    quiz = make_quiz(coordinator, general)
    challenge = make_challenge(coordinator, general)
    idea: Idea = idea_actions.do_propose_idea(alice, general, title="Monthly repair café")
    badge: CustomBadge = badge_actions.do_create_badge(
        coordinator, cargo, name="Mechanic", description="Fixes things.", emoji="🔧"
    )
    newcomer = make_person("eve@example.org", "Eve Newcomer")
    join(newcomer, cargo)
    contest, entry = running_contest(coordinator, alice, general)

    def url(name: str, *args: Any) -> str:
        return reverse(name, args=["cargo", *args])

    def on(name: str, who: User, page: str, *args: Any) -> FormPage:
        """A form on `page` that posts to the view `name`."""
        return FormPage(name, who, page, url(name, *args))

    def same(name: str, who: User, *args: Any) -> FormPage:
        """A form that posts to its own page."""
        return on(name, who, url(name, *args), *args)

    queue = url("nextactions:queue")
    return [
        FormPage("community_create", staff_person(), *[reverse("community_create")] * 2),
        FormPage(
            "oauth:register",
            User.objects.get(email="op@example.org"),
            *[reverse("oauth:register")] * 2,
        ),
        FormPage("api_tokens", alice, *[reverse("api_tokens")] * 2),
        FormPage(
            "webhooks:staff_list",
            User.objects.get(email="op@example.org"),
            *[reverse("webhooks:staff_list")] * 2,
        ),
        same("webhooks:list", coordinator),
        same("bridges:new", coordinator),
        same("mailin:settings", coordinator),
        same("community_spaces", coordinator),
        same("community_members", coordinator),
        same("community_tags", coordinator),
        same("topic_new", alice, "general"),
        on("topic_reply", bob, topic.get_absolute_url(), "general", topic.pk),
        same("post_flag", alice, "general", topic.pk, reply.position),
        on("knowledge:new_collection", alice, url("knowledge:library")),
        on("knowledge:new_collection", alice, collection.get_absolute_url()),
        same("knowledge:add_link", alice, collection.slug),
        same("knowledge:add_file", alice, collection.slug),
        same("knowledge:add_note", alice, collection.slug),
        same("knowledge:import_bookmarks", alice, collection.slug),
        on("knowledge:comment", bob, resource.get_absolute_url(), resource.pk),
        same("wiki_new", alice, "general"),
        same("animation:new_post", coordinator),
        same("activities:new_poll", coordinator),
        same("activities:new_quiz", coordinator),
        same("activities:new_challenge", coordinator),
        on("activities:vote", bob, poll.get_absolute_url(), poll.pk),
        on("activities:answer_quiz", bob, quiz.get_absolute_url(), quiz.pk),
        on("activities:answer_challenge", bob, challenge.get_absolute_url(), challenge.pk),
        same("contests:new", coordinator),
        same("contests:enter", bob, contest.pk),
        on("contests:vote", bob, entry.get_absolute_url(), contest.pk, entry.pk),
        on("contests:vote", bob, contest.get_absolute_url(), contest.pk, entry.pk),
        same("events:new", coordinator),
        same("events:new_ritual", coordinator),
        same("ideas:new", alice),
        on("ideas:vote", bob, idea.get_absolute_url(), idea.pk),
        on("ideas:vote", bob, url("ideas:board"), idea.pk),
        same("personas:new", coordinator),
        same("badges:new", coordinator),
        same("badges:custom", coordinator, badge.pk),
        same("value:new", alice),
        same("value:sponsors", coordinator),
        on("nextactions:ask", coordinator, queue, question.pk),
        on("nextactions:welcome", coordinator, queue, newcomer.pk),
        on("onboarding:welcome_newcomer", coordinator, url("onboarding:newcomers"), newcomer.pk),
    ]


# The contest of `world`: entries open in an hour, votes in three days.
ENTRIES = timedelta(days=1)
VOTES = timedelta(days=4)


def running_contest(animator: User, author: User, space: Space) -> tuple[Contest, Entry]:
    """A contest with one entry, by `author`, who joined before it started."""
    now = timezone.now()
    contest = contest_actions.do_create_contest(
        animator,
        space,
        title="Best cargo bike hack",
        brief="Show us.",
        rules="One entry each.",
        plan=ContestPlan(
            submissions_open_at=now + timedelta(hours=1),
            submissions_close_at=now + timedelta(days=3),
            voting_open_at=now + timedelta(days=3),
            voting_close_at=now + timedelta(days=5),
        ),
    )
    with time_machine.travel(now + ENTRIES, tick=False):
        entry = contest_actions.do_submit_entry(author, contest, title="Rain cover", text="A tent.")
    return contest, entry


def test_every_creation_form_carries_a_token(world: list[FormPage]) -> None:
    now = timezone.now()
    # The contest forms show while they are open: entries, then votes.
    moments = {"contests:enter": now + ENTRIES, "contests:vote": now + VOTES}
    tokens = set()
    for case in world:
        with time_machine.travel(moments.get(case.name, now), tick=False):
            page = html(client_for(case.who), case.page)
        tokens.add(token_in(page, case.action, case.page))
    # Every view guarded by `web.once` has its form here, and every token is new.
    assert {case.name for case in world} == once_view_names()
    assert len(tokens) == len(world)
    assert not Vote.objects.exists()


def test_a_vote_sent_twice_counts_once_and_may_then_be_withdrawn(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    general = cargo.spaces.get(slug="general")
    idea = idea_actions.do_propose_idea(alice, general, title="Repair café")
    client = client_for(bob)
    page = idea.get_absolute_url()
    action = reverse("ideas:vote", args=["cargo", idea.pk])
    token = token_in(html(client, page), action, page)
    for _click in range(2):
        assert client.post(action, {"vote": "1", ONCE_FIELD: token})["Location"] == page
    idea.refresh_from_db()
    assert idea.vote_count == 1
    # The page after the vote draws a new token: withdrawing is a new submission.
    again = token_in(html(client, page), action, page)
    client.post(action, {"vote": "0", ONCE_FIELD: again})
    idea.refresh_from_db()
    assert idea.vote_count == 0


def test_the_token_field_is_hidden_and_random(cargo: Community, coordinator: User) -> None:
    page = html(client_for(coordinator), reverse("community_spaces", args=["cargo"]))
    assert f'<input type="hidden" name="{ONCE_FIELD}" value="' in page
    assert len({new_token() for _draw in range(100)}) == 100
