"""Wiki links (`[[Title]]`, `[[Title|label]]`) resolved for each reader when the page
is shown, and the paginated history of an article.

Content is built through the actions, as in real use; pages are checked over HTTP.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.apps import apps
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, Post
from cercle.wiki import actions
from cercle.wiki.models import Article
from cercle.wiki.rendering import linked_titles, render_article
from tests.communities import client_for, html

pytestmark = pytest.mark.django_db


def write(author: User, space: Space, title: str, body: str = "Some text.") -> Article:
    return actions.do_create_article(author, space, title=title, body=body)


def edit(author: User, article: Article, *, title: str | None = None, body: str) -> Article:
    article.refresh_from_db()
    return actions.do_edit_article(
        author,
        article,
        title=title or article.title,
        body=body,
        base_number=article.revision_number,
    )


def new_url(space: Space, title: str = "") -> str:
    address = reverse("wiki_new", kwargs={"slug": space.community.slug, "space": space.slug})
    return f"{address}?title={title}" if title else address


def body_of(page: str) -> str:
    """The article's text on its page (links included, the rest of the layout left out)."""
    match = re.search(r'<div class="wiki-body richtext">(.*?)</div>', page, re.DOTALL)
    assert match is not None
    return match.group(1)


# --- Resolved when shown ----------------------------------------------------------------------


def test_a_link_to_an_article_written_later_works_without_editing_the_linking_article(
    general: Space, alice: User, bob: User
) -> None:
    article = write(alice, general, "Maintenance", "Oil the chain: see [[Chain oil]].")
    client = client_for(bob)
    before = body_of(html(client, article.get_absolute_url()))
    assert f'<a class="wiki-missing" href="{new_url(general, "Chain%20oil")}"' in before

    oil = write(bob, general, "Chain oil", "Wax works too.")

    after = body_of(html(client, article.get_absolute_url()))
    assert f'<a class="wiki-link" href="{oil.get_absolute_url()}">Chain oil</a>' in after
    assert "wiki-missing" not in after
    assert Article.objects.get(pk=article.pk).revision_number == 1


def test_renaming_an_article_moves_the_links_to_its_new_title(
    general: Space, alice: User, bob: User
) -> None:
    target = write(alice, general, "Brake pads")
    article = write(alice, general, "Maintenance", "Old name [[Brake pads]], new [[Brake shoes]].")
    client = client_for(bob)
    page = body_of(html(client, article.get_absolute_url()))
    assert f'<a class="wiki-link" href="{target.get_absolute_url()}">Brake pads</a>' in page
    assert f'href="{new_url(general, "Brake%20shoes")}"' in page

    edit(bob, target, title="Brake shoes", body="Some text.")

    page = body_of(html(client, article.get_absolute_url()))
    assert f'<a class="wiki-link" href="{target.get_absolute_url()}">Brake shoes</a>' in page
    assert f'href="{new_url(general, "Brake%20pads")}"' in page


def test_a_deleted_article_turns_its_links_back_into_missing_ones(
    general: Space, alice: User
) -> None:
    target = write(alice, general, "Brake pads")
    article = write(alice, general, "Maintenance", "See [[Brake pads]].")
    Article.objects.filter(pk=target.pk).delete()
    page = body_of(html(client_for(alice), article.get_absolute_url()))
    assert f'<a class="wiki-missing" href="{new_url(general, "Brake%20pads")}"' in page
    assert target.get_absolute_url() not in page


def test_a_label_shows_instead_of_the_title(general: Space, alice: User) -> None:
    target = write(alice, general, "Brake pads")
    article = write(
        alice,
        general,
        "Maintenance",
        "Change [[Brake pads|the *pads*]] and [[Chain oil|oil the chain]], [[Tyres|]].",
    )
    page = body_of(html(client_for(alice), article.get_absolute_url()))
    assert f'<a class="wiki-link" href="{target.get_absolute_url()}">the *pads*</a>' in page
    assert f'href="{new_url(general, "Chain%20oil")}"' in page
    assert ">oil the chain<span" in page
    assert f'href="{new_url(general, "Tyres")}"' in page
    assert "|" not in page
    assert linked_titles(article.body) == ["Brake pads", "Chain oil", "Tyres"]


def test_brackets_in_code_stay_text(general: Space, alice: User) -> None:
    write(alice, general, "Brake pads")
    body = (
        "Write `[[Brake pads]]` to link.\n\n"
        "```markdown\nSee [[Brake pads|pads]].\n```\n\n"
        "    [[Brake pads]] in an indented block\n\n"
        "\\[[Brake pads]] escaped."
    )
    article = write(alice, general, "Linking", body)
    assert linked_titles(body) == []
    page = body_of(html(client_for(alice), article.get_absolute_url()))
    assert "<code>[[Brake pads]]</code>" in page
    assert "See [[Brake pads|pads]]." in page
    assert "[[Brake pads]] in an indented block" in page
    assert "[[Brake pads]] escaped." in page
    assert "wiki-link" not in page
    assert "wiki-missing" not in page


