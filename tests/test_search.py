"""Search: ranked, accent-insensitive, stemmed where the database can, and never
showing what the reader may not see.

The same tests run on SQLite (FTS5) and PostgreSQL (tsvector). Where the two
differ on purpose (stemming and prefixes), a test says what each one does.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction

from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Membership,
    Role,
    Space,
    Status,
    Visibility,
)
from cercle.membership import actions
from cercle.permissions import Actor
from cercle.search.index import (
    SQLITE_TRIGGERS,
    index_document,
    reassign_space,
    remove_document,
    restore_sqlite_triggers,
    set_topic_state,
    set_visibility,
)
from cercle.search.models import SearchDocument
from cercle.search.query import NO_FILTERS, Hit, SearchFilters, search, search_topics
from tests.communities import community, internal_domain, staff_person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
POSTGRESQL = connection.vendor == "postgresql"
_object_ids = itertools.count(1)


# --- People and places ----------------------------------------------------------------------


@pytest.fixture
def claire(coordinator: User) -> User:
    """Coordinator of Cargo (the usual test community, tests/conftest.py)."""
    return coordinator


@pytest.fixture
def board(cargo: Community, claire: User, alice: User) -> Space:
    """A private space of Cargo where Alice is listed and Bob is not."""
    space = actions.do_create_space(claire, cargo, name="Board", is_private=True)
    actions.do_list_in_space(claire, space, alice)
    return space


def put(
    space: Space,
    title: str,
    body: str = "",
    *,
    kind: str = "topic",
    object_id: int | None = None,
    created_at: datetime = NOW,
    **values: Any,
) -> int:
    """Index a document in `space` and return its object id."""
    object_id = object_id if object_id is not None else next(_object_ids)
    index_document(
        kind=kind,
        object_id=object_id,
        community_id=space.community_id,
        space_id=space.pk,
        title=title,
        body=body,
        url=f"/c/{kind}/{object_id}/",
        author_id=values.pop("author_id", None),
        created_at=created_at,
        **values,
    )
    return object_id


def hits(actor: Actor, text: str, filters: SearchFilters = NO_FILTERS) -> list[Hit]:
    found, total = search(actor, text, filters)
    assert total == len(found)
    return found


def found(actor: Actor, text: str, filters: SearchFilters = NO_FILTERS) -> list[int]:
    return [hit.object_id for hit in hits(actor, text, filters)]


def found_set(actor: Actor, text: str, filters: SearchFilters = NO_FILTERS) -> set[int]:
    return set(found(actor, text, filters))


# --- Ranking and pagination -----------------------------------------------------------------


def test_a_title_match_ranks_above_a_body_match(alice: User, general: Space) -> None:
    in_body = put(general, "Monthly meeting", "We talked about the logistics network at length.")
    in_title = put(general, "Logistics network", "Notes from the meeting.")
    results = hits(alice, "logistics")
    assert [hit.object_id for hit in results] == [in_title, in_body]
    assert results[0].rank > results[1].rank > 0


def test_equal_matches_come_newest_first(alice: User, general: Space) -> None:
    old = put(general, "Cargo bike rental", created_at=NOW - timedelta(days=3))
    new = put(general, "Cargo bike rental", created_at=NOW)
    middle = put(general, "Cargo bike rental", created_at=NOW - timedelta(days=1))
    assert found(alice, "rental") == [new, middle, old]


def test_results_come_in_pages_with_the_total(alice: User, general: Space) -> None:
    ids = [put(general, "Velocargo", created_at=NOW - timedelta(hours=n)) for n in range(5)]
    page, total = search(alice, "velocargo", limit=2, offset=2)
    assert total == 5
    assert [hit.object_id for hit in page] == ids[2:4]
    assert [hit.object_id for hit in search(alice, "velocargo", limit=2, offset=4)[0]] == ids[4:]
    assert search(alice, "velocargo", limit=2, offset=10) == ([], 5)


def test_a_hit_carries_what_the_page_needs(alice: User, general: Space) -> None:
    object_id = put(general, "Pedal power", "Electric assistance or not?", author_id=alice.pk)
    (hit,) = hits(alice, "pedal")
    assert (hit.kind, hit.object_id, hit.title, hit.url) == (
        "topic",
        object_id,
        "Pedal power",
        f"/c/topic/{object_id}/",
    )
    assert (hit.community_id, hit.space_id, hit.author_id) == (
        general.community_id,
        general.pk,
        alice.pk,
    )
    assert hit.created_at == NOW


def test_search_costs_the_same_few_queries_whatever_the_number_of_hits(
    alice: User, general: Space, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        put(general, "Freight", "Freight by bike.")
    with django_assert_num_queries(4):  # who is internal (2), the count, the page
        assert len(search(alice, "freight")[0]) == 3
    for _ in range(30):
        put(general, "Freight", "Freight by bike.")
    alice = User.objects.get(pk=alice.pk)  # no cached answer about being internal
    with django_assert_num_queries(4):
        assert len(search(alice, "freight")[0]) == 20


# --- One hit per topic ------------------------------------------------------------------------


def thread(space: Space, title: str, *replies: str, created_at: datetime = NOW) -> list[int]:
    """A topic's document and its replies' documents (one minute apart); their object ids."""
    topic = put(space, title, "", created_at=created_at)
    SearchDocument.objects.filter(kind="topic", object_id=topic).update(topic_id=topic)
    return [
        topic,
        *(
            put(
                space,
                "",
                body,
                kind="post",
                topic_id=topic,
                created_at=created_at + timedelta(minutes=number),
            )
            for number, body in enumerate(replies, start=1)
        ),
    ]


def test_a_topic_is_one_hit_its_best_document_with_the_number_of_matches(
    alice: User, general: Space
) -> None:
    topic, _first, best, _last = thread(
        general, "Cargo trailers", "A trailer hitch", "Trailer, trailer, trailer!", "No trailer"
    )
    (hit,), total = search_topics(alice, "trailer")
    assert total == 1
    assert (hit.kind, hit.object_id, hit.topic_id, hit.matches) == ("topic", topic, topic, 4)
    (hit,), _total = search_topics(alice, "hitch trailer")
    assert (hit.kind, hit.matches) == ("post", 1)
    (hit,), _total = search_topics(alice, "trailer", SearchFilters(kind="post"))
    assert (hit.object_id, hit.topic_id, hit.matches) == (best, topic, 3)
    assert "<mark>" in hit.snippet_html


def test_a_topic_found_by_its_tags_shows_its_opening_post(alice: User, general: Space) -> None:
    """Replies carry their topic's tags: they match, but say nothing of the tag."""
    topic = put(general, "Studded tyres", "Which ones?", tags=["winter"], topic_id=None)
    SearchDocument.objects.filter(kind="topic", object_id=topic).update(topic_id=topic)
    for body in ("Schwalbe.", "Continental, without any doubt, for years."):
        put(general, "", body, kind="post", topic_id=topic, tags=["winter"])
    (hit,), total = search_topics(alice, "winter")
    assert (total, hit.kind, hit.object_id, hit.matches) == (1, "topic", topic, 0)


