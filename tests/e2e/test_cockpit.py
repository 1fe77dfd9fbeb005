"""The animator's cockpit in Chromium: a coordinator reads how a generated community
lives, changes the period, downloads a table, prints the monthly report and changes
the thresholds of the levels; axe-core on every page, on a desktop and on a phone,
in English and in French."""

from __future__ import annotations

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
ENGLISH = ["Cockpit", "Activity", "Responsiveness", "Retention", "Knowledge", "Life stage"]


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
    # The charts are drawn from the tables' figures, and the tables are there too.
    expect(page.locator("canvas#chart-activity")).to_be_visible()
    # Chart.js is deferred: wait until it has drawn (a loaded machine may be slow).
    page.wait_for_function(
        "() => typeof Chart !== 'undefined'"
        " && [...document.querySelectorAll('canvas')].filter(c => Chart.getChart(c)).length >= 3"
    )
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas')].filter(c => Chart.getChart(c)).length"
    )
    assert drawn >= 3
    expect(page.get_by_role("table", name="The period at a glance, beside the period before"))
    expect(page.locator("#stage-title")).to_contain_text("Life stage:")
    assert_accessible(page)
    _no_overflow(page)

    page.get_by_label("Period", exact=True).select_option("12m")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{base}/c/{lively}/cockpit/?period=12m")
    expect(page.locator("#table-activity caption")).to_have_text(
        "Active members and actions, per week"
    )
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.locator("a[href*='/cockpit/csv/levels/']").click()
    csv = download_info.value.path().read_text(encoding="utf-8-sig")
    assert csv.splitlines()[0] == "Level,Members,Share,The 90-9-1 rule,Wenger's shares"
    assert csv.splitlines()[1].startswith("Core group,")

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
        assert_accessible(page)
        _no_overflow(page)
    page.context.close()
    assert browser_errors.messages == []
