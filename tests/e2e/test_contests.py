"""Contests in Chromium: a member submits an entry with an image, another member votes
without JavaScript tricks (a plain form), a juror scores; axe-core on every contest page."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Community, Membership
from cercle.contests import actions
from cercle.contests.actions import ContestPlan, CriterionSpec
from cercle.contests.models import Contest, Entry, Mode, Vote
from tests.communities import community, join
from tests.conftest import make_person
from tests.e2e.conftest import assert_accessible
from tests.e2e.journeys import log_in


@dataclass
class Arena:
    cargo: Community
    claire: User
    alice: User
    bob: User
    dora: User
    open_contest: Contest  # taking entries now
    voting: Contest  # community vote open now
    jury: Contest  # jury at work now
    done: Contest  # results announced


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _plan(start: Any, **values: Any) -> ContestPlan:
    return ContestPlan(
        submissions_open_at=start,
        submissions_close_at=start + timedelta(days=2),
        voting_open_at=start + timedelta(days=2),
        voting_close_at=start + timedelta(days=4),
        **values,
    )


@pytest.fixture
def arena(db: None) -> Arena:
    """Built through the actions at moments in the past (`now=`), so that some contests
    are now in their voting period; everyone joined long before."""
    now = timezone.now()
    claire = make_person("claire@example.org", "Claire Coord")
    cargo = community(claire, slug="cargo", name="Cargo Riders", time_zone="Europe/Paris")
    alice = make_person("alice@example.org", "Alice Martin")
    bob = make_person("bob@example.org", "Bob Leroy")
    dora = make_person("dora@example.org", "Dora Velo")
    for person in (alice, bob, dora):
        join(person, cargo)
    Membership.objects.filter(community=cargo).update(joined_at=now - timedelta(days=30))
    general = cargo.spaces.get(is_default=True)

    def contest(title: str, start: Any, **values: Any) -> Contest:
        return actions.do_create_contest(
            claire,
            general,
            title=title,
            brief="Show us your **best** cargo bike hack.",
            rules="One entry per member.",
            plan=_plan(start, **values),
            now=start,
        )

    open_contest = contest("Spring hack contest", now - timedelta(hours=1))
    voting = contest("Winter hack contest", now - timedelta(days=3))
    jury = contest(
        "Photo prize",
        now - timedelta(days=3),
        mode=Mode.JURY,
        juror_handles=[bob.handle],
        criteria=[CriterionSpec("Light", "How the photo uses light", 10)],
    )
    done = contest("Autumn hack contest", now - timedelta(days=10))
    for item in (voting, jury, done):
        for person in (alice, dora):
            actions.do_submit_entry(
                person,
                item,
                title=f"{person.display_name}'s hack",
                text="A *clever* trick.",
                now=item.submissions_open_at + timedelta(hours=1),
            )
    done_entries = list(done.entries.all())
    actions.do_vote(bob, done_entries[0], now=done.voting_open_at + timedelta(hours=1))
    actions.do_announce_results(claire, done, now=done.voting_close_at + timedelta(hours=1))
    return Arena(cargo, claire, alice, bob, dora, open_contest, voting, jury, done)


def named(action: str, title: str) -> re.Pattern[str]:
    """A control named by its visible action and a visually hidden title (Chromium may
    put a space before the hidden part)."""
    return re.compile(rf"^{re.escape(action)}\s?: {re.escape(title)}$")


def png_file(tmp_path: Path) -> Path:
    path = tmp_path / "hack.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 93, 107)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def test_a_member_enters_a_contest_and_another_votes(
    page: Page, live_server: Any, arena: Arena, tmp_path: Path
) -> None:
    base = live_server.url
    log_in(page, base, "alice@example.org")
    page.goto(f"{base}/c/cargo/")
    assert_accessible(page)
    page.get_by_role("link", name="Spring hack contest").click()
    expect(page.locator("h1")).to_have_text("Spring hack contest")
    assert_accessible(page)
    page.get_by_role("link", name="Enter the contest").click()
    assert_accessible(page)
    page.get_by_label("Title").fill("Rain cover from an old tent")
    page.get_by_label("Text").fill("Cut, sewn and *waterproof*.")
    page.get_by_label("Images or files").set_input_files(str(png_file(tmp_path)))
    page.get_by_role("button", name="Submit your entry").click()
    expect(page.locator("h1")).to_have_text("Rain cover from an old tent")
    expect(page.get_by_role("img", name="Image of the entry: hack.png")).to_be_visible()
    assert_accessible(page)
    entry = Entry.objects.get(title="Rain cover from an old tent")
    page.get_by_role("link", name="Edit your entry").click()
    assert_accessible(page)
    page.goto(f"{base}{entry.get_absolute_url()}withdraw/")
    assert_accessible(page)
    page.goto(f"{base}/c/cargo/contests/")
    assert_accessible(page)

    # Bob votes in the contest whose voting is open.
    page.context.clear_cookies()
    log_in(page, base, "bob@example.org")
    page.goto(f"{base}{arena.voting.get_absolute_url()}")
    expect(page.locator("#allowance")).to_have_text("You have 3 votes left out of 3.")
    assert_accessible(page)
    page.get_by_role("button", name=named("Vote", "Alice Martin's hack")).click()
    expect(page.locator("#allowance")).to_have_text("You have 2 votes left out of 3.")
    expect(
        page.get_by_role("button", name=named("Withdraw my vote", "Alice Martin's hack"))
    ).to_be_visible()
    assert_accessible(page)
    voted = Entry.objects.get(contest=arena.voting, author=arena.alice)
    assert Vote.objects.filter(entry=voted, voter=arena.bob).count() == 1
    page.goto(f"{base}{voted.get_absolute_url()}")
    assert_accessible(page)

    # Bob is a juror of the photo prize.
    page.goto(f"{base}{arena.jury.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("link", name=named("Score", "Dora Velo's hack")).click()
    assert_accessible(page)
    page.get_by_label("Light (0 to 10)").fill("8")
    page.get_by_role("button", name="Save my scores").click()
    expect(page.get_by_text("Your scores for “Dora Velo's hack” are saved.")).to_be_visible()

    page.goto(f"{base}{arena.done.get_absolute_url()}results/")
    expect(page.locator("h1")).to_have_text("Results of “Autumn hack contest”")
    assert_accessible(page)


def test_the_animator_pages_are_accessible(page: Page, live_server: Any, arena: Arena) -> None:
    base = live_server.url
    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/cargo/contests/new/?publish_at=2031-05-04T09:00")
    assert_accessible(page)
    page.get_by_label("Title").fill("Summer photo contest")
    page.get_by_label("Brief").fill("Your best summer photo.")
    page.get_by_label("Rules").fill("One photo per member.")
    page.get_by_role("button", name="Save the contest").click()
    expect(page.locator("h1")).to_have_text("Summer photo contest")
    expect(page.get_by_text("Scheduled")).to_be_visible()
    assert_accessible(page)
    planned = Contest.objects.get(title="Summer photo contest")
    assert not planned.is_published
    page.goto(f"{base}{planned.get_absolute_url()}edit/")
    assert_accessible(page)
    page.goto(f"{base}{arena.voting.get_absolute_url()}edit/")
    assert_accessible(page)
    page.goto(f"{base}{planned.get_absolute_url()}delete/")
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{base}{arena.voting.get_absolute_url()}")
    assert_accessible(page)