def test_a_topic_title_is_highlighted(alice: User, general: Space) -> None:
    thread(general, "The <b>cargo</b> trailer", "A trailer")
    (hit,), _total = search_topics(alice, "trailer")
    assert hit.title_html == "The &lt;b&gt;cargo&lt;/b&gt; <mark>trailer</mark>"


def test_documents_of_no_topic_are_hits_of_their_own(alice: User, general: Space) -> None:
    thread(general, "Rain gear", "Rain capes")
    resource = put(general, "Rain guide", kind="resource")
    article = put(general, "Rain article", kind="article")
    found_hits, total = search_topics(alice, "rain")
    assert total == 3
    by_kind = {hit.kind: hit for hit in found_hits}
    assert by_kind["resource"].object_id == resource
    assert by_kind["article"].object_id == article
    assert by_kind["resource"].topic_id is None


def test_topics_come_in_pages_that_never_split_one(alice: User, general: Space) -> None:
    topics = [
        thread(general, f"Velocargo {n}", "velocargo", created_at=NOW - timedelta(hours=n))[0]
        for n in range(5)
    ]
    seen: list[int] = []
    for offset in (0, 2, 4):
        page, total = search_topics(alice, "velocargo", limit=2, offset=offset)
        assert total == 5
        seen += [hit.topic_id for hit in page if hit.topic_id is not None]
    assert sorted(seen) == sorted(topics)
    assert search_topics(alice, "velocargo", limit=2, offset=10) == ([], 5)


