"""Issue 17's journey, in Chromium and over real mail: Alice asks in the browser, Bob
is told by email (over SMTP), answers by pressing Reply in his mail program (sent over
SMTP to Cercle's own receiver, `cercle mail-in --bind`), and Alice finds his answer on
the page and in her mailbox, in the same thread as the question."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from cercle.conversations.models import Post, Topic
from cercle.mail import addresses
from cercle.mailin.models import Outcome, ReceivedMail
from cercle.mailin.smtp import MailServer
from cercle.membership import actions as community_actions
from cercle.notifications import actions as notification_actions
from cercle.notifications.models import Kind as NotificationKind
from cercle.notifications.models import Notification
from cercle.people import actions as people_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.journeys import log_in
from tests.smtp import SmtpServer, free_port, text_body

MAIL_IN = "cercle@lists.example.org"


def ids(value: object) -> list[str]:
    return str(value or "").split()


def test_alice_asks_in_the_browser_bob_answers_by_email_and_alice_reads_it_in_her_thread(
    page: Page, live_server: Any, smtp_server: SmtpServer, settings: Any, tmp_path: Path
) -> None:
    settings.MAIL_IN_ADDRESS = MAIL_IN
    base = live_server.url
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    bob = make_person("bob@example.org", "Bob Leroy")
    for person in (alice, bob):
        community_actions.do_join(person, cargo)
    Notification.objects.filter(kind=NotificationKind.WELCOME).delete()
    general = cargo.spaces.get(slug="general")
    # Bob follows the space and wants its new topics at once.
    people_actions.do_follow(bob, general)
    notification_actions.do_set_email_preferences(bob, {NotificationKind.NEW_TOPIC: "immediately"})

    # 1. Alice asks in the browser.
    log_in(page, base, "alice@example.org")
    page.goto(base + general.get_absolute_url())
    page.get_by_role("link", name="Ask a question").click()
    page.get_by_label("Title").fill("Which chain lasts longest in the rain?")
    page.get_by_label("Message").fill("Mine rusts within a month.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which chain lasts longest in the rain?"
    )
    topic = Topic.objects.get(title="Which chain lasts longest in the rain?")
    root = addresses.topic_message_id(topic.pk)

    # 2. Bob is told by email, with a reply address that is his for this topic.
    told = smtp_server.wait_for("bob@example.org")[-1]
    assert "Mine rusts within a month." in text_body(told)
    assert told["Message-ID"] == root
    reply_to = str(told["Reply-To"])
    assert addresses.read_recipient(reply_to) == addresses.Recipient(
        "reply", person_id=bob.pk, topic_id=topic.pk
    )

    # 3. Bob presses Reply: his mail program quotes the message under his answer.
    answer = EmailMessage()
    answer["From"] = "Bob Leroy <bob@example.org>"
    answer["To"] = reply_to
    answer["Subject"] = f"Re: {told['Subject']}"
    answer["Message-ID"] = make_msgid(domain="example.org")
    answer["In-Reply-To"] = told["Message-ID"]
    answer["References"] = told["Message-ID"]
    quoted = "\n".join(f"> {line}" for line in text_body(told).splitlines())
    answer.set_content(
        "A stainless chain, and wax it every fortnight.\n\n"
        f"On Mon, 7 Dec 2026 at 10:02, Cercle <cercle@lists.example.org> wrote:\n{quoted}\n"
    )
    port = free_port()
    with MailServer("127.0.0.1", port, spool_folder=tmp_path / "spool") as receiver:
        with smtplib.SMTP("127.0.0.1", port) as client:
            refused = client.send_message(answer, from_addr="bob@example.org")
        assert refused == {}
        assert receiver.worker.wait_idle(timeout=20)
    received = ReceivedMail.objects.get()
    assert received.outcome == Outcome.POSTED, received.reason
    post = Post.objects.get(topic=topic, position=1)
    assert post.author == bob
    assert post.body == "A stainless chain, and wax it every fortnight."

    # 4. Alice sees the answer on the page, without the quoted email...
    page.reload()
    expect(page.locator("#post-1 .post__body")).to_have_text(
        "A stainless chain, and wax it every fortnight."
    )
    expect(page.locator("#post-1")).to_contain_text("Bob Leroy")
    expect(page.locator("#post-1")).not_to_contain_text("Mine rusts")
    # ... and in her mailbox, in the thread of her question.
    heard = smtp_server.wait_for("alice@example.org")[-1]
    assert "A stainless chain, and wax it every fortnight." in text_body(heard)
    assert root in ids(heard["References"])
    assert heard["In-Reply-To"] == root
    assert heard["Message-ID"] == addresses.post_message_id(post.pk)
    assert heard["List-Id"] == told["List-Id"]
    assert str(heard["Subject"]).removeprefix("Re: ") == str(told["Subject"]).removeprefix("Re: ")
    assert addresses.read_recipient(str(heard["Reply-To"])) == addresses.Recipient(
        "reply", person_id=alice.pk, topic_id=topic.pk
    )
