"""Mailing-list mode (docs/mail.md): every new post of the spaces and topics a person
follows, one email each, with the whole text, in the topic's thread, with the reader's
reply address; never to the writer, never to someone who may no longer read it, never
naming the real writer of a persona's post.

Posts are written through the conversation actions; emails go through the real task
worker to a real SMTP server.
"""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Topic
from cercle.mail import addresses
from cercle.membership import actions as community_actions
from cercle.notifications.actions import do_set_email_preferences
from cercle.notifications.mailing_list import recipients
from cercle.notifications.models import MAILING_LIST, Frequency, Kind, Notification
from cercle.notifications.queries import in_mailing_list_mode
from cercle.people import actions as people_actions
from cercle.personas import actions as persona_actions
from tests.communities import community
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db

WRITER = "Alice Martin"


@pytest.fixture(autouse=True)
def mail_in() -> Iterator[None]:
    with override_settings(MAIL_IN_ADDRESS="cercle@lists.example.org"):
        yield


@pytest.fixture
def dora() -> User:
    return make_person("dora@example.org", "Dora Member")


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, dora: User) -> Community:
    created = community(coordinator, members=(alice, bob, dora), name="Cargo Riders")
    Notification.objects.filter(kind=Kind.WELCOME).delete()
    return created


def mailing_list(person: User, on: bool = True) -> None:
    do_set_email_preferences(
        person, {MAILING_LIST: Frequency.IMMEDIATELY if on else Frequency.NEVER}
    )


def header(message: EmailMessage, name: str) -> str:
    return " ".join(str(message[name]).split()) if message[name] is not None else ""


def html_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    content: str = part.get_content()
    return content


def to(server: SmtpServer, person: User) -> list[EmailMessage]:
    return [m for m in server.messages if person.email in str(m["To"])]


def start(author: User, space: Space, title: str = "Spring ride", **values: object) -> Topic:
    values.setdefault("kind", TopicKind.DISCUSSION)
    values.setdefault("body", "Who comes on **Saturday**? Ask @bob-leroy.")
    return actions.do_start_topic(author, space, title=title, **values)  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True)
def test_followers_in_mailing_list_mode_get_every_post_once_and_the_writer_none(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User, dora: User
) -> None:
    for person in (alice, bob):
        people_actions.do_follow(person, general)
        mailing_list(person)
    topic = start(alice, general)
    first = actions.do_reply(bob, topic, body="I come with the trailer.")
    second = actions.do_reply(dora, topic, body="Me too.", reply_to=first)
    deliver_queued_email()

    # Bob follows the space: the topic and Dora's reply; his own reply, not.
    smtp_server.wait_for(bob.email, count=2)
    # Alice: Bob's and Dora's replies, not her own topic.
    smtp_server.wait_for(alice.email, count=2)
    deliver_queued_email()
    for_bob = to(smtp_server, bob)
    for_alice = to(smtp_server, alice)
    assert len(for_bob) == 2
    assert len(for_alice) == 2
    assert to(smtp_server, dora) == []  # she follows nothing
    root = f"<topic-{topic.pk}@lists.example.org>"
    assert [header(m, "Message-ID") for m in for_bob] == [
        root,
        f"<post-{second.pk}@lists.example.org>",
    ]
    assert [header(m, "Subject") for m in for_bob] == [
        "[Cargo Riders] Spring ride",
        "Re: [Cargo Riders] Spring ride",
    ]
    opening = for_bob[0]
    # The whole post: the text as written, and the page's HTML with links made absolute.
    assert "Who comes on **Saturday**? Ask @bob-leroy." in text_body(opening)
    assert "<strong>Saturday</strong>" in html_body(opening)
    assert 'href="/' not in html_body(opening)
    assert f'href="{django_settings.SITE_URL}/' in html_body(opening)
    assert "Alice Martin started “Spring ride” in General" in text_body(opening)
    assert header(opening, "Precedence") == "list"
    assert header(opening, "List-Id") == (
        '"Cargo Riders / General" <general.cargo.lists.example.org>'
    )
    reply_to = addresses.read_recipient(header(opening, "Reply-To"))
    assert reply_to == addresses.Recipient("reply", person_id=bob.pk, topic_id=topic.pk)
    assert smtp_server.envelope_of(opening).mail_from == addresses.bounce_address(bob.pk)
    dora_reply = for_bob[1]
    parent = f"<post-{first.pk}@lists.example.org>"
    assert header(dora_reply, "In-Reply-To") == parent
    assert header(dora_reply, "References") == f"{root} {parent}"
    assert "Dora Member replied to “Spring ride” in General" in text_body(dora_reply)
    assert "Me too." in text_body(dora_reply)