def test_any_word_finds_what_has_one_of_the_words(alice: User, general: Space) -> None:
    both = thread(general, "Brake squeal")[0]
    one = thread(general, "Squeaky saddle")[0]
    thread(general, "Nothing alike")
    assert [hit.topic_id for hit in search_topics(alice, "brake saddle")[0]] == []
    found_ids = [hit.topic_id for hit in search_topics(alice, "brake squeaky", any_word=True)[0]]
    assert set(found_ids) == {both, one}


def test_topic_search_costs_the_same_few_queries_whatever_the_number_of_hits(
    alice: User, general: Space, django_assert_num_queries: Any
) -> None:
    for _ in range(3):
        thread(general, "Freight", "Freight by bike.", "More freight")
    with django_assert_num_queries(4):  # who is internal (2), the page, its snippets
        assert len(search_topics(alice, "freight")[0]) == 3
    for _ in range(30):
        thread(general, "Freight", "Freight by bike.", "More freight")
    alice = User.objects.get(pk=alice.pk)  # no cached answer about being internal
    with django_assert_num_queries(4):
        assert len(search_topics(alice, "freight")[0]) == 20


def test_a_topics_state_reaches_its_replies(alice: User, general: Space) -> None:
    """The topic's own document is rewritten by `index_document`; its replies follow."""
    topic, reply = thread(general, "Hub gears", "A rohloff hub")
    set_topic_state(topic_id=topic, topic_kind="question", is_solved=True, tags=["Tandem Kit"])
    solved = SearchFilters(solved=True, topic_kind="question", tag="tandem-kit")
    assert found(alice, "hub", solved) == [reply]
    assert found(alice, "tandem") == [reply]  # the new tags are words of the reply
    set_topic_state(topic_id=topic, topic_kind="question", is_solved=False, tags=[])
    assert found(alice, "hub", SearchFilters(solved=True)) == []
    assert found(alice, "tandem") == []


# --- Language ---------------------------------------------------------------------------------


def test_accents_are_ignored_both_ways(alice: User, general: Space) -> None:
    accented = put(general, "Le réseau des ateliers")
    plain = put(general, "Un reseau de livreurs")
    assert found_set(alice, "reseau") == {accented, plain}
    assert found_set(alice, "réseau") == {accented, plain}
    assert found_set(alice, "RÉSEAU") == {accented, plain}


def test_french_plurals_find_the_singular_on_postgresql_and_prefixes_do_on_sqlite(
    alice: User, general: Space
) -> None:
    bike = put(general, "Un vélo pour deux", language="fr")
    bikes = put(general, "Des vélos partagés", language="fr")
    network = put(general, "Le réseau des ateliers", language="fr")
    # Both databases: the word and its accent-free spelling find the singular, and
    # a word finds its longer forms (stemming on PostgreSQL, prefix on SQLite).
    assert found_set(alice, "velo") == {bike, bikes}
    assert found_set(alice, "vélo") == {bike, bikes}
    # Only PostgreSQL stems: plurals find the singular. SQLite matches words as typed.
    assert found_set(alice, "vélos") == ({bike, bikes} if POSTGRESQL else {bikes})
    assert found_set(alice, "réseaux") == ({network} if POSTGRESQL else set())


def test_english_plurals_find_the_singular_on_postgresql_and_prefixes_do_on_sqlite(
    alice: User, general: Space
) -> None:
    singular = put(general, "Which bike for children?")
    plural = put(general, "Three bikes for the school run")
    assert found_set(alice, "bike") == {singular, plural}
    expected = {singular, plural} if POSTGRESQL else {plural}
    assert found_set(alice, "bikes") == expected


