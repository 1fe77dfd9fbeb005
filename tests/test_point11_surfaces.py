"""Unfinished surfaces of issue 14, point 11: empty places say what they are for and
offer the first action; no row is offered a move it cannot make."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.knowledge import actions as knowledge_actions
from tests.communities import client_for, html

pytestmark = pytest.mark.django_db


def _empty_state(page: str) -> str:
    match = re.search(r'<div class="empty-state">(.*?)\n</div>', page, re.S)
    assert match, "no empty state on the page"
    return match.group(1)


@pytest.mark.parametrize(
    ("url_name", "kwargs", "words", "action"),
    [
        ("knowledge:library", {}, "worth reading again", 'href="#new-collection"'),
        ("events:list", {}, "Meetings, workshops", "/events/new/"),
        ("ideas:board", {}, "make the community better", "/ideas/new/"),
        ("activities:list", {"show": "all"}, "Polls, quizzes and challenges bring", "/polls/new/"),
        ("wiki_space", {"space": "general"}, "keep up to date together", "/wiki/new/"),
    ],
)
def test_an_empty_place_says_what_it_is_for_and_offers_the_first_action(
    coordinator: User,
    cargo: Community,
    url_name: str,
    kwargs: dict[str, str],
    words: str,
    action: str,
) -> None:
    query = {k: v for k, v in kwargs.items() if k == "show"}
    path = reverse(
        url_name, kwargs={"slug": "cargo", **{k: v for k, v in kwargs.items() if k != "show"}}
    )
    page = html(client_for(coordinator), path + ("?show=all" if query else ""))
    state = _empty_state(page)
    assert words in state
    assert action in state


def test_a_reader_who_may_not_act_sees_the_purpose_without_the_action(
    bob: User, cargo: Community
) -> None:
    state = _empty_state(html(client_for(bob), reverse("events:list", kwargs={"slug": "cargo"})))
    assert "Meetings, workshops" in state
    assert "/events/new/" not in state


def _move_buttons(page: str, label: str) -> list[str]:
    """The Move up / Move down buttons of the row named `label`, visible ones only."""
    found = re.findall(
        rf'<button type="submit" name="direction" value="(up|down)"[^>]*?( hidden)?>'
        rf"Move (?:up|down)<span class=\"visually-hidden\">: {re.escape(label)}</span>",
        page,
    )
    return [direction for direction, hidden in found if not hidden]


def test_the_first_row_is_not_offered_move_up_nor_the_last_move_down(
    alice: User, general: Space
) -> None:
    for title in "ABC":
        knowledge_actions.do_create_collection(alice, general, title=title)
    page = html(client_for(alice), reverse("knowledge:library", kwargs={"slug": "cargo"}))
    assert _move_buttons(page, "A") == ["down"]
    assert _move_buttons(page, "B") == ["up", "down"]
    assert _move_buttons(page, "C") == ["up"]


def test_a_sub_collection_page_offers_only_the_moves_it_can_make(
    alice: User, general: Space
) -> None:
    parent = knowledge_actions.do_create_collection(alice, general, title="Guides")
    first = knowledge_actions.do_create_collection(alice, general, title="Wheels", parent=parent)
    last = knowledge_actions.do_create_collection(alice, general, title="Brakes", parent=parent)
    client = client_for(alice)
    assert _move_buttons(html(client, first.get_absolute_url()), "Wheels") == ["down"]
    assert _move_buttons(html(client, last.get_absolute_url()), "Brakes") == ["up"]
