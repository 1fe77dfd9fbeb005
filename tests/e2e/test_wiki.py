"""The wiki in Chromium: two people edit one article at once and combine their
changes on the merge screen; axe-core on every wiki page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.membership import actions as community_actions
from cercle.wiki import actions
from cercle.wiki.models import Article
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in


@pytest.fixture
def article(db: None) -> Article:
    claire = make_person("claire@example.org", "Claire Coord")
    cargo: Community = community(claire, slug="cargo", name="Cargo Riders")
    for email, name in [("alice@example.org", "Alice Martin"), ("bob@example.org", "Bob Leroy")]:
        community_actions.do_join(make_person(email, name), cargo)
    general: Space = cargo.spaces.get(is_default=True)
    alice = User.objects.get(email="alice@example.org")
    return actions.do_create_article(
        alice,
        general,
        title="Tyre pressure",
        body="## Front\n\nKeep 3 bar.\n\n## Rear\n\nKeep 4 bar.\n\nSee [[Brake pads]].",
    )


def test_two_people_edit_at_once_and_the_second_combines_both_changes(
    browser: Browser,
    page: Page,
    browser_errors: BrowserErrors,
    live_server: Any,
    article: Article,
) -> None:
    base = live_server.url
    edit_url = f"{base}{article.get_absolute_url()}edit/"
    log_in(page, base, "alice@example.org")
    bob_page = new_page(browser, browser_errors)
    try:
        log_in(bob_page, base, "bob@example.org")
        # Both open the form on version 1.
        page.goto(edit_url)
        bob_page.goto(edit_url)
        body = page.locator("#id_body")
        body.fill(body.input_value().replace("Keep 3 bar.", "Keep 3.5 bar."))
        page.locator("form.form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text("Tyre pressure")
        expect(page.locator(".wiki-body")).to_contain_text("Keep 3.5 bar.")

        bob_body = bob_page.locator("#id_body")
        bob_body.fill(bob_body.input_value().replace("Keep 4 bar.", "Keep 4.5 bar."))
        bob_page.locator("#id_note").fill("Rear tyre")
        bob_page.locator("form.form button[type=submit]").click()
        expect(bob_page.locator("h1")).to_have_text("Combine the changes")
        expect(bob_page.locator(".wiki-merge")).to_contain_text("Keep 3.5 bar.")
        expect(bob_page.locator(".wiki-merge")).to_contain_text("Keep 4.5 bar.")
        expect(bob_page.locator(".wiki-diff ins", has_text="Keep 4.5 bar.")).to_have_count(1)
        assert_accessible(bob_page)
        merged = bob_page.locator("#id_body")
        merged.fill(merged.input_value().replace("Keep 3 bar.", "Keep 3.5 bar."))
        bob_page.locator("form.form button[type=submit]").click()
        expect(bob_page.locator(".wiki-body")).to_contain_text("Keep 3.5 bar.")
        expect(bob_page.locator(".wiki-body")).to_contain_text("Keep 4.5 bar.")
    finally:
        bob_page.context.close()

    stored = Article.objects.get(pk=article.pk)
    assert stored.revision_number == 3
    assert "Keep 3.5 bar." in stored.body
    assert "Keep 4.5 bar." in stored.body
    page.goto(f"{base}{article.get_absolute_url()}history/")
    history = page.locator(".wiki-history")
    for number in ("Version 3", "Version 2", "Version 1"):
        expect(history).to_contain_text(number)
    expect(history).to_contain_text("Alice Martin")
    expect(history).to_contain_text("Bob Leroy")


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_wiki_pages_pass_axe(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    article: Article,
    locale: str,
) -> None:
    alice = User.objects.get(email="alice@example.org")
    if locale == "fr-FR":
        alice.language = "fr"
        alice.save()
    actions.do_edit_article(
        alice, article, title=article.title, body=article.body + "\n\nMore.", base_number=1
    )
    base = live_server.url
    page = new_page(browser, browser_errors, locale=locale)
    try:
        log_in(page, base, "alice@example.org")
        address = f"{base}{article.get_absolute_url()}"
        for path in ["", "edit/", "history/", "diff/?from=1&to=2", "v/1/"]:
            page.goto(address + path)
            assert_accessible(page)
        space = article.space
        page.goto(f"{base}/c/cargo/s/{space.slug}/wiki/")
        assert_accessible(page)
    finally:
        page.context.close()
    assert browser_errors.messages == []
