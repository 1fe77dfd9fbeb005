"""Conversations: what the actions change, record and refuse; what each person sees.

Content is built through `cercle.conversations.actions`, as in real use; pages are
checked over HTTP, search through `cercle.search.query.search`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.communities.models import (
    Audience,
    Community,
    Membership,
    Space,
    Visibility,
)
from cercle.conversations import actions
from cercle.conversations.models import (
    Attachment,
    Flag,
    Kind,
    Mention,
    ModerationEntry,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    SpaceVisit,
    Tag,
    Topic,
)
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.permissions import Actor
from cercle.search.models import SearchDocument
from cercle.search.query import search
from tests.communities import (
    NAVIGATION_QUERIES,
    client_for,
    community,
    html,
    internal_domain,
    join,
    staff_person,
)
from tests.concurrency import retrying, run_together
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


# --- People, places and builders ------------------------------------------------------------


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, moderator: User) -> Community:
    """A public, open community: Claire coordinates, Mona moderates, Alice and Bob take part."""
    return community(coordinator, members=(alice, bob), moderators=(moderator,))


def topic_row(page: str, title: str) -> str:
    """The row of the space list that shows the topic called `title`."""
    [row] = [row for row in page.split('<li class="topic-row')[1:] if f">{title}</a>" in row]
    return row


def start(
    author: User,
    space: Space,
    title: str = "Which cargo bike for three children?",
    body: str = "We need one for the school run.",
    kind: str = Kind.DISCUSSION,
    **values: Any,
) -> Topic:
    return actions.do_start_topic(author, space, kind=kind, title=title, body=body, **values)


def post_at(topic: Topic, position: int) -> Post:
    return Post.objects.select_related("topic__space__community").get(
        topic=topic, position=position
    )


def post_url(topic: Topic, position: int, name: str, **extra: Any) -> str:
    return reverse(
        name,
        kwargs={
            "slug": topic.community.slug,
            "space": topic.space.slug,
            "topic_id": topic.pk,
            "position": position,
            **extra,
        },
    )


def topic_url(topic: Topic, name: str) -> str:
    return reverse(
        name,
        kwargs={"slug": topic.community.slug, "space": topic.space.slug, "topic_id": topic.pk},
    )


def found(actor: Actor, text: str) -> list[str]:
    """The addresses of the search hits for `text` that `actor` may see."""
    hits, total = search(actor, text)
    assert total == len(hits)
    return [hit.url for hit in hits]


def snapshot() -> dict[str, int]:
    """Row counts of everything a conversation action may write."""
    models: list[Any] = [
        Topic, Post, PostRevision, Reaction, Mention, Attachment, Flag, ModerationEntry,
        ActivityEvent, SearchDocument, Tag, ReadState,
    ]  # fmt: skip
    return {model.__name__: model.objects.count() for model in models}


def events(verb_prefix: str = "") -> list[tuple[str, int | None]]:
    return list(
        ActivityEvent.objects.filter(verb__startswith=verb_prefix)
        .order_by("pk")
        .values_list("verb", "level")
    )


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 93, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf(text: str) -> bytes:
    """A minimal valid one-page PDF that shows `text` in Helvetica (offsets computed)."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- Starting topics --------------------------------------------------------------------------


def test_members_start_discussions_and_questions_and_only_coordinators_announce(
    general: Space, alice: User, coordinator: User
) -> None:
    discussion = start(alice, general, body="**Long** tail or *box* bike?")
    question = start(alice, general, "How do I fit a rain cover?", kind=Kind.QUESTION)
    assert [discussion.kind, question.kind] == [Kind.DISCUSSION, Kind.QUESTION]
    opening = post_at(discussion, 0)
    assert (opening.author, opening.revision_count) == (alice, 1)
    assert opening.body_html == "<p><strong>Long</strong> tail or <em>box</em> bike?</p>\n"
    assert list(opening.revisions.values_list("number", "title")) == [
        (1, "Which cargo bike for three children?")
    ]

    before = snapshot()
    with pytest.raises(ActionRefused, match="may not do this"):
        start(alice, general, "Road closed on Friday", kind=Kind.ANNOUNCEMENT)
    assert snapshot() == before
    announcement = start(coordinator, general, "Road closed on Friday", kind=Kind.ANNOUNCEMENT)
    assert announcement.kind == Kind.ANNOUNCEMENT

    # The form offers members no announcement, and refuses one sent anyway.
    new = reverse("topic_new", args=[general.community.slug, general.slug])
    member = client_for(alice)
    assert 'value="announcement"' not in html(member, new)
    assert 'value="announcement"' in html(client_for(coordinator), new)
    before = snapshot()
    page = member.post(new, {"kind": "announcement", "title": "Party!", "body": "Come."})
    assert page.status_code == 200
    assert "Select a valid choice" in page.content.decode()
    assert snapshot() == before

    response = member.post(new, {"kind": "question", "title": "Brakes squeak", "body": "Why?"})
    created = Topic.objects.get(title="Brakes squeak")
    assert response["Location"] == created.get_absolute_url()
    assert events("topic.") == [
        ("topic.started.discussion", EngagementLevel.CREATE),
        ("topic.started.question", EngagementLevel.CREATE),
        ("topic.started.announcement", EngagementLevel.CREATE),
        ("topic.started.question", EngagementLevel.CREATE),
    ]


