"""Webhooks: what an event is about (`subject_of`) and who may be told of it, endpoints
and their deliveries over real HTTP to a receiver started here, which verifies each
signature with the `standardwebhooks` library; retries, disabling, sending again, and
the coordinators' and staff's pages."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from cercle.accounts.models import User
from cercle.activities import actions as activity_actions
from cercle.activities.actions import PollFields
from cercle.activity import verbs
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, Topic
from cercle.personas import actions as persona_actions
from cercle.webhooks import actions as webhook_actions
from cercle.webhooks import catalogue, delivering
from cercle.webhooks.models import Delivery, DeliveryStatus, Endpoint
from cercle.webhooks.polls import record_closed_polls
from cercle.webhooks.receivers import on_event_recorded
from cercle.webhooks.subjects import may_receive, readable_by, subject_of
from tests.communities import client_for, join, staff_person


class Receiver:
    """A webhook receiver on 127.0.0.1: it verifies each request's signature with the
    endpoint's secret (`secret`, set once the endpoint exists) and answers `status`."""

    def __init__(self) -> None:
        self.secret = ""
        self.statuses: list[int] = []  # answers to give in turn; then 200
        self.received: list[dict[str, Any]] = []
        self.refused: list[str] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {key.lower(): value for key, value in self.headers.items()}
                try:
                    payload = Webhook(receiver.secret).verify(body, headers)
                except WebhookVerificationError as error:
                    receiver.refused.append(str(error))
                    status = 401
                else:
                    receiver.received.append(
                        {"payload": payload, "headers": headers, "body": body.decode()}
                    )
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"thanks" if status < 300 else b"broken")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/cercle"

    def __enter__(self) -> Receiver:
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *args: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def types(self) -> list[str]:
        return [item["payload"]["type"] for item in self.received]


@pytest.fixture(autouse=True)
def _local_receivers(settings: Any, immediate_tasks: None) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as started:
        yield started


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks: Any) -> Callable[..., Any]:
    """Run what the actions leave for after their transaction, as it commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def hook(
    owner: User,
    community: Community | None,
    receiver: Receiver,
    types: tuple[catalogue.EventType, ...] = (catalogue.TOPIC_CREATED,),
) -> Endpoint:
    endpoint = webhook_actions.do_create_endpoint(
        owner, community, url=receiver.url, types=[kind.name for kind in types]
    )
    receiver.secret = endpoint.secret
    return endpoint


def start_topic(
    person: User, space: Space, title: str = "Which bike for two children?", **values: Any
) -> Topic:
    values.setdefault("kind", Kind.QUESTION)
    values.setdefault("body", "Tell us **everything** about it.")
    return conversation_actions.do_start_topic(person, space, title=title, **values)


def event_for(target: object, verb_prefix: str = "") -> ActivityEvent:
    return ActivityEvent.objects.filter(
        object_id=getattr(target, "pk", None), verb__startswith=verb_prefix
    ).latest("pk")


def test_a_topic_written_as_a_persona_names_the_persona_never_its_writer(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    django_assert_max_num_queries: Any,
) -> None:
    lola = persona_actions.do_create_persona(coordinator, cargo, name="Lola the Cargo Bike")
    topic = conversation_actions.do_start_topic(
        coordinator,
        general,
        kind=Kind.QUESTION,
        title="Which bike for two children?",
        body="Tell us **everything** about it.",
        persona=lola,
    )
    event = event_for(topic, "topic.started")
    with django_assert_max_num_queries(2):
        subject = subject_of(event)

    assert subject is not None
    assert subject.type == catalogue.TOPIC_CREATED
    assert subject.author == "Lola the Cargo Bike"
    assert subject.excerpt == "Tell us everything about it."
    assert subject.url.endswith(topic.get_absolute_url())
    assert subject.community.slug == "cargo"
    assert "Claire" not in repr(subject.data())
    assert readable_by(subject, alice)


def test_a_private_space_topic_is_not_readable_by_an_outsider(
    lab: Space, alice: User, bob: User, charlie: User, coordinator: User
) -> None:
    topic = conversation_actions.do_start_topic(
        alice, lab, kind=Kind.DISCUSSION, title="Secret plans", body="Shh."
    )
    subject = subject_of(event_for(topic, "topic.started"))

    assert subject is not None
    assert readable_by(subject, alice)
    assert readable_by(subject, coordinator)
    assert not readable_by(subject, bob)
    assert not readable_by(subject, charlie)
    assert not may_receive(subject, charlie)


def test_a_hidden_topic_has_no_subject(general: Space, alice: User) -> None:
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Soon hidden", body="Words."
    )
    Topic.objects.filter(pk=topic.pk).update(is_hidden=True)

    assert subject_of(event_for(topic, "topic.started")) is None


def test_a_flag_goes_only_to_an_owner_who_moderates_the_space(
    general: Space, alice: User, bob: User, coordinator: User
) -> None:
    topic = start_topic(alice, general)
    post = topic.posts.get(position=0)
    conversation_actions.do_flag(bob, post, reason="spam")
    subject = subject_of(event_for(post, "post.flagged"))

    assert subject is not None
    assert subject.type == catalogue.FLAG_RAISED
    assert readable_by(subject, bob)
    assert not may_receive(subject, bob)
    assert may_receive(subject, coordinator)


def run_worker() -> None:
    """The real background worker, until nothing is ready."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


