"""The animator's toolkit and the library in French: every page of the demo's French
community, as its animator, passes axe-core on a desktop and on a phone, says it is
French and shows no English left behind."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect

from cercle.activities.models import Challenge, Poll, Quiz
from cercle.contests.models import Contest
from cercle.demo import load_demo
from cercle.events.models import Event, Ritual
from cercle.ideas.models import Idea
from cercle.personas.models import Persona
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

SLUG = "cercle-des-animateurs"
PHONE = {"width": 375, "height": 740}
# Words of the English interface that a French page must not show.
ENGLISH = ["Calendar", "Events", "Ideas", "Contests", "Polls", "Welcome to", "Upcoming"]


def _pages() -> list[str]:
    base = f"/c/{SLUG}"
    published = {"community__slug": SLUG, "published_at__isnull": False}
    pages = [
        f"{base}/",
        f"{base}/calendar/",
        f"{base}/calendar/?view=week",
        f"{base}/calendar/?view=list",
        f"{base}/calendar/new-post/",
        f"{base}/activities/",
        f"{base}/polls/new/",
        f"{base}/contests/",
        f"{base}/events/",
        f"{base}/events/calendar/",
        f"{base}/events/rituals/",
        f"{base}/personas/",
        f"{base}/personas/audit/",
        f"{base}/ideas/",
        f"{base}/welcome/",
        f"{base}/welcome/settings/",
        f"{base}/newcomers/",
        f"{base}/badges/",
        f"{base}/badges/showcase/",
        f"{base}/library/",
    ]
    for model, path in (
        (Poll, "polls"),
        (Quiz, "quizzes"),
        (Challenge, "challenges"),
        (Contest, "contests"),
        (Event, "events"),
    ):
        item = model.objects.filter(**published).order_by("pk").first()
        assert item is not None, f"the demo has no published {path}"
        pages.append(f"{base}/{path}/{item.pk}/")
    ritual = Ritual.objects.filter(community__slug=SLUG).first()
    idea = Idea.objects.filter(community__slug=SLUG).first()
    persona = Persona.objects.filter(community__slug=SLUG).first()
    assert ritual is not None
    assert idea is not None
    assert persona is not None
    pages += [
        f"{base}/events/rituals/{ritual.pk}/",
        f"{base}/ideas/{idea.pk}/",
        f"{base}/personas/{persona.slug}/",
    ]
    return pages


def _visit(page: Page, base: str, path: str) -> None:
    response = page.goto(base + path)
    assert response is not None
    assert response.status == 200, path
    expect(page.locator("main#main")).to_be_visible()
    assert page.evaluate("() => document.documentElement.lang") == "fr", path
    text = page.locator("main#main").inner_text()
    left = [word for word in ENGLISH if word in text]
    assert not left, f"{path} shows English: {left}"
    assert_accessible(page)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} is {overflow}px wider than the screen"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_animation_pages_are_french_and_accessible(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    viewport: dict[str, int] | None,
) -> None:
    load_demo()
    options: dict[str, Any] = {"locale": "fr-FR"}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    log_in(page, live_server.url, "camille@metropole.example", settings.DEMO_PASSWORD)
    for path in _pages():
        _visit(page, live_server.url, path)
    page.context.close()
    assert browser_errors.messages == []
