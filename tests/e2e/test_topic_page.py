"""The topic page in a browser (issue 14): a new reply appears live on an open page, the
unread notifications figure follows, and the page passes axe in both languages on a
desktop and a phone, with its menus open."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from cercle.conversations import actions
from cercle.conversations.models import Kind, Topic
from cercle.notifications.models import Notification
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.test_conversations import PHONE, Forum, forum, logged_in

__all__ = ["forum"]

# Puts an element for the header's unread figure in the page before live.js starts, as
# base.html will (the shell's part of issue 14 draws it).
FIGURE = """
document.addEventListener("readystatechange", () => {
  // "interactive" comes before deferred scripts such as live.js run.
  if (document.readyState !== "interactive") return;
  const figure = document.createElement("span");
  figure.id = "live-figure";
  figure.setAttribute("data-live-notifications", "");
  figure.setAttribute("data-live-seconds", "1");
  figure.textContent = "?";
  (document.querySelector(".user-menu") || document.body).appendChild(figure);
});
"""


@pytest.fixture
def question(forum: Forum) -> Topic:
    """Alice's question with Bob's accepted answer, a reaction, and Maud's reply."""
    topic = actions.do_start_topic(
        forum.alice,
        forum.space,
        kind=Kind.QUESTION,
        title="Which tyres for winter?",
        body="Snow and salt every morning.",
    )
    answer = actions.do_reply(forum.bob, topic, body="Studded tyres, 2.2 inches wide.")
    actions.do_reply(forum.maud, topic, body="Lower the pressure a little too.")
    actions.do_accept_answer(forum.alice, topic, answer)
    actions.do_toggle_reaction(forum.alice, answer, "thanks")
    actions.do_toggle_reaction(forum.maud, answer, "helpful")
    return topic


def test_a_new_reply_appears_live_on_an_open_topic_page(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    forum: Forum,
    question: Topic,
    settings: Any,
) -> None:
    settings.CERCLE_LIVE_SECONDS = 1
    base = live_server.url
    reader = new_page(browser, browser_errors)
    reader.add_init_script(FIGURE)
    logged_in(reader, base, forum.alice)
    reader.goto(base + question.get_absolute_url())
    expect(reader.locator("#live-figure")).to_be_attached()
    reader.evaluate("() => { window.__marker = 1; }")
    bar = reader.locator(".live-bar__button")
    expect(bar).to_be_hidden()

    writer = new_page(browser, browser_errors)
    logged_in(writer, base, forum.bob)
    writer.goto(base + question.get_absolute_url())
    writer.get_by_label("Your reply").fill("Mudguards keep the salt off the chain.")
    writer.get_by_role("button", name="Post my answer").click()
    expect(writer.locator("#post-3 .post__body")).to_have_text(
        "Mudguards keep the salt off the chain."
    )

    # The first reader sees the bar, in a polite live region, without a reload.
    expect(bar).to_have_text("1 new reply")
    expect(reader.locator(".live-bar [role=status]")).to_contain_text("1 new reply")
    expect(reader.locator("#post-3")).to_have_count(0)
    # Bob's reply notified Alice: the header's figure follows.
    unread = Notification.objects.filter(recipient=forum.alice, read_at=None).count()
    assert unread >= 1
    expect(reader.locator("#live-figure")).to_have_text(str(unread))
    expect(reader.locator("#live-figure")).to_be_visible()
    assert_accessible(reader)
    bar.click()
    reply = reader.locator("#post-3")
    expect(reply.locator(".post__body")).to_have_text("Mudguards keep the salt off the chain.")
    expect(reply).to_be_focused()
    expect(reply.locator(".badge--new")).to_be_visible()
    expect(bar).to_be_hidden()
    assert reader.evaluate("() => window.__marker") == 1, "the page was reloaded"
    # The reply drawn live works like the others: react to it with htmx.
    reply.locator(".reaction-picker summary").click()
    reply.get_by_role("button", name="Agree").click()
    expect(reader.locator("#react-3-agree")).to_have_attribute("aria-pressed", "true")
    assert reader.evaluate("() => window.__marker") == 1, "the page was reloaded"

    # A second reply: the bar counts from the last one shown.
    writer.get_by_label("Your reply").fill("And rinse the bike on Sundays.")
    writer.get_by_role("button", name="Post my answer").click()
    expect(bar).to_have_text("1 new reply")
    for page in (reader, writer):
        page.context.close()
    assert browser_errors.messages == []


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_topic_page_has_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    forum: Forum,
    question: Topic,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    url = base + question.get_absolute_url()

    page.goto(url)
    expect(page.locator(".post--accepted")).to_be_visible()
    assert_accessible(page)

    # The asker on Maud's reply (which she may accept), the moderator on the question.
    for person, post in ((forum.alice, "#post-2"), (forum.maud, "#post-0")):
        logged_in(page, base, person)
        page.goto(url)
        assert_accessible(page)
        # Open the post's reaction picker, close it with Escape, then open its menu.
        page.locator(f"{post} .reaction-picker summary").click()
        expect(page.locator(f"{post} .reaction-picker__panel")).to_be_visible()
        assert_accessible(page)
        page.keyboard.press("Escape")
        expect(page.locator(f"{post} .reaction-picker__panel")).to_be_hidden()
        page.locator(f"{post} .post-menu summary").click()
        expect(page.locator(f"{post} .post-menu .menu__list")).to_be_visible()
        assert_accessible(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the page is {overflow}px wider than the screen"
    page.context.close()
    assert browser_errors.messages == []