def test_the_last_word_is_a_prefix_on_sqlite(alice: User, general: Space) -> None:
    longtail = put(general, "Longtail frames compared")
    # SQLite completes the last word as typed; PostgreSQL searches whole words.
    assert found(alice, "longt") == ([] if POSTGRESQL else [longtail])
    assert found(alice, "frames longt") == ([] if POSTGRESQL else [longtail])
    assert found(alice, "longtail frames") == [longtail]


def test_every_word_must_match(alice: User, general: Space) -> None:
    both = put(general, "Winter tyres", "Studded tyres for icy roads.")
    put(general, "Summer tyres", "Slick tyres for dry roads.")
    assert found(alice, "tyres icy") == [both]
    assert found(alice, "icy tyres") == [both]


def test_tags_are_searchable_words(alice: User, general: Space) -> None:
    tagged = put(general, "Monday notes", tags=["logistique-urbaine"])
    assert found(alice, "logistique") == [tagged]


# --- Hostile input ----------------------------------------------------------------------------


HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "a AND OR",
    "-",
    "'; DROP TABLE search_searchdocument; --",
    '"unbalanced',
    "title:reseau",
    "réseau NEAR/2 budget",
    "(((",
    "^réseau",
    "réseau*",
    "\x00réseau",
    "\x02\x03",
    "\ud800réseau",
    "OR AND NOT",
    "%_\\",
    "-réseau",
    "{title body}: x",
    "<script>alert(1)</script>",
    "réseau " * 100,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_returns_a_list_without_error(alice: User, general: Space, text: str) -> None:
    put(general, "Le réseau", "Budget du réseau")
    results, total = search(alice, text)
    assert isinstance(results, list)
    assert isinstance(total, int)
    assert SearchDocument.objects.count() == 1


@pytest.mark.parametrize("text", ['"réseau', "réseau*", "(réseau)", "réseau;", "\x00réseau"])
def test_words_around_special_characters_are_still_found(
    alice: User, general: Space, text: str
) -> None:
    doc = put(general, "Le réseau")
    assert found(alice, text) == [doc]


@pytest.mark.parametrize("text", ["", "   ", '"', "*", "-", "!!!", "()", "_", "\x00\x02"])
def test_text_without_words_finds_nothing_without_asking_the_database(
    alice: User, general: Space, text: str, django_assert_num_queries: Any
) -> None:
    put(general, "Anything")
    with django_assert_num_queries(0):
        assert search(alice, text) == ([], 0)


# --- Snippets --------------------------------------------------------------------------------


def test_snippets_escape_the_text_and_mark_the_matches(alice: User, general: Space) -> None:
    put(general, "Security", "Before & after <script>alert('x')</script> the réseau")
    (hit,) = hits(alice, "reseau")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in hit.snippet_html
    assert "<script>" not in hit.snippet_html
    assert "Before &amp; after" in hit.snippet_html
    assert "<mark>réseau</mark>" in hit.snippet_html
    assert hit.snippet_html.count("<mark>") == hit.snippet_html.count("</mark>") == 1


def test_words_between_angle_brackets_are_plain_words(alice: User, general: Space) -> None:
    doc = put(general, "Markup", "Use the <details> element, not <script>toggle()</script>.")
    assert found(alice, "details") == [doc]
    assert found(alice, "toggle") == [doc]
    (hit,) = hits(alice, "details")
    assert "<mark>details</mark>&gt; element" in hit.snippet_html


def test_marker_characters_in_the_content_never_become_marks(alice: User, general: Space) -> None:
    put(general, "Markers", "\x02fake\x03 highlight, then the word bicycle.")
    (hit,) = hits(alice, "bicycle")
    assert "<mark>fake" not in hit.snippet_html
    assert hit.snippet_html.count("<mark>") == 1
    assert "<mark>bicycle</mark>" in hit.snippet_html


