"""Notifications in Chromium: the bell that updates itself, the list with and without
JavaScript, and axe-core on the list, the email settings and the unsubscribe pages,
in English and French, on a desktop and on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind, Topic
from cercle.membership import actions as community_actions
from cercle.notifications.emails import unsubscribe_token
from cercle.notifications.models import Kind as NotificationKind
from cercle.notifications.models import Notification
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page

PHONE = {"width": 375, "height": 740}


@dataclass
class Forum:
    community: Community
    space: Space
    alice: User
    bob: User
    question: Topic


@pytest.fixture
def forum(db: None) -> Forum:
    """Alice asked a question; Bob answered it and mentioned her elsewhere."""
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    bob = make_person("bob@example.org", "Bob Leroy")
    for person in (alice, bob):
        community_actions.do_join(person, cargo)
    # Joining brings a welcome (tests/test_onboarding.py); these tests start from a quiet inbox.
    Notification.objects.filter(kind=NotificationKind.WELCOME).delete()
    general = cargo.spaces.get(slug="general")
    question = actions.do_start_topic(
        alice, general, kind=Kind.QUESTION, title="Which tyres for winter?", body="Snow here."
    )
    actions.do_reply(bob, question, body="Studded ones.")
    other = actions.do_start_topic(
        bob, general, kind=Kind.DISCUSSION, title="Winter rides", body="Ask @alice-martin!"
    )
    assert other.pk
    return Forum(community=cargo, space=general, alice=alice, bob=bob, question=question)


def logged_in(page: Page, base: str, person: User) -> None:
    """Open a session for `person` without the log-in form."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


def no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_notification_pages_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    forum: Forum,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    token = unsubscribe_token(forum.alice, [NotificationKind.MENTION, NotificationKind.ANSWER])
    unsubscribe = reverse("notification_unsubscribe", kwargs={"token": token})

    # The unsubscribe pages, as someone who follows a link from an email, logged out.
    for path in (unsubscribe, reverse("notification_unsubscribe", kwargs={"token": "forged"})):
        page.goto(base + path)
        expect(page.locator("main#main h1")).to_be_visible()
        assert_accessible(page)
        no_sideways_scrolling(page)
    page.goto(base + unsubscribe)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main#main h1")).to_be_visible()
    assert "/notifications/unsubscribe/" in page.url
    assert_accessible(page)

    logged_in(page, base, forum.alice)
    for path in (reverse("notifications"), reverse("notification_settings")):
        page.goto(base + path)
        expect(page.locator("main#main h1")).to_be_visible()
        # The bell has fetched its figure: check the page with it in place.
        expect(page.locator("#notification-bell .bell__count")).to_have_text("2")
        assert_accessible(page)
        no_sideways_scrolling(page)
    page.context.close()
    assert browser_errors.messages == [], browser_errors.messages


def test_the_bell_shows_new_notifications_within_a_minute(
    page: Page, live_server: Any, forum: Forum
) -> None:
    base = live_server.url
    page.clock.install()
    logged_in(page, base, forum.alice)
    page.goto(base + forum.space.get_absolute_url())
    bell = page.locator("#notification-bell")
    expect(bell.locator(".bell__count")).to_have_text("2")
    expect(page.get_by_role("link", name="Notifications: 2 unread")).to_be_visible()

    actions.do_reply(forum.bob, forum.question, body="Or chains, in deep snow.")
    page.clock.fast_forward("00:59")
    page.wait_for_timeout(300)
    expect(bell.locator(".bell__count")).to_have_text("2")
    page.clock.fast_forward("00:02")
    expect(bell.locator(".bell__count")).to_have_text("3")
    expect(page.get_by_role("link", name="Notifications: 3 unread")).to_be_visible()
    # And again the minute after: it keeps polling.
    actions.do_reply(forum.bob, forum.question, body="Mind the ice.")
    page.clock.fast_forward("01:01")
    expect(bell.locator(".bell__count")).to_have_text("4")


def test_without_javascript_the_list_opens_notifications_and_marks_them_read(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, forum: Forum
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    base = live_server.url
    logged_in(page, base, forum.alice)
    page.goto(base + "/")
    # Without JavaScript the bell is a plain link to the list.
    page.locator("#notification-bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    items = page.locator(".notification")
    expect(items).to_have_count(2)
    expect(page.locator(".notification--unread")).to_have_count(2)

    # An unread notification opens through a small form: it is marked read on the way.
    page.get_by_role(
        "button", name="Bob Leroy answered your question “Which tyres for winter?”"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Which tyres for winter?")
    expect(page.locator("#post-1")).to_contain_text("Studded ones.")

    page.goto(base + reverse("notifications"))
    expect(page.locator(".notification--unread")).to_have_count(1)
    expect(page.locator("#notification-bell .bell__count")).to_have_text("1")
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".message--success")).to_contain_text("marked as read")
    expect(page.locator(".notification--unread")).to_have_count(0)
    expect(page.locator("#notification-bell .bell__count")).to_have_count(0)

    page.goto(base + reverse("notification_settings"))
    page.get_by_label("Someone mentions me").select_option("daily")
    page.get_by_label("The community digest").select_option("never")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".message--success")).to_contain_text("saved")
    expect(page.get_by_label("Someone mentions me")).to_have_value("daily")
    expect(page.get_by_label("The community digest")).to_have_value("never")
    page.context.close()
    assert browser_errors.messages == [], browser_errors.messages
