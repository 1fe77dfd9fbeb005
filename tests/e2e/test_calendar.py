"""The editorial calendar in Chromium: an animator plans a post for tomorrow from the
calendar, finds it in the week view, a member does not see it until its time comes
(time moved forward), then does. axe-core on the month, week and list views and the
form, on a desktop and on a phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.animation import actions, planning
from cercle.communities.models import Community, Space
from cercle.membership import actions as community_actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

PHONE = {"width": 375, "height": 740}


@dataclass
class Circle:
    community: Community
    general: Space
    claire: User  # coordinator, the animator
    alice: User  # member

    @property
    def tomorrow(self) -> date:
        return timezone.localtime(timezone.now(), self.community.zone).date() + timedelta(days=1)

    def calendar(self, **query: str) -> str:
        return f"/c/{self.community.slug}/calendar/?" + "&".join(
            f"{k}={v}" for k, v in query.items()
        )


@pytest.fixture
def circle(db: None) -> Circle:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders", time_zone="Europe/Paris")
    alice = make_person("alice@example.org", "Alice Martin")
    community_actions.do_join(alice, cargo)
    return Circle(community=cargo, general=cargo.spaces.get(), claire=claire, alice=alice)


def no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def plan_from_the_calendar(page: Page, base: str, circle: Circle, link: str) -> None:
    """Open tomorrow's "Plan…" menu on the month view and follow `link`."""
    tomorrow = circle.tomorrow.isoformat()
    page.goto(base + circle.calendar(date=tomorrow))
    day = page.locator(f'td[data-day="{tomorrow}"]')
    day.locator("summary").click()
    day.get_by_role("link", name=link).click()