def test_a_long_body_is_shortened_around_the_match(alice: User, general: Space) -> None:
    filler = " ".join(["lorem"] * 300)
    put(general, "Long", f"{filler} the derailleur broke {filler}")
    (hit,) = hits(alice, "derailleur")
    assert "<mark>derailleur</mark>" in hit.snippet_html
    assert len(hit.snippet_html) < 600


# --- Permissions: never a hit the reader may not see ---------------------------------------


def test_a_private_space_is_found_by_its_listed_members_and_the_coordinators(
    claire: User, alice: User, bob: User, charlie: User, board: Space
) -> None:
    secret = put(board, "Budget for next year")
    assert found(alice, "budget") == [secret]  # listed
    assert found(claire, "budget") == [secret]  # coordinator
    assert found(bob, "budget") == []  # member, not listed
    assert found(charlie, "budget") == []
    assert found(AnonymousUser(), "budget") == []


def test_a_members_only_community_is_found_by_its_members_only(
    claire: User, alice: User, charlie: User
) -> None:
    atelier = community(claire, slug="atelier", visibility=Visibility.MEMBERS)
    actions.do_join(alice, atelier)
    doc = put(atelier.spaces.get(is_default=True), "Welding workshop")
    assert found(alice, "welding") == [doc]
    assert found(claire, "welding") == [doc]
    assert found(charlie, "welding") == []
    assert found(staff_person(), "welding") == []  # staff read like anyone
    assert found(AnonymousUser(), "welding") == []


def test_an_internal_community_is_found_by_internal_people_only(charlie: User) -> None:
    domain = internal_domain()
    iris = make_person(f"iris@{domain}", "Iris Inside")
    ines = make_person(f"ines@{domain}", "Ines Inside")
    interne = community(iris, slug="interne", audience=Audience.INTERNAL)
    doc = put(interne.spaces.get(is_default=True), "Quarterly roadmap")
    assert found(iris, "roadmap") == [doc]
    assert found(ines, "roadmap") == [doc]  # internal, public community: reads open spaces
    assert found(charlie, "roadmap") == []
    # A member whose address is no longer internal loses access too.
    Membership.objects.create(
        person=charlie, community=interne, role=Role.MEMBER, status=Status.ACTIVE
    )
    assert found(User.objects.get(pk=charlie.pk), "roadmap") == []
    assert found(AnonymousUser(), "roadmap") == []


def test_a_banned_member_finds_nothing_of_the_community(
    claire: User, alice: User, charlie: User, general: Space
) -> None:
    doc = put(general, "Spring ride")
    assert found(alice, "spring") == [doc]
    actions.do_ban(claire, Membership.objects.get(person=alice, community=general.community))
    assert found(alice, "spring") == []
    assert found(charlie, "spring") == [doc]  # the community stays public to others


def test_anonymous_people_find_only_public_open_spaces_of_external_communities(
    claire: User, general: Space, board: Space
) -> None:
    public = put(general, "Harbour delivery")
    put(board, "Harbour delivery")
    members_only = community(claire, slug="atelier", visibility=Visibility.MEMBERS)
    put(members_only.spaces.get(is_default=True), "Harbour delivery")
    iris = make_person(f"iris@{internal_domain()}", "Iris Inside")
    interne = community(iris, slug="interne", audience=Audience.INTERNAL)
    put(interne.spaces.get(is_default=True), "Harbour delivery")
    assert found(AnonymousUser(), "harbour") == [public]
    assert len(found(claire, "harbour")) == 3  # everything but the internal community


def test_hidden_documents_are_found_by_nobody(
    claire: User, alice: User, general: Space, board: Space
) -> None:
    put(general, "Spam offer", is_visible=False, author_id=alice.pk)
    put(board, "Spam offer", is_visible=False, author_id=alice.pk)
    for person in (claire, alice, AnonymousUser()):
        assert found(person, "spam") == []


# --- Filters ----------------------------------------------------------------------------------


