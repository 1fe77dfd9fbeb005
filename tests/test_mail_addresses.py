"""The addresses and ids outgoing mail carries (cercle/mail/addresses.py,
cercle/notifications/threads.py): each reads back to what it was made for, a forged
one reads as nothing, and nothing is made while mail in is off."""

from __future__ import annotations

from collections.abc import Iterator
from email.header import decode_header, make_header

import pytest
from django.test import override_settings

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind
from cercle.mail import addresses
from cercle.notifications import threads
from tests.communities import community

MAIL_IN = "cercle@lists.example.org"


@pytest.fixture
def mail_in() -> Iterator[None]:
    with override_settings(MAIL_IN_ADDRESS=MAIL_IN):
        yield


def test_a_reply_address_reads_back_to_its_person_and_topic(mail_in: None) -> None:
    address = addresses.reply_address(42, 1_000_003)
    assert address is not None
    assert address.startswith("cercle+r-")
    assert address.endswith("@lists.example.org")
    assert addresses.read_recipient(address) == addresses.Recipient(
        "reply", person_id=42, topic_id=1_000_003
    )
    # Mail servers may change the case of the local part; it still reads.
    assert addresses.read_recipient(f"Bob <{address.upper()}>") == addresses.Recipient(
        "reply", person_id=42, topic_id=1_000_003
    )


def test_another_persons_id_with_a_known_mac_reads_as_nothing(mail_in: None) -> None:
    address = addresses.reply_address(42, 7)
    assert address is not None
    forged = address.replace("+r-16-", "+r-17-")
    assert forged != address
    assert addresses.read_recipient(forged) is None
    assert addresses.read_recipient(address.replace("lists.example.org", "example.org")) is None


def test_a_bounce_address_names_its_person(mail_in: None) -> None:
    address = addresses.bounce_address(9)
    assert address is not None
    assert addresses.read_recipient(address) == addresses.Recipient("bounce", person_id=9)


def test_reply_and_bounce_addresses_never_reach_a_post(mail_in: None) -> None:
    reply = addresses.reply_address(42, 7)
    bounce = addresses.bounce_address(42)
    space = addresses.space_address("cargo", "general")
    text = (
        f"> Reply by email: mailto:{reply}\n"
        f"> [Reply by email](mailto:{str(reply).upper()}?subject=Re)\n"
        f"Bounces go to <{bounce}>; new topics to {space}; mine is bob@lists.example.org."
    )
    assert addresses.without_private_addresses(text) == (
        f"> Reply by email: mailto:{MAIL_IN}\n"
        f"> [Reply by email](mailto:{MAIL_IN}?subject=Re)\n"
        f"Bounces go to <{MAIL_IN}>; new topics to {space}; mine is bob@lists.example.org."
    )
    with override_settings(MAIL_IN_ADDRESS=""):
        assert addresses.without_private_addresses(text) == text


def test_without_mail_in_no_address_is_made_and_ids_use_the_sites_domain() -> None:
    assert addresses.reply_address(1, 2) is None
    assert addresses.bounce_address(1) is None
    assert not addresses.mail_in_enabled()
    assert addresses.topic_message_id(5).startswith("<topic-5@")
    assert addresses.post_message_id(6).startswith("<post-6@")


def test_message_ids_name_the_post_or_for_the_opening_post_the_topic(
    mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Spring ride", body="Who comes?"
    )
    answer = actions.do_reply(bob, topic, body="Me.")
    assert threads.message_id(topic.posts.get(position=0)) == (
        f"<topic-{topic.pk}@lists.example.org>"
    )
    assert threads.message_id(answer) == f"<post-{answer.pk}@lists.example.org>"
    assert threads.message_id(answer, "accepted") == (
        f"<post-{answer.pk}.accepted@lists.example.org>"
    )
    assert threads.subject(topic, topic.posts.get(position=0)) == "[Cargo] Spring ride"
    assert threads.subject(topic, answer) == "Re: [Cargo] Spring ride"


def test_a_list_id_quotes_plain_names_and_encodes_the_others(
    mail_in: None, coordinator: User
) -> None:
    plain = community(coordinator, slug="cargo", name='The "Cargo" club')
    assert threads.list_id(plain.spaces.get(is_default=True)) == (
        '"The \\"Cargo\\" club / General" <general.cargo.lists.example.org>'
    )
    accented = community(coordinator, slug="velo", name="Vélo-école")
    value = threads.list_id(accented.spaces.get(is_default=True))
    assert value.isascii()
    phrase, label = value.rsplit(" ", 1)
    assert str(make_header(decode_header(phrase))) == "Vélo-école / General"
    assert label == "<general.velo.lists.example.org>"


def test_a_reply_link_carries_the_topics_subject(
    mail_in: None, cargo: Community, general: Space, alice: User
) -> None:
    topic = actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Brakes & rain?", body="Help."
    )
    address = addresses.reply_address(alice.pk, topic.pk)
    assert threads.reply_mailto(address, topic) == (
        f"mailto:{address}?subject=Re%3A%20%5BCargo%5D%20Brakes%20%26%20rain%3F"
    )
    assert threads.reply_mailto(None, topic) == ""
