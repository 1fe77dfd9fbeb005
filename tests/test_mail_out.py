"""Outgoing mail (docs/mail.md, "Outgoing mail"): the loop mark, the bounce address as
envelope sender, no mail to stopped addresses, threads that thread, reply links in
summaries and digests, and the bounce notice of the settings page.

Messages go through the real task worker to a real SMTP server (aiosmtpd) and are read
back from it, headers and envelope included.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core.mail import EmailMultiAlternatives
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from cercle.accounts.models import User
from cercle.communities.models import Community, Membership, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Post, Topic
from cercle.mail import addresses, bounces
from cercle.mail.delivery import queue_email
from cercle.mail.models import Bounce
from cercle.notifications import hooks
from cercle.notifications.actions import do_set_email_preferences
from cercle.notifications.models import EmailPreference, Frequency, Kind, Notification
from cercle.notifications.queries import email_preferences, in_mailing_list_mode
from cercle.people import actions as people_actions
from tests.communities import client_for, community, html
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db

MAIL_IN = "cercle@lists.example.org"


@pytest.fixture
def mail_in() -> Iterator[None]:
    with override_settings(MAIL_IN_ADDRESS=MAIL_IN):
        yield


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User) -> Community:
    created = community(coordinator, members=(alice, bob), name="Cargo Riders")
    # Joining brings a welcome (tests/test_onboarding.py); these tests start from a quiet inbox.
    Notification.objects.filter(kind=Kind.WELCOME).delete()
    return created


def header(message: EmailMessage, name: str) -> str:
    return " ".join(str(message[name]).split()) if message[name] is not None else ""


def html_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML part"
    content: str = part.get_content()
    return content


def start(author: User, space: Space, title: str = "Which cargo bike?", **values: object) -> Topic:
    values.setdefault("kind", TopicKind.DISCUSSION)
    values.setdefault("body", "We need one for the school run.")
    return actions.do_start_topic(author, space, title=title, **values)  # type: ignore[arg-type]


def mention(author: User, topic: Topic, person: User, reply_to: Post | None = None) -> Post:
    return actions.do_reply(
        author, topic, body=f"A long tail does it, @{person.handle}.", reply_to=reply_to
    )


def welcome_to(person: User) -> None:
    """Any message Cercle queues for one person, by whichever app: the mail app finds
    the person by the address."""
    queue_email(
        EmailMultiAlternatives(
            "Welcome", "Hello!", django_settings.DEFAULT_FROM_EMAIL, [person.email]
        )
    )


# --- Every message: the loop mark and the envelope ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_every_message_is_marked_as_cercles_and_its_bounces_come_back_to_the_person(
    smtp_server: SmtpServer, mail_in: None, alice: User
) -> None:
    welcome_to(alice)
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    assert header(message, addresses.LOOP_HEADER) == "lists.example.org"
    envelope = smtp_server.envelope_of(message)
    assert envelope.mail_from == addresses.bounce_address(alice.pk)
    assert envelope.rcpt_tos == (alice.email,)
    bounce = addresses.read_recipient(envelope.mail_from)
    assert bounce is not None
    assert (bounce.kind, bounce.person_id) == ("bounce", alice.pk)
    # The person reads Cercle's own address; only the envelope carries the bounce address.
    assert header(message, "From") == django_settings.DEFAULT_FROM_EMAIL


@pytest.mark.django_db(transaction=True)
def test_without_mail_in_the_envelope_is_cercles_address_and_no_reply_address_is_given(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    mention(bob, topic, alice)
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    site_host = urlsplit(django_settings.SITE_URL).hostname
    assert header(message, addresses.LOOP_HEADER) == site_host
    own = parseaddr(django_settings.DEFAULT_FROM_EMAIL)[1]
    assert smtp_server.envelope_of(message).mail_from == own
    assert message["Reply-To"] is None
    assert header(message, "Message-ID") == f"<post-{topic.posts.get(position=1).pk}@{site_host}>"
    assert "Reply to this email" not in text_body(message)


# --- Stopped addresses -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_address_that_hard_bounced_receives_nothing_over_smtp(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    bounces.record_bounce(
        alice.pk, alice.email, permanent=True, status="5.1.1", diagnostic="User unknown"
    )
    topic = start(alice, general)
    mention(bob, topic, alice)  # an immediate notification, sent by its own task
    welcome_to(alice)  # a queued message
    welcome_to(bob)
    deliver_queued_email()

    smtp_server.wait_for(bob.email)
    assert [m for m in smtp_server.messages if alice.email in str(m["To"])] == []
    # The notification stays in the app, done with email: it is not tried again.
    notification = Notification.objects.get(recipient=alice)
    assert notification.emailed_at is not None


@pytest.mark.django_db(transaction=True)
def test_temporary_failures_stop_mail_only_at_the_third(
    smtp_server: SmtpServer, mail_in: None, alice: User
) -> None:
    for _ in range(2):
        bounces.record_bounce(alice.pk, alice.email, permanent=False, status="4.2.2")
    welcome_to(alice)
    deliver_queued_email()
    smtp_server.wait_for(alice.email)

    bounces.record_bounce(alice.pk, alice.email, permanent=False, status="4.2.2")
    welcome_to(alice)
    deliver_queued_email()
    assert len(smtp_server.messages) == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_address_receives_mail_again_at_once(
    smtp_server: SmtpServer, mail_in: None, alice: User
) -> None:
    bounces.record_bounce(alice.pk, alice.email, permanent=True, status="5.1.1")
    # Alice adds a working address and makes it her own, as the email page does.
    new = EmailAddress.objects.create(
        user=alice, email="alice.martin@example.net", verified=True, primary=False
    )
    new.set_as_primary()
    alice.refresh_from_db()
    assert alice.email == "alice.martin@example.net"

    welcome_to(alice)
    deliver_queued_email()
    [message] = smtp_server.wait_for("alice.martin@example.net")
    assert smtp_server.envelope_of(message).mail_from == addresses.bounce_address(alice.pk)
    # The old address's stop is no longer hers to fix: the page says nothing of it.
    assert "We stopped sending you email" not in html(
        client_for(alice), reverse("notification_settings")
    )


# --- Threads that thread ---------------------------------------------------------------------


def thread_of(message: EmailMessage) -> tuple[str, str, str]:
    return (
        header(message, "Message-ID"),
        header(message, "In-Reply-To"),
        header(message, "References"),
    )


@pytest.mark.django_db(transaction=True)
def test_a_reply_is_a_message_of_the_topics_thread_with_list_headers_and_a_reply_address(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general, "Which cargo bike for three children?")
    post = mention(bob, topic, alice)
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    root = f"<topic-{topic.pk}@lists.example.org>"
    assert thread_of(message) == (f"<post-{post.pk}@lists.example.org>", root, root)
    # The subject is the topic's, for Gmail; why Alice gets it is said in the body.
    assert header(message, "Subject") == "Re: [Cargo Riders] Which cargo bike for three children?"
    assert "Bob Leroy mentioned you in “Which cargo bike for three children?”" in text_body(message)
    assert (
        header(message, "List-Id") == '"Cargo Riders / General" <general.cargo.lists.example.org>'
    )
    assert header(message, "List-Post") == "NO"
    assert header(message, "List-Archive") == (
        f"<{django_settings.SITE_URL}{topic.get_absolute_url()}>"
    )
    recipient = addresses.read_recipient(header(message, "Reply-To"))
    assert recipient == addresses.Recipient("reply", person_id=alice.pk, topic_id=topic.pk)
    assert "Reply to this email to answer in the topic" in text_body(message)
    assert "Reply to this email to answer in the topic" in html_body(message)
    assert smtp_server.envelope_of(message).mail_from == addresses.bounce_address(alice.pk)


@pytest.mark.django_db(transaction=True)
def test_a_reply_to_a_reply_refers_to_the_root_then_its_parent(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    do_set_email_preferences(alice, {Kind.REPLY: Frequency.NEVER})
    topic = start(alice, general)
    first = actions.do_reply(alice, topic, body="A long tail?")
    second = mention(bob, topic, alice, reply_to=first)
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    root = f"<topic-{topic.pk}@lists.example.org>"
    parent = f"<post-{first.pk}@lists.example.org>"
    assert thread_of(message) == (
        f"<post-{second.pk}@lists.example.org>",
        parent,
        f"{root} {parent}",
    )


@pytest.mark.django_db(transaction=True)
def test_a_new_topic_is_the_root_of_its_thread_and_later_posts_say_re(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    people_actions.do_follow(bob, general)
    do_set_email_preferences(bob, {Kind.NEW_TOPIC: Frequency.IMMEDIATELY})
    topic = start(alice, general, "Spring ride")
    deliver_queued_email()

    [message] = smtp_server.wait_for(bob.email)
    assert thread_of(message) == (f"<topic-{topic.pk}@lists.example.org>", "", "")
    assert header(message, "Subject") == "[Cargo Riders] Spring ride"
    assert "Alice Martin started “Spring ride” in General" in text_body(message)

    answer = actions.do_reply(bob, topic, body="I come.")
    deliver_queued_email()
    [told] = smtp_server.wait_for(alice.email)
    assert header(told, "Subject") == "Re: [Cargo Riders] Spring ride"
    assert header(told, "Message-ID") == f"<post-{answer.pk}@lists.example.org>"


@pytest.mark.django_db(transaction=True)
def test_an_accepted_answer_has_its_own_id_in_the_same_thread(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    question = start(alice, general, "Which tyres?", kind=TopicKind.QUESTION)
    answer = actions.do_reply(bob, question, body="Studded ones.")
    actions.do_accept_answer(alice, question, answer)
    deliver_queued_email()

    [message] = smtp_server.wait_for(bob.email)
    post_id = f"<post-{answer.pk}@lists.example.org>"
    assert header(message, "Message-ID") == f"<post-{answer.pk}.accepted@lists.example.org>"
    assert header(message, "In-Reply-To") == post_id
    assert header(message, "References") == f"<topic-{question.pk}@lists.example.org> {post_id}"
    assert header(message, "Subject") == "Re: [Cargo Riders] Which tyres?"


@pytest.mark.django_db(transaction=True)
def test_a_mention_added_by_an_edit_is_not_taken_for_a_copy_of_the_post(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    answer = actions.do_reply(bob, topic, body="A long tail does it.")
    deliver_queued_email()
    [told] = smtp_server.wait_for(alice.email)
    post_id = f"<post-{answer.pk}@lists.example.org>"
    assert header(told, "Message-ID") == post_id

    actions.do_edit_post(bob, answer, body=f"A long tail does it, @{alice.handle}.")
    deliver_queued_email()
    _, mentioned = smtp_server.wait_for(alice.email, count=2)
    assert header(mentioned, "Message-ID") == f"<post-{answer.pk}.edited@lists.example.org>"
    assert header(mentioned, "In-Reply-To") == post_id
    assert header(mentioned, "Subject") == header(told, "Subject")


@pytest.mark.django_db(transaction=True)
def test_list_post_gives_the_spaces_address_when_the_space_takes_mail(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    """The mail-in app answers the hook for the spaces that take mail; here a receiver
    of the test's own stands in for it."""

    def takes_mail(space: Space) -> str | None:
        return addresses.space_address(space.community.slug, space.slug)

    hooks.space_post_address.register(takes_mail)
    try:
        topic = start(alice, general)
        mention(bob, topic, alice)
        deliver_queued_email()
    finally:
        hooks.space_post_address.unregister(takes_mail)
    [message] = smtp_server.wait_for(alice.email)
    assert header(message, "List-Post") == "<mailto:cercle+cargo.general@lists.example.org>"


