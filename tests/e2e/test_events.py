"""Events in Chromium: an animator plans an event with the form, a member answers
"going" without any script, and axe-core checks every events page (the list, an
event, its forms, attendance, calendar feeds, rituals), on a desktop and a phone."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.events import actions
from cercle.events.actions import RitualPlan
from cercle.events.models import RSVP, Event, Ritual
from tests.communities import community
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page

PHONE = {"width": 375, "height": 740}


def logged_in(page: Page, base: str, person: User) -> None:
    """Open a session for `person` without the log-in form."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
    )


def no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.fixture
def cargo(coordinator: User, alice: User) -> Community:
    return community(coordinator, name="Cargo Riders", members=(alice,))


def test_an_animator_plans_an_event_and_a_member_answers_going(
    page: Page, live_server: Any, cargo: Community
) -> None:
    base = live_server.url
    claire = User.objects.get(email="claire@example.org")
    alice = User.objects.get(email="alice@example.org")
    logged_in(page, base, claire)
    page.goto(f"{base}/c/cargo/events/new/?publish_at=&space=general")
    expect(page.locator("h1")).to_have_text("Plan an event")
    assert_accessible(page)
    day = (timezone.now() + timedelta(days=10)).astimezone(cargo.zone).date()
    page.get_by_label("Title").fill("Repair evening")
    page.get_by_label("Starts at").fill(f"{day}T18:00")
    page.get_by_label("Ends at").fill(f"{day}T20:00")
    page.get_by_label("Place").fill("The Workshop")
    page.get_by_label("Capacity").fill("12")
    page.get_by_role("button", name="Plan the event").click()
    expect(page.locator("h1")).to_have_text("Repair evening")
    expect(page.locator(".messages")).to_contain_text("The event is announced.")
    event = Event.objects.get()
    assert event.local_start.time() == time(18, 0)
    assert event.time_zone == "Europe/Paris"
    assert_accessible(page)
    page.goto(f"{base}/c/cargo/events/{event.pk}/edit/")
    assert_accessible(page)
    page.goto(f"{base}/c/cargo/events/{event.pk}/cancel/")
    assert_accessible(page)

    member_errors = BrowserErrors()
    member = new_page(page.context.browser, member_errors)  # type: ignore[arg-type]
    logged_in(member, base, alice)
    member.goto(f"{base}/c/cargo/")
    # From the events section of the home (the event's conversation is among the latest too).
    member.get_by_role("region", name="Upcoming events").get_by_role(
        "link", name="Repair evening"
    ).click()
    expect(member.locator("h1")).to_have_text("Repair evening")
    member.get_by_role("button", name="Going", exact=True).click()
    expect(member.locator(".event-answer")).to_have_text("You are going.")
    going = member.get_by_role("button", name="Going", exact=True)
    expect(going).to_have_attribute("aria-pressed", "true")
    assert RSVP.objects.get().person == alice
    assert_accessible(member)
    member.goto(f"{base}/c/cargo/events/")
    expect(member.locator(".event-row")).to_contain_text("You are going")
    assert_accessible(member)
    member.goto(f"{base}/c/cargo/events/calendar/")
    assert_accessible(member)
    member.context.close()
    assert member_errors.messages == []

    # Afterwards, the animator ticks who came.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    page.goto(f"{base}/c/cargo/events/{event.pk}/attendance/")
    assert_accessible(page)
    page.get_by_label("Alice Martin").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator(".messages")).to_contain_text("1 marked present")
    assert RSVP.objects.get().attended


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_ritual_and_event_pages_are_accessible(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    cargo: Community,
    viewport: dict[str, int] | None,
) -> None:
    base = live_server.url
    claire = User.objects.get(email="claire@example.org")
    general = cargo.spaces.get(is_default=True)
    ritual = actions.do_create_ritual(
        claire,
        general,
        title="Open lab",
        place="The Workshop",
        description="Tools and *tea*.",
        plan=RitualPlan(
            rule="FREQ=MONTHLY;BYDAY=1TU",
            first_day=timezone.now().astimezone(cargo.zone).date(),
            start_time=time(18, 0),
            duration=timedelta(hours=2),
            announce_days=60,
        ),
    )
    assert Ritual.objects.count() == 1
    options = {"viewport": viewport} if viewport else {}
    page = new_page(browser, browser_errors, **options)
    logged_in(page, base, claire)
    for path in [
        "/c/cargo/",
        "/c/cargo/events/",
        "/c/cargo/events/rituals/",
        ritual.get_absolute_url(),
        "/c/cargo/events/rituals/new/",
        f"{ritual.get_absolute_url()}edit/",
        f"{ritual.get_absolute_url()}stop/",
        Event.objects.filter(ritual=ritual).order_by("starts_at")[0].get_absolute_url(),
        "/c/cargo/events/calendar/",
    ]:
        page.goto(f"{base}{path}")
        assert_accessible(page)
        no_sideways_scrolling(page)
    page.context.close()
    assert browser_errors.messages == []