def test_every_filter_narrows_the_hits(
    claire: User, alice: User, bob: User, general: Space, board: Space
) -> None:
    other = community(claire, slug="velotaf")
    elsewhere = other.spaces.get(is_default=True)
    question = put(
        general,
        "Brake question",
        topic_kind="question",
        is_solved=True,
        tags=["brakes", "safety"],
        author_id=alice.pk,
        created_at=NOW - timedelta(days=10),
    )
    reply = put(
        general,
        "Brake question",
        "Disc brakes.",
        kind="post",
        topic_kind="question",
        tags=["brakes", "safety"],
        author_id=bob.pk,
        created_at=NOW - timedelta(days=9),
    )
    open_question = put(
        board,
        "Brake pads",
        topic_kind="question",
        tags=["pads"],
        author_id=alice.pk,
        created_at=NOW - timedelta(days=2),
    )
    discussion = put(
        elsewhere,
        "Brake lights",
        topic_kind="discussion",
        tags=["lights", "safety-first"],
        author_id=claire.pk,
        created_at=NOW,
    )
    every = {question, reply, open_question, discussion}
    assert found_set(claire, "brake") == every

    def only(**values: Any) -> set[int]:
        return found_set(claire, "brake", SearchFilters(**values))

    assert only(space_id=board.pk) == {open_question}
    assert only(community_id=general.community_id) == {question, reply, open_question}
    assert only(community_id=other.pk) == {discussion}
    assert only(kind="post") == {reply}
    assert only(kind="topic") == {question, open_question, discussion}
    assert only(topic_kind="question") == {question, reply, open_question}
    assert only(solved=True) == {question}
    assert only(solved=False) == {reply, open_question, discussion}
    assert only(tag="safety") == {question, reply}  # not "safety-first"
    assert only(tag="brakes") == {question, reply}  # the first of several tags
    assert only(tag="safety-first") == {discussion}  # the last one
    assert only(tag="pads") == {open_question}  # the only one
    assert only(tag="Pads") == {open_question}
    assert only(tag="pad") == set()
    assert only(author_id=alice.pk) == {question, open_question}
    assert only(since=NOW - timedelta(days=9)) == {reply, open_question, discussion}
    assert only(until=NOW - timedelta(days=9)) == {question}
    assert only(since=NOW - timedelta(days=5), until=NOW) == {open_question}
    assert only(space_id=board.pk, author_id=bob.pk) == set()
    # Filters never widen what the reader may see.
    assert found_set(bob, "brake", SearchFilters(space_id=board.pk)) == set()


# --- Keeping the index in step ------------------------------------------------------------------


def test_indexing_again_replaces_the_document(alice: User, general: Space) -> None:
    doc = put(general, "Draft title", "first words")
    put(general, "Final title", "second words", object_id=doc)
    assert SearchDocument.objects.filter(kind="topic", object_id=doc).count() == 1
    assert found(alice, "draft") == []
    assert found(alice, "first") == []
    assert found(alice, "final second") == [doc]


def test_a_removed_document_is_no_longer_found(alice: User, general: Space) -> None:
    doc = put(general, "Trailer hitch")
    reply = put(general, "Trailer hitch", kind="post", object_id=doc)  # same id, other kind
    remove_document(kind="topic", object_id=doc)
    assert [(hit.kind, hit.object_id) for hit in hits(alice, "hitch")] == [("post", reply)]
    remove_document(kind="topic", object_id=doc)  # already gone: nothing happens
    assert found(alice, "hitch") == [reply]


def test_hiding_keeps_the_document_and_showing_brings_it_back(claire: User, general: Space) -> None:
    doc = put(general, "Lost and found")
    set_visibility(kind="topic", object_id=doc, is_visible=False)
    assert found(claire, "lost") == []
    assert SearchDocument.objects.filter(object_id=doc).exists()
    set_visibility(kind="topic", object_id=doc, is_visible=True)
    assert found(claire, "lost") == [doc]


