"""Chat bridges: Slack, Teams and Mattermost messages sent over real HTTP to a receiver
started here and validated against what each chat publishes (Block Kit's rules, the
Adaptive Cards schema 1.5, Mattermost's incoming webhook fields); Matrix through a real
Synapse homeserver, read back by a reader of the room; what may never leave (a private
space's question, a persona's real writer, verbs no bridge carries); the coordinators'
pages."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.bridges import actions, messages, receivers, tasks, transports
from cercle.bridges.actions import BridgeSettings
from cercle.bridges.models import Bridge, BridgePost, Kind, News, PostStatus
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Tag, Topic
from cercle.errors import ActionRefused
from cercle.events import actions as event_actions
from cercle.personas import actions as persona_actions
from tests.communities import client_for
from tests.matrix_server import MatrixServer, matrix_server

__all__ = ["matrix_server"]

SCHEMAS = Path(__file__).parent / "schemas"
ALL_NEWS = list(News.values)
SITE = settings.SITE_URL


# --- A chat's incoming webhook, on this machine ------------------------------------------------


class Receiver:
    """An HTTP server on a free local port that records what is posted to it and answers
    with `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(json.loads(self.rfile.read(length)))
                receiver.headers.append(dict(self.headers))
                self.send_response(receiver.status)
                self.end_headers()
                self.wfile.write(b"ok" if receiver.status < 400 else b"invalid_payload")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/T000/B000"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as started:
        yield started


@pytest.fixture
def loopback(settings: Any) -> None:
    settings.CERCLE_BRIDGES_ALLOW_LOOPBACK = True


@pytest.fixture
def send_at_once(
    loopback: None, immediate_tasks: None, django_capture_on_commit_callbacks: Any
) -> Callable[..., Any]:
    """Run an action and, once it commits, the worker's tasks (in this process)."""

    def run(action: Callable[[], Any]) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def connect(creator: User, community: Community, kind: str, url: str = "", **values: Any) -> Bridge:
    values.setdefault("news", ALL_NEWS)
    return actions.do_create_bridge(
        creator,
        community,
        BridgeSettings(kind=kind, name=f"{kind} news", webhook_url=url, **values),
    )


def ask(
    person: User, space: Space, title: str = "Which bike for two children?", **more: Any
) -> Topic:
    return conversation_actions.do_start_topic(
        person, space, kind=TopicKind.QUESTION, title=title, body="Tell us **everything**.", **more
    )


# --- What each chat publishes ------------------------------------------------------------------

# Block Kit (Slack's reference, "Blocks" and "Composition objects"): a message holds at
# most 50 blocks of the listed types; a text object is plain_text or mrkdwn with 1 to
# 3000 characters; a header's text is plain_text of at most 150; a section has text or
# fields (at most 10, 2000 characters each); a context at most 10 elements; actions at
# most 25 elements; a button's text is plain_text of at most 75, its url at most 3000.
BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "image", "rich_text"}


def block_kit_problems(message: dict[str, Any]) -> list[str]:  # noqa: PLR0912 - one rule a line
    problems: list[str] = []

    def text_object(obj: Any, where: str, limit: int = 3000, plain_only: bool = False) -> None:
        if not isinstance(obj, dict) or obj.get("type") not in {"plain_text", "mrkdwn"}:
            problems.append(f"{where}: not a text object")
            return
        if plain_only and obj["type"] != "plain_text":
            problems.append(f"{where}: must be plain_text")
        text = obj.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= limit:
            problems.append(f"{where}: text of 1 to {limit} characters")
        if "emoji" in obj and obj["type"] != "plain_text":
            problems.append(f"{where}: emoji only on plain_text")
        if set(obj) - {"type", "text", "emoji", "verbatim"}:
            problems.append(
                f"{where}: unknown fields {set(obj) - {'type', 'text', 'emoji', 'verbatim'}}"
            )

    blocks = message.get("blocks")
    if not isinstance(message.get("text", ""), str):
        problems.append("text: a string")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
        return [*problems, "blocks: 1 to 50"]
    for index, block in enumerate(blocks):
        where = f"blocks[{index}]"
        kind = block.get("type")
        if kind not in BLOCK_TYPES:
            problems.append(f"{where}: unknown type {kind!r}")
        elif kind == "header":
            text_object(block.get("text"), where, 150, plain_only=True)
        elif kind == "section":
            if "text" not in block and "fields" not in block:
                problems.append(f"{where}: text or fields")
            if "text" in block:
                text_object(block["text"], where + ".text")
            for n, item in enumerate(block.get("fields", [])[:10]):
                text_object(item, f"{where}.fields[{n}]", 2000)
            if len(block.get("fields", [])) > 10:
                problems.append(f"{where}: at most 10 fields")
        elif kind == "context":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 10:
                problems.append(f"{where}: 1 to 10 elements")
            for n, element in enumerate(elements):
                if element.get("type") != "image":
                    text_object(element, f"{where}.elements[{n}]")
        elif kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 25:
                problems.append(f"{where}: 1 to 25 elements")
            for n, element in enumerate(elements):
                if element.get("type") == "button":
                    text_object(element.get("text"), f"{where}.elements[{n}]", 75, plain_only=True)
                    url = element.get("url", "")
                    if not url.startswith(("http://", "https://")) or len(url) > 3000:
                        problems.append(f"{where}.elements[{n}]: url")
                    if len(element.get("action_id", "")) > 255:
                        problems.append(f"{where}.elements[{n}]: action_id")
        if len(block.get("block_id", "")) > 255:
            problems.append(f"{where}: block_id")
    return problems


# Mattermost's incoming webhook parameters (developers.mattermost.com, "Incoming
# webhooks"): `text` (Markdown, required unless `attachments`), and optional `channel`,
# `username`, `icon_url`, `icon_emoji`, `attachments`, `type`, `props`, `priority`.
MATTERMOST_FIELDS = {
    "text",
    "channel",
    "username",
    "icon_url",
    "icon_emoji",
    "attachments",
    "type",
    "props",
    "priority",
}
MATTERMOST_POST_LIMIT = 16383


def mattermost_problems(message: dict[str, Any]) -> list[str]:
    problems = [f"unknown field {name}" for name in set(message) - MATTERMOST_FIELDS]
    if not message.get("text") and not message.get("attachments"):
        problems.append("text or attachments")
    if len(message.get("text", "")) > MATTERMOST_POST_LIMIT:
        problems.append("text too long")
    for name in ("text", "channel", "username", "icon_url", "icon_emoji"):
        if name in message and not isinstance(message[name], str):
            problems.append(f"{name}: a string")
    return problems


@pytest.fixture(scope="module")
def adaptive_card_schema() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "adaptive-card-1.5.json").read_text())
    return jsonschema.Draft6Validator(schema)


def card_of(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["type"] == "message"
    (attachment,) = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card: dict[str, Any] = attachment["content"]
    return card


SAMPLE = {
    "news": News.QUESTIONS,
    "title": "Which bike?",
    "excerpt": "Tell us.",
    "url": "https://cercle.example/c/cargo/",
    "community": "Cargo",
    "space": "General",
    "author": "Alice",
}


def sample(**values: Any) -> messages.Message:
    return messages.Message(**{**SAMPLE, **values})


def test_the_validators_refuse_what_the_chats_refuse(
    adaptive_card_schema: jsonschema.protocols.Validator,
) -> None:
    slack = messages.slack(sample())
    assert block_kit_problems(slack) == []
    assert block_kit_problems({"blocks": [slack["blocks"][1]] * 51})
    assert block_kit_problems(
        {"blocks": [{"type": "section", "text": {"type": "html", "text": "x"}}]}
    )
    too_long = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    assert block_kit_problems({"blocks": [too_long]})
    assert block_kit_problems({"blocks": [{"type": "carousel"}]})
    card = card_of(messages.teams(sample()))
    assert list(adaptive_card_schema.iter_errors(card)) == []
    broken = json.loads(json.dumps(card))
    broken["body"][0]["size"] = "Huge"
    assert list(adaptive_card_schema.iter_errors(broken))
    broken = json.loads(json.dumps(card))
    del broken["actions"][0]["url"]
    assert list(adaptive_card_schema.iter_errors(broken))
    assert mattermost_problems(messages.mattermost(sample())) == []
    assert mattermost_problems({"text": "x", "blocks": []})


def test_a_long_excerpt_still_fits_every_chat(
    adaptive_card_schema: jsonschema.protocols.Validator,
) -> None:
    huge = sample(title="T" * 200, excerpt="word " * 2000, author="A" * 300)
    assert block_kit_problems(messages.slack(huge)) == []
    assert list(adaptive_card_schema.iter_errors(card_of(messages.teams(huge)))) == []
    assert mattermost_problems(messages.mattermost(huge)) == []


# --- Slack, Teams, Mattermost over real HTTP ---------------------------------------------------


def test_a_new_question_reaches_slack_as_valid_block_kit(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    bridge = connect(coordinator, cargo, Kind.SLACK, receiver.url)
    topic = send_at_once(lambda: ask(alice, general))

    (payload,) = receiver.received
    assert block_kit_problems(payload) == []
    assert receiver.headers[0]["Content-Type"] == "application/json"
    assert payload["blocks"][0]["text"]["text"] == "New question"
    url = f"{SITE}{topic.get_absolute_url()}"
    assert f"<{url}|Which bike for two children?>" in payload["blocks"][1]["text"]["text"]
    assert payload["blocks"][3]["elements"][0]["url"] == url
    assert "Alice Martin" in payload["blocks"][2]["elements"][0]["text"]
    post = BridgePost.objects.get(bridge=bridge)
    assert (post.status, post.subject_type, post.subject_id) == (PostStatus.SENT, "topic", topic.pk)
    bridge.refresh_from_db()
    assert bridge.last_sent_at is not None
    assert bridge.last_error == ""


def test_a_solved_question_reaches_teams_as_an_adaptive_card_1_5(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
    adaptive_card_schema: jsonschema.protocols.Validator,
) -> None:
    connect(coordinator, cargo, Kind.TEAMS, receiver.url, news=[News.SOLVED])
    topic = ask(alice, general)
    answer = conversation_actions.do_reply(bob, topic, body="A long-tail bike.")
    send_at_once(lambda: conversation_actions.do_accept_answer(alice, topic, answer))

    (payload,) = receiver.received
    card = card_of(payload)
    assert [error.message for error in adaptive_card_schema.iter_errors(card)] == []
    assert card["version"] == "1.5"
    texts = [block["text"] for block in card["body"]]
    assert texts[:3] == ["Question solved", "Which bike for two children?", "A long-tail bike."]
    assert "Bob Leroy" in texts[3]
    assert card["actions"][0]["url"].endswith(answer.get_absolute_url())


def test_an_event_reaches_mattermost_with_its_incoming_webhook_fields(
    cargo: Community,
    general: Space,
    coordinator: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    connect(coordinator, cargo, Kind.MATTERMOST, receiver.url, news=[News.EVENTS])
    starts = timezone.now() + timedelta(days=3)
    event = send_at_once(
        lambda: event_actions.do_create_event(
            coordinator,
            general,
            title="Spring ride",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            description="Meet at the *station*.",
            place="Station",
        )
    )

    (payload,) = receiver.received
    assert mattermost_problems(payload) == []
    assert payload["text"].startswith(
        f"**New event**: [Spring ride]({SITE}{event.get_absolute_url()})"
    )
    assert "Meet at the station." in payload["text"]


def test_messages_are_written_in_the_community_language(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    Community.objects.filter(pk=cargo.pk).update(language="fr")
    connect(coordinator, cargo, Kind.SLACK, receiver.url)
    send_at_once(lambda: ask(alice, general))

    (payload,) = receiver.received
    assert payload["blocks"][0]["text"]["text"] == "Nouvelle question"
    assert payload["blocks"][3]["elements"][0]["text"]["text"] == "Ouvrir dans Cercle"


# --- Matrix, through a real homeserver ---------------------------------------------------------


def test_an_announcement_is_posted_into_a_matrix_room_and_read_back(
    cargo: Community,
    general: Space,
    coordinator: User,
    send_at_once: Callable[..., Any],
    matrix_server: MatrixServer,
) -> None:
    alias = f"cargo-news-{cargo.pk}"
    room_id = matrix_server.create_room(alias)
    bridge = connect(
        coordinator,
        cargo,
        Kind.MATRIX,
        homeserver_url=matrix_server.url,
        room=f"#{alias}:cercle.test",
        bot_token=matrix_server.bot.access_token,
        news=[News.ANNOUNCEMENTS],
    )
    topic = send_at_once(
        lambda: conversation_actions.do_start_topic(
            coordinator,
            general,
            kind=TopicKind.ANNOUNCEMENT,
            title="The workshop opens on Saturday",
            body="Bring your **tools**.",
        )
    )

    (message,) = matrix_server.messages(room_id)
    assert message["sender"] == matrix_server.bot.user_id
    content = message["content"]
    assert content["msgtype"] == "m.notice"
    assert content["body"].startswith("Announcement: The workshop opens on Saturday")
    url = f"{SITE}{topic.get_absolute_url()}"
    assert f'<a href="{url}">The workshop opens on Saturday</a>' in content["formatted_body"]
    assert "Bring your tools." in content["body"]
    assert BridgePost.objects.get(bridge=bridge).status == PostStatus.SENT

    # Sent again (a worker retrying), the same post is the same Matrix transaction: the
    # homeserver keeps one message.
    post = BridgePost.objects.get(bridge=bridge)
    transports.send(
        bridge, messages.Message(**{**SAMPLE, "news": ""}), transaction_id=f"cercle-{post.pk}"
    )
    assert len(matrix_server.messages(room_id)) == 1


def test_a_matrix_bridge_with_a_wrong_token_records_the_homeservers_refusal(
    cargo: Community, coordinator: User, loopback: None, matrix_server: MatrixServer
) -> None:
    room_id = matrix_server.create_room()
    bridge = connect(
        coordinator,
        cargo,
        Kind.MATRIX,
        homeserver_url=matrix_server.url,
        room=room_id,
        bot_token="not-a-token",
    )
    post = actions.do_send_test(coordinator, bridge)

    assert post.status == PostStatus.FAILED
    assert "401" in post.error
    assert "M_UNKNOWN_TOKEN" in post.error
    bridge.refresh_from_db()
    assert bridge.last_error == post.error
    assert matrix_server.messages(room_id) == []


# --- What never leaves -------------------------------------------------------------------------


def test_a_private_space_question_goes_only_through_a_bridge_on_that_space(
    cargo: Community,
    lab: Space,
    coordinator: User,
    alice: User,
    send_at_once: Callable[..., Any],
) -> None:
    with Receiver() as everyone, Receiver() as lab_chat:
        connect(coordinator, cargo, Kind.SLACK, everyone.url)
        connect(coordinator, cargo, Kind.SLACK, lab_chat.url, space=lab, private_confirmed=True)
        send_at_once(lambda: ask(alice, lab, "Our secret prototype"))

        assert everyone.received == []
        (payload,) = lab_chat.received
        assert "Our secret prototype" in json.dumps(payload)


def test_nothing_goes_through_a_bridge_whose_creator_cannot_read_the_space(
    cargo: Community,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    bridge = connect(
        coordinator, cargo, Kind.SLACK, receiver.url, space=lab, private_confirmed=True
    )
    # The bridge handed over to Bob, who is not listed in the private space.
    Bridge.objects.filter(pk=bridge.pk).update(created_by=bob)
    send_at_once(lambda: ask(alice, lab, "Our secret prototype"))

    assert receiver.received == []
    assert not BridgePost.objects.exists()


def test_a_private_space_needs_its_coordinators_confirmation(
    cargo: Community, lab: Space, coordinator: User, loopback: None, receiver: Receiver
) -> None:
    with pytest.raises(ActionRefused, match="private"):
        connect(coordinator, cargo, Kind.SLACK, receiver.url, space=lab)
    assert not Bridge.objects.exists()


def test_a_question_asked_as_a_persona_never_names_its_writer(
    cargo: Community,
    general: Space,
    coordinator: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    lola = persona_actions.do_create_persona(coordinator, cargo, name="Lola the Cargo Bike")
    connect(coordinator, cargo, Kind.MATTERMOST, receiver.url)
    send_at_once(lambda: ask(coordinator, general, persona=lola))

    (payload,) = receiver.received
    assert "Lola the Cargo Bike" in payload["text"]
    assert "Claire" not in json.dumps(payload)


def test_verbs_no_bridge_carries_cost_no_query_and_send_nothing(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    connect(coordinator, cargo, Kind.SLACK, receiver.url, news=[News.QUESTIONS])
    topic = send_at_once(
        lambda: conversation_actions.do_start_topic(
            alice, general, kind=TopicKind.DISCUSSION, title="Chat", body="Hello."
        )
    )
    send_at_once(lambda: conversation_actions.do_reply(bob, topic, body="Hi."))
    reply_event = ActivityEvent.objects.filter(verb="reply.posted").latest("pk")
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        receivers.on_event_recorded(reply_event)
    assert callbacks == []
    # An announcement is carried by bridges, but not by this one.
    send_at_once(
        lambda: conversation_actions.do_start_topic(
            coordinator, general, kind=TopicKind.ANNOUNCEMENT, title="News", body="Read."
        )
    )
    assert receiver.received == []
    assert not BridgePost.objects.exists()


def test_a_tag_bridge_carries_only_the_topics_with_its_tag(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    tag: Tag = conversation_actions.do_create_tag(coordinator, cargo, name="Repairs")
    connect(coordinator, cargo, Kind.SLACK, receiver.url, tag=tag)
    send_at_once(lambda: ask(alice, general, "Untagged question"))
    send_at_once(lambda: ask(alice, general, "A flat tyre", tags=[tag]))

    assert [payload["text"] for payload in receiver.received] == ["New question: A flat tyre"]


def test_a_subject_is_posted_once_and_a_failure_is_recorded(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    receiver: Receiver,
    send_at_once: Callable[..., Any],
) -> None:
    receiver.status = 500
    bridge = connect(coordinator, cargo, Kind.SLACK, receiver.url)
    topic = send_at_once(lambda: ask(alice, general))
    event = ActivityEvent.objects.get(verb="topic.started.question", object_id=topic.pk)
    assert tasks.announce.call(event.pk) == 0  # already recorded: never twice

    assert len(receiver.received) == 1
    post = BridgePost.objects.get(bridge=bridge)
    assert post.status == PostStatus.FAILED
    assert post.error == "The chat answered 500: invalid_payload"
    bridge.refresh_from_db()
    assert bridge.last_error == post.error
    assert bridge.last_sent_at is None


# --- The coordinators' pages -------------------------------------------------------------------


def form_data(url: str, **values: Any) -> dict[str, Any]:
    return {
        "name": "#questions on Slack",
        "kind": Kind.SLACK,
        "scope": "",
        "news": [News.QUESTIONS, News.SOLVED],
        "webhook_url": url,
        **values,
    }


def test_a_coordinator_connects_tests_and_removes_a_bridge_through_the_pages(
    cargo: Community,
    coordinator: User,
    loopback: None,
    receiver: Receiver,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(coordinator)
    listing = reverse("bridges:list", kwargs={"slug": cargo.slug})
    response = client.post(
        reverse("bridges:new", kwargs={"slug": cargo.slug}), form_data(receiver.url)
    )
    assert response.status_code == 302
    bridge = Bridge.objects.get()
    assert (bridge.kind, bridge.news, bridge.created_by) == (
        Kind.SLACK,
        [News.QUESTIONS, News.SOLVED],
        coordinator,
    )

    response = client.post(reverse("bridges:test", kwargs={"slug": cargo.slug, "pk": bridge.pk}))
    assert response.status_code == 302
    (payload,) = receiver.received
    assert payload["blocks"][0]["text"]["text"] == "Test message"
    assert block_kit_problems(payload) == []

    page = client.get(listing).content.decode()
    assert "#questions on Slack" in page
    assert f"127.0.0.1:{receiver.server.server_address[1]}" in page
    assert "/hooks/T000/B000" not in page  # the webhook's address is a secret
    assert "Test message" in page

    response = client.post(reverse("bridges:delete", kwargs={"slug": cargo.slug, "pk": bridge.pk}))
    assert response.status_code == 302
    assert not Bridge.objects.exists()


def test_the_list_runs_a_fixed_number_of_queries(
    cargo: Community,
    coordinator: User,
    loopback: None,
    receiver: Receiver,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(coordinator)
    listing = reverse("bridges:list", kwargs={"slug": cargo.slug})
    for number in range(4):
        bridge = connect(coordinator, cargo, Kind.SLACK, receiver.url)
        for _ in range(number):
            BridgePost.objects.create(bridge=bridge, title="Sent", status=PostStatus.SENT)
    with django_assert_max_num_queries(12) as few:
        client.get(listing)
    connect(coordinator, cargo, Kind.TEAMS, receiver.url)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(listing).status_code == 200


def test_a_matrix_token_is_stored_and_never_shown(
    cargo: Community, coordinator: User, loopback: None
) -> None:
    client = client_for(coordinator)
    data = {
        "name": "Matrix room",
        "kind": Kind.MATRIX,
        "scope": "",
        "news": [News.QUESTIONS],
        "homeserver_url": "http://127.0.0.1:8448",
        "room": "#news:example.org",
        "bot_token": "syt_secret_token_value",
    }
    assert client.post(reverse("bridges:new", kwargs={"slug": cargo.slug}), data).status_code == 302
    bridge = Bridge.objects.get()
    assert bridge.bot_token == "syt_secret_token_value"
    edit = reverse("bridges:edit", kwargs={"slug": cargo.slug, "pk": bridge.pk})
    page = client.get(edit).content.decode()
    assert "syt_secret_token_value" not in page
    assert (
        "syt_secret_token_value"
        not in client.get(reverse("bridges:list", kwargs={"slug": cargo.slug})).content.decode()
    )
    # Left empty when saving, the stored token stays.
    response = client.post(edit, {**data, "bot_token": "", "name": "Renamed", "active": "on"})
    assert response.status_code == 302
    bridge.refresh_from_db()
    assert (bridge.name, bridge.bot_token) == ("Renamed", "syt_secret_token_value")


@pytest.mark.parametrize(
    ("url", "allowed", "error"),
    [
        ("http://chat.example.org/hooks/x", False, "Only https:// addresses are accepted."),
        ("http://127.0.0.1:9/hooks/x", False, "An address on this server itself is not accepted."),
        ("https://localhost/hooks/x", False, "An address on this server itself is not accepted."),
    ],
)
def test_webhook_addresses_must_be_https_and_elsewhere(
    cargo: Community, coordinator: User, settings: Any, url: str, allowed: bool, error: str
) -> None:
    settings.CERCLE_BRIDGES_ALLOW_LOOPBACK = allowed
    response = client_for(coordinator).post(
        reverse("bridges:new", kwargs={"slug": cargo.slug}), form_data(url)
    )
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Bridge.objects.exists()


def test_only_coordinators_reach_the_bridges(cargo: Community, alice: User, charlie: User) -> None:
    listing = reverse("bridges:list", kwargs={"slug": cargo.slug})
    assert client_for(alice).get(listing).status_code == 403
    assert client_for(charlie).get(listing).status_code == 403
    assert client_for(None).get(listing).status_code == 302
    response = client_for(alice).post(
        reverse("bridges:new", kwargs={"slug": cargo.slug}), form_data("https://chat.example.org/h")
    )
    assert response.status_code == 403
    assert not Bridge.objects.exists()
    with pytest.raises(ActionRefused):
        connect(alice, cargo, Kind.SLACK, "https://chat.example.org/h")


def test_the_community_head_links_coordinators_to_their_bridges(
    cargo: Community, coordinator: User
) -> None:
    page = Client()
    page.force_login(coordinator)
    html = page.get(reverse("community_manage", kwargs={"slug": cargo.slug})).content.decode()
    assert reverse("bridges:list", kwargs={"slug": cargo.slug}) in html


def test_a_question_in_a_community_without_bridges_costs_one_query_after_commit(
    general: Space,
    alice: User,
    django_assert_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    topic = ask(alice, general)
    event = ActivityEvent.objects.get(verb="topic.started.question", object_id=topic.pk)
    with django_assert_num_queries(0), django_capture_on_commit_callbacks() as callbacks:
        receivers.on_event_recorded(event)
    assert len(callbacks) == 1
    with django_assert_num_queries(1):
        callbacks[0]()
