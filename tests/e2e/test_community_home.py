"""The community home in a browser: a visitor reads a public community's latest
discussions by clicking from the site's root; a member asks a question in two clicks;
a person's link shows their card; axe-core finds nothing, on a desktop and a phone, in
English and French, for a visitor, a member and a coordinator."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations import actions
from cercle.conversations.models import Kind
from cercle.membership import actions as membership_actions
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in, log_out

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def lively(cargo: Community, alice: User, bob: User, coordinator: User) -> Community:
    general = cargo.spaces.get(is_default=True)
    question = actions.do_start_topic(
        alice,
        general,
        kind=Kind.QUESTION,
        title="Which cargo bike for three children?",
        body="We need one for the school run.",
    )
    answer = actions.do_reply(bob, question, body="A long-tail with a child seat kit.")
    question.refresh_from_db()
    actions.do_accept_answer(alice, question, answer)
    actions.do_start_topic(
        bob, general, kind=Kind.QUESTION, title="How do you count cyclists?", body="Any tool?"
    )
    actions.do_start_topic(
        coordinator, general, kind=Kind.DISCUSSION, title="Our spring ride", body="Who comes?"
    )
    membership_actions.do_create_space(coordinator, cargo, name="Repairs")
    return cargo


def test_a_visitor_reads_the_latest_discussions_from_the_home_page(
    page: Page, live_server: Any, lively: Community
) -> None:
    page.goto(live_server.url + "/")
    page.get_by_role("link", name=lively.name).first.click()

    latest = page.get_by_role("region", name="Latest discussions")
    expect(latest.get_by_text("Our spring ride")).to_be_visible()
    latest.get_by_role("link", name="Which cargo bike for three children?").click()

    expect(page.get_by_role("heading", name="Which cargo bike for three children?")).to_be_visible()
    expect(page.get_by_text("A long-tail with a child seat kit.").first).to_be_visible()


def test_a_member_asks_a_question_in_two_clicks(
    page: Page, live_server: Any, lively: Community, alice: User
) -> None:
    log_in(page, live_server.url, alice.email)
    page.goto(live_server.url + lively.get_absolute_url())

    page.locator("main summary", has_text="Ask a question").click()
    page.locator("main .choose-space").first.get_by_role("link", name="Repairs").click()

    expect(page.get_by_label("Title")).to_be_visible()
    expect(page.get_by_role("radio", name="Question")).to_be_checked()


def test_a_person_link_shows_a_card_and_leads_to_the_profile(
    page: Page, live_server: Any, lively: Community, alice: User, coordinator: User
) -> None:
    log_in(page, live_server.url, alice.email)
    page.goto(live_server.url + lively.get_absolute_url())
    leaders = page.get_by_role("list", name="They lead the community")

    leaders.get_by_role("link", name=coordinator.display_name).hover()
    card = page.locator(".person-card")
    expect(card).to_be_visible()
    expect(card.get_by_text("Coordinator")).to_be_visible()
    expect(card.get_by_role("button", name="Follow")).to_be_visible()
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    leaders.get_by_role("link", name=coordinator.display_name).click()
    expect(page.get_by_role("heading", level=1, name=coordinator.display_name)).to_be_visible()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_community_home_has_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    lively: Community,
    bob: User,
    coordinator: User,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    home = live_server.url + lively.get_absolute_url()
    for person in (None, bob, coordinator):
        if person is not None:
            log_in(page, live_server.url, person.email)
        page.goto(home)
        expect(page.locator("main#main")).to_be_visible()
        assert_accessible(page)
        # The "Ask a question" choice of space, opened, too.
        summary = page.locator(
            "summary", has_text="Ask a question" if locale == "en-GB" else "Poser une question"
        )
        if summary.count():
            summary.click()
            assert_accessible(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the home is {overflow}px wider than the screen"
        if person is not None:
            log_out(page)
    page.context.close()
    assert browser_errors.messages == []
