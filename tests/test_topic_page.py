"""The topic page (issue 14): the accepted answer once, reactions as one compact control,
one actions menu per post, accept only for those who may, authors as links, the jump to
the first unread post, and the live endpoints (new replies, unread notifications)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind, ReactionKind, Topic
from cercle.notifications.models import Notification
from tests.communities import client_for, community, html
from tests.test_conversations import post_at, post_url, snapshot, start
from tests.test_page_queries import undeclared_writes


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, moderator: User) -> Community:
    return community(coordinator, members=(alice, bob), moderators=(moderator,))


@pytest.fixture
def question(general: Space, alice: User, bob: User, coordinator: User) -> Topic:
    """Alice's question; Bob's answer (accepted) and the coordinator's reply."""
    topic = start(alice, general, "Which tyres for winter?", kind=Kind.QUESTION)
    answer = actions.do_reply(bob, topic, body="Studded tyres, 2.2 inches wide.")
    actions.do_reply(coordinator, topic, body="Lower the pressure a little too.")
    actions.do_accept_answer(alice, topic, answer)
    return Topic.objects.get(pk=topic.pk)


def articles(page: str) -> list[str]:
    """Each post's article, from its opening tag to the next one's."""
    return re.split(r'(?=<article class="post)', page)[1:]


# --- The accepted answer, once --------------------------------------------------------------


def test_the_accepted_answer_shows_once_under_the_question_with_a_link_to_its_place(
    question: Topic, coordinator: User
) -> None:
    page = html(client_for(coordinator), question.get_absolute_url())
    assert page.count("Studded tyres, 2.2 inches wide.") == 1
    # Under the question, before the other replies; its place in the thread points to it.
    assert page.index('id="post-0"') < page.index('id="post-1"') < page.index('id="post-2"')
    assert page.index('id="post-1"') < page.index('id="post-1-in-thread"')
    assert 'href="#post-1-in-thread">See it in the thread</a>' in page
    place = page[page.index('id="post-1-in-thread"') : page.index('id="post-2"')]
    assert 'href="#post-1"' in place
    # One copy, one reactions control: ids on the page are unique.
    assert page.count('id="reactions-1"') == 1
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_a_reaction_to_the_accepted_answer_returns_the_one_control_the_page_has(
    question: Topic, coordinator: User
) -> None:
    url = post_url(question, 1, "post_react", kind="thanks")
    partial = client_for(coordinator).post(url, headers={"hx-request": "true"})
    assert partial.status_code == 200
    text = partial.content.decode()
    assert text.lstrip().startswith('<div class="reactions" id="reactions-1">')
    assert 'aria-pressed="true" title="Thanks"' in text
    page = html(client_for(coordinator), question.get_absolute_url())
    [control] = re.findall(r'<div class="reactions" id="reactions-1">.*?</details>', page, re.S)
    assert '<span class="reaction__count">1</span>' in control


def test_on_a_later_page_the_accepted_answer_shows_in_its_place(
    general: Space, alice: User, bob: User, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 5
    topic = start(alice, general, "Long question", kind=Kind.QUESTION)
    for number in range(7):
        actions.do_reply(bob, topic, body=f"Answer number {number}.")
    actions.do_accept_answer(alice, topic, post_at(topic, 6))
    first = html(client_for(bob), topic.get_absolute_url())
    assert first.count("Answer number 5.") == 1
    assert "?post=6#post-6" in first  # "See it in the thread": on the next page
    second = html(client_for(bob), topic.get_absolute_url() + "?page=2")
    assert second.count("Answer number 5.") == 1
    assert 'id="post-6-in-thread"' not in second


# --- Reactions, icons, menus --------------------------------------------------------------

EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U0001f900-\U0001f9ff\U00002b00-\U00002bff\ufe0f]"
)


def test_the_topic_page_has_no_emoji_and_shows_only_the_reactions_used(
    question: Topic, bob: User, coordinator: User, moderator: User
) -> None:
    opening = post_at(question, 0)
    for kind in ReactionKind.values:
        actions.do_toggle_reaction(bob, opening, kind)
    actions.do_toggle_reaction(coordinator, post_at(question, 1), "helpful")
    for reader in (None, bob, coordinator, moderator):
        page = html(client_for(reader), question.get_absolute_url())
        assert EMOJI.findall(page) == [], reader
    page = html(client_for(moderator), question.get_absolute_url())
    posts = articles(page)
    # The answer has one reaction kind used: one button, then the picker with all five.
    answer = posts[1]
    assert answer.count('class="reaction__count"') == 1
    assert answer.count('class="reaction-picker__choice') == len(ReactionKind.values)
    assert '<svg class="icon icon--lightbulb"' in answer
    # The reply nobody reacted to shows no reaction, only the picker.
    reply = posts[2]
    assert "reaction__count" not in reply
    assert "React — message 2" in reply