def test_an_animator_plans_a_post_for_tomorrow_and_it_appears_when_its_time_comes(
    page: Page, browser: Browser, browser_errors: BrowserErrors, live_server: Any, circle: Circle
) -> None:
    base = live_server.url
    log_in(page, base, circle.claire.email)
    # The landing page leads animators to the calendar.
    page.goto(f"{base}/c/cargo/")
    page.get_by_role("link", name="Editorial calendar").first.click()
    expect(page.locator("h1")).to_have_text("Editorial calendar")
    expect(page.get_by_text("Europe/Paris").first).to_be_visible()
    assert_accessible(page)

    plan_from_the_calendar(page, base, circle, "Plan a post")
    expect(page.locator("h1")).to_have_text("Plan a post")
    tomorrow = circle.tomorrow.isoformat()
    expect(page.locator("#id_publish_at")).to_have_value(f"{tomorrow}T09:00")
    expect(page.locator("#id_space")).to_have_value("general")
    assert_accessible(page)
    page.get_by_label("Title").fill("Spring ride: who comes?")
    page.get_by_label("Message").fill("Meet at the **canal** at ten.")
    page.get_by_role("button", name="Plan the post").click()

    # Back on the week that holds tomorrow, the post waits there.
    expect(page).to_have_url(
        f"{base}{circle.calendar(view='week', date=tomorrow, space='general')}"
    )
    expect(page.locator(".message--success")).to_contain_text("planned for")
    entry = page.locator(f'li[data-day="{tomorrow}"] .cal-entry')
    expect(entry).to_contain_text("Spring ride: who comes?")
    expect(entry).to_contain_text("09:00")
    expect(entry).to_contain_text("Scheduled")
    expect(entry).to_contain_text("Level 3: Creating")
    assert_accessible(page)
    page.get_by_role("link", name="List", exact=True).click()
    expect(page.locator(".cal-list")).to_contain_text("Spring ride: who comes?")
    assert_accessible(page)

    # A member sees nothing of it yet.
    member = new_page(browser, browser_errors)
    log_in(member, base, circle.alice.email)
    member.goto(f"{base}{circle.general.get_absolute_url()}")
    expect(member.locator("main")).not_to_contain_text("Spring ride")
    assert member.goto(f"{base}{circle.calendar()}").status == 403  # type: ignore[union-attr]

    # Its time comes.
    moment = datetime.combine(circle.tomorrow, time(9, 1), tzinfo=circle.community.zone)
    assert planning.publish_due(moment) == 1
    member.goto(f"{base}{circle.general.get_absolute_url()}")
    member.get_by_role("link", name="Spring ride: who comes?").click()
    expect(member.locator(".post__body").first).to_contain_text("Meet at the canal at ten.")
    member.context.close()

    page.reload()
    expect(page.locator(".cal-list .cal-entry")).to_contain_text("Published")


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_calendar_pages_are_accessible_on_a_desktop_and_a_phone(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    circle: Circle,
    viewport: dict[str, int] | None,
) -> None:
    base = live_server.url
    planning_moment = datetime.combine(circle.tomorrow, time(18, 30), tzinfo=circle.community.zone)
    actions.do_plan_post(
        circle.claire,
        circle.general,
        topic_kind="announcement",
        title="General assembly",
        body="All welcome.",
        publish_at=planning_moment,
    )
    options: dict[str, Any] = {"viewport": viewport} if viewport else {}
    page = new_page(browser, browser_errors, **options)
    log_in(page, base, circle.claire.email)
    for view in ("month", "week", "list"):
        page.goto(base + circle.calendar(view=view, date=circle.tomorrow.isoformat()))
        expect(page.locator("main")).to_contain_text("General assembly")
        assert_accessible(page)
        no_sideways_scrolling(page)
    if viewport:
        # On a phone the month is a list of days that each say their full date.
        full = circle.tomorrow.strftime("%A ") + str(circle.tomorrow.day)
        expect(page.locator(".cal-list")).to_contain_text(full)
        page.goto(base + circle.calendar(date=circle.tomorrow.isoformat()))
        cell = page.locator(f'td[data-day="{circle.tomorrow.isoformat()}"] .cal-day__full')
        expect(cell).to_be_visible()
        expect(cell).to_contain_text(full)
    page.goto(f"{base}/c/cargo/calendar/new-post/")
    assert_accessible(page)
    no_sideways_scrolling(page)
    page.get_by_role("button", name="Plan the post").click()
    expect(page.locator(".field--invalid").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Editorial calendar").first.click()
    page.get_by_role("link", name="General assembly").first.click()
    expect(page.locator("h1")).to_have_text("General assembly")
    assert_accessible(page)
    page.context.close()
    assert browser_errors.messages == []


def test_the_month_works_without_javascript(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, circle: Circle
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    log_in(page, live_server.url, circle.claire.email)
    plan_from_the_calendar(page, live_server.url, circle, "Plan a post")
    expect(page.locator("#id_publish_at")).to_have_value(f"{circle.tomorrow.isoformat()}T09:00")
    page.context.close()


def test_an_animator_plans_a_poll_for_tomorrow_and_it_appears_when_its_time_comes(
    page: Page, browser: Browser, browser_errors: BrowserErrors, live_server: Any, circle: Circle
) -> None:
    """The issue's journey, with the poll form of `cercle.activities`."""
    base = live_server.url
    log_in(page, base, circle.claire.email)
    plan_from_the_calendar(page, base, circle, "Plan a poll")
    tomorrow = circle.tomorrow.isoformat()
    expect(page.locator("#id_publish_at")).to_have_value(f"{tomorrow}T09:00")
    page.get_by_label("Question", exact=True).fill("Which day for the spring ride?")
    page.get_by_label("Choices", exact=True).fill("Saturday\nSunday")
    page.get_by_role("button", name="Create").click()
    expect(page.locator("h1")).to_contain_text("Which day for the spring ride?")

    page.goto(base + circle.calendar(view="week", date=tomorrow))
    entry = page.locator(f'li[data-day="{tomorrow}"] .cal-entry')
    expect(entry).to_contain_text("Which day for the spring ride?")
    expect(entry).to_contain_text("09:00")
    expect(entry).to_contain_text("Scheduled")
    expect(entry).to_contain_text("Level 1: Reacting")
    assert_accessible(page)
    poll_url = entry.get_by_role("link").get_attribute("href")
    assert poll_url

    member = new_page(browser, browser_errors)
    log_in(member, base, circle.alice.email)
    assert member.goto(base + poll_url).status == 404  # type: ignore[union-attr]
    member.goto(f"{base}/c/cargo/activities/")
    expect(member.locator("main")).not_to_contain_text("spring ride")

    moment = datetime.combine(circle.tomorrow, time(9, 1), tzinfo=circle.community.zone)
    assert planning.publish_due(moment) == 1
    member.goto(f"{base}/c/cargo/activities/")
    member.get_by_role("link", name="Which day for the spring ride?").click()
    expect(member.locator("main")).to_contain_text("Saturday")
    expect(member.locator("main")).to_contain_text("Sunday")
    member.context.close()

    page.reload()
    expect(entry).to_contain_text("Published")
