"""The search page: one result per topic, with its state and the best post's words,
filters that narrow, and nothing the reader may not see. The similar topics offered
while a title is typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.communities.models import Community, Space, Visibility
from cercle.conversations import actions
from cercle.conversations.models import Post, Topic
from cercle.membership import actions as community_actions
from cercle.search.models import SearchDocument
from cercle.wiki import actions as wiki_actions
from tests.communities import client_for, community
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

RESULT = '<li class="search-hit">'


def hits(client: Client, text: str, **filters: str) -> str:
    response = client.get("/search/", {"q": text, **filters})
    assert response.status_code == 200
    return response.content.decode()


def results(page: str) -> list[str]:
    """Each result's HTML, in order."""
    return page.split(RESULT)[1:]


def titles(page: str) -> list[str]:
    """The results' titles, without their highlighting."""
    found = re.findall(r'class="search-hit__title"><a href="[^"]*">(.*?)</a>', page)
    return [re.sub(r"</?mark>", "", title) for title in found]


def answered(asker: User, helper: User, space: Space, title: str, body: str) -> Topic:
    """A question of `asker` with one reply of `helper`, accepted."""
    topic = actions.do_start_topic(asker, space, kind="question", title=title, body=body)
    reply = actions.do_reply(helper, topic, body="Here is how I did it.")
    actions.do_accept_answer(asker, topic, Post.objects.get(pk=reply.pk))
    return topic


@pytest.fixture
def cargo(alice: User) -> Community:
    return community(alice, slug="cargo", name="Cargo Riders")


@pytest.fixture
def general(cargo: Community) -> Space:
    return cargo.spaces.get()


@pytest.fixture
def bob(cargo: Community) -> User:
    bob = make_person("bob2@example.org", "Bob Rider")
    community_actions.do_join(bob, cargo)
    return bob


def test_search_finds_topics_and_replies_with_highlighted_words(
    alice: User, general: Space, bob: User
) -> None:
    topic = actions.do_start_topic(
        alice, general, kind="question", title="Longtail or front-loader?", body="Steep <streets>"
    )
    actions.do_reply(bob, topic, body="A longtail with a mid-drive motor climbs best.")
    actions.do_start_topic(bob, general, kind="discussion", title="Longtail rides", body="Sunday")
    page = hits(Client(), "longtail")
    assert page.count(RESULT) == 2
    assert "<mark>Longtail</mark>" in page  # in the titles too
    assert "2 results" in page
    solved_only = hits(Client(), "longtail", solved="yes")
    assert solved_only.count(RESULT) == 0


# --- One result per topic ---------------------------------------------------------------------


def test_a_topic_with_sixteen_matching_posts_is_one_result(alice: User, general: Space) -> None:
    topic = actions.do_start_topic(
        alice, general, kind="discussion", title="Winter tyres", body="Studded tyres?"
    )
    for number in range(15):
        actions.do_reply(alice, topic, body=f"Reply {number}: studded tyres grip on ice.")
    page = hits(Client(), "studded")
    assert page.count(RESULT) == 1
    assert "1 result" in page
    assert "16 matching messages" in page
    assert titles(page) == ["Winter tyres"]


def test_the_snippet_is_the_best_posts_with_the_words_highlighted(
    alice: User, general: Space, bob: User
) -> None:
    topic = actions.do_start_topic(
        alice, general, kind="question", title="Night riding", body="What lights do you use?"
    )
    actions.do_reply(bob, topic, body="A dynamo hub and nothing else.")
    actions.do_reply(alice, topic, body="Thanks, I will look at dynamo hubs.")
    actions.do_reply(bob, topic, body="The dynamo dynamo dynamo hub: dynamo forever.")
    (result,) = results(hits(Client(), "dynamo"))
    assert "<mark>dynamo</mark> forever" in result
    assert "In a reply:" in result
    assert f'href="{topic.get_absolute_url()}"' in result
    assert "?post=3#post-3" in result  # "See this reply" goes to the best reply
    assert "Bob Rider" in result  # who wrote it, linked to their profile
    assert f'href="{reverse("profile", kwargs={"handle": bob.handle})}"' in result


