"""The member's side of Cercle in one journey (issue 14, "Done when"), clicking visible
text and roles from the site's home page, never typing an address:

a visitor reads a public community's latest discussions; a member asks a question from
the community home in two clicks, sees a similar question suggested, previews, leaves
and finds the draft again; a second member answers and the reply appears live on the
first member's page; the asker accepts it and sees it once at the top, reacts, opens the
author's profile from the post and follows them, and finds the question through search
as one result with its solved badge; a coordinator creates a poll and an event from the
Create menu and reads the cockpit's life stage, tiles and next actions without
scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations import actions
from cercle.conversations.models import Draft, Kind, Topic
from cercle.membership import actions as membership_actions
from cercle.people.models import Follow
from tests.conftest import PASSWORD
from tests.e2e.conftest import BrowserErrors, new_page

SCREEN = {"width": 1280, "height": 800}
ASKED = "Which cargo bike climbs steep hills?"


@pytest.fixture
def lively(cargo: Community, alice: User, bob: User, coordinator: User) -> Community:
    general = cargo.spaces.get(is_default=True)
    solved = actions.do_start_topic(
        bob,
        general,
        kind=Kind.QUESTION,
        title="Which cargo bike for three children?",
        body="We need one for the school run.",
    )
    answer = actions.do_reply(coordinator, solved, body="A long-tail with a child seat kit.")
    solved.refresh_from_db()
    actions.do_accept_answer(bob, solved, answer)
    actions.do_start_topic(
        coordinator, general, kind=Kind.DISCUSSION, title="Our spring ride", body="Who comes?"
    )
    membership_actions.do_create_space(coordinator, cargo, name="Repairs")
    return cargo


def log_in_from_home(page: Page, base: str, person: User) -> None:
    page.goto(base + "/")
    page.get_by_role("link", name="Log in").first.click()
    page.locator("#id_login").fill(person.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page.locator(".user-menu .menu__toggle")).to_be_visible()


def open_community(page: Page, community: Community) -> None:
    """Its name on the home page (a newcomer lands on its welcome page), then the
    navigation's "Community home"."""
    page.get_by_role("link", name=community.name).first.click()
    page.locator(".community-nav--side").get_by_role("link", name="Community home").click()
    expect(page.get_by_role("heading", level=1, name=community.name)).to_be_visible()


def ask_in_general(page: Page) -> None:
    """From the community home: "Ask a question", then the space if there are several
    where a question may be asked (at most two clicks)."""
    chooser = page.locator("main summary", has_text="Ask a question")
    if chooser.count():
        chooser.click()
        page.locator("main details", has_text="Ask a question").get_by_role(
            "link", name="General"
        ).click()
    else:
        page.locator("main").get_by_role("link", name="Ask a question").click()
    expect(page.get_by_label("Title")).to_be_visible()


