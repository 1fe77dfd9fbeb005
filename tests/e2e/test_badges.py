"""Badges in Chromium: an animator creates a badge and gives it with a reason, a
member sees it on the profile, the members of the month show on the landing page;
every new page passes axe-core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.badges import awarding
from cercle.badges.models import BadgeAward
from cercle.conversations import actions as conversation_actions
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_onboarding import logged_in


@pytest.fixture
def people(db: None) -> dict[str, User]:
    """Cargo Riders: Claire coordinates; Alice and Bob take part, Alice wrote last
    month and the job has run."""
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    bob = make_person("bob@example.org", "Bob Leroy")
    for person in (alice, bob):
        community_actions.do_join(person, cargo)
    conversation_actions.do_start_topic(
        alice, cargo.spaces.get(), kind="discussion", title="Sunday ride?", body="Who comes?"
    )
    ActivityEvent.objects.filter(actor=alice).update(created_at=in_last_month())
    awarding.run()
    return {"claire": claire, "alice": alice, "bob": bob}


def in_last_month() -> datetime:
    month = awarding.previous_month(timezone.now())
    return datetime(month.year, month.month, 10, 12, tzinfo=UTC)


def showcase_title() -> str:
    return f"Members of the month: {in_last_month():%B %Y}"


def test_an_animator_creates_a_badge_and_gives_it_with_a_reason(
    page: Page, live_server: Any, people: dict[str, User]
) -> None:
    base = live_server.url
    claire, alice = people["claire"], people["alice"]
    logged_in(page, base, claire)
    page.goto(base + "/c/cargo/")
    expect(page.get_by_role("region", name=showcase_title())).to_contain_text("Alice Martin")
    assert_accessible(page)
    page.get_by_role("link", name="The community's badges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Badges")
    expect(page.get_by_role("region", name="Latest badges received")).to_contain_text(
        "Alice Martin received “First words”"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Create a badge").first.click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Master mechanic")
    page.get_by_label("What it recognizes").fill("Fixed a fellow member's bike.")
    page.get_by_label("Emoji (optional)").fill("🔧")
    page.get_by_role("button", name="Create the badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Master mechanic")
    assert_accessible(page)
    page.get_by_role("button", name="Give the badge").click()
    expect(page.locator(".field__errors").first).to_be_visible()
    assert not BadgeAward.objects.filter(custom_badge__isnull=False).exists()
    page.get_by_label("Member").fill("@alice-martin")
    page.get_by_label("Reason").fill("Trued Bob's wheel before the ride.")
    page.get_by_role("button", name="Give the badge").click()
    expect(page.locator(".messages")).to_contain_text("Alice Martin received the badge")
    expect(page.get_by_role("region", name="Who holds it")).to_contain_text("Trued Bob's wheel")
    assert BadgeAward.objects.filter(person=alice, custom_badge__name="Master mechanic").exists()
    page.goto(base + "/c/cargo/badges/showcase/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{in_last_month():%B %Y}")
    assert_accessible(page)
    page.get_by_label("Citation", exact=True).fill("Led the Sunday rides")
    page.get_by_role("button", name="Save the citation of Alice Martin").click()
    expect(page.locator(".messages")).to_contain_text("The citation is saved.")


def test_a_member_sees_badges_on_a_profile(
    page: Page, live_server: Any, people: dict[str, User]
) -> None:
    base = live_server.url
    logged_in(page, base, people["bob"])
    page.goto(base + "/people/alice-martin/")
    badges = page.get_by_role("region", name="Badges")
    expect(badges).to_contain_text("Cargo Riders")
    expect(badges).to_contain_text("First words")
    assert_accessible(page)
    page.goto(base + "/c/cargo/")
    expect(page.get_by_role("region", name=showcase_title())).to_be_visible()
    assert_accessible(page)