@pytest.mark.parametrize(
    ("who", "community_wide", "instance_wide"),
    [
        ("coordinator", True, False),
        ("moderator", False, False),
        ("member", False, False),
        ("outsider", False, False),
        ("staff", True, True),
    ],
)
def test_who_manages_webhooks(
    cargo: Community,
    coordinator: User,
    moderator: User,
    alice: User,
    charlie: User,
    who: str,
    community_wide: bool,
    instance_wide: bool,
) -> None:
    join(moderator, cargo, "moderator")
    person = {
        "coordinator": coordinator,
        "moderator": moderator,
        "member": alice,
        "outsider": charlie,
        "staff": staff_person(),
    }[who]

    assert webhook_actions.may_manage(person, cargo) is community_wide
    assert webhook_actions.may_manage(person, None) is instance_wide


# --- Deliveries over real HTTP ---------------------------------------------------------------


def test_a_new_topic_is_delivered_signed_to_a_real_receiver(
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    endpoint = hook(coordinator, cargo, receiver)
    with run_on_commit():
        topic = start_topic(alice, general)

    assert receiver.refused == []
    assert receiver.types == ["topic.created"]
    got = receiver.received[0]
    data = got["payload"]["data"]
    assert data["title"] == "Which bike for two children?"
    assert data["author"] == "Alice Martin"
    assert data["excerpt"] == "Tell us everything about it."
    assert data["url"].endswith(topic.get_absolute_url())
    assert data["community"]["slug"] == "cargo"
    assert data["space"] == {"id": general.pk, "name": general.name}
    assert got["headers"]["webhook-id"].startswith("msg_")
    assert got["headers"]["webhook-signature"].startswith("v1,")
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.last_status_code == 200
    assert delivery.last_response == "thanks"
    assert delivery.message_id == got["headers"]["webhook-id"]
    assert delivery.payload == got["payload"]


def test_a_verb_no_type_carries_costs_no_query(
    cargo: Community, alice: User, django_assert_num_queries: Any
) -> None:
    event = ActivityEvent(verb=verbs.COMMUNITY_UPDATED.name, community=cargo, actor=alice)
    with django_assert_num_queries(0):
        on_event_recorded(event)


def test_a_private_space_topic_never_reaches_an_owner_who_cannot_read_it(
    cargo: Community,
    general: Space,
    lab: Space,
    alice: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    # Staff may manage any community, but read only what their memberships open.
    operator = staff_person()
    endpoint = hook(operator, cargo, receiver)
    with run_on_commit():
        start_topic(alice, lab, title="Secret plans")
        start_topic(alice, general, title="Open plans")

    assert [item["payload"]["data"]["title"] for item in receiver.received] == ["Open plans"]
    assert "Secret plans" not in json.dumps([d.payload for d in endpoint.deliveries.all()])
    withheld = Delivery.objects.get(endpoint=endpoint, status=DeliveryStatus.WITHHELD)
    assert withheld.attempts == 0
    assert withheld.payload is None


def test_an_instance_wide_hook_hears_every_community_its_owner_reads(
    cargo: Community, general: Space, alice: User, receiver: Receiver, run_on_commit: Any
) -> None:
    operator = staff_person()
    hook(operator, None, receiver, (catalogue.TOPIC_CREATED, catalogue.MEMBER_JOINED))
    with run_on_commit():
        start_topic(alice, general)
        join(operator, cargo)

    assert receiver.types == ["topic.created", "member.joined"]
    assert receiver.received[1]["payload"]["data"]["author"] == "Operator"


def test_a_persona_s_real_writer_is_never_in_a_payload(
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    hook(coordinator, cargo, receiver, (catalogue.TOPIC_CREATED, catalogue.POST_CREATED))
    lola = persona_actions.do_create_persona(coordinator, cargo, name="Lola the Cargo Bike")
    with run_on_commit():
        topic = start_topic(coordinator, general, persona=lola)
        conversation_actions.do_reply(coordinator, topic, body="Me again.", persona=lola)

    assert receiver.types == ["topic.created", "post.created"]
    for item in receiver.received:
        assert item["payload"]["data"]["author"] == "Lola the Cargo Bike"
        for trace in (coordinator.display_name, coordinator.email, coordinator.handle, "Claire"):
            assert trace not in item["body"]


def test_a_failing_receiver_is_tried_for_a_day_then_the_endpoint_is_disabled(
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    receiver.statuses = [500] * 20
    endpoint = hook(coordinator, cargo, receiver)
    start = timezone.now()
    with time_machine.travel(start, tick=False), run_on_commit():
        start_topic(alice, general)
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.attempts, delivery.last_status_code) == (1, 500)

    waits = []
    while delivery.status == DeliveryStatus.PENDING:
        assert delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - start)
        with time_machine.travel(delivery.next_attempt_at, tick=False), run_on_commit():
            call_command("webhooks", "retry", stdout=open("/dev/null", "w"))  # noqa: SIM115
        delivery.refresh_from_db()

    assert waits == [
        timedelta(seconds=5),
        timedelta(seconds=5, minutes=5),
        timedelta(seconds=5, minutes=35),
        timedelta(seconds=5, minutes=35, hours=2),
        timedelta(seconds=5, minutes=35, hours=7),
        timedelta(seconds=5, minutes=35, hours=17),
        timedelta(days=1),
    ]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 8
    assert len(receiver.received) == 8
    assert len({item["headers"]["webhook-id"] for item in receiver.received}) == 1
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_reason == "Every delivery has failed for a day."
    told = [message for message in mail.outbox if coordinator.email in message.to]
    assert len(told) == 1
    assert endpoint.url in told[0].body

    # Disabled, it is told of nothing more.
    with run_on_commit():
        start_topic(alice, general, title="Another one")
    assert len(receiver.received) == 8


def test_a_receiver_back_after_a_failure_gets_the_message(
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    receiver.statuses = [503]
    endpoint = hook(coordinator, cargo, receiver)
    with run_on_commit():
        start_topic(alice, general)
    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is not None
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        assert delivering.retry_due() == 1

    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.DELIVERED,
        2,
        200,
    )
    endpoint.refresh_from_db()
    assert endpoint.active
    assert endpoint.failing_since is None


@pytest.mark.django_db(transaction=True)  # the worker closes its connection, as in production
def test_the_real_worker_sends_and_waits_for_each_retry(
    settings: Any,
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
    }
    receiver.statuses = [500]
    endpoint = hook(coordinator, cargo, receiver)
    with run_on_commit():
        start_topic(alice, general)
    assert receiver.received == []  # queued for the worker, not sent by the page
    run_worker()
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.last_status_code) == (DeliveryStatus.PENDING, 500)
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after == delivery.next_attempt_at

    run_worker()  # not yet: the retry waits for its moment
    assert len(receiver.received) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        run_worker()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert len(receiver.received) == 2


def test_what_is_hidden_before_a_retry_is_not_sent(
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    receiver.statuses = [500]
    endpoint = hook(coordinator, cargo, receiver)
    with run_on_commit():
        topic = start_topic(alice, general)
    Topic.objects.filter(pk=topic.pk).update(is_hidden=True)
    with time_machine.travel(timezone.now() + timedelta(seconds=6), tick=False):
        delivering.retry_due()

    assert len(receiver.received) == 1
    assert Delivery.objects.get(endpoint=endpoint).status == DeliveryStatus.WITHHELD


# --- The pages ---------------------------------------------------------------------------------


def test_a_coordinator_sends_a_delivery_again_from_the_log(
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    endpoint = hook(coordinator, cargo, receiver)
    with run_on_commit():
        start_topic(alice, general)
    first = Delivery.objects.get(endpoint=endpoint)
    client = client_for(coordinator)
    with run_on_commit():
        response = client.post(f"/c/cargo/webhooks/{endpoint.pk}/deliveries/{first.pk}/resend/")

    assert response.status_code == 302
    assert [item["headers"]["webhook-id"] for item in receiver.received] == [
        first.message_id,
        first.message_id,
    ]
    assert endpoint.deliveries.filter(status=DeliveryStatus.DELIVERED).count() == 2
    page = client.get(f"/c/cargo/webhooks/{endpoint.pk}/").content.decode()
    assert page.count(f'<code class="muted">{first.message_id}</code>') == 2
    assert "<strong>200</strong>" in page


def test_a_test_message_and_a_new_secret(
    cargo: Community, coordinator: User, receiver: Receiver, run_on_commit: Callable[..., Any]
) -> None:
    endpoint = hook(coordinator, cargo, receiver)
    client = client_for(coordinator)
    page = client.get(f"/c/cargo/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret in page
    with run_on_commit():
        client.post(f"/c/cargo/webhooks/{endpoint.pk}/ping/")
    assert receiver.types == ["webhook.ping"]

    old = endpoint.secret
    client.post(f"/c/cargo/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret != old
    # The receiver still holds the old secret: the next message no longer verifies.
    with run_on_commit():
        client.post(f"/c/cargo/webhooks/{endpoint.pk}/ping/")
    assert receiver.refused == ["No matching signature found"]
    assert endpoint.deliveries.filter(last_status_code=401).count() == 1


def test_the_pages_refuse_who_does_not_coordinate(
    cargo: Community,
    coordinator: User,
    alice: User,
    moderator: User,
    charlie: User,
    receiver: Receiver,
) -> None:
    join(moderator, cargo, "moderator")
    endpoint = hook(coordinator, cargo, receiver)
    for person in (alice, moderator, charlie):
        client = client_for(person)
        assert client.get("/c/cargo/webhooks/").status_code == 403
        assert client.get(f"/c/cargo/webhooks/{endpoint.pk}/").status_code == 403
        assert client.post(f"/c/cargo/webhooks/{endpoint.pk}/delete/").status_code == 403
        assert client.get("/staff/webhooks/").status_code == 403
    assert client_for(None).get("/c/cargo/webhooks/").status_code == 302
    assert Endpoint.objects.filter(pk=endpoint.pk).exists()
    # An instance-wide endpoint is not reached through a community's pages.
    staff_hook = hook(staff_person(), None, receiver)
    assert client_for(coordinator).get(f"/c/cargo/webhooks/{staff_hook.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("url", "allow_private", "error"),
    [
        ("http://example.com/hook", False, "Give an address starting with https://."),
        ("https://127.0.0.1/hook", False, "This address is not on the public internet"),
        ("https://10.1.2.3/hook", False, "This address is not on the public internet"),
        ("ftp://example.com/hook", True, "Give an address starting with https://."),
        ("http://10.1.2.3/hook", True, "Give an address starting with https://."),
        ("not an address", True, "Give an address starting with https://."),
    ],
)
def test_a_bad_address_is_refused_on_the_form_and_nothing_is_written(
    settings: Any, cargo: Community, coordinator: User, url: str, allow_private: bool, error: str
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = allow_private
    response = client_for(coordinator).post(
        "/c/cargo/webhooks/", {"url": url, "types": ["topic.created"]}
    )

    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not Endpoint.objects.exists()


def test_a_coordinator_adds_an_endpoint_and_staff_theirs(
    cargo: Community, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(coordinator)
    response = client.post(
        "/c/cargo/webhooks/",
        {
            "url": "https://93.184.215.14/cercle",
            "description": "The intranet",
            "types": ["topic.created", "question.solved"],
        },
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/c/cargo/webhooks/{endpoint.pk}/"
    assert (endpoint.owner, endpoint.community) == (coordinator, cargo)
    assert endpoint.type_names == ["topic.created", "question.solved"]
    assert endpoint.secret.startswith("whsec_")
    for number in range(3):
        Delivery.objects.create(endpoint=endpoint, event_type="topic.created", attempts=number)
    with django_assert_max_num_queries(12):
        page = client.get(f"/c/cargo/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    for number in range(20):
        Delivery.objects.create(endpoint=endpoint, event_type="topic.created", attempts=number)
    with django_assert_max_num_queries(12):
        client.get(f"/c/cargo/webhooks/{endpoint.pk}/")
    with django_assert_max_num_queries(12):
        listing = client.get("/c/cargo/webhooks/").content.decode()
    assert "The intranet" in listing
    assert "Topic created, Question solved" in listing

    operator = staff_person()
    staff_client = client_for(operator)
    staff_client.post(
        "/staff/webhooks/", {"url": "https://93.184.215.14/all", "types": ["member.joined"]}
    )
    instance_wide = Endpoint.objects.get(community=None)
    assert instance_wide.owner == operator
    assert "https://93.184.215.14/all" in staff_client.get("/staff/webhooks/").content.decode()
    assert "https://93.184.215.14/all" not in listing


def test_a_closed_poll_is_told_once(
    cargo: Community,
    general: Space,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    hook(coordinator, cargo, receiver, (catalogue.POLL_CLOSED,))
    closes = timezone.now() + timedelta(hours=1)
    poll = activity_actions.do_create_poll(
        coordinator,
        general,
        PollFields(title="Which lock?", choices=("U-lock", "Chain"), closes_at=closes),
    )
    with time_machine.travel(closes - timedelta(minutes=1), tick=False):
        assert record_closed_polls() == 0
    with time_machine.travel(closes + timedelta(minutes=1), tick=False), run_on_commit():
        call_command("webhooks", "close-polls", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert record_closed_polls() == 0

    assert receiver.types == ["poll.closed"]
    data = receiver.received[0]["payload"]["data"]
    assert (data["kind"], data["id"], data["title"]) == ("poll", poll.pk, "Which lock?")


def test_a_planned_poll_is_told_once_it_is_published(
    cargo: Community,
    general: Space,
    coordinator: User,
    receiver: Receiver,
    run_on_commit: Callable[..., Any],
) -> None:
    endpoint = hook(coordinator, cargo, receiver, (catalogue.POLL_CREATED,))
    moment = timezone.now() + timedelta(days=3)
    with run_on_commit():
        activity_actions.do_create_poll(
            coordinator,
            general,
            PollFields(title="Which lock?", choices=("U-lock", "Chain"), publish_at=moment),
        )
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert delivery.next_attempt_at == moment + delivering.PUBLISH_GRACE
    assert receiver.received == []

    with time_machine.travel(moment + timedelta(minutes=3), tick=False):
        call_command("publish_due", stdout=open("/dev/null", "w"))  # noqa: SIM115
        delivering.retry_due()
    assert receiver.types == ["poll.created"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
