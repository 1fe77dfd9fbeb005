"""The queue of next actions in Chromium, on a desktop and on a phone: a coordinator
asks an expert to answer a question nobody answered, dismisses a silent space with a
note, and sees the decision in the history; axe-core finds no violation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.analytics.models import MemberDay, MemberLevel, SpaceDay
from cercle.communities.models import Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind as TopicKind
from cercle.conversations.models import Topic
from cercle.membership import actions as community_actions
from cercle.nextactions.models import Decision, Outcome
from cercle.notifications.models import Kind as NotificationKind
from cercle.notifications.models import Notification
from cercle.people import actions as people_actions
from cercle.people.models import Level
from tests.communities import community, join
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in

PHONE = {"width": 375, "height": 740}


@dataclass
class Queue:
    claire: User
    bob: User
    question: Topic
    workshop: Space


@pytest.fixture
def queue(db: None) -> Queue:
    """Cargo Riders, three months old: Claire coordinates; Bob declared he masters
    brakes; Alice asked about brakes three days ago and nobody answered; the Workshop
    space last spoke 40 days ago."""
    claire = make_person("claire@example.org", "Claire Coord")
    alice = make_person("alice@example.org", "Alice Martin")
    bob = make_person("bob@example.org", "Bob Leroy")
    with time_machine.travel(timezone.now() - timedelta(days=90)):
        cargo = community(claire, slug="cargo", name="Cargo Riders")
        join(alice, cargo)
        join(bob, cargo)
        workshop = community_actions.do_create_space(claire, cargo, name="Workshop")
    brakes = conversation_actions.do_create_tag(claire, cargo, name="Brakes")
    people_actions.do_declare_expertise(bob, brakes, Level.EXPERT)
    general = cargo.spaces.get(is_default=True)
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        question = conversation_actions.do_start_topic(
            alice,
            general,
            kind=TopicKind.QUESTION,
            title="Why do my disc brakes squeal?",
            body="Only in the rain.",
            tags=[brakes],
        )
    # A newcomer, a member drifting away and a flag: every kind of item is on the page.
    eve = make_person("eve@example.org", "Eve Newcomer")
    join(eve, cargo)
    dora = make_person("dora@example.org", "Dora Drifting")
    with time_machine.travel(timezone.now() - timedelta(days=90)):
        join(dora, cargo)
    today = timezone.now().date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    MemberLevel.objects.create(community=cargo, person=dora, month=last_month, level="core")
    MemberDay.objects.create(community=cargo, person=dora, day=today - timedelta(days=45), events=4)
    chat = conversation_actions.do_start_topic(
        alice, general, kind=TopicKind.DISCUSSION, title="Spring ride", body="Who comes?"
    )
    conversation_actions.do_flag(bob, chat.posts.get(), reason="off_topic")
    for space in (general, workshop):
        days_ago = 2 if space == general else 40
        SpaceDay.objects.create(
            space=space, community=cargo, day=today - timedelta(days=days_ago), topics=1, events=1
        )
    return Queue(claire=claire, bob=bob, question=question, workshop=workshop)


def no_sideways_scrolling(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the screen"


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_coordinator_asks_an_expert_and_dismisses_a_silent_space(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    immediate_tasks: None,
    queue: Queue,
    viewport: dict[str, int] | None,
) -> None:
    base = live_server.url
    page = new_page(browser, browser_errors, **({"viewport": viewport} if viewport else {}))
    log_in(page, base, queue.claire.email)
    page.goto(base + "/c/cargo/cockpit/next/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Next actions")
    questions = page.get_by_role("region", name="Unanswered questions")
    expect(questions).to_contain_text("Why do my disc brakes squeal?")
    expect(questions.get_by_role("checkbox", name="Bob Leroy")).to_be_checked()
    expect(page.get_by_role("region", name="Newcomers not yet welcomed")).to_contain_text(
        "Eve Newcomer"
    )
    expect(page.get_by_role("region", name="Members drifting away")).to_contain_text(
        "Dora Drifting"
    )
    expect(page.get_by_role("region", name="Flags waiting")).to_contain_text("1 flag waiting")
    assert_accessible(page)
    no_sideways_scrolling(page)

    questions.get_by_role(
        "button", name="Ask them to answer “Why do my disc brakes squeal?”"
    ).click()
    expect(page.locator(".messages")).to_contain_text(
        "1 expert is asked to answer “Why do my disc brakes squeal?”."
    )
    expect(page.get_by_role("region", name="Unanswered questions")).to_contain_text(
        "Nothing waiting."
    )
    told = Notification.objects.get(kind=NotificationKind.ASKED_TO_ANSWER)
    assert (told.recipient, told.actor) == (queue.bob, queue.claire)
    assert_accessible(page)

    silent = page.get_by_role("region", name="Silent spaces")
    item = silent.locator(f"#item-silent_space-{queue.workshop.pk}")
    expect(item).to_contain_text("Workshop")
    item.get_by_text("Add a note").click()
    item.get_by_label("Note (optional)").fill("Merging it into General next week")
    item.get_by_role("button", name="Dismiss “Workshop”").click()
    expect(page.locator(".messages")).to_contain_text("Dismissed: it left the queue.")
    expect(page.locator(f"#item-silent_space-{queue.workshop.pk}")).to_have_count(0)
    history = page.get_by_role("region", name="Recent decisions")
    expect(history).to_contain_text("Silent space: “Workshop”")
    expect(history).to_contain_text("Dismissed by Claire Coord")
    expect(history).to_contain_text("Merging it into General next week")
    expect(history).to_contain_text("Unanswered question: “Why do my disc brakes squeal?”")
    assert_accessible(page)
    no_sideways_scrolling(page)
    assert list(Decision.objects.order_by("pk").values_list("outcome", "note")) == [
        (Outcome.DONE, ""),
        (Outcome.DISMISSED, "Merging it into General next week"),
    ]
    page.context.close()
    assert browser_errors.messages == []
