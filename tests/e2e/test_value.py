"""Value creation in Chromium: a member tells a story naming a topic, a coordinator
names a sponsor, the sponsor reads (and prints) the summary; axe-core on every page,
on a desktop and on a phone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.analytics.models import CommunityDay, QuestionLife
from cercle.communities.models import Community, Role
from cercle.conversations import actions as talk
from cercle.conversations.models import Topic
from cercle.value import actions
from cercle.value.models import Cycle, Sponsor, ValueStory
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in, log_out

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def cargo(cargo: Community) -> Community:
    """The usual community (tests/conftest.py), and Sam, in none of it: a sponsor to be."""
    make_person("sam@example.org", "Sam Sponsor")
    return cargo


@pytest.fixture
def topic(cargo: Community) -> Topic:
    bob = User.objects.get(email="bob@example.org")
    return talk.do_start_topic(
        bob,
        cargo.spaces.get(is_default=True),
        kind="question",
        title="Quelle trame pour un atelier réparation ?",
        body="Des idées pour une première séance ?",
    )


def counted(where: Community) -> None:
    """What the counting job would have written for yesterday (UTC)."""
    yesterday = timezone.now().astimezone(dt.UTC).date() - dt.timedelta(days=1)
    CommunityDay.objects.create(community=where, day=yesterday, active_30=3, knowledge=2)
    asked = timezone.now() - dt.timedelta(days=10)
    QuestionLife.objects.create(
        community=where, topic_id=1, asked_at=asked, first_answer_at=asked + dt.timedelta(hours=2)
    )


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


def test_a_member_tells_a_story_a_coordinator_names_a_sponsor_who_reads_the_summary(
    page: Page, live_server: Any, cargo: Community, topic: Topic
) -> None:
    base = live_server.url
    counted(cargo)
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/c/cargo/value/")
    expect(page.locator("h1")).to_have_text("Value-creation stories")
    assert_accessible(page)
    page.get_by_role("link", name="Tell a story").click()
    expect(page.locator("h1")).to_have_text("Tell a value-creation story")
    assert_accessible(page)
    page.get_by_label("Title").fill("Notre premier atelier réparation")
    page.get_by_label("Applied value").check()
    page.get_by_label("What happened").fill(
        "Avec la trame proposée ici, nous avons tenu **deux ateliers** ce mois-ci."
    )
    # A mistyped address first: the form says which one, and nothing is written.
    links = page.get_by_label("Contributions involved")
    links.fill(f"{base}/c/cargo/s/general/t/999999/")
    page.get_by_role("button", name="Record the story").click()
    expect(page.locator("#id_links_errors")).to_contain_text("/t/999999/")
    assert_accessible(page)
    assert not ValueStory.objects.exists()
    # The address copied from the browser's address bar.
    page.get_by_label("Contributions involved").fill(f"{base}{topic.get_absolute_url()}")
    page.get_by_role("button", name="Record the story").click()
    expect(page.locator("h1")).to_have_text("Notre premier atelier réparation")
    expect(page.get_by_role("link", name=topic.title)).to_be_visible()
    expect(page.locator(".prose strong")).to_have_text("deux ateliers")
    assert_accessible(page)
    story = ValueStory.objects.get()
    assert (story.cycle, story.contributions.get().topic_id) == (Cycle.APPLIED, topic.pk)

    log_out(page)
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/cargo/value/")
    page.get_by_role("link", name="Sponsors", exact=True).click()
    expect(page.locator("h1")).to_have_text("Sponsors")
    assert_accessible(page)
    page.get_by_label("Email address of the person").fill("sam@example.org")
    page.get_by_role("button", name="Name this person sponsor").click()
    expect(page.locator("table")).to_contain_text("Sam Sponsor")
    assert_accessible(page)
    assert Sponsor.objects.get().person.email == "sam@example.org"

    log_out(page)
    log_in(page, base, "sam@example.org")
    page.goto(f"{base}/c/cargo/value/summary/")
    expect(page.locator("h1")).to_have_text("Value summary")
    applied = page.locator("section[aria-labelledby=cycle-applied]")
    expect(applied).to_contain_text("Notre premier atelier réparation")
    expect(applied).to_contain_text("Told by Alice Martin")
    expect(page.locator(".value-figures")).to_contain_text("100%")
    assert_accessible(page)
    # On paper: the summary alone, without the site's header and footer.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    page.emulate_media(media="screen")
    # The sponsor reads the story, not the conversations behind it... except here, in a
    # public community, where the topic's space is open to all.
    page.get_by_role("link", name="Notre premier atelier réparation").click()
    expect(page.get_by_role("link", name=topic.title)).to_be_visible()
    expect(page.get_by_role("link", name="Edit the story")).to_have_count(0)
    assert_accessible(page)


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_value_page_is_accessible(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    cargo: Community,
    topic: Topic,
    viewport: dict[str, int] | None,
) -> None:
    counted(cargo)
    claire = cargo.memberships.get(role=Role.COORDINATOR).person
    alice = User.objects.get(email="alice@example.org")
    for number, cycle in enumerate(Cycle.values):
        story = actions.do_record_story(
            alice,
            cargo,
            cycle=cycle,
            title=f"Un récit de valeur au titre un peu long, numéro {number}",
            text="Ce qui s'est passé, avec une adresse très longue : "
            "https://example.org/un/chemin/vraiment/tres/long/qui/ne/doit/pas/deborder/",
            contributions=[topic],
        )
    actions.do_name_sponsor(claire, cargo, email="sam@example.org")
    options: dict[str, Any] = {"viewport": viewport} if viewport else {}
    page = new_page(browser, browser_errors, **options)
    log_in(page, live_server.url, claire.email)
    for path in (
        "/c/cargo/value/",
        "/c/cargo/value/?cycle=applied",
        "/c/cargo/value/new/",
        story.get_absolute_url(),
        f"/c/cargo/value/{story.pk}/edit/",
        f"/c/cargo/value/{story.pk}/delete/",
        "/c/cargo/value/sponsors/",
        "/c/cargo/value/summary/",
    ):
        page.goto(live_server.url + path)
        expect(page.locator("main#main h1")).to_be_visible()
        assert_accessible(page)
        no_sideways_scroll(page)
    page.context.close()
    assert browser_errors.messages == []