def test_moving_a_topic_moves_its_documents_and_who_finds_them(
    claire: User, alice: User, bob: User, general: Space, board: Space
) -> None:
    topic = put(general, "Sponsorship deal")
    reply = put(general, "Sponsorship deal", "Signed.", kind="post")
    untouched = put(general, "Sponsorship deal", kind="post")
    assert found_set(bob, "sponsorship") == {topic, reply, untouched}
    reassign_space(
        kinds_and_ids=[("topic", topic), ("post", reply)],
        space_id=board.pk,
        community_id=board.community_id,
    )
    assert found_set(bob, "sponsorship") == {untouched}
    assert found_set(alice, "sponsorship") == {topic, reply, untouched}
    assert found_set(alice, "sponsorship", SearchFilters(space_id=board.pk)) == {topic, reply}
    other = community(claire, slug="velotaf").spaces.get(is_default=True)
    reassign_space(
        kinds_and_ids=[("topic", topic)], space_id=other.pk, community_id=other.community_id
    )
    assert found_set(claire, "sponsorship", SearchFilters(community_id=other.community_id)) == {
        topic
    }


def test_a_rolled_back_change_leaves_no_document(alice: User, general: Space) -> None:
    def action_that_fails() -> None:
        with transaction.atomic():
            put(general, "Phantom topic")
            raise RuntimeError("the action failed after indexing")

    with pytest.raises(RuntimeError):
        action_that_fails()
    assert not SearchDocument.objects.exists()
    assert found(alice, "phantom") == []


def test_deleting_a_space_deletes_its_documents(claire: User, general: Space, board: Space) -> None:
    put(board, "Archive of the board")
    kept = put(general, "Archive of the club")
    board.delete()
    assert SearchDocument.objects.count() == 1
    assert found(claire, "archive") == [kept]


def test_tags_are_stored_as_clean_distinct_slugs(general: Space) -> None:
    doc = put(general, "Tags", tags=["Cargo-Bike", " velo ", "cargo-bike", ""])
    assert SearchDocument.objects.get(object_id=doc).tag_list == ["cargo-bike", "velo"]
    with pytest.raises(TypeError):
        put(general, "Tags", tags="cargo-bike")  # one string is not a list of slugs


def test_control_characters_never_reach_the_index(alice: User, general: Space) -> None:
    doc = put(general, "Null\x00byte", "bell\x07 and \ud800 surrogate")
    stored = SearchDocument.objects.get(object_id=doc)
    assert (stored.title, stored.body) == ("Null byte", "bell  and   surrogate")
    assert found(alice, "surrogate") == [doc]


# --- The database side -----------------------------------------------------------------------


def test_the_full_text_machinery_is_in_place() -> None:
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'unaccent'")
            assert cursor.fetchall() == [("unaccent",)]
            cursor.execute("SELECT cfgname FROM pg_ts_config WHERE cfgname LIKE 'cercle_%'")
            assert sorted(cursor.fetchall()) == [("cercle_en",), ("cercle_fr",)]
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_vector'"
            )
            (definition,) = cursor.fetchone()
            assert "USING gin (search_vector)" in definition
            cursor.execute("SELECT to_tsvector('cercle_fr', 'Hôtels de la Mer')::text")
            assert cursor.fetchone() == ("'hotel':1 'mer':4",)
            cursor.execute("SELECT to_tsvector('cercle_en', 'Bikes of the réseau')::text")
            assert cursor.fetchone() == ("'bike':1 'reseau':4",)
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = dict(cursor.fetchall())
            assert {name: triggers.get(name) for name in SQLITE_TRIGGERS} == SQLITE_TRIGGERS
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
            (definition,) = cursor.fetchone()
            assert "tokenize='unicode61 remove_diacritics 2'" in definition


def test_triggers_lost_by_a_table_rebuild_come_back_after_migrate(
    alice: User, general: Space
) -> None:
    before = put(general, "Indexed before")
    if not POSTGRESQL:
        with connection.cursor() as cursor:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER {name}")
    during = put(general, "Indexed during")  # not in FTS5 while the triggers are gone
    restore_sqlite_triggers(sender=None, using="default")
    after = put(general, "Indexed after")
    assert found_set(alice, "indexed") == {before, during, after}