def test_links_in_headings_reach_the_page_and_the_contents_show_their_text(
    general: Space, alice: User
) -> None:
    target = write(alice, general, "Brake pads")
    article = write(alice, general, "Maintenance", "## About [[Brake pads]]\n\nx\n\n## Other\n\ny")
    assert article.toc_html.startswith(
        '<ol><li><a href="#section-about-brake-pads">About Brake pads'
    )
    page = body_of(html(client_for(alice), article.get_absolute_url()))
    assert (
        '<h2 id="section-about-brake-pads">About '
        f'<a class="wiki-link" href="{target.get_absolute_url()}">Brake pads</a></h2>'
    ) in page


def test_an_article_of_the_same_space_wins_over_a_namesake_elsewhere(
    general: Space, lab: Space, alice: User
) -> None:
    write(alice, general, "Frames")
    in_lab = write(alice, lab, "Frames")
    article = write(alice, lab, "Prototype", "See [[frames]].")
    page = body_of(html(client_for(alice), article.get_absolute_url()))
    assert f'<a class="wiki-link" href="{in_lab.get_absolute_url()}">frames</a>' in page


# --- Missing articles --------------------------------------------------------------------------


def test_missing_articles_are_marked_and_offered_only_to_people_who_may_write(
    general: Space, alice: User, charlie: User
) -> None:
    article = write(alice, general, "Maintenance", "See [[Chain oil]].")
    writer = body_of(html(client_for(alice), article.get_absolute_url()))
    assert writer.count("wiki-missing") == 1
    assert (
        f'<a class="wiki-missing" href="{new_url(general, "Chain%20oil")}" '
        'title="This article is not written yet: write it">Chain oil'
        '<span class="visually-hidden"> (not written yet)</span></a>'
    ) in writer
    for reader in (charlie, None):
        page = body_of(html(client_for(reader), article.get_absolute_url()))
        assert (
            '<span class="wiki-missing" title="This article is not written yet">Chain oil'
            '<span class="visually-hidden"> (not written yet)</span></span>'
        ) in page
        assert "<a " not in page
    form = html(client_for(alice), new_url(general, "Chain%20oil"))
    assert 'value="Chain oil"' in form


# --- Permissions -------------------------------------------------------------------------------


def test_a_link_to_an_article_the_reader_may_not_read_looks_like_a_missing_article(
    general: Space, lab: Space, alice: User, bob: User, charlie: User
) -> None:
    secret = write(alice, lab, "Secret prototype", "Zorglub frame geometry")
    article = write(
        alice, general, "Roadmap", "Next: [[secret PROTOTYPE]]. Later: [[Never written]]."
    )
    listed = body_of(html(client_for(alice), article.get_absolute_url()))
    assert f'<a class="wiki-link" href="{secret.get_absolute_url()}">secret PROTOTYPE</a>' in (
        listed
    )
    for reader in (bob, charlie, None):
        page = body_of(html(client_for(reader), article.get_absolute_url()))
        assert secret.slug not in page
        assert "Secret prototype" not in page
        assert "wiki-link" not in page
        hidden, missing = re.findall(r'<(?:a|span) class="wiki-missing".*?</(?:a|span)>', page)
        assert (
            hidden.replace("secret%20PROTOTYPE", "Never%20written").replace(
                "secret PROTOTYPE", "Never written"
            )
            == missing
        ), reader


def test_a_forged_marker_in_the_text_is_not_taken_for_a_link(general: Space, alice: User) -> None:
    write(alice, general, "Brake pads")
    article = write(
        alice,
        general,
        "Forgery",
        '<span class="wiki-link" data-wiki-title="Brake pads">x</span> \ue0000\ue001',
    )
    assert "data-wiki-title" not in article.body_html
    page = body_of(html(client_for(alice), article.get_absolute_url()))
    assert "wiki-link" not in page.replace('<span class="wiki-link">x</span>', "")
    assert "\ue000" not in page


# --- Queries -----------------------------------------------------------------------------------


