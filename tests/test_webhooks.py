"""Webhooks: what an event is about (`subject_of`) and who may be told of it, endpoints
and their deliveries over real HTTP, signed as Standard Webhooks says, retries and
disabling, and the coordinators' and staff's pages."""

from __future__ import annotations

from typing import Any

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, Topic
from cercle.personas import actions as persona_actions
from cercle.webhooks import catalogue
from cercle.webhooks.subjects import may_receive, readable_by, subject_of


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