def test_replies_take_the_next_positions_and_update_the_topic(
    general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    replies = [actions.do_reply(bob, topic, body=f"Reply number {n}") for n in range(1, 4)]
    assert [reply.position for reply in replies] == [1, 2, 3]
    topic.refresh_from_db()
    assert (topic.reply_count, topic.last_position, topic.last_poster) == (3, 3, bob)

    response = client_for(alice).post(topic_url(topic, "topic_reply"), {"body": "Thanks, Bob!"})
    assert response.status_code == 302
    assert response["Location"].endswith("?post=4#post-4")
    page = html(client_for(bob), topic.get_absolute_url())
    assert "Thanks, Bob!" in page
    assert "4 replies" in page

    question = start(alice, general, "Tyre pressure?", kind=Kind.QUESTION)
    actions.do_reply(bob, question, body="Two bars.")
    assert events("reply.") + events("answer.") == [
        *[("reply.posted", EngagementLevel.REACT)] * 4,
        ("answer.posted", EngagementLevel.REACT),
    ]


def test_quoting_prefills_the_reply_and_only_posts_of_the_same_topic_are_quoted(
    general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    quoted = actions.do_reply(bob, topic, body="A long tail carries two children.")
    page = html(client_for(alice), topic.get_absolute_url() + "?quote=1")
    assert "&gt; **Bob Leroy**:\n&gt; A long tail carries two children." in page
    assert f'name="reply_to" value="{quoted.pk}"' in page

    client_for(alice).post(
        topic_url(topic, "topic_reply"), {"body": "Three?", "reply_to": str(quoted.pk)}
    )
    answer = post_at(topic, 2)
    assert answer.reply_to == quoted
    assert "In reply to" in html(client_for(bob), topic.get_absolute_url())

    other = start(bob, general, "Another topic")
    before = snapshot()
    with pytest.raises(ActionRefused, match="same topic"):
        actions.do_reply(alice, other, body="Quoting elsewhere", reply_to=quoted)
    assert snapshot() == before


def test_editing_keeps_every_revision_and_readers_open_the_history(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    topic = start(alice, general, body="First words.")
    actions.do_edit_post(alice, post_at(topic, 0), body="Second words.", title="A better title")
    actions.do_edit_post(moderator, post_at(topic, 0), body="Third words.")
    opening = post_at(topic, 0)
    assert (opening.body, opening.revision_count, opening.topic.title) == (
        "Third words.",
        3,
        "A better title",
    )
    assert opening.edited_at is not None
    assert list(opening.revisions.values_list("number", "body", "editor")) == [
        (3, "Third words.", moderator.pk),
        (2, "Second words.", alice.pk),
        (1, "First words.", alice.pk),
    ]

    with pytest.raises(ActionRefused):
        actions.do_edit_post(bob, opening, body="Vandalism")
    assert client_for(bob).get(post_url(topic, 0, "post_edit")).status_code == 404

    history_url = post_url(topic, 0, "post_history")
    assert history_url in html(client_for(bob), topic.get_absolute_url())
    for reader in (client_for(bob), Client()):
        page = html(reader, history_url)
        assert page.index("Version 3") < page.index("Version 2") < page.index("Version 1")
        assert "First words." in page
        assert "Second words." in page
        assert "A better title" in page

    response = client_for(alice).post(
        post_url(topic, 0, "post_edit"), {"title": "Final title", "body": "Fourth words."}
    )
    assert response.status_code == 302
    assert post_at(topic, 0).revision_count == 4
    assert "Fourth words." in html(client_for(bob), topic.get_absolute_url())


def test_deleting_leaves_a_tombstone_and_the_words_leave_the_page_and_search(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    topic = start(alice, general)
    actions.do_reply(bob, topic, body="The xylophonist rides a longtail.")
    actions.do_reply(alice, topic, body="Nice.")
    assert len(found(alice, "xylophonist")) == 1

    response = client_for(bob).post(post_url(topic, 1, "post_delete"))
    assert response.status_code == 302
    deleted = post_at(topic, 1)
    assert (deleted.deleted_by, deleted.position) == (bob, 1)
    page = html(client_for(alice), topic.get_absolute_url())
    assert "This message has been deleted." in page
    assert "xylophonist" not in page
    assert "Nice." in page
    assert found(alice, "xylophonist") == []
    assert client_for(alice).get(post_url(topic, 1, "post_history")).status_code == 404
    # The author deleted their own words: no moderator action to log.
    assert not ModerationEntry.objects.exists()

    # A moderator deleting someone else's message is logged.
    actions.do_delete_post(moderator, post_at(topic, 2))
    assert list(ModerationEntry.objects.values_list("action", "post__position")) == [("delete", 2)]
    with pytest.raises(ActionRefused):
        actions.do_edit_post(bob, post_at(topic, 1), body="Back again")


# --- Questions and answers --------------------------------------------------------------------


def test_only_the_asker_or_a_moderator_accepts_an_answer_and_it_shows_at_the_top(
    general: Space, alice: User, bob: User, coordinator: User, moderator: User
) -> None:
    question = start(alice, general, "How tight should the chain be?", kind=Kind.QUESTION)
    actions.do_reply(coordinator, question, body="Check it monthly.")
    actions.do_reply(bob, question, body="One centimetre of play.")
    space_url = general.get_absolute_url()
    assert "Solved" not in html(client_for(alice), space_url)

    before = snapshot()
    with pytest.raises(ActionRefused):
        actions.do_accept_answer(bob, question, post_at(question, 2))
    with pytest.raises(ActionRefused, match="Accept one of the answers"):
        actions.do_accept_answer(alice, question, post_at(question, 0))
    assert snapshot() == before
    refused = client_for(bob).post(post_url(question, 2, "post_accept"))
    # Only the asker and moderators may accept: others are told nothing (issue 14).
    assert refused.status_code == 404
    question.refresh_from_db()
    assert question.accepted_answer is None

    asker = client_for(alice)
    assert "Accept this answer" in html(asker, question.get_absolute_url())
    assert "Accept this answer" not in html(client_for(bob), question.get_absolute_url())
    asker.post(post_url(question, 2, "post_accept"))
    question.refresh_from_db()
    assert question.accepted_answer == post_at(question, 2)
    assert question.solved_at is not None
    page = html(client_for(bob), question.get_absolute_url())
    # Right under the question, before the replies in their order, and only there: its
    # place in the thread points to it.
    assert page.index('id="post-0"') < page.index('id="post-2"') < page.index('id="post-1"')
    accepted = page[page.index('id="post-2"') : page.index('id="post-1"')]
    assert "Accepted answer" in accepted
    assert "One centimetre of play." in accepted
    assert page.count("One centimetre of play.") == 1
    assert 'id="post-2-in-thread"' in page
    assert "Solved" in html(client_for(bob), space_url)
    assert ("answer.accepted", None) in events("answer.")

    # A moderator reopens the question.
    client_for(moderator).post(topic_url(question, "topic_unaccept"))
    question.refresh_from_db()
    assert question.accepted_answer is None
    assert "Solved" not in html(client_for(bob), space_url)
    assert 'class="accepted"' not in html(client_for(bob), question.get_absolute_url())

    discussion = start(alice, general)
    actions.do_reply(bob, discussion, body="Hello")
    with pytest.raises(ActionRefused):
        actions.do_accept_answer(alice, discussion, post_at(discussion, 1))


# --- Reactions --------------------------------------------------------------------------------


def test_reactions_toggle_and_are_unique_per_member_kind_and_post(
    general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    opening = post_at(topic, 0)
    assert actions.do_toggle_reaction(bob, opening, "thanks") is True
    assert actions.do_toggle_reaction(bob, opening, "helpful") is True
    assert sorted(Reaction.objects.filter(post=opening).values_list("kind", flat=True)) == [
        "helpful",
        "thanks",
    ]
    assert actions.do_toggle_reaction(bob, opening, "thanks") is False
    assert list(Reaction.objects.values_list("person", "kind")) == [(bob.pk, "helpful")]
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=opening, person=bob, kind="helpful")
    assert events("reaction.") == [
        ("reaction.thanks", EngagementLevel.REACT),
        ("reaction.helpful", EngagementLevel.REACT),
    ]

    before = snapshot()
    with pytest.raises(ActionRefused):
        actions.do_toggle_reaction(alice, opening, "thanks")
    with pytest.raises(ActionRefused, match="Unknown reaction"):
        actions.do_toggle_reaction(bob, opening, "love")
    assert snapshot() == before
    member = client_for(bob)
    response = member.post(post_url(topic, 0, "post_react", kind="love"))
    assert response.status_code == 302
    assert snapshot() == before
    assert "Unknown reaction." in html(member, response["Location"])


def test_a_reaction_over_htmx_returns_only_the_reactions_and_without_it_redirects(
    general: Space, alice: User, bob: User, coordinator: User
) -> None:
    topic = start(alice, general)
    actions.do_toggle_reaction(coordinator, post_at(topic, 0), "idea")
    url = post_url(topic, 0, "post_react", kind="idea")
    partial = client_for(bob).post(url, headers={"hx-request": "true"})
    assert partial.status_code == 200
    text = partial.content.decode()
    assert "<html" not in text
    assert text.lstrip().startswith('<div class="reactions" id="reactions-0">')
    pressed = (
        '<span class="visually-hidden">Good idea</span> <span class="reaction__count">2</span>'
    )
    button = r'aria-pressed="true" title="Good idea"><svg[^>]*>.*?</svg>'
    assert re.search(button + re.escape(pressed), text)

    plain = client_for(bob).post(url)
    assert plain.status_code == 302
    assert plain["Location"] == post_at(topic, 0).get_absolute_url()
    assert Reaction.objects.filter(kind="idea").count() == 1


# --- Mentions and tags ------------------------------------------------------------------------


def test_mentions_reach_only_members_who_can_read_the_space(
    general: Space, lab: Space, alice: User, bob: User, coordinator: User, charlie: User
) -> None:
    assert (alice.handle, bob.handle, coordinator.handle) == (
        "alice-martin",
        "bob-leroy",
        "claire-coord",
    )
    open_topic = start(
        alice, general, body="Ask @bob-leroy, not @charlie-outsider nor me @alice-martin."
    )
    opening = post_at(open_topic, 0)
    assert list(Mention.objects.filter(post=opening).values_list("person", flat=True)) == [bob.pk]
    assert '<span class="mention" title="Bob Leroy">@bob-leroy</span>' in opening.body_html
    assert 'title="Charlie Outsider"' not in opening.body_html

    # Bob is a member, but not listed in the private space: he is not mentioned there.
    private = start(alice, lab, "Prototype frame", body="@bob-leroy and @claire-coord, look.")
    secret = post_at(private, 0)
    assert list(Mention.objects.filter(post=secret).values_list("person", flat=True)) == [
        coordinator.pk
    ]
    assert 'title="Bob Leroy"' not in secret.body_html
    assert '<span class="mention" title="Claire Coord">@claire-coord</span>' in secret.body_html

    # An edit that drops a mention drops its row.
    actions.do_edit_post(alice, opening, body="Ask anyone.")
    assert not Mention.objects.filter(post=opening).exists()


def test_tags_come_from_the_vocabulary_that_coordinators_curate(
    cargo: Community, general: Space, coordinator: User, alice: User, moderator: User
) -> None:
    tags_url = reverse("community_tags", args=[cargo.slug])
    assert client_for(alice).get(tags_url).status_code == 404
    assert client_for(moderator).get(tags_url).status_code == 404
    boss = client_for(coordinator)
    for name in ["Cargo bikes", "Children", "Repairs", "Rain", "Winter", "Batteries"]:
        assert boss.post(tags_url, {"name": name, "description": ""}).status_code == 302
    assert (
        "The vocabulary already has the tag"
        in boss.post(tags_url, {"name": "Rain", "description": ""}).content.decode()
    )
    assert "#cargo-bikes" in html(boss, tags_url)
    with pytest.raises(ActionRefused):
        actions.do_create_tag(alice, cargo, name="Mine")

    topic = start(alice, general, tags=["cargo-bikes", "children"])
    assert sorted(topic.tags.values_list("slug", flat=True)) == ["cargo-bikes", "children"]
    assert "#children" in html(client_for(alice), general.get_absolute_url())

    elsewhere = community(coordinator, slug="velo")
    foreign = actions.do_create_tag(coordinator, elsewhere, name="Rain")
    six = ["cargo-bikes", "children", "repairs", "rain", "winter", "batteries"]
    before = snapshot()
    with pytest.raises(ActionRefused, match="at most 5"):
        start(alice, general, tags=six)
    with pytest.raises(ActionRefused, match="vocabulary"):
        start(alice, general, tags=["no-such-tag"])
    with pytest.raises(ActionRefused, match="vocabulary"):
        start(alice, general, tags=[foreign])
    assert snapshot() == before
    new = reverse("topic_new", args=[cargo.slug, general.slug])
    page = client_for(alice).post(
        new, {"kind": "discussion", "title": "Foreign tag", "body": "Hi", "tags": [foreign.pk]}
    )
    assert "Select a valid choice" in page.content.decode()
    assert snapshot() == before

    children = Tag.objects.get(community=cargo, slug="children")
    assert boss.post(tags_url, {"delete": "children"}).status_code == 404
    assert client_for(alice).post(tags_url, {"delete": children.pk}).status_code == 404
    boss.post(tags_url, {"delete": children.pk})
    assert list(topic.tags.values_list("slug", flat=True)) == ["cargo-bikes"]


# --- Moderation -------------------------------------------------------------------------------


def test_a_member_flags_a_message_once_and_moderators_find_it_in_the_queue(
    cargo: Community, general: Space, alice: User, bob: User, moderator: User
) -> None:
    topic = start(alice, general)
    actions.do_reply(alice, topic, body="Buy cheap watches at example.com")
    flag_url = post_url(topic, 1, "post_flag")
    response = client_for(bob).post(flag_url, {"reason": "spam", "note": "An advert"})
    assert response.status_code == 302
    page = client_for(bob).post(flag_url, {"reason": "spam", "note": ""}).content.decode()
    assert "You have already flagged this message." in page
    assert Flag.objects.count() == 1
    with pytest.raises(ActionRefused):
        actions.do_flag(alice, post_at(topic, 1), reason="spam")
    with pytest.raises(ActionRefused, match="Choose a reason"):
        actions.do_flag(moderator, post_at(topic, 1), reason="boring")

    queue_url = reverse("moderation_queue", args=[cargo.slug])
    assert client_for(alice).get(queue_url).status_code == 404
    queue = html(client_for(moderator), queue_url)
    assert "Buy cheap watches" in queue
    assert "Spam or advertising: An advert" in queue

    kept = client_for(moderator).post(
        post_url(topic, 1, "post_moderate"), {"operation": "dismiss", "next": queue_url}
    )
    assert kept["Location"] == queue_url
    assert "Nothing to look at" in html(client_for(moderator), queue_url)
    assert Flag.objects.get().resolution == "dismissed"
    # Once looked at, the message may be flagged again.
    actions.do_flag(bob, post_at(topic, 1), reason="offensive")
    assert Flag.objects.filter(resolved_at=None).count() == 1


def test_moderation_never_redirects_to_another_site(
    general: Space, alice: User, moderator: User
) -> None:
    topic = start(alice, general)
    actions.do_reply(alice, topic, body="Hello")
    url = post_url(topic, 1, "post_moderate")
    for target in ["//evil.example/", "/\\evil.example/", "https://evil.example/"]:
        response = client_for(moderator).post(url, {"operation": "dismiss", "next": target})
        assert response["Location"] == post_at(topic, 1).get_absolute_url()


def test_hidden_messages_vanish_for_members_and_stay_marked_for_moderators(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    topic = start(alice, general, "Winter tyres", body="Studded or not?")
    actions.do_reply(bob, topic, body="The quarrelsome zeppelin answer.")
    actions.do_flag(alice, post_at(topic, 1), reason="offensive")
    mod = client_for(moderator)
    refused = client_for(bob).post(post_url(topic, 1, "post_moderate"), {"operation": "hide"})
    assert refused.status_code == 404
    mod.post(post_url(topic, 1, "post_moderate"), {"operation": "hide", "reason": "Rude"})
    reply = post_at(topic, 1)
    assert (reply.is_hidden, reply.hidden_reason) == (True, "Rude")
    assert Flag.objects.get().resolution == "hidden"
    member_page = html(client_for(alice), topic.get_absolute_url())
    assert "zeppelin" not in member_page
    assert 'id="post-1"' not in member_page
    moderator_page = html(mod, topic.get_absolute_url())
    assert "zeppelin" in moderator_page
    assert "Hidden by the moderators" in moderator_page
    assert found(alice, "zeppelin") == []
    assert client_for(alice).get(post_url(topic, 1, "post_history")).status_code == 404

    # Hiding the opening post hides the whole topic.
    mod.post(post_url(topic, 0, "post_moderate"), {"operation": "hide"})
    assert Topic.objects.get(pk=topic.pk).is_hidden
    assert client_for(alice).get(topic.get_absolute_url()).status_code == 404
    assert "Winter tyres" not in html(client_for(alice), general.get_absolute_url())
    listing = html(mod, general.get_absolute_url())
    assert "Winter tyres" in listing
    assert "topic-row--hidden" in listing
    assert found(alice, "studded") == []
    assert found(moderator, "studded") == []

    mod.post(post_url(topic, 0, "post_moderate"), {"operation": "restore"})
    mod.post(post_url(topic, 1, "post_moderate"), {"operation": "restore"})
    assert "zeppelin" in html(client_for(alice), topic.get_absolute_url())
    assert len(found(alice, "studded")) == 1
    assert len(found(alice, "zeppelin")) == 1
    assert list(ModerationEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "hide",
        "hide",
        "restore",
        "restore",
    ]


def test_a_hidden_accepted_answer_is_not_shown_at_the_top_to_members(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    question = start(alice, general, "Best lock?", kind=Kind.QUESTION)
    actions.do_reply(bob, question, body="The unmentionable answer.")
    actions.do_accept_answer(alice, question, post_at(question, 1))
    actions.do_hide_post(moderator, post_at(question, 1), reason="Spam")
    assert "unmentionable" not in html(client_for(alice), question.get_absolute_url())
    assert "unmentionable" in html(client_for(moderator), question.get_absolute_url())


def test_a_locked_topic_refuses_replies_except_from_moderators(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    topic = start(alice, general)
    moderate = topic_url(topic, "topic_moderate")
    assert client_for(alice).post(moderate, {"operation": "lock"}).status_code == 404
    client_for(moderator).post(moderate, {"operation": "lock"})
    assert Topic.objects.get(pk=topic.pk).is_locked
    page = html(client_for(bob), topic.get_absolute_url())
    assert "This topic is locked" in page
    assert 'name="body"' not in page

    before = snapshot()
    with pytest.raises(ActionRefused):
        actions.do_reply(bob, topic, body="Let me in")
    refused = client_for(bob).post(topic_url(topic, "topic_reply"), {"body": "Let me in"})
    assert refused.status_code == 400
    assert "You may not do this here." in refused.content.decode()
    assert snapshot() == before
    actions.do_reply(moderator, Topic.objects.get(pk=topic.pk), body="Closing words.")

    client_for(moderator).post(moderate, {"operation": "unlock"})
    actions.do_reply(bob, Topic.objects.get(pk=topic.pk), body="Open again")
    assert Topic.objects.get(pk=topic.pk).reply_count == 2


def test_a_pinned_topic_comes_first_in_the_latest_list(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    oldest = start(alice, general, "Oldest topic")
    middle = start(alice, general, "Middle topic")
    start(alice, general, "Newest topic")
    actions.do_reply(bob, middle, body="Bump")
    latest = general.get_absolute_url()

    def order(page: str) -> list[str]:
        titles = ["Oldest topic", "Middle topic", "Newest topic"]
        return sorted(titles, key=page.index)

    assert order(html(client_for(bob), latest)) == ["Middle topic", "Newest topic", "Oldest topic"]
    client_for(moderator).post(topic_url(oldest, "topic_moderate"), {"operation": "pin"})
    page = html(client_for(bob), latest)
    assert order(page) == ["Oldest topic", "Middle topic", "Newest topic"]
    assert "Pinned" in page
    assert order(html(client_for(bob), latest + "?list=new")) == [
        "Newest topic",
        "Middle topic",
        "Oldest topic",
    ]
    client_for(moderator).post(topic_url(oldest, "topic_moderate"), {"operation": "unpin"})
    assert order(html(client_for(bob), latest))[0] == "Middle topic"


def test_moving_a_topic_takes_its_replies_and_search_documents_along(
    cargo: Community,
    general: Space,
    lab: Space,
    alice: User,
    bob: User,
    moderator: User,
    coordinator: User,
) -> None:
    workshop = community_actions.do_create_space(coordinator, cargo, name="Workshop")
    topic = start(alice, general, "Derailleur noise", body="It clicks.")
    actions.do_reply(bob, topic, body="Tune the quixotic barrel adjuster.")
    old_url = topic.get_absolute_url()
    mod = client_for(moderator)
    # Mona does not read the private space: she cannot move anything there.
    assert f'value="{lab.pk}"' not in html(mod, old_url)
    assert f'value="{workshop.pk}"' in html(mod, old_url)
    moderate = topic_url(topic, "topic_moderate")
    assert mod.post(moderate, {"operation": "move", "space": lab.pk}).status_code == 404
    assert Topic.objects.get(pk=topic.pk).space == general
    elsewhere = community(coordinator, slug="velo").spaces.get()
    assert mod.post(moderate, {"operation": "move", "space": elsewhere.pk}).status_code == 404

    response = mod.post(moderate, {"operation": "move", "space": workshop.pk})
    moved = Topic.objects.get(pk=topic.pk)
    assert moved.space == workshop
    assert response["Location"] == moved.get_absolute_url()
    assert client_for(alice).get(old_url).status_code == 404
    assert "quixotic" in html(client_for(alice), moved.get_absolute_url())
    documents = SearchDocument.objects.filter(community=cargo)
    assert set(documents.values_list("space_id", flat=True)) == {workshop.pk}
    [hit] = found(alice, "quixotic")
    assert hit.startswith(moved.get_absolute_url())
    assert client_for(alice).get(hit).status_code == 200
    entry = ModerationEntry.objects.get()
    assert (entry.action, entry.note) == ("move", "General → Workshop")


def test_merging_keeps_every_post_in_time_order_and_sends_readers_to_the_target(
    general: Space, alice: User, bob: User, moderator: User
) -> None:
    target = start(alice, general, "Child seats", body="Target opening.")
    source = start(bob, general, "Seats for kids", body="Source opening with a walrus.")
    actions.do_reply(alice, source, body="Source reply one.")
    actions.do_reply(bob, target, body="Target reply one.")
    actions.do_reply(alice, source, body="Source reply two.")
    source_url = source.get_absolute_url()

    response = client_for(moderator).post(
        topic_url(source, "topic_moderate"), {"operation": "merge", "target": f"#{target.pk}"}
    )
    assert response["Location"] == target.get_absolute_url()
    bodies = list(Post.objects.filter(topic=target).order_by("position").values_list("body"))
    assert [body for (body,) in bodies] == [
        "Target opening.",
        "Source opening with a walrus.",
        "Source reply one.",
        "Target reply one.",
        "Source reply two.",
    ]
    merged = Topic.objects.get(pk=target.pk)
    assert (merged.reply_count, merged.last_position) == (4, 4)
    gone = Topic.objects.get(pk=source.pk)
    assert (gone.merged_into, gone.is_hidden) == (merged, True)
    assert not Post.objects.filter(topic=source).exists()

    member = client_for(alice)
    followed = member.get(source_url)
    assert (followed.status_code, followed["Location"]) == (302, target.get_absolute_url())
    assert "Seats for kids" not in html(member, general.get_absolute_url())
    page = html(member, target.get_absolute_url())
    assert page.index("Target opening.") < page.index("walrus") < page.index("Source reply two.")
    [hit] = found(alice, "walrus")
    assert hit.startswith(target.get_absolute_url())
    entry = ModerationEntry.objects.get()
    assert (entry.action, entry.topic, entry.note) == (
        "merge",
        merged,
        f"#{source.pk} Seats for kids",
    )

    with pytest.raises(ActionRefused, match="already been merged"):
        actions.do_merge_topics(moderator, gone, merged)
    other = start(bob, general, "Third one")
    with pytest.raises(ActionRefused):
        actions.do_merge_topics(moderator, other, gone)


def test_every_moderator_action_is_logged_and_only_coordinators_read_the_log(
    cargo: Community,
    general: Space,
    lab: Space,
    alice: User,
    bob: User,
    moderator: User,
    coordinator: User,
) -> None:
    topic = start(alice, general, "Saddle height")
    other = start(bob, general, "Seat height")
    actions.do_reply(bob, topic, body="Hip height.")
    workshop = community_actions.do_create_space(coordinator, cargo, name="Workshop")
    secret = start(alice, lab, "Secret frame geometry")
    actions.do_flag(alice, post_at(topic, 1), reason="off_topic")
    mod_actions: list[Callable[[], object]] = [
        lambda: actions.do_hide_post(moderator, post_at(topic, 1), reason="Noise"),
        lambda: actions.do_restore_post(moderator, post_at(topic, 1)),
        lambda: actions.do_set_locked(moderator, topic, True),
        lambda: actions.do_set_locked(moderator, topic, False),
        lambda: actions.do_set_pinned(moderator, topic, True),
        lambda: actions.do_set_pinned(moderator, topic, False),
        lambda: actions.do_move_topic(moderator, topic, workshop),
        lambda: actions.do_merge_topics(moderator, other, Topic.objects.get(pk=topic.pk)),
        lambda: actions.do_delete_post(moderator, post_at(topic, 1)),
        lambda: actions.do_set_pinned(coordinator, secret, True),
    ]
    for action in mod_actions:
        action()
    expected = ["hide", "restore", "lock", "unlock", "pin", "unpin", "move", "merge", "delete"]
    assert list(ModerationEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        *expected,
        "pin",
    ]
    assert [verb for verb, _level in events("moderation.")] == [
        f"moderation.{action}" for action in [*expected, "pin"]
    ]

    log_url = reverse("moderation_log", args=[cargo.slug])
    log = html(client_for(coordinator), log_url)
    for label in [
        "Hid a message", "Restored a message", "Locked the topic", "Unlocked the topic",
        "Pinned the topic", "Unpinned the topic", "Moved the topic",
        "Merged a topic into this one", "Deleted a message",
    ]:  # fmt: skip
        assert f"<td>{label}</td>" in log
    assert "Mona Moderator" in log
    assert "Secret frame geometry" in log
    assert client_for(moderator).get(log_url).status_code == 404
    assert client_for(alice).get(log_url).status_code == 404
    assert Client().get(log_url).status_code == 302
    # Staff rescue communities, but read no private space through the log.
    staff_log = html(client_for(staff_person()), log_url)
    assert "Saddle height" in staff_log
    assert "Secret frame geometry" not in staff_log
    assert "See the moderation log" not in html(
        client_for(moderator), reverse("moderation_queue", args=[cargo.slug])
    )


def test_each_action_records_its_engagement_level(general: Space, alice: User, bob: User) -> None:
    question = start(alice, general, "Which pump?", kind=Kind.QUESTION)
    discussion = start(alice, general, "Pumps in general")
    answer = actions.do_reply(bob, question, body="A floor pump.")
    actions.do_reply(bob, discussion, body="I like pumps.")
    actions.do_toggle_reaction(alice, answer, "thanks")
    actions.do_accept_answer(alice, question, answer)
    conversation_events = ActivityEvent.objects.exclude(verb__startswith="membership.").exclude(
        verb__startswith="community."
    )
    assert list(conversation_events.order_by("pk").values_list("verb", "level")) == [
        ("topic.started.question", EngagementLevel.CREATE),
        ("topic.started.discussion", EngagementLevel.CREATE),
        ("answer.posted", EngagementLevel.REACT),
        ("reply.posted", EngagementLevel.REACT),
        ("reaction.thanks", EngagementLevel.REACT),
        ("answer.accepted", None),
    ]
    targets = conversation_events.order_by("pk").values_list("object_type", "object_id")
    assert list(targets)[:3] == [
        ("conversations.topic", question.pk),
        ("conversations.topic", discussion.pk),
        ("conversations.post", answer.pk),
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"body": ""}, "Write a message first."),
        ({"body": "   \n  "}, "Write a message first."),
        ({"title": "ab"}, "at least 3 characters"),
        ({"title": "x" * 201}, "200 characters at most"),
        ({"kind": "poll"}, "Unknown kind of topic."),
        ({"tags": ["not-in-vocabulary"]}, "vocabulary"),
    ],
)
def test_bad_input_for_a_topic_is_refused_clearly_and_writes_nothing(
    general: Space, alice: User, values: dict[str, Any], message: str
) -> None:
    arguments: dict[str, Any] = {"kind": Kind.DISCUSSION, "title": "Good title", "body": "Hi"}
    arguments.update(values)
    before = snapshot()
    with pytest.raises(ActionRefused, match=re.escape(message)):
        actions.do_start_topic(alice, general, **arguments)
    assert snapshot() == before


def test_bad_input_over_http_shows_why_and_writes_nothing(
    general: Space, alice: User, bob: User, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 5
    topic = start(alice, general)
    for number in range(1, 8):
        actions.do_reply(alice, topic, body=f"Reply number {number}.")
    member = client_for(bob)
    before = snapshot()
    empty = member.post(topic_url(topic, "topic_reply"), {"body": "   "})
    assert empty.status_code == 400
    page = empty.content.decode()
    assert "This field is required." in page
    # The form comes back under the last messages, where the reply would have gone.
    assert "Reply number 7." in page
    assert "We need one for the school run." not in page
    new = reverse("topic_new", args=[general.community.slug, general.slug])
    short = member.post(new, {"kind": "discussion", "title": "ab", "body": "Hello"})
    assert "Give the topic a title of at least 3 characters." in short.content.decode()
    unknown = member.post(new, {"kind": "poll", "title": "A poll", "body": "Hello"})
    assert "Select a valid choice" in unknown.content.decode()
    with pytest.raises(ActionRefused, match="Write a message first"):
        actions.do_reply(bob, topic, body="")
    with pytest.raises(ActionRefused, match="Write a message first"):
        actions.do_edit_post(alice, post_at(topic, 0), body=" ")
    assert snapshot() == before
    assert post_at(topic, 0).body == "We need one for the school run."


# --- Privacy ----------------------------------------------------------------------------------


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_a_member_not_listed_in_a_private_space_sees_nothing_from_it(
    cargo: Community,
    general: Space,
    lab: Space,
    alice: User,
    bob: User,
    moderator: User,
    coordinator: User,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    secret = start(
        alice,
        lab,
        "Prototype frame",
        body="The ultramarine prototype.",
        files=[upload("frame.png", png(), "image/png")],
    )
    actions.do_reply(coordinator, secret, body="Looks strong.")
    actions.do_edit_post(alice, post_at(secret, 0), body="The ultramarine prototype, welded.")
    actions.do_flag(coordinator, post_at(secret, 0), reason="other", note="ultramarine check")
    picture = Attachment.objects.get()
    urls = {
        "space": lab.get_absolute_url(),
        "topic": secret.get_absolute_url(),
        "history": post_url(secret, 0, "post_history"),
        "edit": post_url(secret, 0, "post_edit"),
        "flag": post_url(secret, 1, "post_flag"),
        "attachment": picture.get_absolute_url(),
    }
    landing = reverse("community", args=[cargo.slug])
    mentions = reverse("mention_candidates", args=[cargo.slug]) + "?q=a"
    queue = reverse("moderation_queue", args=[cargo.slug])

    listed = client_for(alice)
    for url in urls.values():
        assert listed.get(url).status_code == 200, url
    assert urls["space"] in html(listed, general.get_absolute_url())
    assert found(alice, "ultramarine") == [secret.get_absolute_url()]
    assert "ultramarine check" in html(client_for(coordinator), queue)

    for person in (bob, moderator):
        unlisted = client_for(person)
        for url in urls.values():
            assert unlisted.get(url).status_code == 404, (person, url)
        assert unlisted.post(topic_url(secret, "topic_reply"), {"body": "Hi"}).status_code == 404
        react = post_url(secret, 0, "post_react", kind="thanks")
        assert unlisted.post(react).status_code == 404
        lock = unlisted.post(topic_url(secret, "topic_moderate"), {"operation": "lock"})
        assert lock.status_code == 404
        for page in (html(unlisted, general.get_absolute_url()), html(unlisted, landing)):
            assert urls["space"] not in page
            assert "Prototype frame" not in page
        assert found(person, "ultramarine") == []
        assert found(person, "prototype") == []
        candidates = html(unlisted, mentions)
        assert "ultramarine" not in candidates
        assert "Prototype" not in candidates
    queue_page = html(client_for(moderator), queue)
    assert "ultramarine" not in queue_page
    assert "Prototype frame" not in queue_page
    assert not Reaction.objects.exists()
    assert Post.objects.filter(topic=secret).count() == 2


@pytest.fixture
def insider() -> User:
    internal_domain()
    return make_person("dana@inside.example", "Dana Inside")


@pytest.mark.parametrize("who", ["outsider", "external", "anonymous", "banned"])
def test_people_without_access_see_nothing_of_the_conversations(
    who: str, insider: User, charlie: User, tmp_path: Path, settings: Any
) -> None:
    """An outsider or anonymous visitor on a members-only community, an external person
    on an internal community, a banned member: no page, file, search hit or mention."""
    settings.MEDIA_ROOT = tmp_path
    if who == "external":
        where = community(insider, audience=Audience.INTERNAL, visibility=Visibility.PUBLIC)
    elif who == "banned":
        where = community(insider)
    else:
        where = community(insider, visibility=Visibility.MEMBERS)
    space = where.spaces.get()
    secret = start(
        insider,
        space,
        "Winter route",
        body="The ultramarine route.",
        files=[upload("map.png", png(), "image/png")],
    )
    if who == "banned":
        join(charlie, where)
        actions.do_reply(charlie, secret, body="My own words.")
        community_actions.do_ban(insider, Membership.objects.get(person=charlie))
    visitor = Client() if who == "anonymous" else client_for(charlie)
    actor: Actor = AnonymousUser() if who == "anonymous" else charlie
    login_or_404 = 302 if who == "anonymous" else 404

    for url in [
        space.get_absolute_url(),
        secret.get_absolute_url(),
        post_url(secret, 0, "post_history"),
        Attachment.objects.get().get_absolute_url(),
    ]:
        assert visitor.get(url).status_code == 404, url
    reply = visitor.post(topic_url(secret, "topic_reply"), {"body": "Hello"})
    assert reply.status_code == login_or_404
    assert visitor.get(reverse("mention_candidates", args=[where.slug])).status_code == login_or_404
    landing = visitor.get(reverse("community", args=[where.slug]))
    if who == "external":
        assert landing.status_code == 404
    else:
        assert "Winter route" not in landing.content.decode()
    assert found(actor, "ultramarine") == []
    assert found(actor, "route") == []
    # The same content is there for members.
    assert found(insider, "ultramarine") == [secret.get_absolute_url()]


# --- Attachments ------------------------------------------------------------------------------


def test_a_png_and_a_pdf_go_through_the_reply_form_and_are_served_safely(
    cargo: Community, general: Space, alice: User, bob: User, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    topic = start(alice, general)
    image, document = png(), pdf("Hello PDF from the marmalade workshop")
    response = client_for(bob).post(
        topic_url(topic, "topic_reply"),
        {
            "body": "The drawing and the report.",
            "attachments": [
                upload("diagram.png", image, "image/png"),
                upload("report.pdf", document, "application/pdf"),
            ],
        },
    )
    assert response.status_code == 302
    reply = post_at(topic, 1)
    picture, report = reply.attachments.order_by("pk")
    assert (picture.original_name, picture.content_type, picture.size) == (
        "diagram.png",
        "image/png",
        len(image),
    )
    assert (report.original_name, report.content_type) == ("report.pdf", "application/pdf")
    for stored in (picture, report):
        assert re.fullmatch(rf"attachments/{cargo.pk}/[0-9a-f]{{32}}", stored.file.name)
        assert (tmp_path / stored.file.name).is_file()
    assert (tmp_path / report.file.name).read_bytes() == document
    assert "marmalade" in PdfReader(tmp_path / report.file.name).pages[0].extract_text()
    assert "marmalade" in report.text
    assert "marmalade" not in reply.body
    assert found(alice, "marmalade") == [reply.get_absolute_url()]

    page = html(client_for(alice), topic.get_absolute_url())
    assert f'<img src="{picture.get_absolute_url()}" alt="diagram.png"' in page
    assert f'<a href="{report.get_absolute_url()}" download>report.pdf</a>' in page

    shown = client_for(alice).get(picture.get_absolute_url())
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"] == 'inline; filename="diagram.png"'
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content) == image  # type: ignore[attr-defined]
    downloaded = client_for(alice).get(report.get_absolute_url())
    assert downloaded["Content-Type"] == "application/pdf"
    assert downloaded["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert downloaded["X-Content-Type-Options"] == "nosniff"
    assert b"".join(downloaded.streaming_content) == document  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "drawing.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "drawing.svg cannot be attached",
        ),
        (
            "photo.png",
            b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            "photo.png cannot be attached",
        ),
        ("big.png", png() + b"\0" * (1024 * 1024), "big.png is too large: the limit is 1 MB."),
    ],
)
def test_scriptable_disguised_and_oversized_files_are_refused_and_nothing_is_written(
    name: str,
    content: bytes,
    message: str,
    general: Space,
    alice: User,
    bob: User,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_MB = 1
    topic = start(alice, general)
    before = snapshot()
    refused = client_for(bob).post(
        topic_url(topic, "topic_reply"),
        {
            "body": "Have a look.",
            "attachments": [
                upload("fine.png", png(), "image/png"),
                upload(name, content, "image/png"),
            ],
        },
    )
    assert refused.status_code == 400
    assert message in refused.content.decode()
    new = reverse("topic_new", args=[general.community.slug, general.slug])
    page = client_for(bob).post(
        new,
        {
            "kind": "discussion",
            "title": "Look",
            "body": "Here",
            "attachments": [upload(name, content)],
        },
    )
    assert message in page.content.decode()
    assert snapshot() == before
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_attachments_follow_their_post_when_it_is_hidden_or_deleted(
    general: Space, alice: User, bob: User, moderator: User, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    topic = start(alice, general)
    actions.do_reply(bob, topic, body="Photo", files=[upload("a.png", png(), "image/png")])
    actions.do_reply(bob, topic, body="Notes", files=[upload("notes.txt", b"Gear ratios\n")])
    photo, notes = Attachment.objects.order_by("pk")
    assert Client().get(photo.get_absolute_url()).status_code == 200
    downloaded = Client().get(notes.get_absolute_url())
    assert downloaded["Content-Disposition"] == 'attachment; filename="notes.txt"'
    actions.do_hide_post(moderator, post_at(topic, 1))
    assert client_for(alice).get(photo.get_absolute_url()).status_code == 404
    assert client_for(moderator).get(photo.get_absolute_url()).status_code == 200
    actions.do_delete_post(bob, post_at(topic, 2))
    for person in (alice, bob, moderator):
        assert client_for(person).get(notes.get_absolute_url()).status_code == 404


# --- Lists, unread markers and query counts ---------------------------------------------------


def titles_in_order(page: str, titles: list[str]) -> list[str]:
    return sorted((title for title in titles if f">{title}</a>" in page), key=page.index)


def test_the_latest_new_unanswered_and_top_lists(
    general: Space, alice: User, bob: User, coordinator: User
) -> None:
    apples = start(alice, general, "Apples")
    bananas = start(alice, general, "Bananas", kind=Kind.QUESTION)
    start(alice, general, "Cherries", kind=Kind.QUESTION)
    start(coordinator, general, "Dates", kind=Kind.ANNOUNCEMENT)
    actions.do_reply(bob, bananas, body="Yes.")
    actions.do_toggle_reaction(bob, post_at(apples, 0), "thanks")
    actions.do_toggle_reaction(coordinator, post_at(apples, 0), "agree")
    titles = ["Apples", "Bananas", "Cherries", "Dates"]
    url = general.get_absolute_url()
    reader = client_for(bob)
    assert titles_in_order(html(reader, url), titles) == ["Bananas", "Dates", "Cherries", "Apples"]
    assert titles_in_order(html(reader, url + "?list=new"), titles) == [
        "Dates",
        "Cherries",
        "Bananas",
        "Apples",
    ]
    assert titles_in_order(html(reader, url + "?list=unanswered"), titles) == [
        "Cherries",
        "Apples",
    ]
    assert titles_in_order(html(reader, url + "?list=top"), titles) == [
        "Apples",
        "Bananas",
        "Dates",
        "Cherries",
    ]
    assert titles_in_order(html(reader, url + "?list=nonsense"), titles)[0] == "Bananas"


NEW_BADGE = '<span class="badge badge--new">New</span>'


def test_unread_markers_and_what_is_new_since_the_last_visit(
    general: Space, alice: User, bob: User
) -> None:
    first = start(alice, general, "First topic")
    url = general.get_absolute_url()
    reader = client_for(bob)
    page = html(reader, url)
    assert "Unread" in page
    assert "New since your last visit" not in page
    assert "Unread" not in html(client_for(alice), url)

    html(reader, first.get_absolute_url())
    page = html(reader, url)
    assert "Unread" not in page
    assert "New replies" not in page
    assert ReadState.objects.get(person=bob, topic=first).last_read_position == 0

    actions.do_reply(alice, first, body="Reply one")
    actions.do_reply(alice, first, body="Reply two")
    assert "New replies" in html(reader, url)
    assert "New replies" not in html(client_for(alice), url)
    topic_page = html(reader, first.get_absolute_url())
    assert topic_page.count(NEW_BADGE) == 2
    assert "New replies" not in html(reader, url)
    assert NEW_BADGE not in html(reader, first.get_absolute_url())

    # An hour later, a new topic is new since Bob's last visit; the first one is not.
    hour_ago = timezone.now() - timedelta(hours=1)
    Topic.objects.filter(pk=first.pk).update(created_at=hour_ago - timedelta(minutes=5))
    SpaceVisit.objects.filter(person=bob, space=general).update(visited_at=hour_ago)
    start(alice, general, "Second topic")
    page = html(reader, url)
    assert page.count("New since your last visit") == 1
    assert "New since your last visit" in topic_row(page, "Second topic")
    # Browsing on within half an hour keeps the same "new".
    assert html(reader, url).count("New since your last visit") == 1


def build_space(space: Space, author: User, reader: User, count: int) -> Topic:
    """`count` tagged topics, each with a reply with a picture and a reaction; the first
    topic also gets `count` replies with pictures and reactions."""
    tag = Tag.objects.get_or_create(community=space.community, slug="bikes", name="Bikes")[0]
    topics = []
    for number in range(count):
        topic = start(author, space, f"Topic number {number}", tags=[tag], kind=Kind.QUESTION)
        reply = actions.do_reply(
            reader, topic, body="With a picture", files=[upload("p.png", png(), "image/png")]
        )
        actions.do_toggle_reaction(reader, post_at(topic, 0), "thanks")
        actions.do_toggle_reaction(author, reply, "helpful")
        topics.append(topic)
    busy = topics[0]
    for number in range(count):
        reply = actions.do_reply(
            reader, busy, body=f"Reply {number}", files=[upload("q.png", png(), "image/png")]
        )
        actions.do_toggle_reaction(author, reply, "agree")
    actions.do_accept_answer(author, busy, post_at(busy, 1))
    return busy


@pytest.mark.parametrize("count", [3, 30])
def test_space_and_topic_pages_run_a_fixed_number_of_queries(
    count: int,
    general: Space,
    alice: User,
    bob: User,
    moderator: User,
    tmp_path: Path,
    settings: Any,
    django_assert_max_num_queries: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    busy = build_space(general, alice, bob, count)
    for person, space_queries, topic_queries in [
        # The topic page asks which wiki articles were captured from it (1 query).
        (None, 6, 10),
        # A member's first visit to a space also records it (get_or_create: 4 queries),
        # and the follow button asks whether they follow the space or topic (1 query);
        # the reply form asks which personas they may post as (1 query).
        (bob, 16, 19),
        (moderator, 16, 24),
    ]:
        reader = client_for(person)
        for order in ["latest", "new", "unanswered", "top"]:
            with django_assert_max_num_queries(space_queries + NAVIGATION_QUERIES):
                page = html(reader, general.get_absolute_url() + f"?list={order}")
            if order != "unanswered":
                assert page.count("#bikes") == min(count, 30)
        with django_assert_max_num_queries(topic_queries + NAVIGATION_QUERIES):
            page = html(reader, busy.get_absolute_url())
        assert page.count('class="reaction__count"') >= min(count, 20)
        assert "Accepted answer" in page


# --- Concurrency ------------------------------------------------------------------------------


def toggle(person: User, post_id: int, kind: str, waits: list[str]) -> Callable[[], object]:
    """A job that toggles a reaction."""

    def action() -> object:
        post = Post.objects.select_related("topic__space__community").get(pk=post_id)
        return actions.do_toggle_reaction(person, post, kind)

    return retrying(action, waits)


@pytest.fixture
def crowd(coordinator: User) -> tuple[Post, list[User]]:
    """A post by the coordinator and twenty members about to react to it."""
    where = community(coordinator)
    topic = start(coordinator, where.spaces.get(), "Group ride on Sunday")
    members = [make_person(f"rider{n}@example.org", f"Rider {n}") for n in range(20)]
    for member in members:
        join(member, where)
    return post_at(topic, 0), members


@pytest.mark.django_db(transaction=True)
def test_concurrent_reactions_give_exact_counts(
    crowd: tuple[Post, list[User]], coordinator: User
) -> None:
    post, members = crowd
    waits: list[str] = []
    # Everyone says thanks at the same moment: twenty reactions, not one fewer.
    jobs = [toggle(member, post.pk, "thanks", waits) for member in members]
    assert run_together(jobs) == []
    assert Reaction.objects.filter(post=post, kind="thanks").count() == 20

    # Then everyone taps "helpful" twice, both taps racing each other and everyone else's:
    # two toggles cancel out, whatever the timing.
    jobs = [toggle(member, post.pk, "helpful", waits) for member in members for _tap in range(2)]
    assert run_together(jobs) == []
    if connection.vendor == "postgresql":
        assert waits == []
    assert Reaction.objects.filter(post=post, kind="helpful").count() == 0
    assert Reaction.objects.filter(post=post).count() == 20
    assert ActivityEvent.objects.filter(verb="reaction.thanks").count() == 20
    assert ActivityEvent.objects.filter(verb="reaction.helpful").count() == 20

    page = html(client_for(coordinator), post.topic.get_absolute_url())
    assert 'Thanks</span> <span class="reaction__count">20</span>' in page
    # Only the reactions used show (the picker is not offered on one's own post).
    assert "Helpful" not in page


def test_a_message_may_open_with_an_indented_code_block(alice: User, general: Space) -> None:
    topic = start(alice, general, body="\n\n    print('hello')\n\nThat is all.  \n")
    opening = post_at(topic, 0)
    assert opening.body.startswith("    print")
    assert opening.body_html.startswith("<pre><code>print(")


def test_a_link_to_a_post_opens_the_page_that_shows_it_and_next_pages_still_work(
    alice: User, bob: User, general: Space, settings: Any
) -> None:
    settings.POSTS_PER_PAGE = 5
    topic = start(alice, general)
    for number in range(1, 13):
        actions.do_reply(bob, topic, body=f"Reply number {number}")
    reader = client_for(bob)
    url = topic.get_absolute_url()
    assert "Reply number 7" in html(reader, f"{url}?post=7")
    assert "Reply number 12" in html(reader, f"{url}?post=7&page=3")
    assert "Reply number 7" not in html(reader, f"{url}?post=7&page=3")
