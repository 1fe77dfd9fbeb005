"""The idea board: who proposes, votes and decides; the decisions' history and who
hears of them; the board's filters, order and cost; exact counts under concurrency."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.communities.models import Community, Space, Visibility
from cercle.errors import ActionRefused
from cercle.ideas import actions
from cercle.ideas import demo as ideas_demo
from cercle.ideas.models import Idea, IdeaDecision, IdeaStatus, IdeaVote
from cercle.membership import actions as community_actions
from cercle.notifications.models import Kind as NotificationKind
from cercle.notifications.models import Notification
from tests.communities import NAVIGATION_QUERIES, client_for, community, html, join, staff_person
from tests.concurrency import retrying, run_together
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, moderator: User) -> Community:
    """A public, open community: Claire coordinates, Mona moderates, Alice and Bob take part."""
    return community(coordinator, members=(alice, bob), moderators=(moderator,))


@pytest.fixture
def ramp(general: Space, alice: User) -> Idea:
    return actions.do_propose_idea(
        alice, general, title="Une rampe pour les vélos cargo", description="Devant le local."
    )


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Idea, IdeaVote, IdeaDecision, ActivityEvent, Notification)
    }


def status_news(person: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=person, kind=NotificationKind.IDEA_STATUS)
        .order_by("pk")
        .values_list("subject", flat=True)
    )


# --- Proposing ------------------------------------------------------------------------------------


def test_a_member_proposes_an_idea_and_it_records_a_creation(
    cargo: Community, general: Space, alice: User
) -> None:
    client = client_for(alice)
    response = client.post(
        reverse("ideas:new", args=[cargo.slug]),
        {
            "title": "  Un   atelier réparation  ",
            "description": "Tous les **mois**.",
            "space": str(general.pk),
        },
    )
    idea = Idea.objects.get()
    assert response["Location"] == idea.get_absolute_url()
    assert (idea.title, idea.author, idea.space, idea.status) == (
        "Un atelier réparation",
        alice,
        general,
        IdeaStatus.NEW,
    )
    assert idea.description_html == "<p>Tous les <strong>mois</strong>.</p>\n"
    event = ActivityEvent.objects.get(verb="idea.proposed")
    assert (event.actor, event.level, event.object_id) == (alice, EngagementLevel.CREATE, idea.pk)


def test_bad_input_changes_nothing(cargo: Community, general: Space, alice: User) -> None:
    before = snapshot()
    client = client_for(alice)
    response = client.post(
        reverse("ideas:new", args=[cargo.slug]), {"title": "ab", "space": str(general.pk)}
    )
    assert response.status_code == 400
    assert "at least 3 characters" in response.content.decode()
    with pytest.raises(ActionRefused):
        actions.do_propose_idea(alice, general, title="x" * 201)
    assert snapshot() == before


def test_outsiders_and_unlisted_members_get_a_404_and_nothing_is_written(
    cargo: Community,
    general: Space,
    lab: Space,
    alice: User,
    bob: User,
    charlie: User,
    coordinator: User,
) -> None:
    secret = actions.do_propose_idea(alice, lab, title="Une idée du labo")
    before = snapshot()
    # Charlie is in no community: he may read the public board but not propose or vote.
    with pytest.raises(ActionRefused):
        actions.do_propose_idea(charlie, general, title="Idée d'un passant")
    assert client_for(charlie).get(reverse("ideas:new", args=[cargo.slug])).status_code == 404
    # Bob is not listed in the lab: its ideas do not exist for him.
    with pytest.raises(ActionRefused) as refusal:
        actions.do_propose_idea(bob, lab, title="Je force la porte")
    assert refusal.value.not_found
    with pytest.raises(ActionRefused) as refusal:
        actions.do_vote(bob, secret)
    assert refusal.value.not_found
    with pytest.raises(ActionRefused) as refusal:
        actions.do_decide(bob, secret, status=IdeaStatus.ADOPTED, reason="Parce que")
    assert refusal.value.not_found
    bob_client = client_for(bob)
    assert bob_client.get(secret.get_absolute_url()).status_code == 404
    vote_url = reverse("ideas:vote", args=[cargo.slug, secret.pk])
    assert bob_client.post(vote_url, {"vote": "1"}).status_code == 404
    response = bob_client.post(
        reverse("ideas:new", args=[cargo.slug]), {"title": "Forcée", "space": str(lab.pk)}
    )
    assert response.status_code == 400  # the lab is not among his choices
    assert "Une idée du labo" not in html(bob_client, reverse("ideas:board", args=[cargo.slug]))
    assert snapshot() == before
    # A member of another community does not even see a members-only community's board.
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    inside = actions.do_propose_idea(coordinator, closed.spaces.get(), title="Idée interne")
    for person in (charlie, None):
        client = client_for(person)
        assert client.get(reverse("ideas:board", args=["closed"])).status_code == 404
        assert client.get(inside.get_absolute_url()).status_code == 404


# --- Voting ---------------------------------------------------------------------------------------


def test_members_vote_once_take_their_vote_back_and_the_count_follows(
    cargo: Community, ramp: Idea, bob: User, coordinator: User
) -> None:
    assert actions.do_vote(bob, ramp) is True
    assert actions.do_vote(bob, ramp) is False  # a second vote is no vote
    assert actions.do_vote(coordinator, ramp) is True
    ramp.refresh_from_db()
    assert ramp.vote_count == 2
    assert actions.do_unvote(bob, ramp) is True
    assert actions.do_unvote(bob, ramp) is False
    ramp.refresh_from_db()
    assert ramp.vote_count == 1 == IdeaVote.objects.count()
    levels = list(
        ActivityEvent.objects.filter(verb__startswith="idea.").values_list("verb", "level")
    )
    assert levels == [
        ("idea.proposed", EngagementLevel.CREATE),
        ("idea.voted", EngagementLevel.REACT),
        ("idea.voted", EngagementLevel.REACT),
        ("idea.unvoted", None),
    ]


def test_nobody_votes_for_their_own_idea_nor_once_it_is_decided(
    cargo: Community, ramp: Idea, alice: User, bob: User, coordinator: User, charlie: User
) -> None:
    before = snapshot()
    with pytest.raises(ActionRefused, match="Your own idea"):
        actions.do_vote(alice, ramp)
    with pytest.raises(ActionRefused) as refusal:
        actions.do_vote(charlie, ramp)
    assert not refusal.value.not_found  # the board is public: he sees the idea
    assert snapshot() == before
    actions.do_vote(bob, ramp)
    actions.do_decide(coordinator, ramp, status=IdeaStatus.ADOPTED, reason="On la construit.")
    with pytest.raises(ActionRefused, match="voting is closed"):
        actions.do_unvote(bob, ramp)
    with pytest.raises(ActionRefused, match="voting is closed"):
        actions.do_vote(coordinator, ramp)
    ramp.refresh_from_db()
    assert ramp.vote_count == 1
    page = html(client_for(alice), ramp.get_absolute_url())
    assert "The animators have decided on this idea: voting is closed." in page
    assert 'name="vote"' not in page


def test_voting_works_without_javascript_and_with_htmx(
    cargo: Community, ramp: Idea, bob: User
) -> None:
    client = client_for(bob)
    url = reverse("ideas:vote", args=[cargo.slug, ramp.pk])
    board = reverse("ideas:board", args=[cargo.slug])
    response = client.post(url, {"vote": "1", "next": board + "?sort=newest"})
    assert response.status_code == 302
    assert response["Location"] == board + "?sort=newest"
    assert "Your vote is counted." in html(client, board)
    response = client.post(url, {"vote": "0", "next": "https://evil.example/"})
    assert response["Location"] == ramp.get_absolute_url()
    ramp.refresh_from_db()
    assert ramp.vote_count == 0
    response = client.post(url, {"vote": "1"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert response.status_code == 200
    assert fragment.startswith(f'<div class="idea-vote" id="idea-vote-{ramp.pk}">')
    assert 'aria-pressed="true"' in fragment
    assert f'id="idea-vote-status-{ramp.pk}" hx-swap-oob="innerHTML"' in fragment
    assert "Your vote is counted. The idea has 1 vote." in fragment
    # The page itself holds the live region the announcement goes into.
    page = html(client, ramp.get_absolute_url())
    assert f'id="idea-vote-status-{ramp.pk}" class="visually-hidden" role="status"' in page
    refused = client_for(ramp.author).post(url, {"vote": "1"}, headers={"HX-Request": "true"})
    assert refused.status_code == 403


# --- Deciding -------------------------------------------------------------------------------------


def test_animators_decide_with_a_reason_and_the_page_shows_the_history(
    cargo: Community, ramp: Idea, alice: User, bob: User, coordinator: User
) -> None:
    actions.do_vote(bob, ramp)
    client = client_for(coordinator)
    url = reverse("ideas:decide", args=[cargo.slug, ramp.pk])
    response = client.post(url, {"status": IdeaStatus.DISCUSSION, "reason": ""})
    assert response.status_code == 400
    assert not IdeaDecision.objects.exists()
    client.post(url, {"status": IdeaStatus.DISCUSSION, "reason": "Parlons-en jeudi."})
    client.post(url, {"status": IdeaStatus.ADOPTED, "reason": "Budget voté : 300 €."})
    ramp.refresh_from_db()
    assert ramp.status == IdeaStatus.ADOPTED
    assert ramp.decided_at is not None
    history = list(
        IdeaDecision.objects.values_list("from_status", "to_status", "reason", "decided_by")
    )
    assert history == [
        ("new", "discussion", "Parlons-en jeudi.", coordinator.pk),
        ("discussion", "adopted", "Budget voté : 300 €.", coordinator.pk),
    ]
    page = html(client_for(bob), ramp.get_absolute_url())
    assert page.index("Parlons-en jeudi.") < page.index("Budget voté : 300 €.")
    assert "New → Under discussion" in page
    assert "Under discussion → Adopted" in page
    assert "by Claire Coord" in page
    assert "Record the decision" not in page  # members do not decide
    assert ActivityEvent.objects.filter(verb="idea.adopted", actor=coordinator).exists()


def test_the_author_and_the_voters_hear_of_each_decision(
    cargo: Community,
    ramp: Idea,
    alice: User,
    bob: User,
    moderator: User,
    coordinator: User,
    lab: Space,
) -> None:
    actions.do_vote(bob, ramp)
    actions.do_vote(coordinator, ramp)
    actions.do_decide(coordinator, ramp, status=IdeaStatus.DECLINED, reason="Pas de place.")
    assert status_news(alice) == ["Une rampe pour les vélos cargo"]
    assert status_news(bob) == ["Une rampe pour les vélos cargo"]
    assert status_news(coordinator) == []  # the one who decided
    assert status_news(moderator) == []  # neither author nor voter
    listing = html(client_for(bob), reverse("notifications"))
    assert "A decision was made on the idea “Une rampe pour les vélos cargo”" in listing
    # A voter who can no longer read the idea's space is not told.
    secret = actions.do_propose_idea(alice, lab, title="Idée du labo")
    community_actions.do_list_in_space(coordinator, lab, bob)
    actions.do_vote(bob, secret)
    community_actions.do_unlist_from_space(coordinator, lab, bob)
    actions.do_decide(coordinator, secret, status=IdeaStatus.ADOPTED, reason="Oui.")
    assert status_news(bob) == ["Une rampe pour les vélos cargo"]
    assert status_news(alice) == ["Une rampe pour les vélos cargo", "Idée du labo"]


def test_only_animators_decide_and_a_same_status_is_refused(
    cargo: Community, ramp: Idea, alice: User, moderator: User, coordinator: User
) -> None:
    before = snapshot()
    for person in (alice, moderator, staff_person()):
        with pytest.raises(ActionRefused):
            actions.do_decide(person, ramp, status=IdeaStatus.ADOPTED, reason="Moi je décide")
        response = client_for(person).post(
            reverse("ideas:decide", args=[cargo.slug, ramp.pk]),
            {"status": IdeaStatus.ADOPTED, "reason": "Moi je décide"},
        )
        assert response.status_code == 404
    with pytest.raises(ActionRefused, match="already has this status"):
        actions.do_decide(coordinator, ramp, status=IdeaStatus.NEW, reason="Rien")
    with pytest.raises(ActionRefused):
        actions.do_decide(coordinator, ramp, status="maybe", reason="Peut-être")
    assert snapshot() == before


# --- The board ------------------------------------------------------------------------------------


def test_the_board_filters_by_status_and_sorts_by_votes_or_newest(
    cargo: Community, general: Space, alice: User, bob: User, coordinator: User
) -> None:
    first = actions.do_propose_idea(alice, general, title="Première idée")
    second = actions.do_propose_idea(alice, general, title="Deuxième idée")
    third = actions.do_propose_idea(bob, general, title="Troisième idée")
    actions.do_vote(bob, first)
    actions.do_vote(coordinator, first)
    actions.do_vote(coordinator, third)
    actions.do_decide(coordinator, second, status=IdeaStatus.DISCUSSION, reason="À voir")
    client = client_for(bob)
    board = reverse("ideas:board", args=[cargo.slug])

    def titles(query: str) -> list[str]:
        page = html(client, board + query)
        return [
            row.split("</a></h2>")[0].rsplit(">", 1)[1]
            for row in page.split('class="idea-row__title">')[1:]
        ]

    assert titles("") == ["Première idée", "Troisième idée", "Deuxième idée"]
    assert titles("?sort=newest") == ["Troisième idée", "Deuxième idée", "Première idée"]
    assert titles("?status=discussion") == ["Deuxième idée"]
    assert titles("?status=new&sort=newest") == ["Troisième idée", "Première idée"]
    assert titles("?status=adopted") == []
    assert titles("?status=nonsense&sort=nonsense") == titles("")
    # Bob sees his vote and may not vote for his own idea.
    page = html(client, board)
    assert page.count('aria-pressed="true"') == 1
    assert page.count('name="vote"') == 2


def test_the_landing_page_links_to_the_board_with_the_most_voted_open_ideas(
    cargo: Community, ramp: Idea, general: Space, bob: User, coordinator: User
) -> None:
    declined = actions.do_propose_idea(bob, general, title="Idée refusée")
    actions.do_decide(coordinator, declined, status=IdeaStatus.DECLINED, reason="Non.")
    page = html(client_for(None), cargo.get_absolute_url())
    assert reverse("ideas:board", args=[cargo.slug]) in page
    assert "Une rampe pour les vélos cargo" in page
    assert "Idée refusée" not in page


@pytest.mark.parametrize("count", [3, 45])
def test_the_board_is_paginated_and_its_query_count_does_not_grow(
    count: int,
    cargo: Community,
    general: Space,
    lab: Space,
    alice: User,
    bob: User,
    coordinator: User,
    django_assert_max_num_queries: Any,
) -> None:
    for number in range(count):
        idea = actions.do_propose_idea(alice, general, title=f"Idée numéro {number}")
        actions.do_vote(bob, idea)
    actions.do_propose_idea(alice, lab, title="Idée du labo")
    for person, limit in [(None, 5), (bob, 8), (alice, 8), (coordinator, 8)]:
        client = client_for(person)
        for query in ("", "?sort=newest", "?status=new", "?page=2"):
            with django_assert_max_num_queries(limit + NAVIGATION_QUERIES):
                page = html(client, reverse("ideas:board", args=[cargo.slug]) + query)
            shown = page.count('class="card idea-row"')
            visible = count + (1 if person in (alice, coordinator) else 0)
            expected = min(visible, 20) if query != "?page=2" else max(min(visible - 20, 20), 0)
            if query == "?page=2" and visible <= 20:
                expected = min(visible, 20)  # an out-of-range page shows the last one
            assert shown == expected, (person, query)
        with django_assert_max_num_queries(limit + 2 + NAVIGATION_QUERIES):
            html(client, reverse("ideas:idea", args=[cargo.slug, idea.pk]))


# --- Concurrency (PostgreSQL: DATABASE_URL=postgres://... pytest tests/test_ideas.py) ------------


def voting(person: User, idea_id: int, wanted: bool, waits: list[str]) -> Callable[[], object]:
    """A job that votes (or takes the vote back)."""

    def action() -> object:
        idea = Idea.objects.select_related("space__community", "community").get(pk=idea_id)
        return actions.do_vote(person, idea) if wanted else actions.do_unvote(person, idea)

    return retrying(action, waits)


@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_give_exact_counts(coordinator: User) -> None:
    where = community(coordinator)
    idea = actions.do_propose_idea(coordinator, where.spaces.get(), title="Un local plus grand")
    members = [make_person(f"voter{n}@example.org", f"Voter {n}") for n in range(20)]
    for member in members:
        join(member, where)
    waits: list[str] = []
    # Everyone votes at the same moment, twice each: twenty votes, not one more or less.
    jobs = [voting(member, idea.pk, True, waits) for member in members for _tap in range(2)]
    assert run_together(jobs) == []
    idea.refresh_from_db()
    assert idea.vote_count == 20 == IdeaVote.objects.filter(idea=idea).count()
    assert ActivityEvent.objects.filter(verb="idea.voted").count() == 20
    # Half take their vote back while the other half vote again: the count stays true.
    jobs = [voting(member, idea.pk, False, waits) for member in members[:10]]
    jobs += [voting(member, idea.pk, True, waits) for member in members[10:]]
    jobs += [voting(member, idea.pk, False, waits) for member in members[:10]]
    assert run_together(jobs) == []
    if connection.vendor == "postgresql":
        assert waits == []
    idea.refresh_from_db()
    assert idea.vote_count == 10 == IdeaVote.objects.filter(idea=idea).count()
    assert ActivityEvent.objects.filter(verb="idea.unvoted").count() == 10


def test_the_demo_fills_the_board_with_votes_and_decisions(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    ideas_demo.populate(cargo, coordinator, [alice, bob])
    statuses = dict(Idea.objects.values_list("title", "status"))
    assert sorted(statuses.values()) == ["adopted", "declined", "new"]
    assert IdeaDecision.objects.count() == 3
    assert [idea.vote_count for idea in Idea.objects.order_by("pk")] == [2, 2, 0]
    assert "Une rampe pour entrer" in html(client_for(bob), reverse("ideas:board", args=["cargo"]))