def test_each_post_has_its_actions_in_one_menu(question: Topic, moderator: User) -> None:
    page = html(client_for(moderator), question.get_absolute_url())
    for article in articles(page):
        assert article.count('<details class="menu post-menu">') == 1
        assert "More actions" in article
        menu = article[article.index('<details class="menu post-menu">') :]
        for action in ("Quote", "Link to this message", "Edit", "Delete", "Moderate"):
            assert action in menu
    # Nothing of the menu outside it: no loose action links under the posts.
    assert "post__actions" not in page


def test_authors_are_links_to_their_profiles(question: Topic, bob: User) -> None:
    page = html(client_for(None), question.get_absolute_url())
    profile = reverse("profile", kwargs={"handle": bob.handle})
    answer = articles(page)[1]
    assert f'<a class="person" href="{profile}">' in answer
    assert "person-avatar" in answer


# --- Accepting ------------------------------------------------------------------------------


def test_only_the_asker_and_moderators_see_and_may_use_the_accept_control(
    general: Space, alice: User, bob: User, coordinator: User, moderator: User
) -> None:
    topic = start(alice, general, "Chain or belt?", kind=Kind.QUESTION)
    actions.do_reply(bob, topic, body="A belt.")
    actions.do_reply(coordinator, topic, body="A chain.")
    assert "Accept this answer" not in html(client_for(bob), topic.get_absolute_url())
    assert "Accept this answer" not in html(client_for(None), topic.get_absolute_url())
    for person in (alice, moderator):
        page = html(client_for(person), topic.get_absolute_url())
        assert page.count("Accept this answer") == 2
        # Quiet: never the filled primary button.
        assert 'class="button button--small button--quiet">' in page
    before = snapshot()
    refused = client_for(bob).post(post_url(topic, 1, "post_accept"))
    assert refused.status_code == 404
    assert snapshot() == before
    assert Topic.objects.get(pk=topic.pk).accepted_answer is None
    client_for(alice).post(post_url(topic, 1, "post_accept"))
    assert Topic.objects.get(pk=topic.pk).accepted_answer == post_at(topic, 1)


# --- Jump to the first unread post --------------------------------------------------------


def test_a_returning_reader_can_jump_to_the_first_post_they_have_not_read(
    general: Space, alice: User, bob: User, coordinator: User
) -> None:
    topic = start(alice, general)
    actions.do_reply(bob, topic, body="First reply.")
    reader = client_for(coordinator)
    # Never opened: everything is new, there is nowhere in particular to jump to.
    first_visit = html(reader, topic.get_absolute_url())
    assert "Jump to first unread" not in first_visit
    actions.do_reply(alice, topic, body="Second reply.")
    actions.do_reply(bob, topic, body="Third reply.")
    page = html(reader, topic.get_absolute_url())
    assert '<a href="#post-2">' in page
    assert "Jump to first unread" in page
    # Read now: nothing left to jump to.
    assert "Jump to first unread" not in html(reader, topic.get_absolute_url())


