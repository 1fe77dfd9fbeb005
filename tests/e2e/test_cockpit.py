"""The animator's cockpit in Chromium: a coordinator reads the overview of a generated
community at a glance (the stage, the tiles and the next actions on the first screen),
opens the sub-pages, changes the period, downloads a table, prints the monthly report
and changes the thresholds of the levels; axe-core on the overview and the sub-pages,
on a desktop and on a phone, in English and in French."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.analytics import counting
from cercle.analytics.models import ParticipationRule
from cercle.simulation.load import generate
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

PHONE = {"width": 375, "height": 740}
# Words of the English cockpit that the French one must not show.
ENGLISH = [
    "Cockpit",
    "Activity",
    "Responsiveness",
    "Retention",
    "Knowledge",
    "Life stage",
    "Next actions",
    "Overview",
    "Stickiness",
    "Replies",
]


@pytest.fixture
def lively(db: None) -> str:
    claire = make_person("claire@example.org", "Claire Coord", language="")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    generate(members=60, months=6, seed=3, until=today, slug="lively", coordinator=claire)
    counting.fill()
    return "lively"


def _no_overflow(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


DESKTOP = {"width": 1280, "height": 800}


def test_the_overview_reads_at_a_glance_on_the_first_screen(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, lively: str
) -> None:
    """At 1280x800, the life stage, the figure tiles and the next actions are all in the
    first viewport: no scrolling."""
    page = new_page(browser, browser_errors, viewport=DESKTOP)
    base = live_server.url
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/{lively}/")
    page.get_by_role("link", name="How the community lives").click()
    expect(page.locator("h1")).to_have_text("Cockpit")
    expect(page.locator("#stage-title")).to_contain_text("Life stage")
    tiles = page.locator(".cockpit-tile")
    expect(tiles).to_have_count(8)
    expect(page.get_by_role("heading", name="Next actions")).to_be_visible()
    assert page.evaluate("() => window.scrollY") == 0
    for part in [
        page.locator("#stage"),
        *(tiles.nth(index) for index in range(8)),
        page.locator(".cockpit-next"),
    ]:
        box = part.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= DESKTOP["height"], (
            part,
            box["y"] + box["height"],
        )
    # Each tile: its figure, its change or "no comparison", and its sparkline.
    expect(page.locator(".cockpit-tile__value")).to_have_count(8)
    expect(page.locator(".cockpit-tile svg.cockpit-spark").first).to_be_visible()
    assert_accessible(page)
    _no_overflow(page)
    page.context.close()
    assert browser_errors.messages == []


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_coordinator_reads_the_cockpit_and_changes_the_thresholds(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    lively: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"viewport": viewport} if viewport else {}
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/{lively}/")
    page.get_by_role("link", name="How the community lives").click()
    expect(page.locator("h1")).to_have_text("Cockpit")
    assert_accessible(page)
    _no_overflow(page)

    # The detailed tables live on the sub-pages, each with its charts and CSV.
    page.get_by_role("navigation", name="Sections of the cockpit").get_by_role(
        "link", name="Activity"
    ).click()
    expect(page.locator("h1")).to_have_text("Cockpit: Activity")
    expect(page.locator("canvas#chart-activity")).to_be_visible()
    # Chart.js is deferred: wait until it has drawn (a loaded machine may be slow).
    page.wait_for_function(
        "() => typeof Chart !== 'undefined'"
        " && [...document.querySelectorAll('canvas')].filter(c => Chart.getChart(c)).length >= 1"
    )
    expect(page.get_by_role("table", name="The period at a glance, beside the period before"))
    assert_accessible(page)
    _no_overflow(page)

    page.get_by_label("Period", exact=True).select_option("12m")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{base}/c/{lively}/cockpit/activity/?period=12m")
    expect(page.locator("#table-activity caption")).to_have_text(
        "Active members and actions, per week"
    )

    page.get_by_role("navigation", name="Sections of the cockpit").get_by_role(
        "link", name="Participation"
    ).click()
    expect(page).to_have_url(f"{base}/c/{lively}/cockpit/participation/?period=12m")
    assert_accessible(page)
    _no_overflow(page)
    with page.expect_download() as download_info:
        page.locator("a[href*='/cockpit/csv/levels/']").click()
    csv = download_info.value.path().read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == "Level,Members,Share,The 90-9-1 rule,Wenger's shares"
    assert csv.splitlines()[1].startswith("Core group,")

    page.locator("main").get_by_role("link", name="Cockpit", exact=True).click()
    page.get_by_role("link", name="Monthly report").click()
    expect(page.locator("h1")).to_contain_text("monthly report")
    assert_accessible(page)
    _no_overflow(page)
    page.emulate_media(media="print")
    expect(page.locator("header.site-header")).to_be_hidden()
    expect(page.locator("#table-summary")).to_be_visible()
    page.emulate_media(media="screen")

    page.goto(f"{base}/c/{lively}/cockpit/levels/")
    assert_accessible(page)
    page.get_by_label("Window, in months").fill("2")
    page.get_by_label("Core group from").fill("20")
    page.get_by_label("Active from").fill("25")
    page.get_by_role("button", name="Save and count again").click()
    expect(page.locator(".errorlist, [role=alert]").first).to_contain_text(
        "The core group must need more contributions than the active level."
    )
    assert not ParticipationRule.objects.exists()
    page.get_by_label("Active from").fill("5")
    page.get_by_role("button", name="Save and count again").click()
    expect(page.locator("h1")).to_have_text("Cockpit")
    expect(page.get_by_text("The levels are computed again with the new rule.")).to_be_visible()
    rule = ParticipationRule.objects.get()
    assert (rule.window_months, rule.core_score, rule.active_score) == (2, 20, 5)
    page.context.close()
    assert browser_errors.messages == []


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_cockpit_is_french_and_accessible(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    lively: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": "fr-FR"}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    log_in(page, base, "claire@example.org")
    month = datetime.now(UTC)
    for path in (
        "cockpit/",
        "cockpit/?period=30d",
        "cockpit/activity/",
        "cockpit/participation/?period=12m",
        "cockpit/responsiveness/",
        f"cockpit/report/{month.year}-{month.month}/",
        "cockpit/levels/",
    ):
        response = page.goto(f"{base}/c/{lively}/{path}")
        assert response is not None
        assert response.status == 200, path
        assert page.evaluate("() => document.documentElement.lang") == "fr", path
        text = page.locator("main#main").inner_text()
        left = [word for word in ENGLISH if word in text]
        assert not left, f"{path} shows English: {left}"
        # Numbers as French writes them, in sentences as in tables: "50,4 %".
        assert not re.search(r"\d\.\d+\s?%", text), f"{path} writes a number the English way"
        assert_accessible(page)
        _no_overflow(page)
    page.context.close()
    assert browser_errors.messages == []
