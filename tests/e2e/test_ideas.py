"""The idea board in Chromium: a member proposes an idea, another votes for it with
htmx (and the vote is announced), an animator decides; axe-core on every page."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from cercle.communities.models import Community
from cercle.ideas.models import Idea, IdeaStatus
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in, log_out


def test_a_member_proposes_another_votes_and_an_animator_decides(
    page: Page,
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    cargo: Community,
) -> None:
    base = live_server.url
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/c/cargo/")
    page.get_by_role("link", name="See the idea board").click()
    expect(page.locator("h1")).to_have_text("Idea board")
    assert_accessible(page)
    page.get_by_role("link", name="Propose an idea").click()
    assert_accessible(page)
    page.get_by_label("Your idea, in a sentence").fill("Une rampe pour les vélos cargo")
    page.get_by_label("Details").fill("Devant le local, pour les **biporteurs**.")
    page.get_by_role("button", name="Propose").click()
    expect(page.locator("h1")).to_have_text("Une rampe pour les vélos cargo")
    assert_accessible(page)
    idea = Idea.objects.get()

    voter = new_page(browser, browser_errors)
    log_in(voter, base, "bob@example.org")
    voter.goto(f"{base}/c/cargo/ideas/")
    row = voter.locator(".idea-row", has_text="Une rampe pour les vélos cargo")
    button = row.get_by_role("button", name="Vote for Une rampe pour les vélos cargo")
    button.click()
    # htmx swapped the vote alone: the button is pressed, the count and the live region say so.
    expect(row.locator("button[aria-pressed=true]")).to_be_visible()
    expect(row.locator(".idea-vote__count strong")).to_have_text("1")
    expect(row.locator('[role="status"]')).to_contain_text("Your vote is counted.")
    assert_accessible(voter)
    idea.refresh_from_db()
    assert idea.vote_count == 1
    voter.context.close()

    log_out(page)
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}{idea.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_label("New status").select_option(label="Adopted")
    page.get_by_label("Reason").fill("Budget voté : 300 €, pose en mai.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".idea-timeline")).to_contain_text("New → Adopted")
    expect(page.locator(".idea-timeline")).to_contain_text("Budget voté : 300 €, pose en mai.")
    assert_accessible(page)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ADOPTED
