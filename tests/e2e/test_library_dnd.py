"""Curating the library in Chromium: drag and drop reordering (saved, announced, still
there after a reload), a collection cover, related collections, editing and deleting a
resource; axe-core on every page these add."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from cercle.communities.models import Community, Space
from cercle.knowledge import actions
from cercle.knowledge.models import Collection, Resource
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import assert_accessible
from tests.e2e.journeys import log_in


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def guides(db: None) -> Collection:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo: Community = community(claire, slug="cargo", name="Cargo Riders")
    alice = make_person("alice@example.org", "Alice Martin")
    community_actions.do_join(alice, cargo)
    general: Space = cargo.spaces.get(is_default=True)
    collection = actions.do_create_collection(alice, general, title="Guides")
    actions.do_create_collection(alice, general, title="Tools", parent=collection)
    actions.do_create_collection(alice, general, title="Parts", parent=collection)
    actions.do_create_collection(alice, general, title="Routes")
    for title in ("First", "Second", "Third"):
        actions.do_add_link(
            alice, collection, url=f"https://example.org/{title.lower()}", title=title
        )
    return collection


def _named(action: str) -> re.Pattern[str]:
    """A button or link named `action` (followed by what it acts on, for screen readers)."""
    return re.compile(rf"^{action}\b")


def _row_titles(page: Page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{selector} > a").all_inner_texts()]


def test_a_resource_dragged_above_another_stays_there_after_a_reload(
    page: Page, live_server: Any, guides: Collection
) -> None:
    base = live_server.url
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}{guides.get_absolute_url()}")
    expect(page.locator("#reorder-hint")).to_be_visible()
    rows = page.locator(".resource-row")
    expect(rows.nth(0)).to_have_attribute("draggable", "true")
    # Drop "Third" on the top edge of "First": it goes above it.
    rows.nth(2).drag_to(rows.nth(0), target_position={"x": 40, "y": 4})
    expect(page.locator("#reorder-status")).to_have_text("“Third” moved to position 1 of 3.")
    assert _row_titles(page, ".resource-row") == ["Third", "First", "Second"]
    # The first row is not offered Move up, nor the last Move down (issue 14).
    expect(rows.nth(0).locator("button[value=up]")).to_be_hidden()
    expect(rows.nth(2).locator("button[value=down]")).to_be_hidden()
    expect(rows.nth(1).get_by_role("button", name="Move up")).to_be_visible()
    assert_accessible(page)
    page.reload()
    expect(page.locator(".resource-row > a").first).to_have_text("Third")
    assert _row_titles(page, ".resource-row") == ["Third", "First", "Second"]
    assert [r.title for r in guides.resources.all()] == ["Third", "First", "Second"]
    # Sub-collections too: "Parts" dropped on the top edge of "Tools".
    children = page.locator(".child-row")
    children.nth(1).drag_to(children.nth(0), target_position={"x": 40, "y": 4})
    expect(page.locator("#reorder-status")).to_have_text("“Parts” moved to position 1 of 2.")
    page.reload()
    assert _row_titles(page, ".child-row") == ["Parts", "Tools"]
    # The keyboard alternative still works after a drag.
    page.locator(".resource-row").nth(1).get_by_role("button", name="Move up").press("Enter")
    expect(page.locator(".resource-row > a").first).to_have_text("First")


def test_the_curation_pages_are_accessible(
    page: Page, live_server: Any, guides: Collection
) -> None:
    base = live_server.url
    log_in(page, base, "alice@example.org")
    # A cover, uploaded through the collection's edit form.
    buffer = io.BytesIO()
    Image.new("RGB", (800, 300), (11, 93, 107)).save(buffer, format="PNG")
    page.goto(f"{base}{guides.get_absolute_url()}")
    page.locator("summary", has_text="Edit the collection").click()
    cover_file: FilePayload = {
        "name": "cover.png",
        "mimeType": "image/png",
        "buffer": buffer.getvalue(),
    }
    page.locator("#id_edit-cover").set_input_files(files=cover_file)
    page.locator("#id_edit-cover_alt").fill("Cargo bikes lined up on a quay")
    page.get_by_role("button", name="Save", exact=True).click()
    cover = page.get_by_role("img", name="Cargo bikes lined up on a quay")
    expect(cover).to_be_visible()
    assert page.evaluate("(image) => image.naturalWidth", cover.element_handle()) == 800
    assert_accessible(page)
    page.goto(f"{base}/c/cargo/library/")
    expect(page.get_by_role("img", name="Cargo bikes lined up on a quay")).to_be_visible()
    routes_row = page.locator(".library-tree > li", has_text="Routes")
    expect(routes_row.get_by_role("button", name="Move up")).to_be_enabled()
    assert_accessible(page)
    # Related collections: relate "Routes", then see it on the collection page.
    page.goto(f"{base}{guides.get_absolute_url()}related/")
    assert_accessible(page)
    page.locator(".relation-row", has_text="Routes").get_by_role(
        "button", name=_named("Relate")
    ).click()
    related_now = page.locator("section", has=page.locator("#current-title"))
    expect(related_now.get_by_role("button", name=_named("Unrelate"))).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base}{guides.get_absolute_url()}")
    expect(page.locator("#related-title + ul")).to_contain_text("Routes")
    # Editing and deleting a resource.
    first = Resource.objects.get(title="First")
    page.goto(f"{base}{first.get_absolute_url()}")
    page.get_by_role("link", name=_named("Edit")).click()
    assert_accessible(page)
    page.locator("#id_title").fill("First steps")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("h1")).to_have_text("First steps")
    page.get_by_role("link", name=_named("Delete")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Delete the resource").click()
    expect(page.locator("h1")).to_have_text("Guides")
    assert not Resource.objects.filter(pk=first.pk).exists()
