"""The mail pages in Chromium: a coordinator opens spaces to new topics by email, staff
read the received-mail log and one hostile message; in English and French, on a
desktop and a phone, accessible (axe-core), with nothing wider than the screen."""

from __future__ import annotations

import os
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind
from cercle.mail.addresses import reply_address
from cercle.mailin import receiving
from cercle.mailin.models import Outcome, ReceivedMail, SpaceMailbox, Transport
from tests.communities import staff_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

SHOTS = Path(os.environ.get("CERCLE_MAIL_SHOTS", "var/screenshots-mail"))
SIZES = (({"width": 1280, "height": 900}, 1280), ({"width": 390, "height": 844}, 390))
LANGUAGES = (("en-GB", "en"), ("fr-FR", "fr"))
HOSTILE = '<p>Hi</p><script>window.owned = 1</script><img src=x onerror="window.owned = 2">'


def shot(page: Page, name: str, viewport: dict[str, int]) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name


def store(raw: bytes, to: str, outcome: str, **fields: Any) -> ReceivedMail:
    (row,) = receiving.store(
        raw, transport=Transport.SMTP, envelope_from="bounce@example.org", recipients=[to]
    )
    ReceivedMail.objects.filter(pk=row.pk).update(outcome=outcome, **fields)
    row.refresh_from_db()
    return row


def mail(sender: str, to: str, subject: str, *, text: str = "", html: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{abs(hash(subject))}@example.org>"
    message["Date"] = "Mon, 07 Dec 2026 10:00:00 +0100"
    if text:
        message.set_content(text)
    if html:
        if text:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    return message.as_bytes()


def test_a_coordinator_opens_spaces_to_email_in_both_languages_on_a_desktop_and_a_phone(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    settings: Any,
    cargo: Community,
    general: Space,
    lab: Space,
    coordinator: User,
) -> None:
    settings.MAIL_IN_ADDRESS = "cercle@mail.example.org"
    for locale, language in LANGUAGES:
        for viewport, size in SIZES:
            SpaceMailbox.objects.all().delete()
            page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(page, live_server.url, coordinator.email)
            page.goto(f"{live_server.url}/c/cargo/manage/")
            page.locator(".community-head nav a[href='/c/cargo/mail/']").click()
            expect(page).to_have_url(f"{live_server.url}/c/cargo/mail/")
            expect(page.locator(".mail-address").first).to_have_text(
                "cercle+cargo.general@mail.example.org"
            )
            assert_accessible(page)
            shot(page, f"mail-settings-{language}-{size}", viewport)

            card = page.locator(f"#space-{lab.pk}")
            card.locator("input[type=checkbox]").check()
            card.locator("select").select_option("question")
            card.locator("button[type=submit]").click()
            expect(page.locator(".messages")).to_contain_text("Lab")
            mailbox = SpaceMailbox.objects.get(space=lab)
            assert (mailbox.enabled, mailbox.kind) == (True, "question")
            expect(page.locator(f"#space-{lab.pk} .badge--success")).to_be_visible()
            assert_accessible(page)
            shot(page, f"mail-settings-saved-{language}-{size}", viewport)
            page.context.close()

    # Members who may ask in the lab find its address on the space's page.
    alice = User.objects.get(email="alice@example.org")
    for locale, language in LANGUAGES:
        for viewport, size in SIZES:
            page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(page, live_server.url, alice.email)
            page.goto(f"{live_server.url}{lab.get_absolute_url()}")
            line = page.locator(".space-email")
            expect(line.locator("a")).to_have_attribute(
                "href", "mailto:cercle+cargo.lab@mail.example.org"
            )
            expect(line).to_contain_text("par e-mail" if language == "fr" else "by email")
            assert_accessible(page)
            shot(page, f"space-email-{language}-{size}", viewport)
            page.context.close()

    # Mail in off: the page says so plainly.
    settings.MAIL_IN_ADDRESS = ""
    page = new_page(browser, browser_errors, locale="fr-FR", viewport=SIZES[1][0])
    log_in(page, live_server.url, coordinator.email)
    page.goto(f"{live_server.url}/c/cargo/mail/")
    expect(page.locator(".mail-off")).to_contain_text("désactivée")
    assert_accessible(page)
    shot(page, "mail-settings-off-fr-390", SIZES[1][0])
    page.context.close()
    assert browser_errors.messages == []


def test_staff_read_the_received_mail_log_and_a_hostile_message_never_runs(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    settings: Any,
    cargo: Community,
    general: Space,
    alice: User,
    bob: User,
) -> None:
    settings.MAIL_IN_ADDRESS = "cercle@mail.example.org"
    operator = staff_person()
    topic = conversation_actions.do_start_topic(
        bob, general, kind=Kind.QUESTION, title="Which brake pads for the rain?", body="?"
    )
    reply = conversation_actions.do_reply(alice, topic, body="Sintered ones.")
    to_reply = reply_address(alice.pk, topic.pk) or ""
    space = "cercle+cargo.general@mail.example.org"
    store(
        mail("alice@example.org", to_reply, "Re: Which brake pads for the rain?", text="Sintered."),
        to_reply,
        Outcome.POSTED,
        person=alice,
        topic=topic,
        post=reply,
    )
    store(
        mail("bob@example.org", space, "Spring ride on Saturday", text="Who comes?"),
        space,
        Outcome.TOPIC_STARTED,
        person=bob,
        topic=topic,
    )
    store(
        mail("noreply@example.net", to_reply, "Out of office", text="Back Monday."),
        to_reply,
        Outcome.IGNORED_AUTO_REPLY,
    )
    store(
        mail("mallory@bad.example", space, "Cheap watches, very cheap", text="Buy."),
        space,
        Outcome.REFUSED_DMARC,
        reason="The sender's domain failed DMARC (p=reject).",
    )
    hostile = store(
        mail("eve@example.org", space, "<script>window.owned = 3</script> Hello", html=HOSTILE),
        space,
        Outcome.FAILED,
        reason="OperationalError: database is locked",
        attempts=1,
    )
    for locale, language in LANGUAGES:
        for viewport, size in SIZES:
            page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(page, live_server.url, operator.email)
            page.goto(f"{live_server.url}/staff/")
            page.locator("a[href='/staff/mail/']").click()
            expect(page.locator(".mail-log tbody tr")).to_have_count(5)
            expect(page.locator(".mail-counts .mail-count")).to_have_count(5)
            assert_accessible(page)
            shot(page, f"mail-log-{language}-{size}", viewport)

            page.locator("#id_outcome").select_option("refused_dmarc")
            page.locator(".mail-log-form button[type=submit]").click()
            expect(page.locator(".mail-log tbody tr")).to_have_count(1)
            expect(page.locator(".mail-log tbody tr")).to_contain_text("mallory@bad.example")

            page.goto(f"{live_server.url}/staff/mail/{hostile.pk}/")
            expect(page.locator("h1")).to_contain_text("<script>window.owned = 3</script>")
            expect(page.locator(".mail-text")).to_contain_text("<script>window.owned = 1</script>")
            assert page.evaluate("window.owned === undefined")
            assert page.locator(".mail-text script, .mail-text img").count() == 0
            assert_accessible(page)
            shot(page, f"mail-detail-{language}-{size}", viewport)
            page.context.close()
    assert browser_errors.messages == []