def test_the_member_side_from_the_home_page(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    lively: Community,
    alice: User,
    bob: User,
    coordinator: User,
    settings: Any,
    immediate_tasks: None,
) -> None:
    settings.CERCLE_LIVE_SECONDS = 1
    base = live_server.url

    # A visitor reads the public community's latest discussions.
    visitor = new_page(browser, browser_errors)
    visitor.goto(base + "/")
    open_community(visitor, lively)
    latest = visitor.get_by_role("region", name="Latest discussions")
    expect(latest.get_by_role("link", name="Our spring ride")).to_be_visible()
    latest.get_by_role("link", name="Which cargo bike for three children?").click()
    expect(visitor.get_by_text("A long-tail with a child seat kit.").first).to_be_visible()
    visitor.context.close()

    # Alice asks from the community home: a similar question is suggested, she previews,
    # leaves, and finds her draft again.
    asker = new_page(browser, browser_errors, viewport=SCREEN)
    log_in_from_home(asker, base, alice)
    open_community(asker, lively)
    ask_in_general(asker)
    expect(asker.get_by_role("radio", name="Question")).to_be_checked()
    asker.get_by_label("Title").press_sequentially(ASKED, delay=10)
    similar = asker.locator("#similar-questions")
    expect(similar.get_by_role("link", name="Which cargo bike for three children?")).to_be_visible()
    expect(similar.get_by_text("Solved", exact=True)).to_be_visible()
    message = asker.get_by_label("Message")
    message.fill("Our streets are **steep**: which bike keeps going?")
    asker.get_by_role("button", name="Preview").click()
    expect(asker.locator("[data-composer-preview] strong")).to_have_text("steep")
    expect(asker.get_by_role("status").filter(has_text="Draft saved")).to_be_visible(timeout=8000)
    asker.locator(".breadcrumbs").get_by_role("link", name=lively.name).click()
    ask_in_general(asker)
    expect(asker.get_by_label("Title")).to_have_value(ASKED)
    expect(asker.get_by_label("Message")).to_have_value(
        "Our streets are **steep**: which bike keeps going?"
    )
    asker.get_by_role("button", name="Publish").click()
    expect(asker.get_by_role("heading", level=1, name=ASKED)).to_be_visible()
    assert not Draft.objects.filter(person=alice).exists()
    asker.evaluate("() => { window.__stayed = 1; }")

    # Bob answers from his own browser; Alice's open page shows it without a reload.
    answerer = new_page(browser, browser_errors)
    log_in_from_home(answerer, base, bob)
    open_community(answerer, lively)
    answerer.get_by_role("region", name="Latest discussions").get_by_role(
        "link", name=ASKED
    ).click()
    answerer.get_by_label("Your reply").fill("A mid-drive motor and a low gear.")
    answerer.get_by_role("button", name="Post my answer").click()
    expect(answerer.get_by_text("A mid-drive motor and a low gear.")).to_be_visible()
    answerer.context.close()

    bar = asker.locator(".live-bar__button")
    expect(bar).to_have_text("1 new reply", timeout=15_000)
    bar.click()
    reply = asker.locator("#post-1")  # the opening post is number 0
    expect(reply.locator(".post__body")).to_have_text("A mid-drive motor and a low gear.")
    assert asker.evaluate("() => window.__stayed") == 1, "the page was reloaded"

    # She accepts it: the answer is shown once, at the top.
    reply.get_by_role("button", name="Accept this answer").click()
    accepted = asker.locator(".accepted")
    expect(accepted.get_by_text("A mid-drive motor and a low gear.")).to_be_visible()
    expect(
        asker.locator(".post__body", has_text="A mid-drive motor and a low gear.")
    ).to_have_count(1)
    expect(asker.get_by_role("link", name="See it in the thread")).to_be_visible()

    # She reacts to it.
    accepted.locator(".reaction-picker summary").click()
    accepted.get_by_role("button", name="Thanks").click()
    expect(accepted.locator("#react-1-thanks")).to_have_attribute("aria-pressed", "true")

    # She opens Bob's profile from the post and follows him.
    accepted.get_by_role("link", name=bob.display_name).first.click()
    expect(asker.get_by_role("heading", level=1, name=bob.display_name)).to_be_visible()
    asker.locator("main").get_by_role("button", name="Follow").first.click()
    expect(asker.locator("main").get_by_role("button", name="Unfollow").first).to_be_visible()
    assert Follow.objects.filter(follower=alice, person=bob).exists()

    # She finds her question through search: one result, solved.
    asker.locator("#header-search").fill("steep hills")
    asker.locator("#header-search").press("Enter")
    hit = asker.locator(".search-hit").filter(has_text=ASKED)
    expect(hit).to_have_count(1)
    expect(hit.get_by_text("Solved", exact=True)).to_be_visible()
    assert Topic.objects.get(title=ASKED).accepted_answer is not None
    asker.context.close()

    # Claire, the coordinator, creates a poll and an event from the Create menu, then
    # reads the cockpit's first screen.
    animator = new_page(browser, browser_errors, viewport=SCREEN)
    log_in_from_home(animator, base, coordinator)
    open_community(animator, lively)
    create = animator.locator(".community-nav--side .create-menu")
    create.locator("summary").click()
    create.get_by_role("link", name="Poll").click()
    expect(animator.get_by_role("heading", level=1)).to_contain_text("poll")
    create.locator("summary").click()
    create.get_by_role("link", name="Event", exact=True).click()
    expect(animator.get_by_role("heading", level=1)).to_contain_text("event")
    animator.locator(".community-nav--side").get_by_role("link", name="Cockpit").click()
    expect(animator.locator("h1")).to_have_text("Cockpit")
    expect(animator.locator("#stage-title")).to_contain_text("Life stage")
    tiles = animator.locator(".cockpit-tile")
    expect(tiles).to_have_count(8)
    expect(animator.get_by_role("heading", name="Next actions")).to_be_visible()
    assert animator.evaluate("() => window.scrollY") == 0
    for part in [
        animator.locator("#stage"),
        *(tiles.nth(index) for index in range(8)),
        animator.locator(".cockpit-next"),
    ]:
        box = part.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= SCREEN["height"], (part, box)
    animator.context.close()
    assert browser_errors.messages == []
