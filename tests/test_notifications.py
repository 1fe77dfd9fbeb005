"""Notifications: who is told about what, in the app and by email, and digests.

Content is built through the conversation and community actions, as in real use;
emails go through the real task worker to a real SMTP server and are read back
from it. Private spaces are the heart of it: a notification, an email or a digest
must never tell anyone what the page would not show them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from cercle.accounts.models import User
from cercle.communities.models import Community, Entry, Membership, Space, Status, Visibility
from cercle.conversations import actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Post, Tag, Topic
from cercle.knowledge import actions as knowledge_actions
from cercle.knowledge.models import Resource
from cercle.membership import actions as community_actions
from cercle.notifications import emails
from cercle.notifications.actions import do_set_email_preferences
from cercle.notifications.digest import period_bounds
from cercle.notifications.models import (
    DIGEST,
    EMAIL_DEFAULTS,
    DigestLog,
    EmailPreference,
    Frequency,
    Kind,
    Notification,
    Period,
)
from cercle.notifications.queries import email_preferences, unread_count
from cercle.people import actions as people_actions
from cercle.people.models import Expertise, Follow, Level
from cercle.wiki import actions as wiki_actions
from tests.communities import client_for, community, html
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db


# --- People, places and builders ------------------------------------------------------------


@pytest.fixture
def dora() -> User:
    """A member of the community who is not listed in the private space."""
    return make_person("dora@example.org", "Dora Member")


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, dora: User) -> Community:
    """A public, open community: Claire coordinates, Alice, Bob and Dora take part."""
    created = community(coordinator, members=(alice, bob, dora))
    # Joining brings a welcome (tests/test_onboarding.py); these tests start from a quiet inbox.
    Notification.objects.filter(kind=Kind.WELCOME).delete()
    return created


@pytest.fixture
def brakes(cargo: Community, coordinator: User) -> Tag:
    return actions.do_create_tag(coordinator, cargo, name="Brakes")


def start(
    author: User,
    space: Space,
    title: str = "Which cargo bike for three children?",
    body: str = "We need one for the school run.",
    kind: str = TopicKind.DISCUSSION,
    **values: Any,
) -> Topic:
    return actions.do_start_topic(author, space, kind=kind, title=title, body=body, **values)


def reply(author: User, topic: Topic, body: str = "A long tail does it.") -> Post:
    return actions.do_reply(author, topic, body=body)


def received(person: User) -> list[tuple[str, int | None]]:
    """(kind, post id) of every notification `person` has, oldest first."""
    return list(
        Notification.objects.filter(recipient=person).order_by("pk").values_list("kind", "post_id")
    )


def prefer(person: User, **frequencies: str) -> None:
    """Set email preferences through the same action as the settings page."""
    do_set_email_preferences(person, frequencies)


def unlist(coordinator: User, space: Space, person: User) -> None:
    community_actions.do_unlist_from_space(coordinator, space, person)


def messages_to(server: SmtpServer, person: User) -> list[EmailMessage]:
    return [m for m in server.messages if person.email in str(m["To"])]


def html_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML part"
    content: str = part.get_content()
    return content


def header(message: EmailMessage, name: str) -> str:
    """A header's value as people read it (long ones are folded over several lines)."""
    return " ".join(str(message[name]).split())


def unsubscribe_path(message: EmailMessage) -> str:
    header_value = header(message, "List-Unsubscribe")
    assert header_value.startswith("<"), header_value
    assert header_value.endswith(">"), header_value
    url = header_value[1:-1]
    assert url.startswith(django_settings.SITE_URL + "/notifications/unsubscribe/"), url
    return urlsplit(url).path


# --- Who is told about what --------------------------------------------------------------


