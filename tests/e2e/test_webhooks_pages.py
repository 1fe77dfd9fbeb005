"""The coordinator's webhooks page in Chromium: an endpoint added with the form, a test
message and a new topic delivered to a real receiver and seen in the delivery log;
accessible on a desktop and a phone, in English and French."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind
from cercle.webhooks.models import Endpoint
from tests.communities import staff_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in
from tests.test_webhooks import Receiver

SHOTS = Path(os.environ.get("CERCLE_WEBHOOKS_SHOTS", "var/screenshots-webhooks"))
VIEWPORTS = (({"width": 1280, "height": 900}, 1280), ({"width": 390, "height": 844}, 390))


def test_a_coordinator_adds_an_endpoint_and_reads_its_delivery_log(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    settings: Any,
    cargo: Community,
    general: Space,
    coordinator: User,
    alice: User,
) -> None:
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    SHOTS.mkdir(parents=True, exist_ok=True)
    with Receiver() as receiver:
        # English on a desktop, French on a phone (every page at both sizes and in both
        # languages was looked at once; this keeps the journey short).
        for (locale, language), (viewport, size) in zip(
            (("en-GB", "en"), ("fr-FR", "fr")), VIEWPORTS, strict=True
        ):
            page = new_page(browser, browser_errors, locale=locale, viewport=viewport)
            log_in(page, live_server.url, coordinator.email)
            page.goto(f"{live_server.url}/c/cargo/manage/")
            page.locator(".community-head nav a[href='/c/cargo/webhooks/']").click()
            expect(page).to_have_url(f"{live_server.url}/c/cargo/webhooks/")
            assert_accessible(page)
            page.screenshot(
                path=str(SHOTS / f"webhooks-list-{language}-{size}.png"), full_page=True
            )

            page.locator("#id_url").fill(receiver.url)
            page.locator("#id_description").fill(f"Intranet {language} {size}")
            page.locator("input[name=types][value='topic.created']").check()
            page.locator("form.webhook-form button[type=submit]").click()
            endpoint = Endpoint.objects.get(description=f"Intranet {language} {size}")
            expect(page.locator("#webhook-secret")).to_have_text(endpoint.secret)
            receiver.secret = endpoint.secret

            page.locator(".webhook-actions form[action$='/ping/'] button").click()
            expect(page.locator(".webhook-log tbody tr")).to_have_count(1)
            endpoint_url = page.url
            # The page's polls (the bell) stop while the test writes: SQLite has one writer.
            page.goto("about:blank")
            conversation_actions.do_start_topic(
                alice,
                general,
                kind=Kind.QUESTION,
                title=f"Question {language} {size}",
                body="Which lock?",
            )
            page.goto(endpoint_url)
            rows = page.locator(".webhook-log tbody tr")
            expect(rows).to_have_count(2)
            expect(rows.first).to_contain_text("topic.created")
            expect(rows.first).to_contain_text("200")
            expect(rows.nth(1)).to_contain_text("webhook.ping")
            assert_accessible(page)
            page.screenshot(
                path=str(SHOTS / f"webhooks-endpoint-{language}-{size}.png"), full_page=True
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            endpoint.delete()
            page.context.close()
        assert receiver.refused == []
        assert receiver.types.count("topic.created") == 2

    # Staff reach the instance-wide endpoints from the staff tools page.
    operator = staff_person()
    hook = Endpoint.objects.create(owner=operator, url="https://93.184.215.14/all")
    hook.type_names = ["member.joined"]
    hook.save()
    for viewport, size in VIEWPORTS:
        page = new_page(browser, browser_errors, locale="fr-FR", viewport=viewport)
        log_in(page, live_server.url, operator.email)
        page.goto(f"{live_server.url}/staff/")
        page.locator("a[href='/staff/webhooks/']").click()
        expect(page.locator(".webhook-card")).to_contain_text("Nouveau membre")
        assert_accessible(page)
        page.screenshot(path=str(SHOTS / f"webhooks-staff-fr-{size}.png"), full_page=True)
        page.context.close()
    assert browser_errors.messages == []
