"""The wiki: articles, versions, conflicts, capture from conversations, search.

Content is built through `cercle.wiki.actions` and `cercle.conversations.actions`,
as in real use; pages are checked over HTTP.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.communities.models import Community, Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, ReactionKind, Topic
from cercle.errors import ActionRefused
from cercle.search.models import SearchDocument
from cercle.search.query import search
from cercle.wiki import actions
from cercle.wiki.models import Article, ArticleRevision
from tests.communities import client_for, html

pytestmark = pytest.mark.django_db


def write(
    author: User, space: Space, title: str = "Tyre pressure", body: str = "Keep 3 bar."
) -> Article:
    return actions.do_create_article(author, space, title=title, body=body)


def url(article: Article, name: str, **extra: Any) -> str:
    return reverse(name, kwargs={"slug": article.community.slug, "article": article.slug, **extra})


# --- Writing and versions ---------------------------------------------------------------------


def test_a_member_writes_an_article_with_a_first_version_and_a_creation_event(
    general: Space, alice: User
) -> None:
    article = write(alice, general, body="Keep **3 bar** in the tyres.")
    assert article.slug == "tyre-pressure"
    assert "<strong>3 bar</strong>" in article.body_html
    assert article.revision_number == 1
    [revision] = article.revisions.all()
    assert (revision.number, revision.editor, revision.body) == (1, alice, article.body)
    assert list(
        ActivityEvent.objects.filter(verb__startswith="article").values_list("verb", "level")
    ) == [("article.created", EngagementLevel.CREATE)]
    page = html(client_for(alice), article.get_absolute_url())
    assert "<strong>3 bar</strong>" in page


def test_slugs_are_unique_per_community(general: Space, alice: User, bob: User) -> None:
    first = write(alice, general)
    second = write(bob, general)
    assert (first.slug, second.slug) == ("tyre-pressure", "tyre-pressure-2")


def test_every_edit_keeps_a_version_and_the_history_and_diff_show_them(
    general: Space, alice: User, bob: User
) -> None:
    article = write(alice, general, body="Line one\nLine two")
    actions.do_edit_article(
        bob,
        article,
        title=article.title,
        body="Line one\nLine 2 <b>bold</b>",
        base_number=1,
        note="Fix the second line",
    )
    article.refresh_from_db()
    assert article.revision_number == 2
    assert list(article.revisions.values_list("number", "base_number")) == [(2, 1), (1, None)]
    client = client_for(alice)
    history = html(client, url(article, "wiki_history"))
    assert "Version 2" in history
    assert "Version 1" in history
    assert "Fix the second line" in history
    diff = html(client, url(article, "wiki_diff") + "?from=1&to=2")
    assert "<del>" in diff
    assert "Line two" in diff
    assert "<ins>" in diff
    assert "Line 2 &lt;b&gt;bold&lt;/b&gt;" in diff
    assert "<b>bold</b>" not in diff
    assert client.get(url(article, "wiki_diff") + "?from=1&to=9").status_code == 404
    old = html(client, url(article, "wiki_revision", number=1))
    assert "Line two" in old


def test_an_edit_from_an_old_version_is_refused_as_a_conflict_and_writes_nothing(
    general: Space, alice: User, bob: User
) -> None:
    article = write(alice, general, body="Start")
    actions.do_edit_article(alice, article, title=article.title, body="Alice's", base_number=1)
    before = (ArticleRevision.objects.count(), ActivityEvent.objects.count())
    with pytest.raises(actions.Conflict) as refusal:
        actions.do_edit_article(bob, article, title=article.title, body="Bob's", base_number=1)
    assert refusal.value.current.number == 2
    assert refusal.value.current.body == "Alice's"
    assert (ArticleRevision.objects.count(), ActivityEvent.objects.count()) == before
    article.refresh_from_db()
    assert article.body == "Alice's"


def test_the_edit_page_shows_the_merge_screen_and_the_combined_text_saves_on_the_new_base(
    general: Space, alice: User, bob: User
) -> None:
    article = write(alice, general, body="Start")
    actions.do_edit_article(alice, article, title=article.title, body="Alice's line", base_number=1)
    client = client_for(bob)
    form = {"title": article.title, "body": "Bob's line", "note": "", "base_number": "1"}
    response = client.post(url(article, "wiki_edit"), form)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Alice&#x27;s line" in page
    assert "Bob&#x27;s line" in page
    assert 'name="base_number" value="2"' in page
    assert Article.objects.get(pk=article.pk).revision_number == 2
    form.update(body="Alice's line\nBob's line", base_number="2")
    response = client.post(url(article, "wiki_edit"), form)
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.revision_number, article.body) == (3, "Alice's line\nBob's line")


def test_restoring_an_old_version_makes_a_new_one(general: Space, alice: User, bob: User) -> None:
    article = write(alice, general, body="First text")
    actions.do_edit_article(bob, article, title="Pressure", body="Vandalised", base_number=1)
    response = client_for(alice).post(url(article, "wiki_restore", number=1))
    assert response.status_code == 302
    article.refresh_from_db()
    assert (article.revision_number, article.title, article.body) == (
        3,
        "Tyre pressure",
        "First text",
    )
    assert article.revisions.get(number=3).base_number == 2
    assert SearchDocument.objects.get(kind="article", object_id=article.pk).title == "Tyre pressure"


# --- Table of contents and links ------------------------------------------------------------------


def test_headings_get_anchors_and_a_table_of_contents(general: Space, alice: User) -> None:
    article = write(
        alice, general, body="## Pump\n\ntext\n\n### Valve type\n\nx\n\n## Pump\n\nagain"
    )
    assert '<h2 id="section-pump">Pump</h2>' in article.body_html
    assert '<h3 id="section-valve-type">Valve type</h3>' in article.body_html
    assert '<h2 id="section-pump-2">Pump</h2>' in article.body_html
    assert article.toc_html == (
        '<ol><li><a href="#section-pump">Pump</a><ol>'
        '<li><a href="#section-valve-type">Valve type</a></li></ol></li>'
        '<li><a href="#section-pump-2">Pump</a></li></ol>'
    )
    page = html(client_for(alice), article.get_absolute_url())
    assert 'href="#section-valve-type"' in page


def test_double_bracket_links_reach_articles_and_offer_missing_ones_to_writers(
    general: Space, alice: User, charlie: User
) -> None:
    target = write(alice, general, title="Brake pads", body="Change them yearly.")
    article = write(
        alice, general, title="Maintenance", body="See [[brake pads]] and [[Chain oil]]."
    )
    new = reverse("wiki_new", kwargs={"slug": "cargo", "space": general.slug})
    writer_page = html(client_for(alice), article.get_absolute_url())
    assert f'<a class="wiki-link" href="{target.get_absolute_url()}">brake pads</a>' in writer_page
    assert f'<a class="wiki-missing" href="{new}?title=Chain%20oil"' in writer_page
    outsider_page = html(client_for(charlie), article.get_absolute_url())
    assert '<span class="wiki-missing" title="This article is not written yet">Chain oil' in (
        outsider_page
    )
    assert f"{new}?title" not in outsider_page
    creation = html(client_for(alice), f"{new}?title=Chain%20oil")
    assert 'value="Chain oil"' in creation


def test_markup_in_articles_is_cleaned(general: Space, alice: User) -> None:
    article = write(
        alice, general, body="<script>alert(1)</script>\n\n[[<img src=x onerror=alert(1)>]]"
    )
    assert "<script" not in article.body_html
    assert "<img" not in article.body_html
    page = html(client_for(alice), article.get_absolute_url())
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "?title=%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E" in page
    assert '&lt;img src=x onerror=alert(1)&gt;<span class="visually-hidden">' in page


# --- Permissions ----------------------------------------------------------------------------------


def test_an_unlisted_member_gets_404_on_every_article_page_and_no_search_hit(
    lab: Space, alice: User, bob: User, charlie: User
) -> None:
    article = write(alice, lab, title="Secret prototype", body="Zorglub frame geometry")
    actions.do_edit_article(alice, article, title=article.title, body="Zorglub v2", base_number=1)
    pages = [
        url(article, "wiki_article"),
        url(article, "wiki_edit"),
        url(article, "wiki_history"),
        url(article, "wiki_revision", number=1),
        url(article, "wiki_diff") + "?from=1&to=2",
        reverse("wiki_space", kwargs={"slug": "cargo", "space": lab.slug}),
        reverse("wiki_new", kwargs={"slug": "cargo", "space": lab.slug}),
    ]
    for person in (bob, charlie, None):
        client = client_for(person)
        for page in pages:
            assert client.get(page).status_code in (404, 302), (person, page)
            if person is not None:
                assert client.get(page).status_code == 404, (person, page)
        assert client.post(url(article, "wiki_restore", number=1)).status_code in (404, 302)
        assert search(person or AnonymousUser(), "zorglub") == ([], 0)
    with pytest.raises(ActionRefused) as refusal:
        actions.do_edit_article(bob, article, title="x" * 5, body="mine", base_number=2)
    assert refusal.value.not_found
    assert [hit.url for hit in search(alice, "zorglub")[0]] == [article.get_absolute_url()]


def test_outsiders_read_public_articles_but_may_not_write(
    general: Space, alice: User, charlie: User
) -> None:
    article = write(alice, general)
    client = client_for(charlie)
    page = html(client, article.get_absolute_url())
    assert url(article, "wiki_edit") not in page
    assert client.get(url(article, "wiki_edit")).status_code == 404
    with pytest.raises(ActionRefused):
        actions.do_create_article(charlie, general, title="Mine now", body="text")
    with pytest.raises(ActionRefused):
        actions.do_restore_revision(charlie, article, 1)


def test_the_article_page_and_the_list_do_not_grow_in_queries(
    general: Space, alice: User, django_assert_max_num_queries: Any
) -> None:
    article = write(alice, general)
    client = client_for(alice)
    space_url = reverse("wiki_space", kwargs={"slug": "cargo", "space": general.slug})
    client.get(space_url)
    with django_assert_max_num_queries(12) as small:
        client.get(space_url)
    for number in range(5):
        write(alice, general, title=f"Article number {number}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(space_url)
    with django_assert_max_num_queries(14):
        client.get(article.get_absolute_url())


# --- Capture ------------------------------------------------------------------------------------


def test_capturing_a_solved_question_credits_authors_and_links_back(
    general: Space, alice: User, bob: User, coordinator: User, cargo: Community
) -> None:
    topic = conversation_actions.do_start_topic(
        alice,
        general,
        kind=Kind.QUESTION,
        title="Which lock for a cargo bike?",
        body="Mine was stolen.",
    )
    answer = conversation_actions.do_reply(bob, topic, body="A folding lock and a chain.")
    helpful = conversation_actions.do_reply(coordinator, topic, body="Insure it too.")
    hidden = conversation_actions.do_reply(coordinator, topic, body="Buy my spam locks.")
    conversation_actions.do_toggle_reaction(alice, helpful, ReactionKind.HELPFUL)
    conversation_actions.do_toggle_reaction(bob, hidden, ReactionKind.HELPFUL)
    conversation_actions.do_accept_answer(alice, topic, answer)
    hidden.is_hidden = True
    hidden.save()
    topic = Topic.objects.select_related("space__community", "community").get(pk=topic.pk)

    client = client_for(bob)
    topic_page = html(client, topic.get_absolute_url())
    new = reverse("wiki_new", kwargs={"slug": "cargo", "space": general.slug})
    assert f"{new}?topic={topic.pk}" in topic_page
    form_page = html(client, f"{new}?topic={topic.pk}")
    assert "Which lock for a cargo bike?" in form_page
    for words in ("Mine was stolen.", "A folding lock and a chain.", "Insure it too."):
        assert words in form_page
    for name in ("Alice Martin", "Bob Leroy", "Claire Coord"):
        assert f"&gt; **{name}**:" in form_page
    assert "spam" not in form_page
    assert topic.get_absolute_url() in form_page

    response = client.post(
        new,
        {
            "title": "Locking a cargo bike",
            "body": f"> **Bob Leroy**:\n> A folding lock.\n\n[source]({topic.get_absolute_url()})",
            "note": "",
            "source_topic": str(topic.pk),
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(slug="locking-a-cargo-bike")
    assert article.source_topic == topic
    assert ActivityEvent.objects.filter(verb="article.captured", level=3).count() == 1
    article_page = html(client, article.get_absolute_url())
    assert "From the conversation" in article_page
    assert f'href="{topic.get_absolute_url()}">Which lock for a cargo bike?</a>' in article_page
    topic_page = html(client, topic.get_absolute_url())
    assert "Captured in article" in topic_page
    assert article.get_absolute_url() in topic_page


def test_outsiders_see_no_capture_button_and_may_not_capture(
    general: Space, alice: User, charlie: User
) -> None:
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Rain covers", body="Which one?"
    )
    client = client_for(charlie)
    assert "Turn into an article" not in html(client, topic.get_absolute_url())
    new = reverse("wiki_new", kwargs={"slug": "cargo", "space": general.slug})
    assert client.get(f"{new}?topic={topic.pk}").status_code == 404


def test_a_topic_of_a_private_space_cannot_be_captured_elsewhere(
    general: Space, lab: Space, alice: User
) -> None:
    topic = conversation_actions.do_start_topic(
        alice, lab, kind=Kind.DISCUSSION, title="Lab secret", body="Hush."
    )
    new = reverse("wiki_new", kwargs={"slug": "cargo", "space": general.slug})
    assert client_for(alice).get(f"{new}?topic={topic.pk}").status_code == 404


# --- Search -------------------------------------------------------------------------------------


def test_search_finds_articles_and_follows_edits(general: Space, alice: User, bob: User) -> None:
    article = write(alice, general, title="Winter riding", body="Studded tyres help on ice.")
    hits, _total = search(bob, "studded")
    assert [(hit.kind, hit.title, hit.url) for hit in hits] == [
        ("article", "Winter riding", article.get_absolute_url())
    ]
    actions.do_edit_article(
        bob, article, title="Winter riding", body="Spiked tyres.", base_number=1
    )
    assert search(bob, "studded") == ([], 0)
    page = html(client_for(bob), reverse("search") + "?q=spiked")
    assert article.get_absolute_url() in page
    assert "Winter riding" in page