@pytest.mark.django_db(transaction=True)
def test_one_email_per_post_even_when_a_notification_would_tell_at_once(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    """Bob is mentioned in the topic (an immediate notification by default) and receives
    it in mailing-list mode: one email, and the notification stays in the app."""
    people_actions.do_follow(bob, general)
    mailing_list(bob)
    topic = start(alice, general)
    deliver_queued_email()
    deliver_queued_email()

    [message] = smtp_server.wait_for(bob.email)
    assert header(message, "Message-ID") == f"<topic-{topic.pk}@lists.example.org>"
    assert "mailing-list mode is on" in text_body(message)
    notification = Notification.objects.get(recipient=bob, kind=Kind.MENTION)
    assert notification.read_at is None
    assert notification.emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_following_a_topic_brings_its_replies_only(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general, body="Who comes?")
    other = start(alice, general, "Autumn ride", body="Later.")
    people_actions.do_follow(bob, topic)
    mailing_list(bob)
    actions.do_reply(alice, topic, body="Nine o'clock.")
    actions.do_reply(alice, other, body="Ten o'clock.")
    deliver_queued_email()
    deliver_queued_email()

    [message] = smtp_server.wait_for(bob.email)
    assert "Nine o'clock." in text_body(message)
    assert len(to(smtp_server, bob)) == 1


@pytest.mark.django_db(transaction=True)
def test_without_mailing_list_mode_a_follower_gets_the_usual_notifications_only(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    people_actions.do_follow(bob, general)
    do_set_email_preferences(bob, {Kind.NEW_TOPIC: Frequency.IMMEDIATELY})
    start(alice, general, body="Who comes?")
    deliver_queued_email()
    deliver_queued_email()
    [message] = smtp_server.wait_for(bob.email)
    assert "mailing-list mode" not in text_body(message)
    assert "Alice Martin started “Spring ride” in General" in text_body(message)


@pytest.mark.django_db(transaction=True)
def test_a_person_taken_off_a_private_space_before_sending_receives_nothing(
    smtp_server: SmtpServer,
    cargo: Community,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
) -> None:
    community_actions.do_list_in_space(coordinator, lab, bob)
    people_actions.do_follow(bob, lab)
    mailing_list(bob)
    topic = start(alice, lab, "Prototype", body="Secret plans.")
    assert recipients(topic.posts.get()) == {bob.pk}
    community_actions.do_unlist_from_space(coordinator, lab, bob)
    deliver_queued_email()
    deliver_queued_email()

    assert to(smtp_server, bob) == []
    # And a follower who never read the space is never a recipient.
    people_actions.do_follow(coordinator, lab)
    assert recipients(topic.posts.get()) == set()


@pytest.mark.django_db(transaction=True)
def test_a_persona_post_never_names_its_writer(
    smtp_server: SmtpServer,
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
) -> None:
    velia = persona_actions.do_create_persona(
        coordinator, cargo, name="Vélia", story="The workshop voice.", speakers=f"@{alice.handle}"
    )
    people_actions.do_follow(bob, general)
    mailing_list(bob)
    topic = start(alice, general, "Atelier ouvert", body="Venez samedi.", persona=velia)
    actions.do_reply(alice, topic, body="Et dimanche.", persona=velia)
    deliver_queued_email()
    deliver_queued_email()

    messages = smtp_server.wait_for(bob.email, count=2)
    assert len(messages) == 2
    for message in messages:
        for text in (str(message), text_body(message), html_body(message)):
            assert WRITER not in text
            assert alice.email not in text
        assert "Vélia" in text_body(message)


@pytest.mark.django_db(transaction=True)
def test_the_one_click_unsubscribe_turns_mailing_list_mode_off(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    people_actions.do_follow(bob, general)
    mailing_list(bob)
    start(alice, general)
    deliver_queued_email()
    deliver_queued_email()
    [message] = smtp_server.wait_for(bob.email)
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    url = header(message, "List-Unsubscribe")[1:-1]
    assert url in text_body(message)
    page = Client().get(urlsplit(url).path).content.decode()
    assert "Mailing-list mode" in page

    Client().post(urlsplit(url).path, {"List-Unsubscribe": "One-Click"})
    assert not in_mailing_list_mode(bob)
    start(alice, general, "Autumn ride", body="Later.")
    deliver_queued_email()
    deliver_queued_email()
    assert len(to(smtp_server, bob)) == 1


def test_finding_the_recipients_costs_the_same_queries_for_many_followers(
    cargo: Community, general: Space, alice: User, django_assert_max_num_queries: object
) -> None:
    topic = start(alice, general)
    post = actions.do_reply(alice, topic, body="More.")
    for n in range(3):
        person = make_person(f"reader{n}@example.org", f"Reader {n}")
        community_actions.do_join(person, cargo)
        people_actions.do_follow(person, general)
        mailing_list(person)
    with django_assert_max_num_queries(12) as few:  # type: ignore[operator]
        assert len(recipients(post)) == 3
    for n in range(3, 12):
        person = make_person(f"reader{n}@example.org", f"Reader {n}")
        community_actions.do_join(person, cargo)
        people_actions.do_follow(person, general)
        mailing_list(person)
    with django_assert_max_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        assert len(recipients(post)) == 12