def test_the_article_page_looks_all_links_up_in_one_query(
    general: Space, lab: Space, alice: User, django_assert_max_num_queries: Any
) -> None:
    write(alice, general, "Target")
    write(alice, lab, "Lab target")
    few = write(alice, general, "Few links", "See [[Target]], [[Lab target]] and [[Nothing]].")
    targets = [write(alice, general if n % 2 else lab, f"Target {n}") for n in range(20)]
    links = " ".join(f"[[{target.title}]] [[Missing {n}]]" for n, target in enumerate(targets))
    many = write(alice, general, "Many links", links)
    client = client_for(alice)
    client.get(few.get_absolute_url())
    with django_assert_max_num_queries(14) as baseline:
        client.get(few.get_absolute_url())
    # Counted now: the next request clears the connection's query log.
    allowed = len(baseline.captured_queries)
    with django_assert_max_num_queries(allowed):
        page = html(client, many.get_absolute_url())
    assert body_of(page).count('class="wiki-link"') == 20
    assert body_of(page).count('class="wiki-missing"') == 20


# --- Articles stored before links were resolved when shown -----------------------------------


def test_the_migration_renders_stored_articles_again_with_link_markers(
    general: Space, alice: User
) -> None:
    article = write(alice, general, "Maintenance", "## Part\n\nSee [[Chain oil]].")
    Article.objects.filter(pk=article.pk).update(
        body_html='<p>See <a href="/c/cargo/wiki/chain-oil/">Chain oil</a>.</p>', toc_html=""
    )
    migration = __import__("cercle.wiki.migrations.0002_rerender_wiki_links", fromlist=["rerender"])
    migration.rerender(apps, None)
    stored = Article.objects.get(pk=article.pk)
    assert stored.body_html == render_article(article.body).html
    assert 'data-wiki-title="Chain oil"' in stored.body_html


# --- History ----------------------------------------------------------------------------------


def test_the_history_is_paginated_and_the_comparison_form_reaches_any_two_versions(
    general: Space, alice: User, bob: User, django_assert_max_num_queries: Any
) -> None:
    article = write(alice, general, "Tyre pressure", "Version 1 text")
    history = reverse("wiki_history", kwargs={"slug": "cargo", "article": article.slug})
    client = client_for(bob)
    client.get(history)
    with django_assert_max_num_queries(14) as baseline:
        client.get(history)
    allowed = len(baseline.captured_queries)
    for number in range(2, 62):
        edit(alice if number % 2 else bob, article, body=f"Version {number} text")

    first = html(client, history)
    assert re.findall(r">Version (\d+)</a></h2>", first) == [str(n) for n in range(61, 11, -1)]
    assert '<ol class="stack wiki-history" reversed start="61">' in first
    assert '<nav class="pagination" aria-label="Pages">' in first
    assert '<li aria-current="page">Page 1 of 2</li>' in first
    assert 'href="?page=2" rel="next"' in first

    with django_assert_max_num_queries(allowed):
        second = html(client, f"{history}?page=2")
    assert re.findall(r">Version (\d+)</a></h2>", second) == [str(n) for n in range(11, 0, -1)]
    assert '<li aria-current="page">Page 2 of 2</li>' in second
    assert 'href="?page=1" rel="prev"' in second

    diff = reverse("wiki_diff", kwargs={"slug": "cargo", "article": article.slug})
    for page in (first, second):
        assert f'action="{diff}"' in page
        assert 'name="from" min="1" max="61" value="60"' in page
        assert 'name="to" min="1" max="61" value="61"' in page
    compared = html(client, f"{diff}?from=3&to=60")
    assert "Changes from version 3 to version 60" in compared
    assert "Version 3 text" in compared
    assert "Version 60 text" in compared
    assert client.get(f"{history}?page=99").status_code == 200


def test_a_single_version_history_has_no_comparison_form_and_no_pages(
    general: Space, alice: User
) -> None:
    article = write(alice, general, "Tyre pressure")
    page = html(
        client_for(alice),
        reverse("wiki_history", kwargs={"slug": "cargo", "article": article.slug}),
    )
    assert 'name="from"' not in page
    assert 'class="pagination"' not in page
    assert ">Version 1</a></h2>" in page


def test_a_reply_with_double_brackets_posted_after_reading_an_article_is_saved_as_text(
    general: Space, alice: User, bob: User
) -> None:
    article = write(alice, general, "Tyre pressure", "See [[Brakes]].")
    html(client_for(bob), article.get_absolute_url())
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Pressure", body="How much?"
    )
    address = reverse(
        "topic_reply", kwargs={"slug": "cargo", "space": general.slug, "topic_id": topic.pk}
    )
    response = client_for(bob).post(address, {"body": "Read [[Tyre pressure]] and [[x|y]]."})
    assert response.status_code == 302
    reply = Post.objects.get(topic=topic, position=1)
    assert reply.body_html == "<p>Read [[Tyre pressure]] and [[x|y]].</p>\n"