def test_a_result_shows_the_kind_the_solved_badge_the_replies_and_where(
    alice: User, general: Space, bob: User
) -> None:
    topic = answered(alice, bob, general, "Chain wax or oil?", "Which lasts longer in rain?")
    actions.do_reply(alice, topic, body="Thank you!")
    actions.do_start_topic(
        alice, general, kind="discussion", title="Wax party", body="Bring your chain wax."
    )
    page = hits(Client(), "wax")
    first, second = sorted(results(page), key=lambda result: "Chain" not in result)
    assert ">Question<" in first
    assert ">Solved<" in first
    assert "2 replies" in first
    assert "Cargo Riders \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} General" in first
    assert "active" in first
    assert "ago" in first
    assert ">Discussion<" in second
    assert ">Solved<" not in second
    assert "0 replies" in second


def test_highlighting_escapes_the_text_of_posts(alice: User, general: Space) -> None:
    actions.do_start_topic(
        alice,
        general,
        kind="discussion",
        title="Escaping <b>pannier</b> tags",
        body="Beware `<script>alert('pannier')</script>` in pannier reviews",
    )
    page = hits(Client(), "pannier")
    (result,) = results(page)
    assert "<script>alert" not in page
    assert "<b>" not in result
    assert "&lt;b&gt;<mark>pannier</mark>&lt;/b&gt;" in result
    assert "&lt;script&gt;" in result
    assert "<mark>pannier</mark>" in result


def test_results_come_in_pages_of_topics_without_repeating_one(alice: User, general: Space) -> None:
    for number in range(25):
        topic = actions.do_start_topic(
            alice, general, kind="discussion", title=f"Saddle {number}", body="Saddle sores"
        )
        actions.do_reply(alice, topic, body="A saddle fitting helps.")
    first = hits(Client(), "saddle")
    second = hits(Client(), "saddle", page="2")
    assert "25 results" in first
    assert len(titles(first)) == 20
    assert len(titles(second)) == 5
    assert len(set(titles(first)) | set(titles(second))) == 25
    assert "Page 2 of 2" in second
    assert hits(Client(), "saddle", page="9").count(RESULT) == 5  # the last page


def test_a_wiki_article_is_a_result_of_its_own(alice: User, general: Space) -> None:
    topic = actions.do_start_topic(
        alice, general, kind="question", title="Tubeless setup", body="Sealant?"
    )
    actions.do_reply(alice, topic, body="Tubeless sealant lasts six months.")
    wiki_actions.do_create_article(
        alice, general, title="Tubeless guide", body="Tubeless tyres, step by step."
    )
    page = hits(Client(), "tubeless")
    assert sorted(titles(page)) == ["Tubeless guide", "Tubeless setup"]
    (article,) = [result for result in results(page) if "guide</a>" in result]
    assert ">Wiki<" in article
    assert "replies" not in article
    assert titles(hits(Client(), "tubeless", kind="article")) == ["Tubeless guide"]
    assert titles(hits(Client(), "tubeless", kind="question")) == ["Tubeless setup"]


# --- Filters -------------------------------------------------------------------------------


@pytest.fixture
def varied(alice: User, bob: User, cargo: Community, general: Space) -> dict[str, Topic]:
    """Topics about brakes: a solved question by Alice, an open question by Bob in
    another space, a discussion in another community, and an old announcement."""
    workshop = community_actions.do_create_space(alice, cargo, name="Workshop")
    other = community(alice, slug="velotaf", name="Velotaf")
    topics = {
        "solved": answered(alice, bob, general, "Brake squeal", "Disc brake squeals."),
        "open": actions.do_start_topic(
            bob, workshop, kind="question", title="Brake pads", body="Which brake pads?"
        ),
        "discussion": actions.do_start_topic(
            alice, other.spaces.get(), kind="discussion", title="Brake lights", body="Brake!"
        ),
        "announcement": actions.do_start_topic(
            alice, general, kind="announcement", title="Brake workshop", body="Brake day."
        ),
    }
    old = timezone.now() - timedelta(days=40)
    SearchDocument.objects.filter(topic_id=topics["announcement"].pk).update(created_at=old)
    return topics


def found(client: Client, **filters: str) -> set[str]:
    return set(titles(hits(client, "brake", **filters)))


