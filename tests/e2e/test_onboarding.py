"""Onboarding in Chromium: a newcomer finds their first steps on their home page and
welcome page and follows a tag; an animator welcomes a newcomer in one click; every
new page passes axe-core."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Page, expect

from cercle.accounts.models import User
from cercle.conversations import actions as conversation_actions
from cercle.membership import actions as community_actions
from cercle.onboarding import actions
from cercle.onboarding.models import Welcome
from cercle.people.models import Follow
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import assert_accessible


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
    """Cargo Riders: Claire coordinates, wrote the welcome and the introductions topic;
    Alice has just joined."""
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    conversation_actions.do_create_tag(claire, cargo, name="Longtails")
    topic = actions.do_create_introductions_topic(claire, cargo)
    actions.do_update_settings(
        claire,
        cargo,
        welcome_message="Welcome aboard! **Say hello** to the others.",
        introductions_topic=topic,
    )
    alice = make_person("alice@example.org", "Alice Martin")
    community_actions.do_join(alice, cargo)
    return {"claire": claire, "alice": alice}


def test_a_newcomer_sees_their_checklist_and_follows_a_tag(
    page: Page, live_server: Any, people: dict[str, User]
) -> None:
    base = live_server.url
    alice = people["alice"]
    logged_in(page, base, alice)
    page.goto(base + "/")
    steps = page.get_by_role("region", name="Your first steps")
    expect(steps).to_contain_text("0 of 4 steps done")
    expect(steps.get_by_role("link", name="Cargo Riders")).to_be_visible()
    assert_accessible(page)
    page.goto(base + "/c/cargo/")
    expect(page.get_by_role("region", name="Your first steps")).to_contain_text("0 of 4")
    assert_accessible(page)
    page.get_by_role("link", name="Your welcome page").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Cargo Riders")
    expect(page.locator(".welcome-message")).to_contain_text("Say hello")
    assert_accessible(page)
    page.get_by_role("link", name="Follow what interests you").click()
    page.get_by_role("button", name="Follow #longtails", exact=True).click()
    expect(page.get_by_role("button", name="Unfollow #longtails", exact=True)).to_be_visible()
    assert Follow.objects.filter(follower=alice, tag__slug="longtails").exists()
    page.reload()
    expect(page.get_by_role("region", name="Your first steps")).to_contain_text("1 of 4 steps done")


def test_an_animator_welcomes_a_newcomer_in_one_click(
    page: Page, live_server: Any, people: dict[str, User]
) -> None:
    base = live_server.url
    claire, alice = people["claire"], people["alice"]
    logged_in(page, base, claire)
    page.goto(base + "/c/cargo/")
    page.get_by_role("link", name="Welcome newcomers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Newcomers this week")
    row = page.locator(f"#newcomer-{alice.pk}")
    expect(row).to_contain_text("Alice Martin")
    assert_accessible(page)
    row.get_by_role("button", name="Welcome Alice Martin").click()
    expect(page.locator(f"#newcomer-{alice.pk}")).to_contain_text("You welcomed them")
    expect(page.get_by_role("status")).to_have_text("You welcomed Alice Martin.")
    assert page.url == base + "/c/cargo/newcomers/"
    assert Welcome.objects.filter(welcomer=claire, newcomer=alice).count() == 1
    assert_accessible(page)
    page.get_by_role("link", name="Welcome settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How newcomers are welcomed")
    assert_accessible(page)
    page.get_by_label("Welcome message", exact=True).fill("Hello, *rider*!")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("The welcome is saved.")
    expect(page.locator(".welcome-message")).to_contain_text("Hello, rider!")
