"""What happens to a message received (docs/mail.md): the checks in their order, a reply
posted as the person its address names, a new topic at a space's address, delivery
reports recorded, and the answers by email, read back from a real SMTP server.

Messages are built with the standard library's EmailMessage, as a mail program sends
them, and handed to `receiving.receive` as a transport does; parsing is the real one.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import formatdate, make_msgid
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import OperationalError, connection
from django.utils import timezone
from PIL import Image

from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Space
from cercle.conversations import actions as conversations
from cercle.conversations.models import Attachment, Kind, Post, Topic
from cercle.mail.addresses import LOOP_HEADER, bounce_address, reply_address, space_address
from cercle.mail.bounces import stopped_addresses
from cercle.mail.models import Bounce, BounceKind
from cercle.mailin import receiving
from cercle.mailin.models import Outcome, ReceivedMail, SpaceMailbox, Transport
from cercle.mailin.receiving import MAX_ATTEMPTS, process, process_pending, receive, store
from cercle.membership import actions as community_actions
from cercle.notifications.models import Kind as NotificationKind
from cercle.notifications.models import Notification
from tests.concurrency import run_together
from tests.conftest import make_person
from tests.smtp import SmtpServer, text_body

pytestmark = pytest.mark.django_db

MAILBOX = "cercle@lists.example.org"
QUESTION = "Which cargo bike for three children?"


@pytest.fixture(autouse=True)
def _mail_in(settings: Any) -> None:
    settings.MAIL_IN_ADDRESS = MAILBOX
    settings.MAIL_IN_AUTHSERV_ID = ""
    settings.MAIL_IN_MAX_BYTES = 10 * 1024 * 1024
    settings.MAIL_IN_RATE_PER_HOUR = 30


@pytest.fixture
def outbox(smtp_server: SmtpServer, immediate_tasks: None) -> SmtpServer:
    """The real SMTP server the answers reach: queued emails are sent as soon as the
    transaction that queued them commits (see `deliver`)."""
    return smtp_server


@pytest.fixture
def question(general: Space, alice: User) -> Topic:
    return conversations.do_start_topic(
        alice, general, kind=Kind.QUESTION, title=QUESTION, body="We do the school run."
    )


def message(
    to: str,
    sender: str,
    *,
    subject: str = f"Re: {QUESTION}",
    body: str = "Take a long tail: it carries three.",
    headers: dict[str, str] | None = None,
    files: tuple[tuple[str, str, bytes], ...] = (),
    message_id: str = "",
) -> bytes:
    """A message as a mail program sends it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = message_id or make_msgid(domain="mail.example.org")
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    for filename, content_type, content in files:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


@contextmanager
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Iterator[None]:
    """Run what waits for the commit (the emails) at the end, as a real commit would."""
    with django_capture_on_commit_callbacks(execute=True):
        yield


def receive_one(raw: bytes, to: str) -> ReceivedMail:
    [row] = receive(raw, transport=Transport.DIRECT, envelope_from="", recipients=[to])
    return row


