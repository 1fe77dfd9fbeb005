"""People pages in Chromium: the profile, its edit page, the member directory and
"who knows what", checked by axe-core in English and French, on a desktop and on a
phone; following someone works with htmx and without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.conversations import actions as conversation_actions
from cercle.membership import actions as community_actions
from cercle.people import actions
from cercle.people.models import Follow, Level
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page

PHONE = {"width": 375, "height": 740}


def logged_in(page: Page, base: str, person: User) -> None:
    """Open a session for `person` without the log-in form."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


@pytest.fixture
def people(db: None) -> dict[str, User]:
    """Cargo Riders: Claire coordinates; Alice, who declares expertise and answered a
    question, and Bob, who reads her profile."""
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    bob = make_person("bob@example.org", "Bob Leroy")
    for person in (alice, bob):
        community_actions.do_join(person, cargo)
    tag = conversation_actions.do_create_tag(claire, cargo, name="Cargo bikes")
    actions.do_declare_expertise(alice, tag, Level.EXPERT)
    actions.do_update_profile(
        alice,
        alice,
        headline="Longtail rider and mechanic",
        bio="I fix **brakes** and build [racks](https://racks.example/).",
        organization="Vélo Lyon coop",
        location="Villeurbanne",
        languages=["fr", "en"],
        interests="Bike touring with children",
        ask_me_about="Electric assistance, heavy loads",
        links=[("My workshop", "https://workshop.example/a/very/long/address/that/wraps")],
    )
    question = conversation_actions.do_start_topic(
        claire,
        cargo.spaces.get(),
        kind="question",
        title="Longtail or box bike for two children?",
        body="Steep streets, two kids.",
        tags=[tag],
    )
    answer = conversation_actions.do_reply(alice, question, body="A longtail with a motor.")
    conversation_actions.do_accept_answer(claire, question, answer)
    conversation_actions.do_toggle_reaction(bob, answer, "helpful")
    return {"claire": claire, "alice": alice, "bob": bob}


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_people_pages_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    people: dict[str, User],
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    paths = {
        "bob": ["/people/alice-martin/", "/c/cargo/people/", "/c/cargo/experts/?tag=cargo-bikes"],
        "alice": ["/people/me/", "/people/alice-martin/", "/c/cargo/experts/?q=longtail"],
    }
    for who, visits in paths.items():
        logged_in(page, base, people[who])
        for path in visits:
            page.goto(base + path)
            expect(page.locator("main#main")).to_be_visible()
            assert_accessible(page)
            overflow = page.evaluate(
                "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    page.context.close()
    assert browser_errors.messages == []


def test_a_member_follows_someone_from_their_profile_with_htmx_and_without_javascript(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, people: dict[str, User]
) -> None:
    alice, bob = people["alice"], people["bob"]
    page = new_page(browser, browser_errors)
    base = live_server.url
    logged_in(page, base, bob)
    page.goto(base + "/people/alice-martin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alice Martin")
    follow = page.get_by_role("button", name="Follow Alice Martin", exact=True)
    follow.click()
    unfollow = page.get_by_role("button", name="Unfollow Alice Martin", exact=True)
    expect(unfollow).to_be_visible()
    # htmx swapped the button in place and kept the keyboard focus on it.
    expect(unfollow).to_be_focused()
    assert page.url == base + "/people/alice-martin/"
    assert Follow.objects.filter(follower=bob, person=alice).exists()
    unfollow.click()
    expect(page.get_by_role("button", name="Follow Alice Martin", exact=True)).to_be_visible()
    assert not Follow.objects.filter(follower=bob).exists()
    page.context.close()
    # Without JavaScript the same button posts the form and comes back with a message.
    quiet = new_page(browser, browser_errors, java_script_enabled=False)
    logged_in(quiet, base, bob)
    quiet.goto(base + "/people/alice-martin/")
    quiet.get_by_role("button", name="Follow Alice Martin", exact=True).click()
    expect(quiet.locator(".messages")).to_contain_text("You follow Alice Martin.")
    expect(quiet.get_by_role("button", name="Unfollow Alice Martin", exact=True)).to_be_visible()
    quiet.context.close()
    assert browser_errors.messages == []


def test_a_member_edits_their_profile_and_sees_it_as_others_do(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, people: dict[str, User]
) -> None:
    bob = people["bob"]
    page = new_page(browser, browser_errors)
    base = live_server.url
    logged_in(page, base, bob)
    page.goto(base + "/accounts/preferences/")
    page.get_by_role("navigation", name="Account settings").get_by_role(
        "link", name="Profile"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    page.get_by_label("Headline").fill("Weekend mechanic")
    page.get_by_label("Location", exact=True).fill("Lyon")
    page.get_by_role("group", name="Who can see my profile").get_by_label(
        "Anyone, even without an account"
    ).check()
    page.get_by_label("Label of link 1").fill("Blog")
    page.get_by_label("Address of link 1").fill("javascript:alert(1)")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.locator(".form-errors")).to_contain_text("is not a web address")
    assert_accessible(page)
    page.get_by_label("Address of link 1").fill("https://bob.example/")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    page.get_by_label("Tag").select_option(label="#cargo-bikes (Cargo bikes)")
    page.get_by_label("Level", exact=True).select_option(label="Practising")
    page.get_by_role("button", name="Declare").click()
    expect(page.locator(".messages")).to_contain_text("Your expertise on #cargo-bikes is saved.")
    page.get_by_role("link", name="See my profile").click()
    expect(page.locator(".profile-head__headline")).to_have_text("Weekend mechanic")
    page.context.close()
    # A visitor without an account sees the now public profile.
    visitor = new_page(browser, browser_errors)
    visitor.goto(base + "/people/bob-leroy/")
    expect(visitor.get_by_role("link", name="Blog")).to_have_attribute(
        "href", "https://bob.example/"
    )
    expect(visitor.locator(".expertise-list")).to_contain_text("#cargo-bikes")
    visitor.context.close()
    assert browser_errors.messages == []
