"""Personas in Chromium: a coordinator creates a persona and publishes as it; a member
sees the persona, marked as one, reads its story and never the writer's name; axe-core
on every persona page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations.models import Topic
from cercle.personas.models import Persona
from tests.communities import community
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in


@pytest.fixture
def cargo(coordinator: User, bob: User) -> Community:
    return community(coordinator, name="Cargo Riders", members=(bob,))


def test_an_animator_speaks_as_a_persona_and_a_member_sees_the_persona_not_the_writer(
    page: Page,
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    cargo: Community,
) -> None:
    base = live_server.url
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/cargo/personas/")
    expect(page.locator("h1")).to_have_text("Personas")
    assert_accessible(page)
    page.get_by_role("link", name="New persona").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Vélia, la voix de l'atelier")
    page.get_by_label("Story").fill("Vélia **répare** les vélos de l'atelier depuis 1998.")
    page.get_by_label("Who may speak as this persona").fill("@bob-leroy")
    page.get_by_role("button", name="Create the persona").click()
    expect(page.locator("h1")).to_have_text("Vélia, la voix de l'atelier")
    assert_accessible(page)
    persona = Persona.objects.get()

    page.goto(f"{base}/c/cargo/s/general/new/")
    page.get_by_label("Post as").select_option(label="Vélia, la voix de l'atelier")
    page.get_by_label("Title").fill("Atelier ouvert samedi")
    page.get_by_label("Message").fill("Venez avec vos vélos : on regarde les freins ensemble.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1")).to_have_text("Atelier ouvert samedi")
    assert Topic.objects.get().persona == persona
    page.goto(f"{base}/c/cargo/personas/audit/")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("Claire Coord")
    assert_accessible(page)

    member = new_page(browser, browser_errors)
    log_in(member, base, "bob@example.org")
    member.goto(f"{base}/c/cargo/s/general/")
    row = member.locator(".topic-row", has_text="Atelier ouvert samedi")
    expect(row).to_contain_text("by Vélia, la voix de l'atelier")
    expect(row).to_contain_text("Persona")
    expect(row).not_to_contain_text("Claire")
    row.get_by_role("link", name="Atelier ouvert samedi").click()
    opening = member.locator("#post-0")
    expect(opening.locator(".post__meta")).to_contain_text("Vélia, la voix de l'atelier")
    expect(opening.locator(".badge--persona")).to_have_text("Persona")
    expect(member.locator("main")).not_to_contain_text("Claire Coord")
    assert_accessible(member)
    opening.get_by_role("link", name="Vélia, la voix de l'atelier Persona").click()
    expect(member.locator("h1")).to_have_text("Vélia, la voix de l'atelier")
    expect(member.locator("main")).to_contain_text(
        "This is a persona, written by the community's animators."
    )
    expect(member.locator(".prose strong")).to_have_text("répare")
    expect(member.locator("main")).not_to_contain_text("Claire Coord")
    assert_accessible(member)
    # Bob, chosen as a speaker, may answer as Vélia too.
    member.goto(f"{base}/c/cargo/s/general/")
    member.get_by_role("link", name="Atelier ouvert samedi").click()
    member.get_by_label("Post as").select_option(label="Vélia, la voix de l'atelier")
    member.get_by_label("Your reply").fill("Et le café est offert !")
    member.get_by_role("button", name="Post my reply").click()
    expect(member.locator("#post-1 .badge--persona")).to_have_text("Persona")
    member.goto(f"{base}/c/cargo/personas/")
    assert_accessible(member)
    member.context.close()