def reply_to(person: User, topic: Topic) -> str:
    address = reply_address(person.pk, topic.pk)
    assert address is not None
    return address


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def to(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [m for m in server.messages if address in str(m["To"])]


# --- Replies --------------------------------------------------------------------------------


def test_a_reply_by_email_posts_the_trimmed_text_as_the_person(
    question: Topic, alice: User, bob: User
) -> None:
    raw = message(
        reply_to(bob, question),
        "Bob Leroy <Bob@Example.org>",
        body=(
            "Take a long tail: it carries three.\n\n"
            "On Mon, 7 Dec 2026 at 10:00, Alice Martin <alice@example.org> wrote:\n"
            f"> {QUESTION}\n> We do the school run.\n"
        ),
    )
    row = receive_one(raw, reply_to(bob, question))

    post = Post.objects.get(topic=question, position=1)
    assert post.body == "Take a long tail: it carries three."
    assert post.author == bob
    assert (row.outcome, row.person, row.topic, row.post) == (Outcome.POSTED, bob, question, post)
    assert row.community == question.community
    assert row.attempts == 1
    assert row.processed_at is not None
    assert row.answered_at is None
    assert ActivityEvent.objects.filter(
        verb=verbs.ANSWER_POSTED.name, actor=bob, object_id=post.pk
    ).exists()
    assert Notification.objects.filter(
        recipient=alice, kind=NotificationKind.ANSWER, post=post
    ).exists()
    question.refresh_from_db()
    assert question.reply_count == 1


def test_a_reply_address_quoted_in_a_reply_never_reaches_the_post(
    question: Topic, bob: User
) -> None:
    # An inline answer keeps the quote it answers: here, the notification's own line
    # with Bob's reply address, which would let anyone reading the topic use it.
    address = reply_to(bob, question)
    raw = message(
        address,
        bob.email,
        body=(
            f"> Reply by email: {address}\nDone, and it works!\n\n"
            "On Mon, 7 Dec 2026 at 10:00, Cercle <cercle@mail.example.org> wrote:\n> Hi\n"
        ),
    )
    assert receive_one(raw, address).outcome == Outcome.POSTED
    post = Post.objects.get(topic=question, position=1)
    assert address not in post.body
    assert "+r-" not in post.body
    assert post.body == f"> Reply by email: {MAILBOX}\n\nDone, and it works!"


def test_processing_a_reply_runs_a_bounded_number_of_queries(
    question: Topic, bob: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(3):  # the same count whatever the topic already holds
        address = reply_to(bob, question)
        [row] = store(
            message(address, bob.email, body=f"Answer number {number}."),
            transport=Transport.DIRECT,
            envelope_from="",
            recipients=[address],
        )
        # Eight of them are processing's own (the row locked and written, the duplicate
        # and rate checks, the person, the topic, the access); the rest is `do_reply`'s.
        with django_assert_max_num_queries(36):
            assert process(row).outcome == Outcome.POSTED


def test_a_handled_row_is_left_alone(question: Topic, bob: User) -> None:
    row = receive_one(message(reply_to(bob, question), bob.email), reply_to(bob, question))
    assert process(row).outcome == Outcome.POSTED
    assert process_pending() == 0
    row.refresh_from_db()
    assert row.attempts == 1
    assert Post.objects.filter(topic=question).count() == 2


def test_a_forged_from_with_another_persons_token_posts_nothing_and_answers_nobody(
    outbox: SmtpServer,
    question: Topic,
    bob: User,
    charlie: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(
            message(reply_to(bob, question), charlie.email, body="I am Bob, trust me."),
            reply_to(bob, question),
        )
    assert row.outcome == Outcome.REFUSED_SENDER
    assert charlie.email in row.reason
    assert Post.objects.filter(topic=question).count() == 1
    assert outbox.messages == []


def test_a_reply_from_an_address_the_person_added_is_theirs(question: Topic, bob: User) -> None:
    EmailAddress.objects.create(user=bob, email="bob.leroy@work.example", verified=False)
    row = receive_one(
        message(reply_to(bob, question), "bob.leroy@work.example"), reply_to(bob, question)
    )
    assert row.outcome == Outcome.POSTED
    assert row.post is not None
    assert row.post.author == bob


def test_a_reply_in_a_private_space_the_person_left_is_refused_without_naming_the_topic(
    outbox: SmtpServer,
    lab: Space,
    coordinator: User,
    alice: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    secret = conversations.do_start_topic(
        coordinator, lab, kind=Kind.DISCUSSION, title="Secret prototype", body="Look."
    )
    address = reply_to(alice, secret)
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    raw = message(address, alice.email, subject="Re: Secret prototype", body="Nice frame!")
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, address)

    assert row.outcome == Outcome.REFUSED_PERMISSION
    assert Post.objects.filter(topic=secret).count() == 1
    [answer] = outbox.messages
    assert str(answer["To"]) == alice.email
    assert answer["Auto-Submitted"] == "auto-replied"
    sent_id = _parsed(raw)["Message-ID"]
    assert answer["In-Reply-To"] == sent_id
    assert sent_id in str(answer["References"])
    assert answer[LOOP_HEADER] == "lists.example.org"
    text = text_body(answer)
    assert "Your reply was not posted" in text
    assert "Secret" not in text
    assert "Secret" not in str(answer["Subject"])
    assert secret.get_absolute_url() not in text
    html = answer.get_body(preferencelist=("html",))
    assert html is not None
    assert "Secret" not in html.get_content()


def test_a_reply_to_a_locked_topic_is_refused_in_the_persons_language_with_a_link(
    outbox: SmtpServer,
    question: Topic,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    dora = make_person("dora@example.org", "Dora Membre", language="fr")
    community_actions.do_join(dora, question.community)
    conversations.do_set_locked(coordinator, question, True)
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(message(reply_to(dora, question), dora.email), reply_to(dora, question))
    assert row.outcome == Outcome.REFUSED_PERMISSION
    [answer] = to(outbox, dora.email)
    assert "n\u2019a pas été publié" in str(answer["Subject"])
    text = text_body(answer)
    assert "Bonjour Dora Membre" in text
    assert "Votre réponse n\u2019a pas été publiée" in text
    assert QUESTION in text
    assert question.get_absolute_url() in text
    assert answer["Content-Language"] == "fr"


def test_an_empty_reply_is_refused_with_an_answer(
    outbox: SmtpServer, question: Topic, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    raw = message(
        reply_to(bob, question),
        bob.email,
        body=(
            "\n\nOn Mon, 7 Dec 2026 at 10:00, Alice Martin <alice@example.org> wrote:\n"
            f"> {QUESTION}\n"
        ),
    )
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.REFUSED_EMPTY
    assert Post.objects.filter(topic=question).count() == 1
    [answer] = to(outbox, bob.email)
    assert "no text was left" in text_body(answer)


def test_an_auto_reply_is_ignored_and_never_answered(
    outbox: SmtpServer, question: Topic, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    raw = message(
        reply_to(bob, question),
        bob.email,
        subject="Out of office",
        body="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.IGNORED_AUTO_REPLY
    assert Post.objects.filter(topic=question).count() == 1
    assert outbox.messages == []


def test_our_own_message_come_back_is_ignored(question: Topic, bob: User) -> None:
    raw = message(reply_to(bob, question), bob.email, headers={LOOP_HEADER: "lists.example.org"})
    assert receive_one(raw, reply_to(bob, question)).outcome == Outcome.IGNORED_LOOP
    assert Post.objects.filter(topic=question).count() == 1


def test_a_message_delivered_twice_is_posted_once(question: Topic, bob: User) -> None:
    raw = message(reply_to(bob, question), bob.email)
    first = receive_one(raw, reply_to(bob, question))
    second = receive_one(raw, reply_to(bob, question))
    assert (first.outcome, second.outcome) == (Outcome.POSTED, Outcome.IGNORED_DUPLICATE)
    assert Post.objects.filter(topic=question).count() == 2


def test_an_unknown_address_is_refused_without_an_answer(
    outbox: SmtpServer, question: Topic, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    forged = reply_to(bob, question).replace("-", "-x", 1)
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(message(forged, bob.email), forged)
        elsewhere = receive_one(
            message("someone@lists.example.org", bob.email), "someone@lists.example.org"
        )
    assert (row.outcome, elsewhere.outcome) == (Outcome.REFUSED_ADDRESS,) * 2
    assert outbox.messages == []


# --- Attachments ----------------------------------------------------------------------------


def test_a_png_attached_to_a_reply_becomes_an_attachment_of_the_post(
    question: Topic, bob: User
) -> None:
    raw = message(
        reply_to(bob, question),
        bob.email,
        body="Here is mine.",
        files=(("my-bike.png", "image/png", png()),),
    )
    row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.POSTED
    [attachment] = Attachment.objects.filter(post=row.post)
    assert (attachment.original_name, attachment.content_type) == ("my-bike.png", "image/png")
    assert attachment.uploader == bob
    assert attachment.file.read() == png()


def test_a_refused_attachment_posts_nothing_and_the_answer_says_why(
    outbox: SmtpServer, question: Topic, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    raw = message(
        reply_to(bob, question),
        bob.email,
        body="Run this.",
        files=(("tool.exe", "application/octet-stream", b"MZ\x90\x00" + bytes(200)),),
    )
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.REFUSED_INVALID
    assert "tool.exe cannot be attached" in row.reason
    assert Post.objects.filter(topic=question).count() == 1
    assert not Attachment.objects.exists()
    [answer] = to(outbox, bob.email)
    assert "tool.exe cannot be attached" in text_body(answer)


def test_more_attachments_than_allowed_posts_nothing(question: Topic, bob: User) -> None:
    files = tuple((f"photo-{n}.png", "image/png", png()) for n in range(11))
    row = receive_one(
        message(reply_to(bob, question), bob.email, files=files), reply_to(bob, question)
    )
    assert row.outcome == Outcome.REFUSED_INVALID
    assert "at most 10 files" in row.reason
    assert not Attachment.objects.exists()


# --- Bounces --------------------------------------------------------------------------------


def delivery_report(
    to: str, failed: str, *, status: str = "5.1.1", action: str = "failed"
) -> bytes:
    """A delivery status notification (RFC 3464) as Postfix writes one."""
    return (
        "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {to}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: {make_msgid(domain='mx.example.org')}\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n"
        "--B\r\n"
        "Content-Type: text/plain\r\n"
        "\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n"
        "--B\r\n"
        "Content-Type: message/delivery-status\r\n"
        "\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n"
        "\r\n"
        f"Final-Recipient: rfc822; {failed}\r\n"
        f"Action: {action}\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: smtp; 550 {status} <{failed}>: Recipient address rejected\r\n"
        "--B\r\n"
        "Content-Type: text/rfc822-headers\r\n"
        "\r\n"
        f"Subject: {QUESTION}\r\n"
        "--B--\r\n"
    ).encode()


def test_a_delivery_report_at_the_bounce_address_stops_mail_to_the_address(
    outbox: SmtpServer,
    general: Space,
    alice: User,
    bob: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    topic = conversations.do_start_topic(
        bob, general, kind=Kind.DISCUSSION, title="Bob's long tail", body="Look at it."
    )
    with committed(django_capture_on_commit_callbacks):
        conversations.do_reply(alice, topic, body="Lovely bike.")
    assert len(to(outbox, bob.email)) == 1  # Bob is told of replies by email

    address = bounce_address(bob.pk)
    assert address is not None
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(delivery_report(address, bob.email), address)
    assert row.outcome == Outcome.BOUNCE_RECORDED
    assert row.person == bob
    bounce = Bounce.objects.get(person=bob)
    assert (bounce.address, bounce.kind, bounce.status, bounce.stopped) == (
        bob.email,
        BounceKind.HARD,
        "5.1.1",
        True,
    )
    assert "Recipient address rejected" in bounce.diagnostic
    assert stopped_addresses([bob.email]) == {bob.email}
    assert len(outbox.messages) == 1  # a report is never answered

    # The next notification is kept in the app, and no longer sent to the address.
    with committed(django_capture_on_commit_callbacks):
        conversations.do_reply(alice, topic, body="Still lovely.")
    assert Notification.objects.filter(recipient=bob, kind=NotificationKind.REPLY).count() == 2
    assert len(to(outbox, bob.email)) == 1


def test_a_report_cannot_stop_mail_to_someone_elses_address(bob: User, alice: User) -> None:
    address = bounce_address(bob.pk)
    assert address is not None
    receive_one(delivery_report(address, alice.email), address)
    assert stopped_addresses([alice.email]) == set()
    assert Bounce.objects.get().address == bob.email


def test_a_temporary_failure_is_counted_but_does_not_stop_mail(bob: User) -> None:
    address = bounce_address(bob.pk)
    assert address is not None
    row = receive_one(delivery_report(address, bob.email, status="4.2.2"), address)
    assert row.outcome == Outcome.BOUNCE_RECORDED
    bounce = Bounce.objects.get(person=bob)
    assert (bounce.kind, bounce.stopped) == (BounceKind.SOFT, False)


def test_a_delivery_report_at_a_reply_address_is_ignored(question: Topic, bob: User) -> None:
    row = receive_one(delivery_report(reply_to(bob, question), bob.email), reply_to(bob, question))
    assert row.outcome == Outcome.IGNORED_AUTO_REPLY
    assert not Bounce.objects.exists()
    assert Post.objects.filter(topic=question).count() == 1


# --- Limits ---------------------------------------------------------------------------------


def test_an_oversized_message_is_refused_with_an_answer(
    outbox: SmtpServer,
    settings: Any,
    question: Topic,
    bob: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MAIL_IN_MAX_BYTES = 4096
    raw = message(
        reply_to(bob, question), bob.email, files=(("big.png", "image/png", bytes(8000)),)
    )
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.REFUSED_TOO_LARGE
    assert str(len(raw)) in row.reason
    assert Post.objects.filter(topic=question).count() == 1
    [answer] = to(outbox, bob.email)
    assert "MB at most by email" in text_body(answer)


def test_an_oversized_auto_reply_is_not_answered(
    outbox: SmtpServer,
    settings: Any,
    question: Topic,
    bob: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MAIL_IN_MAX_BYTES = 1024
    raw = message(
        reply_to(bob, question),
        bob.email,
        body="away " * 400,
        headers={"Auto-Submitted": "auto-replied"},
    )
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.REFUSED_TOO_LARGE
    assert outbox.messages == []


def test_the_sender_beyond_the_hourly_rate_is_refused_and_answered_once(
    outbox: SmtpServer, question: Topic, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    address = reply_to(bob, question)
    with committed(django_capture_on_commit_callbacks):
        outcomes = [
            receive_one(message(address, bob.email, body=f"Thought number {n}."), address).outcome
            for n in range(32)
        ]
    assert outcomes == [Outcome.POSTED] * 30 + [Outcome.REFUSED_RATE] * 2
    assert Post.objects.filter(topic=question).count() == 31
    [answer] = to(outbox, bob.email)
    assert "more than 30 messages" in text_body(answer)
    last = ReceivedMail.objects.order_by("pk").last()
    assert last is not None
    assert "answered within the hour" in last.reason


def test_one_answer_per_sender_and_hour_whatever_the_refusals(
    outbox: SmtpServer,
    question: Topic,
    bob: User,
    general: Space,
    django_capture_on_commit_callbacks: Any,
) -> None:
    address = reply_to(bob, question)
    space = space_address("cargo", general.slug)
    assert space is not None
    with committed(django_capture_on_commit_callbacks):
        receive_one(message(address, bob.email, body=""), address)
        receive_one(message(space, bob.email, subject="A new topic"), space)
    assert [r.outcome for r in ReceivedMail.objects.order_by("pk")] == [
        Outcome.REFUSED_EMPTY,
        Outcome.REFUSED_SPACE_CLOSED,
    ]
    assert len(to(outbox, bob.email)) == 1


def test_a_message_that_fails_dmarc_is_refused_with_an_answer(
    outbox: SmtpServer, question: Topic, bob: User, django_capture_on_commit_callbacks: Any
) -> None:
    raw = message(
        reply_to(bob, question),
        bob.email,
        headers={
            "Authentication-Results": "mx.lists.example.org; spf=fail smtp.mailfrom=example.org;"
            " dkim=none; dmarc=fail header.from=example.org"
        },
    )
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(raw, reply_to(bob, question))
    assert row.outcome == Outcome.REFUSED_DMARC
    assert Post.objects.filter(topic=question).count() == 1
    [answer] = to(outbox, bob.email)
    assert "DMARC" in text_body(answer)


# --- New topics by email --------------------------------------------------------------------


@pytest.fixture
def mailbox(general: Space, coordinator: User) -> SpaceMailbox:
    return SpaceMailbox.objects.create(space=general, kind=Kind.QUESTION, updated_by=coordinator)


def space_mail(space: Space) -> str:
    address = space_address(space.community.slug, space.slug)
    assert address is not None
    return address


def test_writing_to_a_spaces_address_starts_a_topic_with_the_subject_as_title(
    mailbox: SpaceMailbox, general: Space, alice: User
) -> None:
    raw = message(
        space_mail(general),
        "Alice Martin <ALICE@example.org>",
        subject="Fwd: TR: Re: Which lock for a cargo bike?",
        body="Mine was stolen last week.",
    )
    row = receive_one(raw, space_mail(general))
    assert row.outcome == Outcome.TOPIC_STARTED
    topic = Topic.objects.get(space=general, title="Which lock for a cargo bike?")
    assert (topic.author, topic.kind) == (alice, Kind.QUESTION)
    assert topic.posts.get().body == "Mine was stolen last week."
    assert (row.person, row.topic, row.community) == (alice, topic, general.community)
    assert row.post == topic.posts.get()
    assert ActivityEvent.objects.filter(
        verb=verbs.TOPIC_STARTED_QUESTION.name, actor=alice
    ).exists()


def test_a_message_forwarded_whole_to_a_spaces_address_starts_a_topic_with_it(
    mailbox: SpaceMailbox, general: Space, alice: User
) -> None:
    shared = EmailMessage()
    shared["From"] = "Parks Department <parks@council.example.gov>"
    shared["Subject"] = "Water meter at the community garden"
    shared.set_content("The meter will be installed in March.")
    shared.add_attachment(png(), maintype="image", subtype="png", filename="meter.png")
    forward = EmailMessage()
    forward["From"] = alice.email
    forward["To"] = space_mail(general)
    forward["Subject"] = "FW: Water meter at the community garden"
    forward["Message-ID"] = make_msgid(domain="mail.example.org")
    forward.set_content("")
    forward.add_attachment(shared)  # Outlook's "forward as attachment"
    row = receive_one(forward.as_bytes(), space_mail(general))
    assert row.outcome == Outcome.TOPIC_STARTED, row.reason
    topic = Topic.objects.get(space=general, title="Water meter at the community garden")
    post = topic.posts.get()
    assert post.body.startswith("---------- Forwarded message ---------  \nFrom: Parks")
    assert post.body.endswith("The meter will be installed in March.")
    assert [a.original_name for a in post.attachments.all()] == ["meter.png"]


def test_a_space_that_takes_no_mail_refuses_with_an_answer(
    outbox: SmtpServer, general: Space, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    SpaceMailbox.objects.create(space=general, enabled=False)
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(
            message(space_mail(general), alice.email, subject="Hello all"), space_mail(general)
        )
    assert row.outcome == Outcome.REFUSED_SPACE_CLOSED
    assert not Topic.objects.filter(title="Hello all").exists()
    [answer] = to(outbox, alice.email)
    assert "does not take new topics by email" in text_body(answer)


def test_an_unknown_sender_at_a_spaces_address_is_invited_to_log_in(
    outbox: SmtpServer,
    mailbox: SpaceMailbox,
    general: Space,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with committed(django_capture_on_commit_callbacks):
        row = receive_one(
            message(space_mail(general), "stranger@elsewhere.example", subject="Hi there"),
            space_mail(general),
        )
    assert row.outcome == Outcome.REFUSED_PERMISSION
    assert not Topic.objects.filter(title="Hi there").exists()
    [answer] = to(outbox, "stranger@elsewhere.example")
    text = text_body(answer)
    assert "no account" in text
    assert "/accounts/login/" in text
    assert general.name not in text


def test_a_non_member_may_not_start_a_topic_by_email(
    mailbox: SpaceMailbox, general: Space, charlie: User
) -> None:
    row = receive_one(
        message(space_mail(general), charlie.email, subject="Buy my bikes"), space_mail(general)
    )
    assert row.outcome == Outcome.REFUSED_PERMISSION
    assert row.person == charlie
    assert not Topic.objects.filter(title="Buy my bikes").exists()


def test_a_new_topic_without_a_subject_is_refused(
    mailbox: SpaceMailbox, general: Space, alice: User
) -> None:
    row = receive_one(
        message(space_mail(general), alice.email, subject="Re: "), space_mail(general)
    )
    assert row.outcome == Outcome.REFUSED_INVALID
    assert Topic.objects.filter(space=general).count() == 0


def test_dmarc_at_a_spaces_address_needs_a_pass_when_the_receiving_server_is_named(
    settings: Any, mailbox: SpaceMailbox, general: Space, alice: User
) -> None:
    unsigned = message(space_mail(general), alice.email, subject="Unsigned news")
    assert receive_one(unsigned, space_mail(general)).outcome == Outcome.TOPIC_STARTED

    settings.MAIL_IN_AUTHSERV_ID = "mx.lists.example.org"
    again = message(space_mail(general), alice.email, subject="Unsigned again")
    assert receive_one(again, space_mail(general)).outcome == Outcome.REFUSED_DMARC
    signed = message(
        space_mail(general),
        alice.email,
        subject="Signed news",
        headers={
            "Authentication-Results": "mx.lists.example.org; dmarc=pass header.from=example.org"
        },
    )
    assert receive_one(signed, space_mail(general)).outcome == Outcome.TOPIC_STARTED
    assert set(Topic.objects.values_list("title", flat=True)) == {"Unsigned news", "Signed news"}


# --- Failures and retries -------------------------------------------------------------------


def refuse_conversation_inserts(
    execute: Any, sql: str, params: Any, many: bool, context: Any
) -> Any:
    if sql.lstrip().upper().startswith("INSERT") and "conversations_" in sql:
        raise OperationalError("the database went away (test)")
    return execute(sql, params, many, context)


def test_a_database_error_leaves_the_row_failed_with_nothing_written_then_a_retry_posts_once(
    question: Topic, alice: User, bob: User
) -> None:
    events_before = ActivityEvent.objects.count()
    address = reply_to(bob, question)
    with connection.execute_wrapper(refuse_conversation_inserts):
        row = receive_one(message(address, bob.email), address)
    assert row.outcome == Outcome.FAILED
    assert "OperationalError: the database went away (test)" in row.reason
    assert row.attempts == 1
    assert row.post is None
    assert Post.objects.filter(topic=question).count() == 1
    assert ActivityEvent.objects.count() == events_before
    assert not Notification.objects.filter(kind=NotificationKind.ANSWER).exists()
    question.refresh_from_db()
    assert question.reply_count == 0

    assert process_pending() == 1
    row.refresh_from_db()
    assert (row.outcome, row.attempts) == (Outcome.POSTED, 2)
    assert Post.objects.filter(topic=question).count() == 2
    assert process_pending() == 0
    assert Post.objects.filter(topic=question).count() == 2


def test_a_row_that_keeps_failing_stays_failed_for_staff(question: Topic, bob: User) -> None:
    address = reply_to(bob, question)
    with connection.execute_wrapper(refuse_conversation_inserts):
        row = receive_one(message(address, bob.email), address)
        for _ in range(MAX_ATTEMPTS + 2):
            process_pending()
    row.refresh_from_db()
    assert (row.outcome, row.attempts) == (Outcome.FAILED, MAX_ATTEMPTS)
    assert process_pending() == 0


def test_the_retry_command_handles_stored_messages_the_oldest_first(
    question: Topic, bob: User
) -> None:
    address = reply_to(bob, question)
    for words in ("First.", "Second."):
        store(
            message(address, bob.email, body=words),
            transport=Transport.IMAP,
            envelope_from="",
            recipients=[address],
        )
    out = io.StringIO()
    call_command("mail_in_retry", stdout=out)
    assert out.getvalue().strip() == "2 received messages handled."
    assert list(question.posts.order_by("position").values_list("body", flat=True))[1:] == [
        "First.",
        "Second.",
    ]
    assert set(ReceivedMail.objects.values_list("outcome", flat=True)) == {Outcome.POSTED}


def test_receiving_stores_one_row_per_recipient(question: Topic, alice: User, bob: User) -> None:
    raw = message(reply_to(bob, question), bob.email)
    rows = receive(
        raw,
        transport=Transport.SMTP,
        envelope_from="bob@example.org",
        recipients=[reply_to(bob, question), "nobody@lists.example.org"],
    )
    assert [r.outcome for r in rows] == [Outcome.POSTED, Outcome.REFUSED_ADDRESS]
    assert all(r.received_at <= timezone.now() for r in rows)
    assert receiving.accepts(reply_to(bob, question))
    assert not receiving.accepts("nobody@lists.example.org")


def _parsed(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


@pytest.mark.django_db(transaction=True)
def test_two_workers_handling_one_message_at_once_post_it_once(question: Topic, bob: User) -> None:
    address = reply_to(bob, question)
    [row] = store(
        message(address, bob.email),
        transport=Transport.DIRECT,
        envelope_from="",
        recipients=[address],
    )
    errors = run_together([lambda: process(row), lambda: process(row), process_pending])
    assert errors == []
    row.refresh_from_db()
    assert row.outcome == Outcome.POSTED
    assert Post.objects.filter(topic=question).count() == 2
