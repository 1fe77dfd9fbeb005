"""Search in the browser: from the header to one result per topic, narrowed by a
filter; and the similar questions offered while a new topic's title is typed."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations import actions
from cercle.conversations.models import Post, Topic
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

TITLE = "Longtail or front-loader for steep streets?"


def cargo_riders() -> tuple[Community, User, Topic]:
    """Cargo Riders, where Claire's question on longtails is answered by Bob (accepted,
    with more replies that say "longtail" too), beside an open discussion."""
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    bob = make_person("bob@example.org", "Bob Leroy")
    community_actions.do_join(bob, cargo)
    general = cargo.spaces.get()
    question = actions.do_start_topic(
        claire, general, kind="question", title=TITLE, body="Our streets climb 8%."
    )
    answer = actions.do_reply(bob, question, body="A longtail with a mid-drive motor.")
    for body in ("Which longtail exactly?", "The longtail we ride has a 500 Wh battery."):
        actions.do_reply(claire, question, body=body)
    actions.do_accept_answer(claire, question, Post.objects.get(pk=answer.pk))
    actions.do_start_topic(
        bob, general, kind="discussion", title="Longtail meet-up", body="Sunday at ten."
    )
    return cargo, claire, question


def search_from_the_header(page: Page, words: str) -> None:
    page.locator("#header-search").fill(words)
    page.locator("#header-search").press("Enter")


def test_a_question_answered_many_times_is_one_result_that_a_filter_keeps(
    page: Page, live_server: Any
) -> None:
    cargo_riders()
    page.goto(live_server.url + "/")
    search_from_the_header(page, "longtail")
    expect(page.get_by_role("status")).to_have_text("2 results")
    question = page.locator(".search-hit").filter(has_text=TITLE)
    expect(question).to_have_count(1)
    expect(question.get_by_text("Solved", exact=True)).to_be_visible()
    expect(question.get_by_text("3 replies")).to_be_visible()
    expect(question.locator("mark").first).to_have_text("Longtail")
    page.get_by_label("Solved", exact=True).select_option(label="Solved only")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page.get_by_role("status")).to_have_text("1 result")
    expect(page.locator(".search-hit")).to_have_count(1)
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page.get_by_label("Solved", exact=True)).to_have_value("yes")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def test_a_similar_question_is_suggested_while_the_title_is_typed(
    page: Page, live_server: Any
) -> None:
    cargo, _claire, _question = cargo_riders()
    newcomer = make_person("nina@example.org", "Nina Newcomer")
    community_actions.do_join(newcomer, cargo)
    log_in(page, live_server.url, "nina@example.org")
    page.goto(live_server.url + cargo.spaces.get().get_absolute_url())
    page.get_by_role("link", name="Ask a question").first.click()
    expect(page.get_by_label("Question")).to_be_checked()
    page.get_by_label("Title").press_sequentially("Best longtail for hills", delay=20)
    suggestions = page.locator("#similar-questions")
    expect(suggestions.get_by_role("heading")).to_have_text("Already asked? These look similar")
    expect(suggestions.get_by_role("link", name=TITLE)).to_be_visible()
    expect(suggestions.get_by_text("Solved", exact=True)).to_be_visible()
    # The solved question comes first.
    expect(suggestions.get_by_role("listitem").first).to_contain_text(TITLE)
    page.get_by_label("Title").fill("")
    with page.expect_response(lambda response: "/similar/" in response.url):
        page.get_by_label("Title").press_sequentially("Zzz", delay=20)
    expect(suggestions.get_by_role("heading")).to_have_count(0)


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize(
    "viewport", [None, {"width": 375, "height": 740}], ids=["desktop", "phone"]
)
def test_the_search_page_has_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    cargo_riders()
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    page.goto(live_server.url + "/")
    if viewport:
        # On a phone the header's search is an icon leading to the search page.
        page.locator(".header-search-link").click()
        page.locator("main input[name=q]").fill("longtail")
        page.locator("main input[name=q]").press("Enter")
    else:
        search_from_the_header(page, "longtail")
    expect(page.locator(".search-hit")).to_have_count(2)
    assert_accessible(page)
    # Filters opened, one refused (an end before the start), and no result.
    page.goto(live_server.url + "/search/?q=longtail&since=2026-03-10&until=2026-03-01")
    expect(page.locator(".field__errors")).to_have_count(1)
    assert_accessible(page)
    page.goto(live_server.url + "/search/?q=nothing-matches-this")
    assert_accessible(page)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    page.context.close()
    assert browser_errors.messages == []