def test_each_filter_narrows_the_results(
    alice: User, bob: User, cargo: Community, varied: dict[str, Topic]
) -> None:
    reader = client_for(alice)
    every = {"Brake squeal", "Brake pads", "Brake lights", "Brake workshop"}
    assert found(reader) == every
    assert found(reader, community="cargo") == every - {"Brake lights"}
    assert found(reader, community="velotaf") == {"Brake lights"}
    workshop = cargo.spaces.get(name="Workshop")
    assert found(reader, space=str(workshop.pk)) == {"Brake pads"}
    assert found(reader, kind="question") == {"Brake squeal", "Brake pads"}
    assert found(reader, kind="discussion") == {"Brake lights"}
    assert found(reader, kind="announcement") == {"Brake workshop"}
    assert found(reader, solved="yes") == {"Brake squeal"}
    assert found(reader, solved="no") == {"Brake pads"}  # open questions
    assert found(reader, author=f"@{bob.handle}") == {"Brake pads"}
    assert found(reader, author=alice.handle) == every - {"Brake pads"}
    assert found(reader, author="nobody-has-this") == set()
    today = timezone.localdate()
    assert found(reader, since=str(today - timedelta(days=7))) == every - {"Brake workshop"}
    assert found(reader, until=str(today - timedelta(days=30))) == {"Brake workshop"}
    assert found(reader, community="cargo", kind="question", solved="no") == {"Brake pads"}


def test_filters_keep_their_values(alice: User, varied: dict[str, Topic]) -> None:
    page = hits(client_for(alice), "brake", community="cargo", kind="question", solved="yes")
    assert 'value="cargo" selected' in page
    assert 'value="question" selected' in page
    assert 'value="yes" selected' in page
    assert 'value="brake"' in page


def test_a_solved_filter_follows_an_answer_accepted_after_the_replies(
    alice: User, bob: User, general: Space
) -> None:
    topic = actions.do_start_topic(
        alice, general, kind="question", title="Gear hub", body="Which hub?"
    )
    reply = actions.do_reply(bob, topic, body="A rohloff gear hub.")
    actions.do_reply(alice, topic, body="Is a rohloff heavy?")
    assert titles(hits(Client(), "rohloff", solved="yes")) == []
    actions.do_accept_answer(alice, topic, Post.objects.get(pk=reply.pk))
    assert titles(hits(Client(), "rohloff", solved="yes")) == ["Gear hub"]
    assert titles(hits(Client(), "rohloff", solved="no")) == []


def test_bad_filter_values_are_named_and_find_nothing(alice: User, general: Space) -> None:
    actions.do_start_topic(alice, general, kind="discussion", title="Cargo x", body="x")
    page = hits(
        Client(), "cargo", community="nope", kind="bogus", solved="maybe", since="2026-13-45"
    )
    assert page.count(RESULT) == 0
    assert "Correct the filters marked above to search." in page
    assert page.count('class="field__errors"') == 4
    assert hits(Client(), "cargo", page="abc").count(RESULT) == 1


def test_an_end_before_the_start_is_refused(alice: User, general: Space) -> None:
    actions.do_start_topic(alice, general, kind="discussion", title="Cargo x", body="x")
    page = hits(Client(), "cargo", since="2026-03-10", until="2026-03-01")
    assert "The end of the period comes before its start." in page
    assert page.count(RESULT) == 0


# --- Permissions ------------------------------------------------------------------------------


def test_search_never_shows_a_private_space_to_an_unlisted_member(alice: User) -> None:
    cargo = community(alice, slug="cargo", visibility=Visibility.MEMBERS)
    lab = community_actions.do_create_space(alice, cargo, name="Lab", is_private=True)
    actions.do_start_topic(alice, lab, kind="discussion", title="Secret prototype", body="Welded")
    member = make_person("member@example.org", "Member")
    community_actions.do_join(member, cargo)
    reader = client_for(member)
    assert RESULT not in hits(reader, "prototype")
    assert RESULT not in hits(Client(), "prototype")
    assert hits(client_for(alice), "prototype").count(RESULT) == 1


