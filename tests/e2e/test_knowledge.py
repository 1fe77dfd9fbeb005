"""The library in Chromium: axe-core on the library, collection, resource and import
pages, and reordering from the keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.knowledge import actions
from cercle.knowledge.models import Collection, Resource
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import assert_accessible
from tests.e2e.journeys import log_in


@pytest.fixture
def guides(db: None) -> Collection:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo: Community = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    community_actions.do_join(alice, cargo)
    general: Space = cargo.spaces.get(is_default=True)
    collection = actions.do_create_collection(alice, general, title="Guides")
    actions.do_create_collection(alice, general, title="Tools", parent=collection)
    actions.do_add_link(
        alice, collection, url="https://example.org/a", title="First", excerpt="Read it"
    )
    actions.do_add_note(alice, collection, title="Second", note="Inflate to **3 bar**")
    return collection


def test_library_pages_are_accessible_and_reorder_from_the_keyboard(
    page: Page, live_server: Any, guides: Collection
) -> None:
    base = live_server.url
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/c/cargo/library/")
    expect(page.locator("h1")).to_have_text("Library")
    assert_accessible(page)
    page.goto(f"{base}{guides.get_absolute_url()}")
    assert_accessible(page)
    move_up = page.locator(".resource-row").nth(1).get_by_role("button", name="Move up")
    move_up.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".resource-row a").first).to_have_text("Second")
    second = Resource.objects.get(title="Second")
    page.goto(f"{base}{second.get_absolute_url()}")
    assert_accessible(page)
    page.goto(f"{base}{guides.get_absolute_url()}import/")
    assert_accessible(page)
    page.goto(f"{base}{guides.get_absolute_url()}link/")
    assert_accessible(page)
    assert User.objects.filter(email="alice@example.org").exists()
