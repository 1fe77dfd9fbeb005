"""Browser journeys: Playwright drives Debian's Chromium against a live server."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Response,
    sync_playwright,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made
# by the test itself (building fixtures) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CERCLE_TEST_CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# Every rule of WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _requests_finished() -> Iterator[None]:
    """Before the database is emptied, let the live server finish the requests the
    browser left running (a search typed, the bell's poll): SQLite's shared in-memory
    database answers "table is locked" to the flush, or takes a row written after it,
    otherwise. Torn down after the test's page is closed and before the database is
    flushed (pytest-django's autouse fixtures are set up first)."""
    yield
    deadline = time.monotonic() + 3
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        if getattr(target, "__name__", "") == "process_request_thread":
            thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (Debian's chromium package).")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()


class BrowserErrors:
    """Console errors and CSP violations seen by a page: a journey must end with none."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def listen(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.messages.append(str(error)))
        page.on("response", self._on_response)

    def _on_console(self, message: ConsoleMessage) -> None:
        # A failed load is reported below with its URL; pages visited on purpose
        # for their error status (a 404 page) are not failures.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.messages.append(message.text)

    def _on_response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status} for {response.url}")


@pytest.fixture
def browser_errors() -> BrowserErrors:
    return BrowserErrors()


def new_page(browser: Browser, errors: BrowserErrors, **context_options: Any) -> Page:
    options: dict[str, Any] = {"locale": "en-GB", "viewport": {"width": 1280, "height": 900}}
    options.update(context_options)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors.listen(page)
    return page


@pytest.fixture
def page(
    browser: Browser, browser_errors: BrowserErrors, live_server: Any, immediate_tasks: None
) -> Iterator[Page]:
    page = new_page(browser, browser_errors)
    yield page
    settle(page)
    page.context.close()
    assert browser_errors.messages == [], f"the browser reported errors: {browser_errors.messages}"


def settle(page: Page) -> None:
    """Let the page's last requests (an htmx suggestion, a draft being saved) end before
    the test's database is emptied: on PostgreSQL a request still reading while the
    tables are truncated deadlocks, and the next test finds this one's rows."""
    # A page that keeps polling never idles: closing its context stops it.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)


NAVIGATION_SIGNS = (
    "Execution context was destroyed",
    "reading 'documentElement'",
    "Cannot find context",
)


AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  return result.violations.map((violation) => ({
    id: violation.id, impact: violation.impact, help: violation.help,
    targets: violation.nodes.map((node) => node.target),
  }));
}"""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core in the page (injected by the test, never served by Cercle).

    A click on a link returns before the next page has replaced the current one: axe
    must run on the page that has finished loading, not on a document being torn down
    (seen as "Cannot read properties of null" or a destroyed execution context). So it
    waits for the load, and runs again if the navigation still pulled the page away."""
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(AXE_SOURCE)
            # Only the violations cross back from the browser: the passes of a long page
            # are megabytes of JSON (resultTypes keeps axe from detailing them).
            violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
            break
        except PlaywrightError as error:
            navigating = any(sign in str(error) for sign in NAVIGATION_SIGNS)
            if not navigating or attempt == 2:
                raise
    return violations


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core found violations on {page.url}: {violations}"
