"""Value creation: who tells, reads, edits and deletes value-creation stories; the
contributions a story names and who sees their titles; sponsors and the summary they
read from the count tables; what each page costs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core import mail
from django.urls import reverse

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.analytics.models import CommunityDay, QuestionLife
from cercle.communities.models import Audience, Community, Role, Space, Visibility
from cercle.conversations import actions as talk
from cercle.conversations.models import Topic
from cercle.errors import ActionRefused
from cercle.knowledge import actions as library
from cercle.knowledge.models import Resource
from cercle.membership import actions as community_actions
from cercle.value import actions, queries
from cercle.value import demo as value_demo
from cercle.value.models import Cycle, Sponsor, StoryContribution, ValueStory
from cercle.wiki import actions as wiki
from cercle.wiki.models import Article
from tests.communities import (
    NAVIGATION_QUERIES,
    client_for,
    community,
    html,
    internal_domain,
    join,
    staff_person,
)
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

STORY_TEXT = "Grâce à la trame partagée, notre atelier a réuni **vingt** personnes."


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, moderator: User) -> Community:
    """A public, open community: Claire coordinates, Mona moderates, Alice and Bob take part."""
    return community(coordinator, members=(alice, bob), moderators=(moderator,))


@pytest.fixture
def topic(general: Space, bob: User) -> Topic:
    return talk.do_start_topic(
        bob, general, kind="question", title="Quelle trame pour un atelier ?", body="Des idées ?"
    )


@pytest.fixture
def secret_topic(lab: Space, alice: User) -> Topic:
    return talk.do_start_topic(
        alice, lab, kind="discussion", title="Le budget confidentiel du labo", body="Chut."
    )


@pytest.fixture
def article(general: Space, alice: User) -> Article:
    return wiki.do_create_article(alice, general, title="Trame d'atelier", body="Trois temps.")


@pytest.fixture
def resource(general: Space, coordinator: User) -> Resource:
    shelf = library.do_create_collection(coordinator, general, title="Boîte à outils")
    return library.do_add_note(coordinator, shelf, title="Fiche météo", note="Une météo.")


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (ValueStory, StoryContribution, Sponsor, ActivityEvent)
    }


def tell(
    author: User, where: Community, *, cycle: str = Cycle.APPLIED, title: str = "Un atelier réussi"
) -> ValueStory:
    return actions.do_record_story(author, where, cycle=cycle, title=title, text=STORY_TEXT)


def sponsor_of(where: Community, person: User) -> Sponsor:
    coordinator = where.memberships.get(role=Role.COORDINATOR).person
    return actions.do_name_sponsor(coordinator, where, email=person.email)


def new_story_form(**values: str) -> dict[str, str]:
    return {
        "title": "Un atelier réussi",
        "cycle": Cycle.APPLIED,
        "text": STORY_TEXT,
        "space": "",
        "links": "",
        **values,
    }


# --- Recording ------------------------------------------------------------------------------------


def test_a_member_records_a_story_naming_a_topic_an_article_and_a_resource(
    cargo: Community,
    general: Space,
    alice: User,
    topic: Topic,
    article: Article,
    resource: Resource,
) -> None:
    links = "\n".join(
        [
            f"http://testserver{topic.get_absolute_url()}?post=0#post-0",
            article.get_absolute_url(),
            "",
            f"  {resource.get_absolute_url()}  ",
            article.get_absolute_url(),  # twice is once
        ]
    )
    response = client_for(alice).post(
        reverse("value:new", args=[cargo.slug]),
        new_story_form(
            title="  Un   atelier   réussi ",
            text=STORY_TEXT + "\n\n<script>alert(1)</script>",
            space=str(general.pk),
            links=links,
        ),
    )
    story = ValueStory.objects.get()
    assert response["Location"] == story.get_absolute_url()
    assert (story.title, story.author, story.space, story.cycle, story.community) == (
        "Un atelier réussi",
        alice,
        general,
        Cycle.APPLIED,
        cargo,
    )
    assert "<strong>vingt</strong>" in story.text_html
    assert "<script>" not in story.text_html
    named = [
        (link.topic_id, link.article_id, link.resource_id)
        for link in StoryContribution.objects.order_by("position")
    ]
    assert named == [(topic.pk, None, None), (None, article.pk, None), (None, None, resource.pk)]
    event = ActivityEvent.objects.get(verb="value.story_recorded")
    assert (event.actor, event.level, event.object_id, event.space_id) == (
        alice,
        EngagementLevel.CREATE,
        story.pk,
        general.pk,
    )
    page = html(client_for(alice), story.get_absolute_url())
    for title in ("Quelle trame pour un atelier ?", "Trame d&#x27;atelier", "Fiche météo"):
        assert title in page
    assert "Applied value" in page
    assert "<strong>vingt</strong>" in page


@pytest.mark.parametrize(
    "address",
    [
        "/c/cargo/s/general/t/999999/",  # no such topic
        "/c/other/s/general/t/{topic}/",  # the topic of another community's address
        "/c/cargo/s/lab/t/{secret}/",  # a private space Bob is not listed in
        "https://evil.example/c/cargo/s/general/t/{topic}/",  # another site
        "javascript:alert(1)",
        "/c/cargo/",  # a page, but no contribution
        "/c/cargo/wiki/no-such-article/",
        "/c/cargo/resources/999999/",
        "une trame d'atelier",
    ],
)
def test_bad_addresses_are_refused_with_a_clear_error_and_nothing_is_written(
    address: str, cargo: Community, bob: User, topic: Topic, secret_topic: Topic
) -> None:
    address = address.format(topic=topic.pk, secret=secret_topic.pk)
    before = snapshot()
    response = client_for(bob).post(
        reverse("value:new", args=[cargo.slug]),
        new_story_form(links=f"{topic.get_absolute_url()}\n{address}"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "is not the address of a topic, wiki article or library resource" in page
    assert 'id="id_links_errors"' in page
    assert "Le budget confidentiel du labo" not in page
    assert snapshot() == before


def test_a_topic_of_another_community_is_refused_even_with_this_communitys_address(
    cargo: Community, coordinator: User, bob: User, topic: Topic
) -> None:
    other = community(coordinator, slug="other")
    elsewhere = talk.do_start_topic(
        coordinator, other.spaces.get(), kind="discussion", title="Ailleurs", body="Ailleurs."
    )
    before = snapshot()
    response = client_for(bob).post(
        reverse("value:new", args=[cargo.slug]),
        new_story_form(links=f"/c/cargo/s/general/t/{elsewhere.pk}/"),
    )
    assert response.status_code == 400
    # The action refuses it too, whoever calls it.
    with pytest.raises(ActionRefused, match="not a contribution of this community"):
        actions.do_record_story(
            bob,
            cargo,
            cycle=Cycle.IMMEDIATE,
            title="Ailleurs",
            text=STORY_TEXT,
            contributions=[elsewhere],
        )
    assert snapshot() == before


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"title": "ab"}, "a title of at least 3 characters"),
        ({"text": "Trop court"[:5]}, "Tell what happened"),
        ({"cycle": "eternal"}, "Select a valid choice"),
        ({"cycle": ""}, "This field is required"),
    ],
)
def test_bad_story_input_is_refused_and_nothing_is_written(
    values: dict[str, str], message: str, cargo: Community, alice: User
) -> None:
    before = snapshot()
    response = client_for(alice).post(
        reverse("value:new", args=[cargo.slug]), new_story_form(**values)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_story_may_be_about_a_space_the_author_reads_only(
    cargo: Community, lab: Space, alice: User, bob: User
) -> None:
    before = snapshot()
    with pytest.raises(ActionRefused, match="Choose a space"):
        actions.do_record_story(
            bob, cargo, cycle=Cycle.APPLIED, title="Au labo", text=STORY_TEXT, space=lab
        )
    page = html(client_for(bob), reverse("value:new", args=[cargo.slug]))
    assert ">Lab<" not in page
    assert snapshot() == before
    story = actions.do_record_story(
        alice, cargo, cycle=Cycle.APPLIED, title="Au labo", text=STORY_TEXT, space=lab
    )
    assert story.space == lab


# --- Who sees what ------------------------------------------------------------------------------


def test_a_story_never_shows_what_its_reader_may_not_read(
    cargo: Community,
    lab: Space,
    alice: User,
    bob: User,
    charlie: User,
    coordinator: User,
    topic: Topic,
    secret_topic: Topic,
) -> None:
    story = actions.do_record_story(
        alice,
        cargo,
        cycle=Cycle.REALIZED,
        title="Le labo a tenu son budget",
        text=STORY_TEXT,
        space=lab,
        contributions=[secret_topic, topic],
    )
    sponsor_of(cargo, charlie)
    secret = "Le budget confidentiel du labo"
    for reader in (alice, coordinator):
        page = html(client_for(reader), story.get_absolute_url())
        assert secret in page
        assert topic.title in page
        assert ">Lab</a>" in page
        assert "about Lab" in html(client_for(reader), reverse("value:stories", args=[cargo.slug]))
    # Bob is a member not listed in the lab; Charlie is a sponsor, not a member.
    for reader in (bob, charlie):
        page = html(client_for(reader), story.get_absolute_url())
        assert secret not in page
        assert secret_topic.get_absolute_url() not in page
        assert ">Lab<" not in page
        assert topic.title in page  # the public community's open space
        listing = html(client_for(reader), reverse("value:stories", args=[cargo.slug]))
        assert "Le labo a tenu son budget" in listing
        assert "about Lab" not in listing
    # Nor does the edit form of an author who left the lab give its address away.
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    page = html(client_for(alice), reverse("value:edit", args=[cargo.slug, story.pk]))
    assert secret_topic.get_absolute_url() not in page
    assert ">Lab<" not in page
    assert "Unchanged (a space you do not read)" in page


def test_a_hidden_topic_is_named_only_to_its_moderators(
    cargo: Community, alice: User, bob: User, moderator: User, topic: Topic
) -> None:
    story = actions.do_record_story(
        alice, cargo, cycle=Cycle.APPLIED, title="Une trame", text=STORY_TEXT, contributions=[topic]
    )
    talk.do_hide_post(moderator, topic.posts.get(position=0), reason="Hors sujet")
    topic.refresh_from_db()
    assert topic.is_hidden
    assert topic.title not in html(client_for(alice), story.get_absolute_url())
    assert topic.title in html(client_for(moderator), story.get_absolute_url())


def test_a_sponsor_of_a_members_only_community_reads_no_contribution_title(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    inside = talk.do_start_topic(
        alice, closed.spaces.get(), kind="discussion", title="Notre méthode", body="Voilà."
    )
    story = actions.do_record_story(
        alice, closed, cycle=Cycle.APPLIED, title="Adoptée", text=STORY_TEXT, contributions=[inside]
    )
    sponsor_of(closed, charlie)
    page = html(client_for(charlie), story.get_absolute_url())
    assert "Adoptée" in page
    assert "Notre méthode" not in page
    assert "Contributions involved" not in page
    assert "Notre méthode" in html(client_for(alice), story.get_absolute_url())


PAGES = ("stories", "story", "new", "edit", "summary", "sponsors")
# What each person gets on each page: 200, 403 (may read the community but not this),
# 404 (may not even read the community's content, or a management page), or "login".
L = "login"
PUBLIC: dict[str, tuple[int | str, ...]] = {
    #              stories story new  edit summary sponsors
    "anonymous":   (L,      L,    L,   L,   L,      L),
    "outsider":    (403,    403,  403, 403, 403,    404),
    "member":      (200,    200,  200, 403, 403,    404),
    "author":      (200,    200,  200, 200, 403,    404),
    "coordinator": (200,    200,  200, 200, 200,    200),
    "staff":       (200,    200,  403, 403, 200,    200),
    "sponsor":     (200,    200,  403, 403, 200,    404),
}  # fmt: skip
MEMBERS_ONLY = {**PUBLIC, "outsider": (404, 404, 404, 404, 404, 404)}


@pytest.mark.parametrize("visibility", [Visibility.PUBLIC, Visibility.MEMBERS])
@pytest.mark.parametrize("person", list(PUBLIC))
def test_who_opens_which_page(
    visibility: str, person: str, coordinator: User, alice: User, bob: User, charlie: User
) -> None:
    where = community(coordinator, slug="where", visibility=visibility)
    join(alice, where)
    join(bob, where)
    story = tell(alice, where)
    sponsor = make_person("sponsor@example.org", "Sam Sponsor")
    sponsor_of(where, sponsor)
    people: dict[str, User | None] = {
        "anonymous": None,
        "outsider": charlie,
        "member": bob,
        "author": alice,
        "coordinator": coordinator,
        "staff": staff_person(),
        "sponsor": sponsor,
    }
    urls = {
        "stories": reverse("value:stories", args=["where"]),
        "story": story.get_absolute_url(),
        "new": reverse("value:new", args=["where"]),
        "edit": reverse("value:edit", args=["where", story.pk]),
        "summary": reverse("value:summary", args=["where"]),
        "sponsors": reverse("value:sponsors", args=["where"]),
    }
    matrix = PUBLIC if visibility == Visibility.PUBLIC else MEMBERS_ONLY
    expected = dict(zip(PAGES, matrix[person], strict=True))
    client = client_for(people[person])
    got: dict[str, Any] = {}
    for page, url in urls.items():
        response = client.get(url)
        login = response.status_code == 302 and "/accounts/login/" in response["Location"]
        got[page] = "login" if login else response.status_code
    assert got == expected
    # The same answers from the permission module itself, which the actions ask.
    access = permissions.community_access(people[person] or charlie, where)
    if person != "anonymous":
        assert permissions.value.may_read_value_stories(access) == (expected["stories"] == 200)
        assert permissions.value.may_record_value_story(access) == (expected["new"] == 200)
        assert permissions.value.may_see_value_summary(access) == (expected["summary"] == 200)


def test_only_members_record_and_only_authors_and_coordinators_change_a_story(
    cargo: Community, alice: User, bob: User, moderator: User, coordinator: User, charlie: User
) -> None:
    story = tell(alice, cargo)
    sponsor_of(cargo, charlie)
    before = snapshot()
    for person in (charlie, staff_person()):
        with pytest.raises(ActionRefused):
            tell(person, cargo)
    for person in (bob, moderator, charlie):
        with pytest.raises(ActionRefused) as refusal:
            actions.do_edit_story(
                person,
                story,
                cycle=Cycle.IMMEDIATE,
                title="Réécrite",
                text=STORY_TEXT,
                space=None,
                contributions=[],
            )
        assert not refusal.value.not_found  # they read the story
        with pytest.raises(ActionRefused):
            actions.do_delete_story(person, story)
        response = client_for(person).post(reverse("value:delete", args=[cargo.slug, story.pk]), {})
        assert response.status_code == 403
    assert snapshot() == before
    # An author who left the community no longer changes their story.
    community_actions.do_leave(alice, cargo)
    with pytest.raises(ActionRefused):
        actions.do_delete_story(alice, story)
    actions.do_edit_story(
        coordinator,
        story,
        cycle=Cycle.REFRAMING,
        title="Relue par la coordination",
        text=STORY_TEXT,
        space=None,
        contributions=[],
    )
    story.refresh_from_db()
    assert (story.title, story.cycle, story.author) == (
        "Relue par la coordination",
        Cycle.REFRAMING,
        alice,
    )


# --- Editing and deleting -------------------------------------------------------------------------


def test_the_author_edits_and_links_out_of_their_sight_are_kept(
    cargo: Community,
    lab: Space,
    alice: User,
    coordinator: User,
    topic: Topic,
    secret_topic: Topic,
    article: Article,
) -> None:
    story = actions.do_record_story(
        alice,
        cargo,
        cycle=Cycle.POTENTIAL,
        title="Une trame",
        text=STORY_TEXT,
        space=lab,
        contributions=[secret_topic, topic],
    )
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    client = client_for(alice)
    url = reverse("value:edit", args=[cargo.slug, story.pk])
    form = html(client, url)
    assert topic.get_absolute_url() in form
    response = client.post(
        url,
        new_story_form(
            title="Une trame reprise",
            cycle=Cycle.APPLIED,
            space=str(lab.pk),  # unchanged, though she no longer reads it
            links=article.get_absolute_url(),
        ),
    )
    assert response["Location"] == story.get_absolute_url()
    story.refresh_from_db()
    assert (story.title, story.cycle, story.space) == ("Une trame reprise", Cycle.APPLIED, lab)
    named = list(
        StoryContribution.objects.order_by("position").values_list("article_id", "topic_id")
    )
    assert named == [(article.pk, None), (None, secret_topic.pk)]
    edited = ActivityEvent.objects.get(verb="value.story_edited")
    assert (edited.actor, edited.level, edited.object_id) == (alice, None, story.pk)
    # Bad input while editing changes nothing either.
    before = snapshot()
    response = client.post(url, new_story_form(links="/c/cargo/s/lab/t/0/"))
    assert response.status_code == 400
    assert snapshot() == before
    story.refresh_from_db()
    assert story.title == "Une trame reprise"


def test_deleting_a_story_takes_its_links_and_records_it(
    cargo: Community, alice: User, topic: Topic
) -> None:
    story = actions.do_record_story(
        alice, cargo, cycle=Cycle.APPLIED, title="Éphémère", text=STORY_TEXT, contributions=[topic]
    )
    client = client_for(alice)
    url = reverse("value:delete", args=[cargo.slug, story.pk])
    assert "will no longer be told" in html(client, url)
    response = client.post(url)
    assert response["Location"] == reverse("value:stories", args=[cargo.slug])
    assert not ValueStory.objects.exists()
    assert not StoryContribution.objects.exists()
    assert Topic.objects.filter(pk=topic.pk).exists()
    deleted = ActivityEvent.objects.get(verb="value.story_deleted")
    assert (deleted.actor, deleted.level, deleted.object_id) == (alice, None, story.pk)
    assert client.get(story.get_absolute_url()).status_code == 404


# --- The list -------------------------------------------------------------------------------------


def titles_in(page: str) -> list[str]:
    return [
        row.split("</a></h2>")[0].rsplit(">", 1)[1]
        for row in page.split('class="value-row__title">')[1:]
    ]


def test_the_list_counts_each_cycle_filters_by_cycle_newest_first(
    cargo: Community, alice: User, bob: User
) -> None:
    tell(alice, cargo, cycle=Cycle.APPLIED, title="Première")
    tell(bob, cargo, cycle=Cycle.IMMEDIATE, title="Deuxième")
    tell(alice, cargo, cycle=Cycle.APPLIED, title="Troisième")
    client = client_for(bob)
    url = reverse("value:stories", args=[cargo.slug])
    page = html(client, url)
    assert titles_in(page) == ["Troisième", "Deuxième", "Première"]
    counts = page.split("<caption>Stories per cycle of value</caption>")[1].split("</table>")[0]
    cells = [cell.split("</td>")[0] for cell in counts.split('<td class="value-number">')[1:]]
    assert cells == ["1", "0", "2", "0", "0", "3"]  # the five cycles, then all
    assert titles_in(html(client, url + "?cycle=applied")) == ["Troisième", "Première"]
    assert titles_in(html(client, url + "?cycle=reframing")) == []
    assert "No story tells this cycle of value yet." in html(client, url + "?cycle=reframing")
    assert titles_in(html(client, url + "?cycle=nonsense")) == titles_in(page)
    assert 'href="?cycle=applied" aria-current="page"' in html(client, url + "?cycle=applied")


@pytest.mark.parametrize("count", [3, 45])
def test_the_list_is_paginated_and_its_query_count_does_not_grow(
    count: int,
    cargo: Community,
    lab: Space,
    alice: User,
    bob: User,
    coordinator: User,
    charlie: User,
    topic: Topic,
    secret_topic: Topic,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(count):
        in_lab = number % 3 == 0
        actions.do_record_story(
            alice if in_lab or number % 2 else bob,
            cargo,
            cycle=Cycle.values[number % 5],
            title=f"Récit numéro {number}",
            text=STORY_TEXT,
            space=lab if in_lab else None,
            contributions=[secret_topic, topic] if in_lab else [topic],
        )
    sponsor_of(cargo, charlie)
    for person in (bob, alice, coordinator, charlie):
        client = client_for(person)
        for query in ("", "?cycle=applied", "?page=2", "?page=3"):
            with django_assert_max_num_queries(10 + NAVIGATION_QUERIES):
                page = html(client, reverse("value:stories", args=[cargo.slug]) + query)
            shown = len(titles_in(page))
            assert 0 < shown <= 20, (person, query)
        story = ValueStory.objects.order_by("pk").last()
        assert story is not None
        url = story.get_absolute_url()
        with django_assert_max_num_queries(8 + NAVIGATION_QUERIES):
            html(client, url)


# --- Sponsors -------------------------------------------------------------------------------------


def test_a_coordinator_names_and_removes_sponsors_by_email(
    cargo: Community,
    coordinator: User,
    bob: User,
    charlie: User,
    immediate_tasks: None,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = client_for(coordinator)
    url = reverse("value:sponsors", args=[cargo.slug])
    assert "The community has no sponsor yet." in html(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": " CHARLIE@example.org "})
    assert response["Location"] == url
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": bob.email})
    assert set(Sponsor.objects.values_list("person", "added_by")) == {
        (charlie.pk, coordinator.pk),
        (bob.pk, coordinator.pk),
    }
    assert [message.to for message in mail.outbox] == [[charlie.email], [bob.email]]
    assert "Claire Coord named you a sponsor of Cargo" in mail.outbox[0].body
    assert f"/c/{cargo.slug}/value/summary/" in mail.outbox[0].body
    page = html(client, url)
    assert "Charlie Outsider" in page
    assert charlie.email in page
    before = snapshot()
    for email, message in [
        ("nobody@example.org", "No account uses this address"),
        (charlie.email, "Charlie Outsider is already a sponsor."),
        ("not an address", "Enter a valid email address."),
    ]:
        response = client.post(url, {"email": email})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert snapshot() == before
    named = Sponsor.objects.get(person=charlie)
    response = client.post(reverse("value:remove_sponsor", args=[cargo.slug, named.pk]))
    assert response["Location"] == url
    assert list(Sponsor.objects.values_list("person", flat=True)) == [bob.pk]
    verbs = list(
        ActivityEvent.objects.filter(verb__startswith="value.sponsor").values_list("verb", "level")
    )
    assert verbs == [
        ("value.sponsor_named", None),
        ("value.sponsor_named", None),
        ("value.sponsor_removed", None),
    ]


def test_only_coordinators_and_staff_manage_sponsors(
    cargo: Community, alice: User, moderator: User, charlie: User
) -> None:
    named = sponsor_of(cargo, charlie)
    before = snapshot()
    for person in (alice, moderator, charlie):
        with pytest.raises(ActionRefused) as refusal:
            actions.do_name_sponsor(person, cargo, email=alice.email)
        assert refusal.value.not_found
        with pytest.raises(ActionRefused):
            actions.do_remove_sponsor(person, named)
        client = client_for(person)
        remove = reverse("value:remove_sponsor", args=[cargo.slug, named.pk])
        assert client.post(remove).status_code == 404
        add = client.post(reverse("value:sponsors", args=[cargo.slug]), {"email": alice.email})
        assert add.status_code == 404
    assert snapshot() == before
    operator = staff_person()
    actions.do_name_sponsor(operator, cargo, email=alice.email)
    actions.do_remove_sponsor(operator, named)
    assert list(Sponsor.objects.values_list("person", flat=True)) == [alice.pk]


def test_an_internal_community_accepts_internal_sponsors_only(
    coordinator: User, charlie: User
) -> None:
    domain = internal_domain()
    boss = make_person(f"claire@{domain}", "Claire Interne")
    inside = community(boss, slug="inside", audience=Audience.INTERNAL)
    director = make_person(f"direction@{domain}", "Dana Direction")
    before = snapshot()
    with pytest.raises(ActionRefused, match="is not internal"):
        actions.do_name_sponsor(boss, inside, email=charlie.email)
    assert snapshot() == before
    actions.do_name_sponsor(boss, inside, email=director.email)
    assert html(client_for(director), reverse("value:summary", args=["inside"]))


# --- The summary ----------------------------------------------------------------------------------

TODAY = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 15, 0, tzinfo=dt.UTC)


def count_days(where: Community) -> None:
    """What the counting job would have written: two days in the window, one before."""
    CommunityDay.objects.create(community=where, day=TODAY - dt.timedelta(days=120), knowledge=50)
    CommunityDay.objects.create(
        community=where, day=TODAY - dt.timedelta(days=89), knowledge=2, active_30=99
    )
    CommunityDay.objects.create(
        community=where, day=TODAY - dt.timedelta(days=1), knowledge=3, active_30=7
    )
    asked = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    answered = asked + dt.timedelta(hours=3)
    for topic_id, moment, first in [
        (1, asked, answered),
        (2, asked, answered),
        (3, asked, None),
        (4, asked - dt.timedelta(days=200), answered),  # before the window
    ]:
        QuestionLife.objects.create(
            community=where, topic_id=topic_id, asked_at=moment, first_answer_at=first
        )


def test_the_summary_reads_the_count_tables_and_tells_the_stories_by_cycle(
    cargo: Community,
    alice: User,
    bob: User,
    charlie: User,
    moderator: User,
    coordinator: User,
    time_machine: Any,
) -> None:
    time_machine.move_to(NOW)
    count_days(cargo)
    tell(alice, cargo, cycle=Cycle.REALIZED, title="Deux fois plus de réponses")
    tell(bob, cargo, cycle=Cycle.IMMEDIATE, title="Un coup de main")
    sponsor_of(cargo, charlie)
    data = queries.summary(charlie, cargo.slug, now=NOW)
    assert data.members == 4
    assert data.figures is not None
    assert (data.figures.day, data.figures.start) == (
        TODAY - dt.timedelta(days=1),
        TODAY - dt.timedelta(days=90),
    )
    assert (data.figures.active_30, data.figures.questions, data.figures.answered) == (7, 3, 2)
    assert data.figures.answered_percent == 67
    assert data.figures.knowledge == 5  # 2 + 3; the day 120 days ago is out of the window
    page = html(client_for(charlie), reverse("value:summary", args=[cargo.slug]))
    figures = page.split('class="value-figures"')[1].split("</dl>")[0]
    assert [cell.split("</dd>")[0] for cell in figures.split("<dd>")[1:]] == [
        "4",
        "7",
        "3",
        "67%",
        "5",
    ]
    realized = page.split('id="cycle-realized"')[1].split("</section>")[0]
    assert "Deux fois plus de réponses" in realized
    assert "Told by Alice Martin" in realized
    assert "<strong>vingt</strong>" in realized
    assert "Un coup de main" in page.split('id="cycle-immediate"')[1].split("</section>")[0]
    assert page.count("No story of this cycle yet.") == 3
    # Nobody but the stories' authors is named to the sponsor.
    for name in (moderator.display_name, coordinator.display_name):
        assert name not in page


def test_the_summary_says_when_nothing_is_counted_yet(cargo: Community, coordinator: User) -> None:
    page = html(client_for(coordinator), reverse("value:summary", args=[cargo.slug]))
    assert "The activity figures have not been counted yet" in page
    figures = page.split('class="value-figures"')[1].split("</dl>")[0]
    assert figures.count("<dd>") == 1  # the members, counted live


@pytest.mark.parametrize("count", [2, 60])
def test_the_summary_query_count_does_not_grow_with_the_stories(
    count: int,
    cargo: Community,
    alice: User,
    charlie: User,
    coordinator: User,
    django_assert_max_num_queries: Any,
) -> None:
    count_days(cargo)
    for number in range(count):
        tell(alice, cargo, cycle=Cycle.values[number % 5], title=f"Récit {number}")
    sponsor_of(cargo, charlie)
    for person in (charlie, coordinator, staff_person()):
        client = client_for(person)
        with django_assert_max_num_queries(12 + NAVIGATION_QUERIES):
            page = html(client, reverse("value:summary", args=[cargo.slug]))
        shown = page.count('class="value-summary-story"')
        assert shown == min(count, 5 * queries.STORIES_PER_CYCLE)
    if count > 5 * queries.STORIES_PER_CYCLE:
        assert "See all 12 stories of Immediate value" in page


def test_the_summary_prints_without_the_site_around_it(cargo: Community, coordinator: User) -> None:
    page = html(client_for(coordinator), reverse("value:summary", args=[cargo.slug]))
    assert "value/value.css" in page
    found = finders.find("value/value.css")
    assert isinstance(found, str)
    text = Path(found).read_text()
    assert "@media print" in text
    assert ".site-header, .site-footer" in text


# --- Landing page, demo ---------------------------------------------------------------------------


def test_the_landing_tag_links_each_reader_to_what_they_may_open(
    cargo: Community, alice: User, charlie: User, coordinator: User
) -> None:
    def render(person: User | None) -> str:
        return html(client_for(person), cargo.get_absolute_url())

    stories = reverse("value:stories", args=[cargo.slug])
    summary = reverse("value:summary", args=[cargo.slug])
    sponsors = reverse("value:sponsors", args=[cargo.slug])
    assert 'id="value-title"' not in render(None)
    assert 'id="value-title"' not in render(charlie)
    member = render(alice)
    assert stories in member
    assert summary not in member
    assert all(url in render(coordinator) for url in (stories, summary, sponsors))
    sponsor_of(cargo, charlie)
    sponsor = render(charlie)
    assert summary in sponsor
    assert reverse("value:new", args=[cargo.slug]) not in sponsor


def test_the_demo_tells_a_story_of_each_cycle_and_names_a_sponsor(
    cargo: Community, general: Space, coordinator: User, alice: User, bob: User, topic: Topic
) -> None:
    value_demo.populate(cargo, coordinator, [alice, bob])
    assert sorted(ValueStory.objects.values_list("cycle", flat=True)) == sorted(Cycle.values)
    assert StoryContribution.objects.filter(topic=topic).count() == 2
    assert list(Sponsor.objects.values_list("person", flat=True)) == [bob.pk]
    page = html(client_for(bob), reverse("value:summary", args=[cargo.slug]))
    assert "Nous ne comptons plus les inscrits" in page
