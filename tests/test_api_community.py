"""The API's resources about communities and people (docs/api.md):
each endpoint answers what its page shows and changes what its page changes, through
the same actions; every list reads a fixed number of queries whatever the page size.

Claire coordinates the usual `cargo` community (external, open, public), Alice and Bob
are members, Alice alone is listed in the private space "Lab", Charlie is an outsider.
Requests go through the site's session (every scope), as the site's own pages would
call; personal access tokens narrow the scopes (the last test)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    Invitation,
    Membership,
    Role,
    Space,
    Status,
)
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from cercle.membership import actions as membership_actions
from cercle.nextactions.models import Decision
from cercle.notifications.models import Notification
from cercle.people import actions as people_actions
from cercle.people.models import FieldVisibility, Follow, Profile, profile_for
from tests.api import api_get, api_post, assert_problem, make_token
from tests.communities import client_for, community, internal_domain, join
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client: Client, path: str, code: int = 200, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == code, (path, response.status_code, response.content[:500])
    return response.json()


def send(client: Client, method: str, path: str, body: Any = None, status: int = 200) -> Any:
    response = getattr(client, method)(
        f"{API}{path}",
        data=json.dumps(body if body is not None else {}),
        content_type="application/json",
    )
    assert response.status_code == status, (path, response.status_code, response.content[:500])
    return response.json() if response.content else None


def post(client: Client, path: str, body: Any = None, status: int = 200) -> Any:
    return send(client, "post", path, body, status)


def delete(client: Client, path: str, status: int = 204) -> Any:
    return send(client, "delete", path, None, status)


def queries_of(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def assert_fixed_queries(client: Client, path: str, **params: Any) -> None:
    """The list reads as many queries for 5 items a page as for 50 (and has more than 5),
    and walking it 5 by 5 with its cursors gives the same items, once each."""
    get(client, path, **params)  # the caller's rate-limit counter exists from now on
    small = queries_of(lambda: get(client, path, limit=5, **params))
    page = get(client, path, limit=50, **params)
    assert len(page["items"]) > 5, "too few rows to tell"
    large = queries_of(lambda: get(client, path, limit=50, **params))
    assert small == large, (path, small, large)
    walked: list[Any] = []
    cursor = ""
    while True:
        step = get(client, path, limit=5, cursor=cursor, **params)
        walked.extend(step["items"])
        cursor = step["next_cursor"]
        if cursor is None:
            break
    assert walked == page["items"], path


@pytest.fixture
def claire(coordinator: User) -> Client:
    return client_for(coordinator)


@pytest.fixture
def bob_client(bob: User) -> Client:
    return client_for(bob)


# --- Communities ------------------------------------------------------------------------------


def test_the_list_shows_the_communities_one_may_see_with_ones_membership(
    cargo: Community, coordinator: User, alice_client: Client, charlie: User
) -> None:
    internal_domain()
    community(coordinator, slug="inside", audience=Audience.INTERNAL)
    community(coordinator, slug="wheels", entry=Entry.REQUEST)

    page = get(alice_client, "/communities")
    assert [item["slug"] for item in page["items"]] == ["cargo", "wheels"]
    cargo_item = page["items"][0]
    assert cargo_item["member_count"] == 3
    assert (cargo_item["my_status"], cargo_item["my_role"]) == ("active", "member")
    assert page["items"][1]["my_status"] is None
    assert cargo_item["url"].endswith("/c/cargo/")

    mine = get(alice_client, "/communities", mine="true")
    assert [item["slug"] for item in mine["items"]] == ["cargo"]
    by_entry = get(alice_client, "/communities", entry="request")
    assert [item["slug"] for item in by_entry["items"]] == ["wheels"]
    searched = get(alice_client, "/communities", q="whee")
    assert [item["slug"] for item in searched["items"]] == ["wheels"]
    # The coordinator, internal nowhere, does not see the internal one either.
    assert "inside" not in [
        item["slug"] for item in get(claire_of(coordinator), "/communities")["items"]
    ]


def claire_of(person: User) -> Client:
    return client_for(person)


def test_the_list_pages_with_a_cursor_and_refuses_a_forged_one(
    cargo: Community, coordinator: User, alice_client: Client
) -> None:
    for slug in ("b-one", "c-two", "d-three"):
        community(coordinator, slug=slug)
    first = get(alice_client, "/communities", limit=2)
    assert [item["slug"] for item in first["items"]] == ["b-one", "c-two"]
    second = get(alice_client, "/communities", limit=2, cursor=first["next_cursor"])
    assert [item["slug"] for item in second["items"]] == ["cargo", "d-three"]
    assert second["next_cursor"] is None
    problem = get(alice_client, "/communities", code=400, cursor="not-a-cursor")
    assert problem["status"] == 400
    assert "cursor" in problem["detail"]
    assert get(alice_client, "/communities", code=400, limit=500)["status"] == 400


def test_a_community_reads_as_its_landing_page(
    cargo: Community, lab: Space, alice_client: Client, bob_client: Client, claire: Client
) -> None:
    detail = get(alice_client, "/communities/cargo")
    assert detail["name"] == cargo.name
    assert detail["join"] == "member"
    assert [space["slug"] for space in detail["spaces"]] == ["general", "lab"]
    assert detail["can"]["post"]
    assert not detail["can"]["manage"]
    assert [space["slug"] for space in get(bob_client, "/communities/cargo")["spaces"]] == [
        "general"
    ]
    assert get(claire, "/communities/cargo")["can"]["see_cockpit"]
    missing = get(alice_client, "/communities/nowhere", code=404)
    assert missing["status"] == 404


def test_an_internal_community_is_a_404_for_an_external_person(
    coordinator: User, alice_client: Client
) -> None:
    internal_domain()
    community(coordinator, slug="inside", audience=Audience.INTERNAL)
    assert get(alice_client, "/communities/inside", code=404)["title"]
    assert get(alice_client, "/communities/inside/spaces", code=404)["status"] == 404


# --- Spaces ------------------------------------------------------------------------------------


def test_spaces_are_listed_and_shown_to_those_who_read_them(
    cargo: Community, lab: Space, alice_client: Client, bob_client: Client
) -> None:
    assert [s["slug"] for s in get(alice_client, "/communities/cargo/spaces")["items"]] == [
        "general",
        "lab",
    ]
    private = get(alice_client, "/communities/cargo/spaces", private="true")
    assert [s["slug"] for s in private["items"]] == ["lab"]
    assert [s["slug"] for s in get(bob_client, "/communities/cargo/spaces")["items"]] == ["general"]
    detail = get(alice_client, "/communities/cargo/spaces/lab")
    assert detail["is_private"]
    assert detail["can"]["post"]
    assert not detail["following"]
    assert detail["community"]["slug"] == "cargo"
    assert get(bob_client, "/communities/cargo/spaces/lab", code=404)["status"] == 404
    assert get(bob_client, "/communities/cargo/spaces/nowhere", code=404)["status"] == 404


# --- Memberships -------------------------------------------------------------------------------


def test_joining_an_open_community_makes_a_member_and_leaving_ends_it(
    cargo: Community, charlie: User
) -> None:
    client = client_for(charlie)
    joined = post(client, "/communities/cargo/join", {}, status=201)
    assert (joined["status"], joined["role"]) == ("active", "member")
    assert Membership.objects.get(person=charlie, community=cargo).status == Status.ACTIVE
    again = post(client, "/communities/cargo/join", {}, status=422)
    assert again["detail"] == "You are already a member of this community."
    assert post(client, "/communities/cargo/leave", status=204) is None
    assert Membership.objects.get(person=charlie, community=cargo).status == Status.LEFT
    assert post(client, "/communities/cargo/leave", status=422)["detail"] == (
        "You are not a member of this community."
    )


def test_asking_to_join_then_the_coordinators_decide(
    coordinator: User, alice: User, bob: User, charlie: User, moderator: User
) -> None:
    wheels = community(coordinator, slug="wheels", entry=Entry.REQUEST)
    asked = post(client_for(alice), "/communities/wheels/join", {"message": "Hi!"}, status=201)
    assert asked["status"] == "requested"
    assert asked["request_message"] == "Hi!"
    post(client_for(bob), "/communities/wheels/join", {}, status=201)
    post(client_for(charlie), "/communities/wheels/join", {}, status=201)
    # Charlie withdraws.
    delete(client_for(charlie), "/communities/wheels/join")
    assert not Membership.objects.filter(person=charlie, community=wheels).exists()

    # A member who does not decide requests learns nothing of them.
    claire = client_for(coordinator)
    requests = get(claire, "/communities/wheels/requests")
    assert [r["person"]["handle"] for r in requests["items"]] == [alice.handle, bob.handle]
    alice_request = requests["items"][0]["id"]
    approved = post(
        claire, f"/communities/wheels/requests/{alice_request}/approve", {"message": "Welcome"}
    )
    assert approved["status"] == "active"
    assert Membership.objects.get(person=alice, community=wheels).decided_by == coordinator
    get(client_for(alice), "/communities/wheels/requests", code=404)
    refused = post(
        client_for(alice),
        f"/communities/wheels/requests/{requests['items'][1]['id']}/approve",
        {},
        status=404,
    )
    assert refused["status"] == 404
    assert Membership.objects.get(person=bob, community=wheels).status == Status.REQUESTED
    declined = post(claire, f"/communities/wheels/requests/{requests['items'][1]['id']}/decline")
    assert declined["status"] == "left"
    twice = post(claire, f"/communities/wheels/requests/{alice_request}/decline", status=422)
    assert twice["detail"] == "This request has already been answered."


def test_coordinators_invite_list_and_revoke_and_the_invited_person_answers(
    cargo: Community, claire: Client, alice_client: Client, charlie: User
) -> None:
    report = post(
        claire,
        "/communities/cargo/invitations",
        {"addresses": [charlie.email, "new@example.net", "alice@example.org", "nope"]},
    )
    assert report["sent"] == [charlie.email, "new@example.net"]
    # "nope" is no address at all: the pasted text holds none, as on the members page.
    assert report["skipped"] == [{"email": "alice@example.org", "reason": "already a member"}]
    listed = get(claire, "/communities/cargo/invitations")
    assert {i["email"] for i in listed["items"]} == {charlie.email, "new@example.net"}
    assert listed["items"][0]["invited_by"]["display_name"] == "Claire Coord"
    newcomer = next(i for i in listed["items"] if i["email"] == "new@example.net")
    delete(claire, f"/communities/cargo/invitations/{newcomer['id']}")
    assert Invitation.objects.get(pk=newcomer["id"]).revoked_at is not None

    # A member may not invite, nor see the invitations.
    post(alice_client, "/communities/cargo/invitations", {"addresses": ["x@example.net"]}, 404)
    assert not Invitation.objects.filter(email="x@example.net").exists()
    get(alice_client, "/communities/cargo/invitations", code=404)

    charlie_client = client_for(charlie)
    mine = get(charlie_client, "/memberships", status="invited")
    assert [m["community"]["slug"] for m in mine["items"]] == ["cargo"]
    accepted = post(charlie_client, "/communities/cargo/invitation/accept")
    assert accepted["status"] == "active"
    assert post(charlie_client, "/communities/cargo/invitation/accept", status=422)["detail"]


def test_an_invitation_may_be_declined(cargo: Community, coordinator: User, charlie: User) -> None:
    membership_actions.do_invite(coordinator, cargo, [charlie.email])
    post(client_for(charlie), "/communities/cargo/invitation/decline", status=204)
    invitation = Invitation.objects.get(email=charlie.email)
    assert invitation.declined_at is not None
    assert not Membership.objects.filter(person=charlie, community=cargo).exists()


def test_my_memberships_list_active_asked_and_invited(
    cargo: Community, coordinator: User, alice: User, alice_client: Client
) -> None:
    community(coordinator, slug="wheels", entry=Entry.REQUEST)
    membership_actions.do_join(alice, Community.objects.get(slug="wheels"))
    mine = get(alice_client, "/memberships")
    assert [(m["community"]["slug"], m["status"]) for m in mine["items"]] == [
        ("cargo", "active"),
        ("wheels", "requested"),
    ]


# --- People ------------------------------------------------------------------------------------


def test_the_directory_lists_the_members_with_their_expertise(
    cargo: Community, coordinator: User, alice: User, alice_client: Client, charlie: User
) -> None:
    tag = talk.do_create_tag(coordinator, cargo, name="Brakes")
    people_actions.do_declare_expertise(alice, tag, 3)
    page = get(alice_client, "/communities/cargo/people")
    assert [m["person"]["display_name"] for m in page["items"]] == [
        "Alice Martin",
        "Bob Leroy",
        "Claire Coord",
    ]
    assert page["items"][0]["expertise"] == [{"tag": "brakes", "level": 3, "level_label": "Expert"}]
    assert page["items"][2]["role"] == "coordinator"
    assert [
        m["person"]["handle"]
        for m in get(alice_client, "/communities/cargo/people", tag="brakes")["items"]
    ] == [alice.handle]
    coordinators = get(alice_client, "/communities/cargo/people", role="coordinator")
    assert [m["person"]["handle"] for m in coordinators["items"]] == [coordinator.handle]
    experts = get(alice_client, "/communities/cargo/experts", tag="brakes")
    assert experts["items"][0]["person"]["handle"] == alice.handle
    assert experts["items"][0]["evidence"] == ["declares: expert"]


def test_a_profile_shows_each_field_as_its_owner_chose(
    cargo: Community, alice: User, alice_client: Client, bob: User, charlie: User
) -> None:
    people_actions.do_update_profile(
        alice,
        alice,
        headline="Mechanic",
        organization="Velo Lyon",
        location="Lyon",
        email_visibility=FieldVisibility.COMMUNITIES,
        organization_visibility=FieldVisibility.ONLY_ME,
        location_visibility=FieldVisibility.PROFILE,
        is_public=True,
        links=[("Site", "https://velo.example")],
    )
    seen_by_bob = get(client_for(bob), f"/people/{alice.handle}")
    assert seen_by_bob["headline"] == "Mechanic"
    assert seen_by_bob["email"] == alice.email  # Bob shares a community with Alice
    assert seen_by_bob["organization"] is None
    assert seen_by_bob["location"] == "Lyon"
    assert seen_by_bob["shared_communities"] == [{"slug": "cargo", "name": cargo.name}]
    assert seen_by_bob["links"] == [{"label": "Site", "url": "https://velo.example"}]
    seen_by_charlie = get(client_for(charlie), f"/people/{alice.handle}")
    assert seen_by_charlie["email"] is None
    assert seen_by_charlie["location"] == "Lyon"
    own = get(alice_client, f"/people/{alice.handle}")
    assert own["is_self"]
    assert own["organization"] == "Velo Lyon"
    assert own["email"] == alice.email

    # Charlie's profile is private and he shares no community with Alice: a 404.
    assert get(alice_client, f"/people/{charlie.handle}", code=404)["status"] == 404
    get(alice_client, "/people/nobody-at-all", code=404)


def test_a_profile_lists_only_contributions_the_reader_may_read(
    cargo: Community, lab: Space, general: Space, alice: User, bob: User
) -> None:
    talk.do_start_topic(alice, lab, kind=Kind.DISCUSSION, title="Secret lab work", body="Hush.")
    talk.do_start_topic(alice, general, kind=Kind.QUESTION, title="Open question", body="Hi?")
    seen = get(client_for(bob), f"/people/{alice.handle}")
    assert [c["topic_title"] for c in seen["contributions"]] == ["Open question"]


# --- Follows -----------------------------------------------------------------------------------


def test_following_and_no_longer_following(
    cargo: Community, general: Space, lab: Space, alice: User, bob: User, alice_client: Client
) -> None:
    created = post(alice_client, "/follows", {"kind": "space", "id": general.pk}, status=201)
    assert created["kind"] == "space"
    assert created["space"]["slug"] == "general"
    post(alice_client, "/follows", {"kind": "person", "id": bob.pk}, status=201)
    post(alice_client, "/follows", {"kind": "space", "id": lab.pk}, status=201)
    twice = post(alice_client, "/follows", {"kind": "space", "id": general.pk}, status=422)
    assert twice["detail"] == "You already follow this."
    assert get(alice_client, "/communities/cargo/spaces/general")["following"]

    listed = get(alice_client, "/follows")
    assert [f["kind"] for f in listed["items"]] == ["space", "person", "space"]
    assert [f["kind"] for f in get(alice_client, "/follows", kind="person")["items"]] == ["person"]

    # Bob may not follow the private space he does not read: a 404, and nothing written.
    bob_client = client_for(bob)
    post(bob_client, "/follows", {"kind": "space", "id": lab.pk}, status=404)
    post(bob_client, "/follows", {"kind": "topic", "id": 999999}, status=404)
    assert not Follow.objects.filter(follower=bob).exists()

    # Taken off the lab, Alice no longer sees her follow of it in the list.
    membership_actions.do_unlist_from_space(
        Membership.objects.get(community=cargo, role=Role.COORDINATOR).person, lab, alice
    )
    assert [f["kind"] for f in get(alice_client, "/follows")["items"]] == ["person", "space"]

    delete(alice_client, f"/follows/{created['id']}")
    assert not Follow.objects.filter(follower=alice, space=general).exists()
    delete(bob_client, f"/follows/{listed['items'][1]['id']}", status=404)


# --- Notifications -----------------------------------------------------------------------------


def test_notifications_are_listed_in_words_and_marked_read(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = talk.do_start_topic(bob, general, kind=Kind.QUESTION, title="Chains?", body="Which?")
    talk.do_reply(alice, topic, body="This one.")
    talk.do_reply(alice, topic, body="Or that one.")
    bob_client = client_for(bob)
    # Bob was welcomed when he joined: that notification is the oldest.
    assert [n["kind"] for n in get(bob_client, "/notifications")["items"]] == [
        "answer",
        "answer",
        "welcome",
    ]
    page = get(bob_client, "/notifications", kind="answer")
    first = page["items"][0]
    assert first["kind"] == "answer"
    assert first["text"] == "Alice Martin answered your question “Chains?”"
    assert first["actor"] == {"handle": alice.handle, "display_name": "Alice Martin"}
    assert first["community"]["slug"] == "cargo"
    assert first["read_at"] is None
    assert get(bob_client, "/notifications/unread") == {"unread": 3}

    read = post(bob_client, f"/notifications/{first['id']}/read")
    assert read["read_at"] is not None
    assert [n["kind"] for n in get(bob_client, "/notifications", unread="true")["items"]] == [
        "answer",
        "welcome",
    ]
    assert [n["id"] for n in get(bob_client, "/notifications", unread="false")["items"]] == [
        first["id"]
    ]
    assert get(bob_client, "/notifications", kind="mention")["items"] == []
    # Someone else's notification is a 404, and stays unread.
    post(client_for(alice), f"/notifications/{page['items'][1]['id']}/read", status=404)
    assert Notification.objects.get(pk=page["items"][1]["id"]).read_at is None
    assert post(bob_client, "/notifications/read") == {"marked": 2}
    assert get(bob_client, "/notifications/unread") == {"unread": 0}


# --- Search ------------------------------------------------------------------------------------


def test_search_finds_only_what_the_reader_may_read(
    cargo: Community, general: Space, lab: Space, alice: User, bob: User
) -> None:
    talk.do_start_topic(bob, general, kind=Kind.QUESTION, title="Brake pads", body="Worn brakes.")
    talk.do_start_topic(alice, lab, kind=Kind.DISCUSSION, title="Brake prototype", body="Brake.")
    found = get(client_for(alice), "/search", q="brake")
    assert {hit["title"] for hit in found["items"]} == {"Brake pads", "Brake prototype"}
    assert found["total"] == 2
    hidden = get(client_for(bob), "/search", q="brake")
    assert [hit["title"] for hit in hidden["items"]] == ["Brake pads"]
    hit = hidden["items"][0]
    assert hit["space"]["slug"] == "general"
    assert hit["community"]["slug"] == "cargo"
    assert "<mark>" in hit["title_html"] + hit["snippet_html"]
    assert get(client_for(alice), "/search", q="brake", kind="question")["total"] == 1
    first = get(client_for(alice), "/search", q="brake", limit=1)
    second = get(client_for(alice), "/search", q="brake", limit=1, cursor=first["next_cursor"])
    assert second["next_cursor"] is None
    assert {first["items"][0]["title"], second["items"][0]["title"]} == {
        "Brake pads",
        "Brake prototype",
    }
    # Bob's choice of a space he may not read is refused, as the page refuses it.
    refused = get(client_for(bob), "/search", code=422, q="brake", space=lab.pk)
    assert refused["errors"][0]["location"] == "query.space"
    assert get(client_for(bob), "/search", q="")["items"] == []


# --- Cockpit and next actions ------------------------------------------------------------------


def test_coordinators_read_the_cockpit_and_members_get_a_404(
    cargo: Community, claire: Client, alice_client: Client
) -> None:
    overview = get(claire, "/communities/cargo/cockpit", period="30d")
    assert overview["period"]["key"] == "30d"
    assert overview["members"] == 3
    assert next(tile["key"] for tile in overview["tiles"]) == "members"
    assert overview["activity"]["days"] == 30
    assert "summary" in overview["tables"]
    table = get(claire, "/communities/cargo/cockpit/tables/summary")
    assert table["headers"][0] == "Figure"
    assert len(table["rows"]) == 10
    get(claire, "/communities/cargo/cockpit/tables/nothing", code=404)
    get(alice_client, "/communities/cargo/cockpit", code=404)
    get(alice_client, "/communities/cargo/cockpit/tables/summary", code=404)


def test_coordinators_read_and_decide_the_next_actions(
    cargo: Community, coordinator: User, alice: User, claire: Client, alice_client: Client
) -> None:
    queue = get(claire, "/communities/cargo/next-actions")
    assert queue["may_act"]
    newcomers = next(s for s in queue["sections"] if s["kind"] == "newcomer")
    item = next(i for i in newcomers["items"] if i["person"]["handle"] == alice.handle)
    decided = post(
        claire,
        f"/communities/cargo/next-actions/newcomer/{item['object_id']}",
        {"outcome": "dismissed", "note": "Met her."},
        status=201,
    )
    assert decided["outcome"] == "dismissed"
    assert Decision.objects.get(object_id=alice.pk).decided_by == coordinator
    again = post(
        claire,
        f"/communities/cargo/next-actions/newcomer/{item['object_id']}",
        {"outcome": "done"},
        status=422,
    )
    assert "no longer in the queue" in again["detail"]
    # A member reads the community: a 403, as the queue's page answers; nothing decided.
    assert get(alice_client, "/communities/cargo/next-actions", code=403)["status"] == 403
    post(alice_client, "/communities/cargo/next-actions/newcomer/1", {"outcome": "done"}, 403)
    assert Decision.objects.count() == 1


# --- A fixed number of queries per list --------------------------------------------------------


def test_every_list_reads_a_fixed_number_of_queries_whatever_the_page_size(
    coordinator: User, alice: User, general: Space, cargo: Community
) -> None:
    people = [make_person(f"p{n}@example.org", f"Person {n:02}") for n in range(8)]
    for person in people:
        join(person, cargo)
        people_actions.do_follow(alice, person)
        profile_for(person)
    Profile.objects.filter(person__in=people).update(is_public=True)
    for n in range(8):
        community(coordinator, slug=f"more-{n}", members=[alice])
        membership_actions.do_create_space(coordinator, cargo, name=f"Space {n}")
        topic = talk.do_start_topic(
            people[n], general, kind=Kind.QUESTION, title=f"Question {n}", body="?"
        )
        people_actions.do_follow(alice, topic)
    topic = talk.do_start_topic(alice, general, kind=Kind.QUESTION, title="Mine", body="?")
    for person in people:
        talk.do_reply(person, topic, body="An answer.")
    wheels = community(coordinator, slug="wheels", entry=Entry.REQUEST)
    for person in people:
        membership_actions.do_join(person, wheels)
    membership_actions.do_invite(coordinator, cargo, [f"i{n}@example.net" for n in range(8)])

    alice_client = client_for(alice)
    claire = client_for(coordinator)
    assert_fixed_queries(alice_client, "/communities")
    assert_fixed_queries(alice_client, "/communities/cargo/spaces")
    assert_fixed_queries(alice_client, "/memberships")
    assert_fixed_queries(alice_client, "/communities/cargo/people")
    assert_fixed_queries(alice_client, "/follows")
    assert_fixed_queries(alice_client, "/notifications")
    assert_fixed_queries(claire, "/communities/wheels/requests")
    assert_fixed_queries(claire, "/communities/cargo/invitations")


# --- Tokens: the scopes narrow what a person may do, never widen it ----------------------------


def test_a_token_acts_as_its_person_within_its_scopes(
    cargo: Community, coordinator: User, alice: User, charlie: User
) -> None:
    assert_problem(api_get("", "/communities"), 401)
    reading = make_token(charlie, ["read"])
    assert [c["slug"] for c in api_get(reading, "/communities").json()["items"]] == ["cargo"]
    assert_problem(api_post(reading, "/communities/cargo/join", {}), 403)
    assert not Membership.objects.filter(person=charlie).exists()
    writing = make_token(charlie, ["read", "write"])
    assert api_post(writing, "/communities/cargo/join", {}).status_code == 201

    # Without the admin scope, a coordinator's token does not coordinate.
    plain = make_token(coordinator, ["read", "write"])
    assert_problem(api_get(plain, "/communities/cargo/requests"), 403)
    assert_problem(api_get(plain, "/communities/cargo/cockpit"), 403)
    assert_problem(api_get(plain, "/communities/cargo/next-actions"), 403)
    refused = assert_problem(
        api_post(plain, "/communities/cargo/invitations", {"addresses": ["x@example.net"]}), 403
    )
    assert "admin" in refused["detail"]
    assert not Invitation.objects.filter(email="x@example.net").exists()

    # An admin scope limited to one community coordinates there only.
    community(coordinator, slug="wheels")
    wheels_only = make_token(
        coordinator, ["read", "write", "admin"], communities=Community.objects.filter(slug="wheels")
    )
    assert api_get(wheels_only, "/communities/wheels/cockpit").status_code == 200
    assert_problem(api_get(wheels_only, "/communities/cargo/cockpit"), 403)
    # An admin scope gives a member nothing: the cockpit stays a 404 to her.
    assert_problem(api_get(make_token(alice, ["read", "admin"]), "/communities/cargo/cockpit"), 404)


def test_a_notification_about_a_space_one_no_longer_reads_is_gone(
    cargo: Community, lab: Space, coordinator: User, alice: User
) -> None:
    topic = talk.do_start_topic(alice, lab, kind=Kind.QUESTION, title="Lab secret?", body="?")
    talk.do_reply(coordinator, topic, body="Yes.")
    alice_client = client_for(alice)
    answer = get(alice_client, "/notifications", kind="answer")["items"][0]
    assert answer["text"] == "Claire Coord answered your question “Lab secret?”"

    membership_actions.do_unlist_from_space(coordinator, lab, alice)
    assert get(alice_client, "/notifications", kind="answer")["items"] == []
    post(alice_client, f"/notifications/{answer['id']}/read", status=404)
    assert Notification.objects.get(pk=answer["id"]).read_at is None