def test_a_filter_naming_a_private_space_finds_nothing_and_names_nothing(alice: User) -> None:
    cargo = community(alice, slug="cargo")
    lab = community_actions.do_create_space(alice, cargo, name="Secret Lab", is_private=True)
    actions.do_start_topic(alice, lab, kind="discussion", title="Hidden prototype", body="W")
    member = make_person("member@example.org", "Member")
    community_actions.do_join(member, cargo)
    for reader in (client_for(member), Client()):
        page = hits(reader, "prototype", space=str(lab.pk))
        assert RESULT not in page
        assert "Secret Lab" not in page
        assert "Hidden prototype" not in page
    assert "Secret Lab" in hits(client_for(alice), "prototype")  # listed for her
    assert hits(client_for(alice), "prototype", space=str(lab.pk)).count(RESULT) == 1


# --- Similar topics while titling ---------------------------------------------------------


def similar(client: Client, title: str, slug: str = "cargo") -> str:
    response = client.get(f"/c/{slug}/similar/", {"title": title}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def suggested(page: str) -> list[str]:
    return re.findall(r'<a href="[^"]*">([^<]*)</a>', page)


def test_similar_questions_come_solved_first_with_their_state(
    alice: User, bob: User, general: Space
) -> None:
    actions.do_start_topic(
        alice, general, kind="question", title="Brake squeal on a cargo bike", body="Squeal!"
    )
    answered(alice, bob, general, "Squealing disc brakes", "They squeal in the rain.")
    actions.do_start_topic(alice, general, kind="discussion", title="Saddles", body="Comfort")
    page = similar(client_for(bob), "Why do my brakes squeal?")
    assert suggested(page) == ["Squealing disc brakes", "Brake squeal on a cargo bike"]
    assert "Saddles" not in page
    first = page.split("<li>")[1]
    assert ">Solved<" in first
    assert "1 reply" in first
    assert 'aria-labelledby="similar-questions-title"' in page


def test_similar_questions_offer_at_most_five(alice: User, general: Space) -> None:
    for number in range(8):
        actions.do_start_topic(
            alice, general, kind="question", title=f"Tyre pressure {number}", body="psi"
        )
    assert len(suggested(similar(client_for(alice), "tyre pressure"))) == 5


def test_similar_questions_leave_out_what_the_writer_may_not_read(
    alice: User, bob: User, cargo: Community
) -> None:
    lab = community_actions.do_create_space(alice, cargo, name="Lab", is_private=True)
    actions.do_start_topic(alice, lab, kind="question", title="Prototype frame", body="Welded")
    assert suggested(similar(client_for(bob), "prototype frame")) == []
    assert suggested(similar(client_for(alice), "prototype frame")) == ["Prototype frame"]


def test_similar_questions_stay_in_the_community(alice: User, bob: User, general: Space) -> None:
    other = community(alice, slug="velotaf", name="Velotaf")
    actions.do_start_topic(alice, other.spaces.get(), kind="question", title="Rain cape", body="?")
    assert suggested(similar(client_for(alice), "rain cape")) == []
    assert suggested(similar(client_for(alice), "rain cape", slug="velotaf")) == ["Rain cape"]


def test_an_empty_or_common_title_suggests_nothing(alice: User, general: Space) -> None:
    actions.do_start_topic(alice, general, kind="question", title="How to do it", body="the")
    for title in ("", "   ", "How to do it?", "!!"):
        assert similar(client_for(alice), title).strip() == ""


def test_similar_questions_are_for_members_who_may_write(alice: User, cargo: Community) -> None:
    response = Client().get("/c/cargo/similar/", {"title": "brakes"})
    assert response.status_code == 302  # to the log-in page
    private = community(alice, slug="inner", visibility=Visibility.MEMBERS)
    outsider = make_person("out@example.org", "Outsider")
    assert client_for(outsider).get(f"/c/{private.slug}/similar/").status_code == 404


def test_the_new_topic_page_asks_for_similar_questions_as_the_title_is_typed(
    alice: User, general: Space
) -> None:
    page = client_for(alice).get(f"{general.get_absolute_url()}new/").content.decode()
    slot = re.search(r'<div id="similar-questions"[^>]*>', page)
    assert slot is not None
    assert 'hx-get="/c/cargo/similar/"' in slot[0]
    assert 'hx-trigger="input changed delay:400ms from:#id_title"' in slot[0]
    assert 'aria-live="polite"' in slot[0]
    # Right after the title field, before the message.
    assert page.index('id="id_title"') < page.index('id="similar-questions"')
    assert page.index('id="similar-questions"') < page.index('id="id_body"')