def test_a_mention_tells_the_member_mentioned(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    post = reply(bob, topic, "What do you think, @alice-martin? And @nobody-here?")
    assert received(alice) == [(Kind.MENTION, post.pk)]
    assert received(bob) == []


def test_an_answer_to_a_question_and_a_reply_to_a_discussion_tell_the_author(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    question = start(alice, general, "How do I bleed hydraulic brakes?", kind=TopicKind.QUESTION)
    discussion = start(alice, general, "Show us your bikes")
    answer = reply(bob, question, "With a syringe kit.")
    comment = reply(bob, discussion, "Here is mine.")
    assert received(alice) == [(Kind.ANSWER, answer.pk), (Kind.REPLY, comment.pk)]


def test_accepting_an_answer_tells_its_author_once(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    question = start(alice, general, "How do I bleed hydraulic brakes?", kind=TopicKind.QUESTION)
    answer = reply(bob, question, "With a syringe kit.")
    actions.do_accept_answer(alice, question, answer)
    actions.do_unaccept_answer(alice, question)
    actions.do_accept_answer(alice, question, answer)
    assert received(bob) == [(Kind.ACCEPTED, answer.pk)]


def test_nobody_is_told_about_their_own_doing(
    cargo: Community, general: Space, alice: User
) -> None:
    people_actions.do_follow(alice, general)
    topic = start(alice, general, "Notes to self", "Remember @alice-martin")
    people_actions.do_follow(alice, topic)
    question = start(alice, general, "Answering myself", kind=TopicKind.QUESTION)
    own = reply(alice, question, "Found it, @alice-martin.")
    actions.do_accept_answer(alice, question, own)
    reply(alice, topic, "And again.")
    assert received(alice) == []


def test_one_notification_per_person_and_event_the_strongest_reason_wins(
    cargo: Community, general: Space, alice: User, bob: User, dora: User, brakes: Tag
) -> None:
    """Bob follows the space, the tag, the topic and Alice, and is mentioned: he is told
    once, about the mention. Dora follows the topic and Alice: she hears of the reply
    in a followed topic, which beats following its author."""
    people_actions.do_follow(bob, general)
    people_actions.do_follow(bob, brakes)
    people_actions.do_follow(bob, alice)
    people_actions.do_follow(dora, alice)
    topic = start(alice, general, "Disc or drum?", "Ask @bob-leroy.", tags=[brakes])
    assert received(bob) == [(Kind.MENTION, topic.posts.get().pk)]
    assert received(dora) == [(Kind.FOLLOWED_PERSON, topic.posts.get().pk)]

    people_actions.do_follow(bob, topic)
    people_actions.do_follow(dora, topic)
    answer = reply(alice, topic, "Disc, @bob-leroy.")
    assert received(bob)[-1] == (Kind.MENTION, answer.pk)
    assert received(dora)[-1] == (Kind.FOLLOWED_REPLY, answer.pk)
    assert Notification.objects.filter(post=answer).count() == 2


def test_a_new_topic_tells_the_followers_of_its_space_and_of_its_tags(
    cargo: Community, general: Space, alice: User, bob: User, dora: User, brakes: Tag
) -> None:
    people_actions.do_follow(bob, general)
    people_actions.do_follow(dora, brakes)
    tagged = start(alice, general, "Squeaky brakes", tags=[brakes])
    plain = start(alice, general, "Panniers")
    assert received(bob) == [
        (Kind.NEW_TOPIC, tagged.posts.get().pk),
        (Kind.NEW_TOPIC, plain.posts.get().pk),
    ]
    assert received(dora) == [(Kind.NEW_TOPIC, tagged.posts.get().pk)]


def test_following_a_person_tells_of_their_topics_and_replies(
    cargo: Community, general: Space, alice: User, bob: User, dora: User
) -> None:
    people_actions.do_follow(bob, alice)
    topic = start(dora, general)
    mine = start(alice, general, "Alice's trip")
    answer = reply(alice, topic)
    assert received(bob) == [
        (Kind.FOLLOWED_PERSON, mine.posts.get().pk),
        (Kind.FOLLOWED_PERSON, answer.pk),
    ]


def test_an_edit_that_adds_a_mention_tells_the_newcomer_only_once(
    cargo: Community, general: Space, alice: User, bob: User, dora: User
) -> None:
    topic = start(alice, general, body="Hello @bob-leroy")
    opening = topic.posts.get()
    actions.do_edit_post(alice, opening, body="Hello @bob-leroy and @dora-member")
    actions.do_edit_post(alice, opening, body="Hello @bob-leroy and @dora-member!")
    assert received(bob) == [(Kind.MENTION, opening.pk)]
    assert received(dora) == [(Kind.MENTION, opening.pk)]


def test_decisions_on_requests_to_join_tell_the_person(
    coordinator: User, alice: User, bob: User
) -> None:
    guild = community(coordinator, slug="guild", entry=Entry.REQUEST)
    community_actions.do_join(alice, guild)
    community_actions.do_join(bob, guild)
    requests = Membership.objects.filter(community=guild, status=Status.REQUESTED)
    community_actions.do_decide_request(coordinator, requests.get(person=alice), approve=True)
    community_actions.do_decide_request(coordinator, requests.get(person=bob), approve=False)
    # Approved, Alice is also welcomed (tests/test_onboarding.py).
    assert received(alice) == [(Kind.REQUEST_APPROVED, None), (Kind.WELCOME, None)]
    assert received(bob) == [(Kind.REQUEST_DECLINED, None)]
    # The communities app emails these itself: the notification is for the app only.
    decisions = Notification.objects.exclude(kind=Kind.WELCOME)
    assert set(decisions.values_list("email_frequency", flat=True)) == {"never"}


def test_an_invitation_tells_an_existing_account_and_no_one_else(
    coordinator: User, alice: User
) -> None:
    guild = community(coordinator, slug="guild", entry=Entry.INVITATION)
    community_actions.do_invite(coordinator, guild, ["alice@example.org", "new@example.org"])
    [notification] = Notification.objects.all()
    assert (notification.recipient, notification.kind) == (alice, Kind.INVITATION)
    assert notification.get_absolute_url() == guild.get_absolute_url()


# --- The private space: only those who may read it hear of it -----------------------------


def _follow_as_if_listed_before(follower: User, **target: Any) -> None:
    """A follow made while the person was still listed in the private space (they
    cannot follow it now: the people app refuses)."""
    Follow.objects.create(follower=follower, **target)


@pytest.mark.django_db(transaction=True)
def test_every_kind_about_a_private_space_reaches_only_its_listed_members(
    smtp_server: SmtpServer,
    cargo: Community,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
    dora: User,
    charlie: User,
    brakes: Tag,
) -> None:
    """Alice is listed in the Lab; Bob and Dora are members who are not; Charlie is an
    outsider. Dora once was listed: she asked a question, wrote an answer and followed
    the space and a topic there, then was taken off the list. Each of them has every
    reason to be told; only Alice (and the coordinator) may be, in the app and by email."""
    community_actions.do_list_in_space(coordinator, lab, dora)
    dora_question = start(dora, lab, "Dora's secret question", kind=TopicKind.QUESTION)
    dora_discussion = start(dora, lab, "Dora's secret discussion")
    question = start(coordinator, lab, "Secret brake test plan", kind=TopicKind.QUESTION)
    dora_answer = reply(dora, question, "Dora's secret answer")
    unlist(coordinator, lab, dora)
    for person in (bob, dora, charlie):
        _follow_as_if_listed_before(person, space=lab)
        _follow_as_if_listed_before(person, topic=question)
        _follow_as_if_listed_before(person, person=coordinator)
    people_actions.do_follow(bob, brakes)
    people_actions.do_follow(alice, lab)
    people_actions.do_follow(alice, question)
    people_actions.do_follow(alice, coordinator)
    for person in (alice, bob, dora, charlie):
        # Every kind at once, so that each email leaves from the task worker.
        prefer(person, **dict.fromkeys(EMAIL_DEFAULTS, Frequency.IMMEDIATELY))
    Notification.objects.all().delete()  # only what follows counts

    everyone = "@alice-martin @bob-leroy @dora-member @charlie-outsider"
    # mention + new topic in a followed space and tag + followed person:
    started = start(coordinator, lab, "Secret prototype", f"Look, {everyone}", tags=[brakes])
    # reply in a followed topic + followed person:
    followed = reply(coordinator, question, "Secret follow-up")
    # answer to my question, reply to my topic (Dora's, who may no longer read them):
    answer = reply(alice, dora_question, "Secret answer to Dora")
    comment = reply(alice, dora_discussion, "Secret reply to Dora")
    # my answer accepted (Dora's):
    actions.do_accept_answer(coordinator, question, dora_answer)
    # and the same kinds for Alice, who may read the Lab:
    alice_question = start(alice, lab, "Alice's secret question", kind=TopicKind.QUESTION)
    alice_answer = reply(coordinator, alice_question, "Secret answer to Alice")
    actions.do_accept_answer(coordinator, question, reply(alice, question, "Alice's answer"))

    kinds_for_alice = {kind for kind, _post in received(alice)}
    assert kinds_for_alice == {
        Kind.MENTION,
        Kind.FOLLOWED_REPLY,
        Kind.ANSWER,
        Kind.ACCEPTED,
    }, received(alice)
    # Alice wrote the answer and reply above: she is not told about her own doing.
    assert (Kind.MENTION, started.posts.get().pk) in received(alice)
    assert (Kind.FOLLOWED_REPLY, followed.pk) in received(alice)
    assert (Kind.ANSWER, alice_answer.pk) in received(alice)
    assert answer.pk not in {post for _kind, post in received(alice)}
    assert comment.pk not in {post for _kind, post in received(alice)}
    for outsider in (bob, dora, charlie):
        assert received(outsider) == [], outsider
        assert unread_count(outsider) == 0
        page = client_for(outsider).get(reverse("notifications")).content.decode()
        assert "Secret" not in page

    # The other kinds about the Lab, for someone listed: Alice follows the space and
    # the coordinator, and her own topic gets a reply.
    Notification.objects.filter(recipient=alice).delete()
    new = start(coordinator, lab, "Secret second prototype")
    discussion = start(alice, lab, "Alice's secret discussion")
    answer_to_discussion = reply(coordinator, discussion, "Secret reply to Alice")
    elsewhere = reply(coordinator, dora_discussion, "Secret word from the coordinator")
    assert received(alice) == [
        (Kind.NEW_TOPIC, new.posts.get().pk),
        (Kind.REPLY, answer_to_discussion.pk),
        (Kind.FOLLOWED_PERSON, elsewhere.pk),
    ]
    assert [received(person) for person in (bob, dora, charlie)] == [[], [], []]

    deliver_queued_email()
    assert messages_to(smtp_server, alice), "Alice, who may read the Lab, gets emails"
    for outsider in (bob, dora, charlie):
        assert messages_to(smtp_server, outsider) == [], outsider
    assert {str(m["To"]) for m in smtp_server.messages} <= {alice.email, coordinator.email}


def test_a_reader_of_a_private_space_follows_it_and_a_tag_follower_elsewhere_does_not_hear(
    cargo: Community, lab: Space, coordinator: User, alice: User, bob: User, brakes: Tag
) -> None:
    people_actions.do_follow(alice, lab)
    people_actions.do_follow(bob, brakes)
    topic = start(coordinator, lab, "Secret disc test", tags=[brakes])
    assert received(alice) == [(Kind.NEW_TOPIC, topic.posts.get().pk)]
    assert received(bob) == []


def test_leaving_a_private_space_hides_its_notifications_from_the_list_and_the_bell(
    cargo: Community, lab: Space, coordinator: User, alice: User
) -> None:
    start(coordinator, lab, "Secret plan", "For @alice-martin")
    client = client_for(alice)
    assert unread_count(alice) == 1
    assert "Secret plan" in client.get(reverse("notifications")).content.decode()
    unlist(coordinator, lab, alice)
    assert unread_count(alice) == 0
    assert "Secret plan" not in client.get(reverse("notifications")).content.decode()
    notification = Notification.objects.get(recipient=alice)
    assert client.get(reverse("notification_open", args=[notification.pk])).status_code == 404


def test_hidden_and_deleted_posts_are_no_longer_announced(
    cargo: Community, general: Space, coordinator: User, alice: User, bob: User
) -> None:
    topic = start(alice, general, "A fine topic")
    first = reply(bob, topic, "Spam spam spam")
    second = reply(bob, topic, "Oops, wrong topic")
    assert unread_count(alice) == 2
    actions.do_hide_post(coordinator, first, reason="spam")
    actions.do_delete_post(bob, second)
    assert unread_count(alice) == 0


# --- Emails -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_immediate_email_has_both_parts_and_one_click_unsubscribe_headers(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general, "Which cargo bike for three children?")
    reply(bob, topic, "A **long tail** with a bench, @alice-martin.")
    assert smtp_server.messages == []  # nothing leaves before the worker runs

    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    # The subject is the topic's, for mail programs to thread (docs/mail.md); why Alice
    # receives it is said in the body.
    assert header(message, "Subject") == "Re: [Cargo] Which cargo bike for three children?"
    assert "Bob Leroy mentioned you in “Which cargo bike for three children?”" in text_body(message)
    assert header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    unsubscribe_path(message)
    assert header(message, "Content-Language") == "en"
    text = text_body(message)
    assert "Hello Alice Martin," in text
    assert "A long tail with a bench, @alice-martin." in text
    notification = Notification.objects.get(recipient=alice)
    assert f"{django_settings.SITE_URL}/notifications/{notification.pk}/" in text
    html = html_body(message)
    assert '<html lang="en">' in html
    assert f'href="{django_settings.SITE_URL}/notifications/{notification.pk}/"' in html
    assert notification.emailed_at is not None
    # Bob wrote it: nothing for him.
    assert messages_to(smtp_server, bob) == []


@pytest.mark.django_db(transaction=True)
def test_a_french_member_gets_the_email_rendered_in_french(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    """The French catalogue of Cercle's own sentences is completed later, so this reads
    what Django itself translates: the date of the notification, with French month
    names and order ("3 mars 2026 14:05" rather than "March 3, 2026, 2:05 p.m."), and
    the language declared by the HTML part and the Content-Language header."""
    alice.language = "fr"
    alice.save()
    topic = start(alice, general)
    reply(bob, topic, "@alice-martin regarde ça")
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    created = timezone.localtime(Notification.objects.get(recipient=alice).created_at)
    with translation.override("fr"):
        french = date_format(created, "DATETIME_FORMAT")
    with translation.override("en"):
        english = date_format(created, "DATETIME_FORMAT")
    assert french != english
    assert french in text_body(message)
    assert english not in text_body(message)
    assert '<html lang="fr">' in html_body(message)
    assert header(message, "Content-Language") == "fr"


@pytest.mark.django_db(transaction=True)
def test_without_a_language_of_their_own_a_member_gets_the_communitys(
    smtp_server: SmtpServer, coordinator: User, alice: User, bob: User
) -> None:
    atelier = community(coordinator, slug="atelier")
    Community.objects.filter(pk=atelier.pk).update(language="fr")
    for person in (alice, bob):
        community_actions.do_join(person, atelier)
    Notification.objects.filter(kind=Kind.WELCOME).delete()  # only the mention is emailed
    topic = start(alice, atelier.spaces.get(is_default=True))
    reply(bob, topic, "@alice-martin ?")
    deliver_queued_email()
    [message] = smtp_server.wait_for(alice.email)
    assert header(message, "Content-Language") == "fr"


@pytest.mark.django_db(transaction=True)
def test_the_unsubscribe_link_works_without_logging_in(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    reply(bob, topic, "@alice-martin first")
    deliver_queued_email()
    [message] = smtp_server.wait_for(alice.email)
    path = unsubscribe_path(message)
    assert path in text_body(message)

    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(path)
    assert page.status_code == 200
    assert "Someone mentions me" in page.content.decode()
    assert email_preferences(alice)[Kind.MENTION] == Frequency.IMMEDIATELY  # GET changes nothing

    done = visitor.post(path)
    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert email_preferences(alice)[Kind.MENTION] == Frequency.NEVER
    assert email_preferences(alice)[Kind.ANSWER] == Frequency.IMMEDIATELY  # only that kind

    reply(bob, topic, "@alice-martin second")
    deliver_queued_email()
    assert len(messages_to(smtp_server, alice)) == 1
    assert len(received(alice)) == 2  # still told in the app


@pytest.mark.django_db(transaction=True)
def test_a_one_click_post_from_the_mail_program_unsubscribes(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    question = start(alice, general, kind=TopicKind.QUESTION)
    reply(bob, question, "Try this.")
    deliver_queued_email()
    [message] = smtp_server.wait_for(alice.email)

    # RFC 8058: the mail program posts this body to the header's address, without
    # cookies or a CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_path(message),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert email_preferences(alice)[Kind.ANSWER] == Frequency.NEVER


def test_a_tampered_unsubscribe_token_is_refused(alice: User) -> None:
    token = emails.unsubscribe_token(alice, [Kind.MENTION])
    payload, _sep, signature = token.rpartition(":")
    forged = [
        payload + ":" + signature[:-1] + ("A" if signature[-1] != "A" else "B"),
        emails.unsubscribe_token(alice, [Kind.MENTION]).replace(":", ":x", 1),
        "not-a-token",
    ]
    visitor = Client(enforce_csrf_checks=True)
    for bad in forged:
        path = reverse("notification_unsubscribe", kwargs={"token": bad})
        assert visitor.get(path).status_code == 400
        assert visitor.post(path).status_code == 400
    assert not EmailPreference.objects.exists()
    # A token made with another salt (another kind of signed link) is no key either.
    other = signing.Signer(salt="something-else").sign_object({"p": alice.pk, "k": ["mention"]})
    path = reverse("notification_unsubscribe", kwargs={"token": other})
    assert visitor.post(path).status_code == 400
    assert not EmailPreference.objects.exists()


def test_only_the_unsubscribe_address_takes_a_post_without_a_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("notification_settings"), {DIGEST: "never"})
    assert response.status_code == 403
    assert client.post(reverse("notifications_read_all")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_never_means_no_email_but_the_notification_stays_in_the_app(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    prefer(alice, mention=Frequency.NEVER)
    topic = start(alice, general)
    post = reply(bob, topic, "@alice-martin")
    deliver_queued_email()
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    call_command("send_notification_emails", "--frequency", "weekly", verbosity=0)
    deliver_queued_email()
    assert messages_to(smtp_server, alice) == []
    assert received(alice) == [(Kind.MENTION, post.pk)]


@pytest.mark.django_db(transaction=True)
def test_daily_notifications_leave_only_with_the_daily_command_in_one_email(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    prefer(alice, mention=Frequency.DAILY, reply=Frequency.DAILY)
    topic = start(alice, general, "Show us your bikes")
    reply(bob, topic, "Mine is green.")
    reply(bob, topic, "And @alice-martin, yours?")
    deliver_queued_email()
    call_command("send_notification_emails", "--frequency", "weekly", verbosity=0)
    deliver_queued_email()
    assert messages_to(smtp_server, alice) == []

    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()
    [summary] = smtp_server.wait_for(alice.email)
    assert header(summary, "Subject") == "[Cercle] Your daily summary: 2 notifications"
    text = text_body(summary)
    assert "Bob Leroy replied to your topic “Show us your bikes”" in text
    assert "Bob Leroy mentioned you in “Show us your bikes”" in text
    assert "Mine is green." in text
    assert "Your daily summary" in html_body(summary)
    assert header(summary, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"

    # Idempotent: a second run finds nothing left to send.
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()
    assert len(messages_to(smtp_server, alice)) == 1

    # Its unsubscribe link turns off both kinds it carried.
    Client().post(unsubscribe_path(summary))
    prefs = email_preferences(alice)
    assert (prefs[Kind.MENTION], prefs[Kind.REPLY]) == (Frequency.NEVER, Frequency.NEVER)


@pytest.mark.django_db(transaction=True)
def test_follows_default_to_summaries_and_read_notifications_are_not_emailed(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User, dora: User
) -> None:
    people_actions.do_follow(bob, general)
    people_actions.do_follow(dora, general)
    people_actions.do_follow(dora, alice)
    start(alice, general, "Spring ride")
    deliver_queued_email()
    assert smtp_server.messages == []  # new topics in followed spaces: daily by default
    # Dora reads hers on the site before the summary goes.
    client_for(dora).post(reverse("notifications_read_all"))
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()
    [summary] = smtp_server.wait_for(bob.email)
    assert "Alice Martin started “Spring ride” in General" in text_body(summary)
    assert messages_to(smtp_server, dora) == []


@pytest.mark.django_db(transaction=True)
def test_a_member_taken_off_a_private_space_before_sending_gets_no_email(
    smtp_server: SmtpServer, cargo: Community, lab: Space, coordinator: User, alice: User
) -> None:
    people_actions.do_follow(alice, lab)
    start(coordinator, lab, "Secret agenda", "For @alice-martin")  # immediately
    topic = start(coordinator, lab, "Secret minutes")  # new topic: daily
    people_actions.do_follow(alice, topic)
    reply(coordinator, topic, "Secret follow-up")  # followed topic: daily
    assert Notification.objects.filter(recipient=alice).count() == 3

    unlist(coordinator, lab, alice)
    deliver_queued_email()
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()

    assert messages_to(smtp_server, alice) == []
    # Each was handled, and will not be tried again.
    assert not Notification.objects.filter(recipient=alice, emailed_at=None).exists()


@pytest.mark.django_db(transaction=True)
def test_a_member_who_left_a_members_only_community_before_the_summary_gets_no_email(
    smtp_server: SmtpServer, coordinator: User, alice: User, bob: User
) -> None:
    club = community(coordinator, slug="club", visibility=Visibility.MEMBERS)
    community_actions.do_join(alice, club)
    community_actions.do_join(bob, club)
    general = club.spaces.get(is_default=True)
    people_actions.do_follow(bob, general)
    start(alice, general, "Members' meeting")
    community_actions.do_leave(bob, club)
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()
    assert messages_to(smtp_server, bob) == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_reply_leaves_no_notification_and_no_email(
    smtp_server: SmtpServer,
    cargo: Community,
    general: Space,
    alice: User,
    bob: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    topic = start(alice, general)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the activity log is down")

    monkeypatch.setattr(actions, "record_event", broken)
    with pytest.raises(RuntimeError):
        reply(bob, topic, "@alice-martin this never happened")
    deliver_queued_email()
    assert received(alice) == []
    assert smtp_server.messages == []


# --- The bell and the list -------------------------------------------------------------------


def bell_of(page: str) -> str:
    [bell] = re.findall(r'<a class="bell[^"]*" id="notification-bell"[^>]*>.*?</a>', page)
    return str(bell)


def test_the_header_bell_costs_pages_no_query_and_fetches_its_count_with_htmx(
    cargo: Community, general: Space, alice: User, bob: User, django_assert_num_queries: Any
) -> None:
    """Pages pin their query counts: the bell adds none. It asks for its figure once the
    page has loaded, then every minute; without JavaScript it is a plain link."""
    topic = start(alice, general)
    reply(bob, topic)
    client = client_for(alice)
    with_bell = client.get("/")
    bell = bell_of(with_bell.content.decode())
    assert 'href="/notifications/"' in bell
    assert 'hx-get="/notifications/bell/"' in bell
    assert 'hx-trigger="load, every 60s"' in bell
    assert 'hx-swap="outerHTML"' in bell
    assert "bell__count" not in bell
    assert "notification-bell" not in client_for(None).get("/").content.decode()

    # The notifications page has counted already: its bell shows the figure at once.
    bell = bell_of(client.get(reverse("notifications")).content.decode())
    assert 'hx-trigger="every 60s"' in bell
    assert "Notifications: 1 unread" in bell
    # What htmx swaps in is the same bell, with its figure, polling on.
    fetched = client.get(reverse("notification_bell"), headers={"hx-request": "true"})
    bell = bell_of(fetched.content.decode())
    assert 'hx-trigger="every 60s"' in bell
    assert '<span class="bell__count" aria-hidden="true">1</span>' in bell


def test_the_bell_endpoint_counts_in_a_fixed_number_of_queries(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    client = client_for(alice)
    url = reverse("notification_bell")
    topic = start(alice, general)
    reply(bob, topic)

    def counted() -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, headers={"hx-request": "true"}).content.decode()
        return body, len(queries)

    body, few = counted()
    assert "Notifications: 1 unread" in body
    # The session, the user, whether they are internal (two, cached for the rest of a
    # page's request) and the count itself.
    assert few <= 5
    assert '<span class="bell__count" aria-hidden="true">1</span>' in body
    for _ in range(30):
        reply(bob, topic)
    body, many = counted()
    assert "Notifications: 31 unread" in body
    assert many == few


def test_the_bell_stops_polling_once_logged_out() -> None:
    response = Client().get(reverse("notification_bell"))
    assert response.status_code == 286
    assert response.content == b""


def test_the_list_opens_an_unread_notification_with_a_form_that_marks_it_read(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general, "Spring ride")
    answer = reply(bob, topic, "I'm in")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = client.get(reverse("notifications")).content.decode()
    notification = Notification.objects.get(recipient=alice)
    opening = reverse("notification_open", args=[notification.pk])
    assert "Bob Leroy replied to your topic “Spring ride”" in page
    assert "notification--unread" in page
    # A plain form, as a browser without JavaScript sends it: its CSRF token and nothing else.
    form = re.search(rf'<form [^>]*method="post" action="{opening}">(.*?)</form>', page, re.S)
    assert form is not None
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1))
    assert token is not None

    response = client.post(opening, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    page = client.get(reverse("notifications")).content.decode()
    assert "notification--unread" not in page
    # Once read, it is a plain link.
    assert f'<a href="{opening}">' in page


def test_a_get_of_a_notification_leads_to_it_and_writes_nothing(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    """An email's link, or another site making the browser follow one: GET never marks
    a notification read; neither does a POST without the CSRF token."""
    answer = reply(bob, start(alice, general, "Spring ride"), "I'm in")
    notification = Notification.objects.get(recipient=alice)
    opening = reverse("notification_open", args=[notification.pk])
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.get(opening)
    assert response.status_code == 302
    assert response["Location"] == answer.get_absolute_url()
    assert client.post(opening).status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None
    assert unread_count(alice) == 1


def test_someone_elses_notification_cannot_be_opened(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    reply(bob, start(alice, general))
    notification = Notification.objects.get(recipient=alice)
    opening = reverse("notification_open", args=[notification.pk])
    assert client_for(bob).get(opening).status_code == 404
    assert client_for(bob).post(opening).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_is_a_plain_form_post(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    reply(bob, topic)
    reply(bob, topic)
    client = client_for(alice)
    page = client.get(reverse("notifications")).content.decode()
    assert f'<form method="post" action="{reverse("notifications_read_all")}">' in page
    assert client.get(reverse("notifications_read_all")).status_code == 405
    response = client.post(reverse("notifications_read_all"), follow=True)
    assert response.redirect_chain == [(reverse("notifications"), 302)]
    assert "All your notifications are marked as read." in response.content.decode()
    assert unread_count(alice) == 0


def test_the_list_is_paginated_and_its_query_count_does_not_grow(
    cargo: Community, general: Space, alice: User, bob: User, dora: User
) -> None:
    client = client_for(alice)
    url = reverse("notifications")
    topic = start(alice, general)
    reply(bob, topic)

    def counted(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = counted(url)
    # The session, the user, whether they are internal (two), the unread count, the
    # page count, the page of notifications, and the header's community switcher.
    assert few <= 8
    people_actions.do_follow(alice, bob)
    people_actions.do_follow(alice, general)
    for number in range(35):
        author = (bob, dora)[number % 2]
        reply(author, start(dora, general, f"Topic number {number}"))
    assert counted(url) == few
    first = client.get(url).content.decode()
    assert first.count('class="notification ') + first.count('class="notification"') == 30
    assert "Page 1 of 2" in first
    second = client.get(url + "?page=2").content.decode()
    assert "Page 2 of 2" in second


def test_pages_need_a_log_in(alice: User) -> None:
    visitor = Client()
    for name in ("notifications", "notification_settings"):
        response = visitor.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


# --- Settings ------------------------------------------------------------------------------


def test_the_settings_page_shows_the_defaults_and_saves_without_javascript(alice: User) -> None:
    client = client_for(alice)
    page = client.get(reverse("notification_settings")).content.decode()
    assert '<option value="immediately" selected>' in page  # mentions
    assert '<option value="daily" selected>' in page  # follows
    assert '<option value="weekly" selected>' in page  # the digest
    wanted = {**email_preferences(alice), Kind.MENTION: "daily", DIGEST: "never"}
    response = client.post(reverse("notification_settings"), wanted)
    assert response.status_code == 302
    assert email_preferences(alice) == wanted
    assert "Your email settings are saved." in client.get(response["Location"]).content.decode()


def test_the_settings_page_refuses_an_unknown_frequency(alice: User) -> None:
    client = client_for(alice)
    wanted = {**email_preferences(alice), Kind.MENTION: "hourly"}
    response = client.post(reverse("notification_settings"), wanted)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not EmailPreference.objects.exists()


def test_the_defaults_tell_at_once_about_ones_own_words_and_sum_up_the_rest(alice: User) -> None:
    assert email_preferences(alice) == {
        Kind.MENTION: "immediately",
        Kind.ANSWER: "immediately",
        Kind.REPLY: "immediately",
        Kind.ACCEPTED: "immediately",
        Kind.FOLLOWED_REPLY: "daily",
        Kind.NEW_TOPIC: "daily",
        Kind.FOLLOWED_PERSON: "weekly",
        Kind.WELCOME: "immediately",
        Kind.NEW_ACTIVITY: "weekly",
        Kind.EVENT_REMINDER: "immediately",
        Kind.EVENT_UPDATE: "immediately",
        Kind.CONTEST_RESULTS: "immediately",
        Kind.BADGE: "daily",
        Kind.IDEA_STATUS: "daily",
        Kind.ASKED_TO_ANSWER: "immediately",
        DIGEST: "weekly",
    }


# --- Digests -----------------------------------------------------------------------------------


def next_week() -> str:
    """A moment in next week, so that the last closed week is the current one."""
    return (timezone.localtime() + timedelta(days=7)).isoformat()


def digests(*args: str) -> None:
    call_command("send_digests", *args, verbosity=0)


@pytest.fixture
def busy_week(
    cargo: Community,
    general: Space,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
    dora: User,
    brakes: Tag,
) -> dict[str, Topic]:
    """A week in Cargo: a lively open discussion, a livelier one in the private Lab, an
    unanswered brake question in each, and a newcomer. The others joined a month ago."""
    Membership.objects.filter(community=cargo).update(joined_at=timezone.now() - timedelta(days=30))
    # Declared directly: the people app's pages for expertise are beside the point here.
    Expertise.objects.create(person=alice, tag=brakes, level=Level.EXPERT)
    Expertise.objects.create(person=bob, tag=brakes, level=Level.PRACTISING)
    Expertise.objects.create(person=dora, tag=brakes, level=Level.LEARNING)
    open_talk = start(coordinator, general, "Open talk about routes")
    reply(bob, open_talk, "The canal path.")
    actions.do_toggle_reaction(alice, open_talk.posts.get(position=1), "thanks")
    secret_talk = start(coordinator, lab, "Secret talk about prototypes")
    for body in ("One", "Two", "Three"):
        reply(alice, secret_talk, body)
    open_question = start(
        dora, general, "Open question on brakes", kind=TopicKind.QUESTION, tags=[brakes]
    )
    secret_question = start(
        coordinator, lab, "Secret question on brakes", kind=TopicKind.QUESTION, tags=[brakes]
    )
    community_actions.do_join(make_person("eve@example.org", "Eve Newcomer"), cargo)
    return {
        "open_talk": open_talk,
        "secret_talk": secret_talk,
        "open_question": open_question,
        "secret_question": secret_question,
    }


@pytest.mark.django_db(transaction=True)
def test_the_weekly_digest_tells_each_member_what_they_may_see(
    smtp_server: SmtpServer, busy_week: dict[str, Topic], alice: User, bob: User, dora: User
) -> None:
    digests("--now", next_week())
    deliver_queued_email()

    [for_alice] = smtp_server.wait_for(alice.email)
    assert header(for_alice, "Subject") == "[Cercle] Your weekly digest of Cargo"
    assert header(for_alice, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"
    text = text_body(for_alice)
    # Top discussions, the liveliest first: Alice is listed in the Lab.
    assert text.index("Secret talk about prototypes") < text.index("Open talk about routes")
    assert "Open talk about routes (1 reply, 1 reaction)" in text
    assert "Secret talk about prototypes (3 replies, 0 reactions)" in text
    # Questions on brakes, which she masters, from both spaces she reads.
    questions = text.split("Questions you could answer", 1)[1].split("New members", 1)[0]
    assert "Open question on brakes" in questions
    assert "Secret question on brakes" in questions
    assert "1 person joined: Eve Newcomer" in text
    assert "Top discussions" in html_body(for_alice)

    [for_bob] = smtp_server.wait_for(bob.email)
    text = text_body(for_bob)
    assert "Open talk about routes" in text
    assert "Open question on brakes" in text
    assert "Secret" not in text
    assert "Secret" not in html_body(for_bob)

    [for_dora] = smtp_server.wait_for(dora.email)
    text = text_body(for_dora)
    assert "Secret" not in text
    # Dora is learning brakes (and asked the open question herself): no questions for her.
    assert "Questions you could answer" not in text
    assert "Open talk about routes" in text


@pytest.mark.django_db(transaction=True)
def test_the_digest_lists_whats_new_in_the_library_and_the_wiki_that_the_member_may_read(
    smtp_server: SmtpServer,
    cargo: Community,
    general: Space,
    lab: Space,
    coordinator: User,
    alice: User,
    bob: User,
) -> None:
    """The library and the wiki register their sections (`digest.register_section`);
    what lives in the private Lab reaches only those listed there (Alice, not Bob)."""
    guides = knowledge_actions.do_create_collection(coordinator, general, title="Repair guides")
    knowledge_actions.do_add_link(
        bob, guides, url="https://example.org/brakes", title="Adjusting disc brakes"
    )
    drawings = knowledge_actions.do_create_collection(alice, lab, title="Prototype drawings")
    knowledge_actions.do_add_link(
        alice, drawings, url="https://example.org/frame", title="Frame sketch v2"
    )
    wiki_actions.do_create_article(
        coordinator, general, title="Riding in the rain", body="Slow down early."
    )
    wiki_actions.do_create_article(
        coordinator, lab, title="Prototype roadmap", body="Frames first."
    )
    digests("--now", next_week())
    deliver_queued_email()

    [for_bob] = smtp_server.wait_for(bob.email)
    text = text_body(for_bob)
    resource = Resource.objects.get(title="Adjusting disc brakes")
    assert section(text, "New in the library") == [
        "* Adjusting disc brakes (Repair guides)",
        f"{django_settings.SITE_URL}{resource.get_absolute_url()}",
        "* Repair guides",
        f"{django_settings.SITE_URL}{guides.get_absolute_url()}",
    ]
    assert section(text, "New wiki articles")[0] == "* Riding in the rain (General)"
    for secret in ("Prototype", "Frame sketch"):
        assert secret not in text
        assert secret not in html_body(for_bob)
    assert "<h2>New in the library</h2>" in html_body(for_bob)

    [for_alice] = smtp_server.wait_for(alice.email)
    text = text_body(for_alice)
    library = section(text, "New in the library")
    assert library[0] == "* Frame sketch v2 (Prototype drawings)"
    assert "* Adjusting disc brakes (Repair guides)" in library
    assert "* Prototype roadmap (Lab)" in section(text, "New wiki articles")


def section(text: str, heading: str) -> list[str]:
    """The lines of a digest's section in its plain-text part, up to the next blank
    line after a link (where the next heading starts)."""
    lines = [line.strip() for line in text.splitlines()]
    assert heading in lines, f"no section {heading!r} in:\n{text}"
    found: list[str] = []
    for line in lines[lines.index(heading) + 1 :]:
        if line and not line.startswith(("*", "http")):
            break
        if line:
            found.append(line)
    return found


@pytest.mark.django_db(transaction=True)
def test_the_digest_is_sent_once_per_period_however_often_the_command_runs(
    smtp_server: SmtpServer, busy_week: dict[str, Topic], alice: User
) -> None:
    moment = next_week()
    digests("--now", moment)
    digests("--now", moment)
    digests("--period", "weekly", "--now", moment)
    deliver_queued_email()
    assert len(messages_to(smtp_server, alice)) == 1
    start_of_period, _end = period_bounds(Period.WEEKLY, datetime.fromisoformat(moment))
    logs = DigestLog.objects.filter(person=alice)
    assert [(log.period, log.period_start, log.sent) for log in logs] == [
        ("weekly", start_of_period, True)
    ]
    # The daily digest is another period, and Alice wants only the weekly one.
    digests("--period", "daily", "--now", moment)
    deliver_queued_email()
    assert len(messages_to(smtp_server, alice)) == 1


@pytest.mark.django_db(transaction=True)
def test_no_digest_when_there_is_nothing_to_say(
    smtp_server: SmtpServer, cargo: Community, alice: User
) -> None:
    # Everyone joined this week: a digest of next week has nothing to say.
    digests("--now", (timezone.localtime() + timedelta(days=14)).isoformat())
    deliver_queued_email()
    assert smtp_server.messages == []
    assert DigestLog.objects.filter(person=alice, sent=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_digest_preferences_are_respected(
    smtp_server: SmtpServer, busy_week: dict[str, Topic], alice: User, bob: User, dora: User
) -> None:
    prefer(alice, digest=Period.DAILY)
    prefer(bob, digest=Period.NEVER)
    digests("--now", next_week())
    tomorrow = (timezone.localtime() + timedelta(days=1)).isoformat()
    digests("--period", "daily", "--now", tomorrow)
    deliver_queued_email()
    [for_alice] = messages_to(smtp_server, alice)
    assert header(for_alice, "Subject") == "[Cercle] Your daily digest of Cargo"
    assert messages_to(smtp_server, bob) == []
    [for_dora] = messages_to(smtp_server, dora)

    # The digest's own unsubscribe link turns digests off.
    response = Client(enforce_csrf_checks=True).post(unsubscribe_path(for_dora))
    assert response.status_code == 200
    assert email_preferences(dora)[DIGEST] == "never"


@pytest.mark.django_db(transaction=True)
def test_members_who_left_or_were_banned_get_no_digest(
    smtp_server: SmtpServer, busy_week: dict[str, Topic], coordinator: User, bob: User, dora: User
) -> None:
    community_actions.do_leave(bob, Community.objects.get(slug="cargo"))
    community_actions.do_ban(coordinator, Membership.objects.get(person=dora))
    digests("--now", next_week())
    deliver_queued_email()
    assert messages_to(smtp_server, bob) == []
    assert messages_to(smtp_server, dora) == []


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def test_the_weekly_period_runs_from_monday_to_monday_in_the_local_time_zone() -> None:
    thursday = local(2026, 3, 5, 7, 30)
    start_of_week, end_of_week = period_bounds(Period.WEEKLY, thursday)
    assert (start_of_week, end_of_week) == (
        local(2026, 2, 23),
        local(2026, 3, 2),
    )
    # Across the change to summer time (29 March 2026 in Paris), midnight stays midnight.
    start_of_week, end_of_week = period_bounds(Period.WEEKLY, local(2026, 3, 31, 9))
    assert timezone.localtime(start_of_week).hour == 0
    assert end_of_week.timestamp() - start_of_week.timestamp() == 7 * 24 * 3600 - 3600
    day_start, day_end = period_bounds(Period.DAILY, thursday)
    assert (day_start, day_end) == (
        local(2026, 3, 4),
        local(2026, 3, 5),
    )


def test_send_digests_refuses_a_moment_it_cannot_read() -> None:
    with pytest.raises(CommandError, match="not an ISO 8601"):
        call_command("send_digests", "--now", "next tuesday")


# --- Follow buttons --------------------------------------------------------------------------


def test_the_follow_button_shows_whether_one_follows_the_space_or_topic(
    cargo: Community, general: Space, alice: User
) -> None:
    """The people app adds its follow button to the space and topic pages (a page
    section, cercle/sections.py), with the reader's state; visitors get none."""
    topic = start(alice, general)
    reader = client_for(alice)
    assert f'action="/follow/space/{general.pk}/"' in html(reader, general.get_absolute_url())
    people_actions.do_follow(alice, general)
    assert f'action="/unfollow/space/{general.pk}/"' in html(reader, general.get_absolute_url())
    assert f'action="/follow/topic/{topic.pk}/"' in html(reader, topic.get_absolute_url())
    assert "/follow/topic/" not in html(client_for(None), topic.get_absolute_url())