def test_the_first_unread_post_on_a_later_page_is_reached_through_a_redirect(
    general: Space, alice: User, bob: User, moderator: User, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 5
    topic = start(alice, general)
    reader = client_for(alice)
    html(reader, topic.get_absolute_url())
    for number in range(8):
        actions.do_reply(bob, topic, body=f"Reply {number}.")
    # Reply 5 (position 5) is hidden: the jump skips it.
    actions.do_hide_post(moderator, post_at(topic, 5), reason="Spam")
    page = html(reader, topic.get_absolute_url() + "?page=1")
    assert "Jump to first unread" in page
    # Page 1 (0 to 4) is read now; the next unread post the reader sees is 6.
    jump = reader.get(topic.get_absolute_url() + "?unread=4")
    assert jump.status_code == 302
    assert jump["Location"] == topic.get_absolute_url() + "?post=6#post-6"


# --- Live: new replies --------------------------------------------------------------------


def since(topic: Topic, position: int, posts: bool = False) -> str:
    url = reverse("topic_new_posts", kwargs={"topic_id": topic.pk, "position": position})
    return url + ("?posts=1" if posts else "")


def test_the_live_endpoint_counts_and_draws_only_posts_the_reader_may_see(
    general: Space, alice: User, bob: User, coordinator: User, moderator: User
) -> None:
    topic = start(alice, general)
    actions.do_reply(bob, topic, body="Seen already.")
    actions.do_reply(bob, topic, body="A new reply.")
    hidden = actions.do_reply(bob, topic, body="An advert.")
    deleted = actions.do_reply(bob, topic, body="Taken back.")
    actions.do_hide_post(moderator, post_at(topic, hidden.position), reason="Spam")
    actions.do_delete_post(bob, post_at(topic, deleted.position))
    member = client_for(alice)
    with undeclared_writes() as writes:
        counted = member.get(since(topic, 1))
    assert writes == []
    assert counted.status_code == 200
    assert counted.json() == {"count": 1}
    drawn = member.get(since(topic, 1, posts=True)).json()
    assert drawn["count"] == 1
    assert drawn["last"] == 2
    assert "A new reply." in drawn["html"]
    assert "An advert." not in drawn["html"]
    assert "Taken back." not in drawn["html"]
    assert 'id="post-2"' in drawn["html"]
    assert "Seen already." not in drawn["html"]
    # The moderator sees the hidden post too, marked; never the deleted one.
    assert client_for(moderator).get(since(topic, 1)).json() == {"count": 2}
    assert client_for(alice).get(since(topic, 4)).json() == {"count": 0}
    # A public community's visitor may follow it too.
    assert client_for(None).get(since(topic, 1)).json() == {"count": 1}


def test_the_live_endpoint_refuses_those_who_may_not_read_the_topic(
    lab: Space, alice: User, bob: User, charlie: User
) -> None:
    secret = start(alice, lab, "Secret plans")
    actions.do_reply(alice, secret, body="Only for the lab.")
    assert client_for(alice).get(since(secret, 0)).json() == {"count": 1}
    for outsider in (bob, charlie, None):
        response = client_for(outsider).get(since(secret, 0, posts=True))
        assert response.status_code == 404
        assert b"Only for the lab" not in response.content
    missing = reverse("topic_new_posts", kwargs={"topic_id": 999999, "position": 0})
    assert client_for(alice).get(missing).status_code == 404
    assert client_for(alice).post(since(secret, 0)).status_code == 405


def test_the_topic_page_carries_the_live_bar_only_on_its_last_page(
    general: Space, alice: User, bob: User, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 5
    settings.CERCLE_LIVE_SECONDS = 7
    topic = start(alice, general)
    for number in range(6):
        actions.do_reply(bob, topic, body=f"Reply {number}.")
    first = html(client_for(bob), topic.get_absolute_url())
    assert "data-live-topic" not in first
    last = html(client_for(bob), topic.get_absolute_url() + "?page=2")
    assert f'data-live-url="/t/{topic.pk}/since/6/"' in last
    assert 'data-live-seconds="7"' in last
    assert 'src="/static/js/live.js"' in last


# --- Live: unread notifications -------------------------------------------------------------


def test_the_notification_count_endpoint_gives_the_unread_number(
    general: Space, alice: User, bob: User, coordinator: User
) -> None:
    url = reverse("notification_count")
    # Her welcome to the community, unread.
    before = Notification.objects.filter(recipient=alice, read_at=None).count()
    assert client_for(alice).get(url).json() == {"unread": before}
    topic = start(alice, general)
    actions.do_reply(bob, topic, body="Hello @alice-martin")
    actions.do_reply(coordinator, topic, body="Welcome.")
    unread = Notification.objects.filter(recipient=alice, read_at=None).count()
    assert unread >= before + 2
    reader = client_for(alice)
    with undeclared_writes() as writes:
        answer = reader.get(url)
    assert writes == []
    assert answer.json() == {"unread": unread}
    assert answer["Cache-Control"].startswith("max-age=0")
    Notification.objects.filter(recipient=alice).update(read_at=post_at(topic, 0).created_at)
    assert json.loads(client_for(alice).get(url).content) == {"unread": 0}
    # Logged out: the page is told to stop asking (htmx's and live.js's 286).
    assert client_for(None).get(url).status_code == 286