@pytest.mark.django_db(transaction=True)
def test_a_reader_who_may_not_reply_gets_no_reply_address(
    smtp_server: SmtpServer,
    mail_in: None,
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
) -> None:
    topic = start(alice, general)
    mention(bob, topic, alice)
    actions.do_set_locked(coordinator, topic, True)
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    assert message["Reply-To"] is None
    assert header(message, "In-Reply-To") == f"<topic-{topic.pk}@lists.example.org>"


@pytest.mark.django_db(transaction=True)
def test_a_french_reader_gets_the_same_thread_with_french_words(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    alice.language = "fr"
    alice.save()
    topic = start(alice, general, "Quel vélo cargo ?")
    mention(bob, topic, alice)
    deliver_queued_email()

    [message] = smtp_server.wait_for(alice.email)
    assert header(message, "Subject") == "Re: [Cargo Riders] Quel vélo cargo ?"
    text = text_body(message)
    assert "Bob Leroy vous a mentionné" in text
    assert "Répondez à ce message" in text


# --- Summaries and digests: a reply link per topic --------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_summary_offers_a_reply_by_email_link_for_each_topic(
    smtp_server: SmtpServer, mail_in: None, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    do_set_email_preferences(alice, {Kind.MENTION: Frequency.DAILY, Kind.REPLY: Frequency.DAILY})
    bikes = start(alice, general, "Show us your bikes")
    routes = start(alice, general, "Routes & paths")
    actions.do_reply(bob, bikes, body="Mine is green.")
    actions.do_reply(bob, routes, body="The canal.")
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()

    [summary] = smtp_server.wait_for(alice.email)
    text = text_body(summary)
    for topic in (bikes, routes):
        address = addresses.reply_address(alice.pk, topic.pk)
        assert address is not None
        link = f"mailto:{address}?subject="
        assert link in text
        assert f'href="{link}' in html_body(summary)
    assert "Reply by email: mailto:" in text
    assert "You may reply by email" in text
    # The subject of the link is the topic's, for the reply to join its thread.
    start_of = text.index(f"mailto:{addresses.reply_address(alice.pk, routes.pk)}?subject=")
    subject = unquote(text[start_of:].split("?subject=", 1)[1].split()[0])
    assert subject == "Re: [Cargo Riders] Routes & paths"


@pytest.mark.django_db(transaction=True)
def test_without_mail_in_a_summary_has_no_reply_links(
    smtp_server: SmtpServer, cargo: Community, general: Space, alice: User, bob: User
) -> None:
    do_set_email_preferences(alice, {Kind.REPLY: Frequency.DAILY})
    actions.do_reply(bob, start(alice, general), body="Mine is green.")
    call_command("send_notification_emails", "--frequency", "daily", verbosity=0)
    deliver_queued_email()
    [summary] = smtp_server.wait_for(alice.email)
    assert "mailto:" not in text_body(summary)
    assert "You may reply by email" not in text_body(summary)


@pytest.mark.django_db(transaction=True)
def test_the_digest_offers_a_reply_by_email_link_for_each_discussion(
    smtp_server: SmtpServer,
    mail_in: None,
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
    bob: User,
) -> None:
    Membership.objects.filter(community=cargo).update(joined_at=timezone.now() - timedelta(days=30))
    talk = start(coordinator, general, "Open talk about routes")
    actions.do_reply(bob, talk, body="The canal path.")
    next_week = (timezone.localtime() + timedelta(days=7)).isoformat()
    call_command("send_digests", "--period", "weekly", "--now", next_week, verbosity=0)
    deliver_queued_email()

    [digest] = smtp_server.wait_for(alice.email)
    assert "Open talk about routes" in text_body(digest)
    address = addresses.reply_address(alice.pk, talk.pk)
    assert f"Reply by email: mailto:{address}?subject=" in text_body(digest)
    assert f'href="mailto:{address}?subject=' in html_body(digest)
    assert "You may reply by email" in html_body(digest)
    assert smtp_server.envelope_of(digest).mail_from == addresses.bounce_address(alice.pk)


# --- The settings page: a bounce, heard ---------------------------------------------------------


def test_the_settings_page_says_why_mail_stopped_and_starts_it_again(
    mail_in: None, alice: User
) -> None:
    client = client_for(alice)
    page = html(client, reverse("notification_settings"))
    assert "We stopped sending you email" not in page

    bounce = bounces.record_bounce(
        alice.pk, alice.email, permanent=True, status="5.1.1", diagnostic="550 User unknown"
    )
    page = html(client, reverse("notification_settings"))
    assert "We stopped sending you email" in page
    day = date_format(timezone.localtime(bounce.last_at), "DATE_FORMAT")
    assert (
        f"Mail to <strong>{alice.email}</strong> stopped on {day} because the server answered "
        "5.1.1 “550 User unknown”."
    ) in page
    assert f'action="{reverse("notification_mail_resume")}"' in page
    assert "My mailbox works again: send again" in page

    response = client.post(reverse("notification_mail_resume"))
    assert response.status_code == 302
    assert response["Location"] == reverse("notification_settings")
    assert not Bounce.objects.filter(person=alice).exists()
    assert bounces.stopped_addresses([alice.email]) == set()
    page = html(client, response["Location"])
    assert "We stopped sending you email" not in page
    assert "Mail to your address starts again." in page


def test_the_settings_page_says_it_in_french(mail_in: None, alice: User) -> None:
    alice.language = "fr"
    alice.save()
    bounces.record_bounce(alice.pk, alice.email, permanent=True, status="5.1.1")
    page = html(client_for(alice), reverse("notification_settings"))
    assert "Nous avons cessé de vous écrire" in page
    assert "Ma boîte fonctionne de nouveau\u00a0: renvoyer" in page
    assert "Mode liste de diffusion" in page


def test_starting_mail_again_needs_a_post_and_a_log_in(alice: User) -> None:
    bounces.record_bounce(alice.pk, alice.email, permanent=True)
    assert client_for(alice).get(reverse("notification_mail_resume")).status_code == 405
    anonymous = Client().post(reverse("notification_mail_resume"))
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert Bounce.objects.filter(person=alice, stopped=True).exists()


def test_the_preferences_page_leads_to_the_email_settings(alice: User) -> None:
    page = html(client_for(alice), reverse("account_preferences"))
    assert f'href="{reverse("notification_settings")}"' in page


def test_the_settings_page_costs_the_same_queries_with_a_bounce(
    mail_in: None, alice: User, django_assert_max_num_queries: object
) -> None:
    client = client_for(alice)
    client.get(reverse("notification_settings"))
    bounces.record_bounce(alice.pk, alice.email, permanent=True)
    for n in range(5):
        bounces.record_bounce(alice.pk, f"old{n}@example.org", permanent=True)
    with django_assert_max_num_queries(12):  # type: ignore[operator]
        assert client.get(reverse("notification_settings")).status_code == 200


def mailing_list_box(page: str) -> str:
    """The mailing-list checkbox's tag."""
    start = page.index('name="mailing_list"')
    return page[page.rindex("<input", 0, start) : page.index(">", start)]


def test_mailing_list_mode_is_a_choice_of_its_own_on_the_settings_page(alice: User) -> None:
    client = client_for(alice)
    page = html(client, reverse("notification_settings"))
    assert "<legend>Mailing-list mode</legend>" in page
    assert (
        "Mailing-list mode: every new post of the spaces and topics I follow, one email each; "
        "reply by email to take part"
    ) in page
    assert "checked" not in mailing_list_box(page)
    form = {**email_preferences(alice)}
    client.post(reverse("notification_settings"), {**form, "mailing_list": "on"})
    assert "checked" in mailing_list_box(html(client, reverse("notification_settings")))
    assert in_mailing_list_mode(alice)
    client.post(reverse("notification_settings"), form)
    assert "checked" not in mailing_list_box(html(client, reverse("notification_settings")))
    assert not in_mailing_list_mode(alice)


def test_a_refused_settings_form_saves_no_mailing_list_mode_either(alice: User) -> None:
    client = client_for(alice)
    form = {**email_preferences(alice), "mention": "hourly", "mailing_list": "on"}
    response = client.post(reverse("notification_settings"), form)
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert not EmailPreference.objects.filter(person=alice).exists()
