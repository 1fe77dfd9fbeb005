"""The shell of every page, measured in a real browser (issue 14): a header in one row
from 1024 to 1600 pixels and no taller than 64 pixels on a phone, in both languages,
for a French coordinator of the community with the demo's longest name; the community
navigation with its unread counts and its Create menu; the language chosen from the
footer without JavaScript; and no accessibility violation on community pages with the
navigation, on a desktop and a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from tests.communities import community, join, make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

# The demo's longest community name (cercle/demo.py).
LONGEST_NAME = "Urban Cycling Practitioners"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def camille(db: None) -> User:
    """A French coordinator whose pages follow the browser's language."""
    return make_person("camille@metropole.example", "Camille Martin")


@pytest.fixture
def member(db: None) -> User:
    return make_person("alice@bikes.example", "Alice Walker")


@pytest.fixture
def cycling(camille: User, member: User) -> Community:
    created = community(camille, slug="urban-cycling", name=LONGEST_NAME)
    join(member, created)
    return created


@pytest.fixture
def general(cycling: Community) -> Space:
    return cycling.spaces.get(is_default=True)


def header_rows(page: Page) -> dict[str, Any]:
    """The header's height and whether its items sit on one row (each item's vertical
    span overlaps every other's)."""
    result: dict[str, Any] = page.evaluate(
        """() => {
          const header = document.querySelector('.site-header');
          const items = [...document.querySelectorAll('.site-header__inner > *')]
            .filter(el => el.getClientRects().length > 0)
            .map(el => el.getBoundingClientRect());
          const lowestTop = Math.max(...items.map(r => r.top));
          const highestBottom = Math.min(...items.map(r => r.bottom));
          const page = document.documentElement;
          return {height: header.getBoundingClientRect().height,
                  items: items.length, oneRow: lowestTop < highestBottom,
                  overflow: page.scrollWidth - page.clientWidth};
        }"""
    )
    return result


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_the_header_is_one_row_from_1024_to_1600_pixels_and_short_on_a_phone(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    camille: User,
    cycling: Community,
    general: Space,
    locale: str,
) -> None:
    topic = talk.do_start_topic(
        camille, general, kind=Kind.QUESTION, title="Which lock?", body="For a cargo bike."
    )
    page = new_page(browser, browser_errors, locale=locale)
    log_in(page, live_server.url, camille.email)
    pages = [cycling.get_absolute_url(), general.get_absolute_url(), topic.get_absolute_url()]
    for width in (1024, 1280, 1600, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in pages:
            page.goto(live_server.url + path)
            expect(page.locator(".community-switcher")).to_contain_text(
                LONGEST_NAME if width > 390 else "Urban"
            )
            measured = header_rows(page)
            assert measured["oneRow"], (width, path, measured)
            limit = 64 if width == 390 else 72
            assert measured["height"] <= limit, (width, path, measured)
            assert measured["overflow"] <= 0, (width, path, measured)
    page.context.close()
    assert browser_errors.messages == []


def test_an_unread_count_shows_in_the_sidebar_and_goes_once_read(
    page: Page, live_server: Any, camille: User, member: User, cycling: Community, general: Space
) -> None:
    log_in(page, live_server.url, member.email)
    page.goto(live_server.url + cycling.get_absolute_url())
    sidebar = page.locator(".community-nav--side")
    space_link = sidebar.get_by_role("link", name=general.name)
    expect(space_link.locator(".nav-count")).to_have_count(0)
    talk.do_start_topic(camille, general, kind=Kind.DISCUSSION, title="Night rides", body="Who?")
    page.reload()
    expect(space_link.locator(".nav-count")).to_have_text("1 unread topic")
    space_link.click()
    page.get_by_role("link", name="Night rides").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Night rides")
    sidebar.get_by_role("link", name="Community home").click()
    expect(space_link.locator(".nav-count")).to_have_count(0)


def open_create_menu(page: Page) -> None:
    page.locator(".community-nav--side .create-menu summary").click()


def test_the_create_menu_offers_a_member_only_what_they_may_create(
    page: Page, live_server: Any, member: User, cycling: Community
) -> None:
    log_in(page, live_server.url, member.email)
    page.goto(live_server.url + cycling.get_absolute_url())
    open_create_menu(page)
    menu = page.locator(".community-nav--side .create-menu")
    expect(menu.get_by_role("link", name="Question")).to_be_visible()
    expect(menu.get_by_role("link", name="Wiki article")).to_be_visible()
    for animators_only in ("Poll", "Quiz", "Contest", "Event", "Planned post"):
        expect(menu.get_by_role("link", name=animators_only, exact=True)).to_have_count(0)
    menu.get_by_role("link", name="Question").click()
    expect(page.get_by_label("Title")).to_be_visible()


def test_the_create_menu_leads_a_coordinator_to_a_poll_and_an_event(
    page: Page, live_server: Any, camille: User, cycling: Community
) -> None:
    log_in(page, live_server.url, camille.email)
    page.goto(live_server.url + cycling.get_absolute_url())
    open_create_menu(page)
    page.locator(".community-nav--side .create-menu").get_by_role("link", name="Poll").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("poll")
    open_create_menu(page)
    page.locator(".community-nav--side .create-menu").get_by_role(
        "link", name="Event", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("event")


def test_the_footer_changes_the_language_without_javascript(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, db: None
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False)
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    footer = page.locator(".site-footer")
    footer.get_by_label("Language").select_option("fr")
    footer.get_by_role("button", name="Change language").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(footer.get_by_role("button", name="Changer de langue")).to_be_visible()
    page.context.close()


def test_the_phone_drawer_opens_without_javascript(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    member: User,
    cycling: Community,
    general: Space,
) -> None:
    page = new_page(browser, browser_errors, java_script_enabled=False, viewport=PHONE)
    log_in(page, live_server.url, member.email)
    page.goto(live_server.url + cycling.get_absolute_url())
    expect(page.locator(".community-nav--side")).to_be_hidden()
    drawer = page.locator(".community-drawer")
    drawer.locator(".community-drawer__toggle").click()
    drawer.get_by_role("link", name=general.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(general.name)
    page.context.close()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_community_pages_with_the_navigation_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    camille: User,
    cycling: Community,
    general: Space,
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    topic = talk.do_start_topic(
        camille, general, kind=Kind.QUESTION, title="Which lock?", body="For a cargo bike."
    )
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    log_in(page, live_server.url, camille.email)
    for path in [cycling.get_absolute_url(), general.get_absolute_url(), topic.get_absolute_url()]:
        page.goto(live_server.url + path)
        assert_accessible(page)
    # With the menus open: the drawer on a phone, the Create menu and the account menu.
    if viewport:
        page.locator(".community-drawer__toggle").click()
        page.locator(".community-nav--drawer .create-menu summary").click()
    else:
        open_create_menu(page)
    assert_accessible(page)
    page.locator(".user-menu .menu__toggle").click()
    assert_accessible(page)
    page.context.close()
    assert browser_errors.messages == []
