"""The permission matrix again, through the API's resources about communities and
people: every person of tests/test_permission_matrix.py, in every community type
(internal or external, open, on request or on invitation, public or members only),
against communities, spaces, people, memberships, follows, search, the cockpit and
the next actions.

- No leak: what a person may not see is absent from every list and a 404 on its
  address, exactly where docs/permissions.md (the matrix's TABLE) says so.
- No forbidden write: a change the person may not make answers 403, 404 or 422, and
  writes no row; the changes they may make are made.

The expected answers come from the matrix's hand-written TABLE, never from
`cercle.permissions`. Each person calls with a personal access token holding every
scope (read, write, admin), so that only their permissions decide; anonymous
visitors (no token) and a deactivated account's token are nobody: a 401 everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cercle.accounts.models import User
from cercle.communities.models import Entry, Invitation, Membership, Status
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from cercle.nextactions.models import Decision
from cercle.people.models import Follow
from tests.api import ApiClient, make_token
from tests.test_permission_matrix import (
    OBJECTS,
    PERSONS,
    TYPES,
    CommunityType,
    World,
    build_world,
    expected,
    mismatch_report,
)

pytestmark = pytest.mark.django_db

NOBODY = {"anonymous", "deactivated"}  # no one to the API: 401
SPACES = OBJECTS[1:]
# Where the cockpit and the queue are opened by those who may (every refusal is
# checked in every type): an internal open public one, an external members-only one
# on invitation.
HEAVY_SAMPLE = {TYPES[0], TYPES[-1]}


@pytest.fixture
def world() -> World:
    return build_world(TYPES)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    settings.CERCLE_API_RATE_READS = 100_000
    settings.CERCLE_API_RATE_WRITES = 100_000


def token_of(person: User) -> str:
    """A token with every scope, as a script of the person's would hold; the
    deactivated person's was made before the account was deactivated."""
    if person.is_active:
        return make_token(person, ("read", "write", "admin"))
    person.is_active = True
    token = make_token(person, ("read", "write", "admin"))
    person.is_active = False
    return token


def clients(world: World) -> Iterator[tuple[str, ApiClient]]:
    """Each person's API client: their token (none for the anonymous visitor)."""
    tokens = {
        name: token_of(person) for name, person in world.persons.items() if isinstance(person, User)
    }
    for name in PERSONS:
        yield name, ApiClient(tokens.get(name, ""))


def call(client: ApiClient, method: str, path: str, body: Any = None, **params: Any) -> Any:
    if method == "get":
        return client.get(path, params)
    return getattr(client, method)(path, body or {})


def space_slug(world: World, kind: Any, obj: str) -> str:
    space = world.objects[(kind, obj)]
    assert space is not None
    return space.slug


class Check:
    """Gathers the disagreements, so that one run reports them all."""

    def __init__(self) -> None:
        self.cases = 0
        self.mismatches: list[str] = []

    def status(self, person: str, what: str, got: int, want: int) -> None:
        self.cases += 1
        if got != want:
            self.mismatches.append(f"  {person:<17} {what:<50} expected {want} got {got}")

    def that(self, person: str, what: str, holds: bool, detail: str = "") -> None:
        self.cases += 1
        if not holds:
            self.mismatches.append(f"  {person:<17} {what:<50} {detail}")

    def done(self) -> None:
        assert self.cases > 0
        assert not self.mismatches, mismatch_report(self.mismatches, self.cases)


def test_the_communities_and_spaces_a_person_sees_are_exactly_those_the_matrix_allows(
    world: World,
) -> None:
    check = Check()
    for person, client in clients(world):
        listed = call(client, "get", "/communities", limit=100)
        if person in NOBODY:
            check.status(person, "GET /communities", listed.status_code, 401)
            check.status(
                person,
                "GET /communities/ext-open-pub",
                call(client, "get", "/communities/ext-open-pub").status_code,
                401,
            )
            continue
        wanted = {kind.slug for kind in TYPES if expected(person, kind, "landing", "view")}
        got = {item["slug"] for item in listed.json()["items"]}
        check.that(
            person,
            "GET /communities",
            got == wanted,
            f"extra {got - wanted} missing {wanted - got}",
        )
        for kind in TYPES:
            landing = expected(person, kind, "landing", "view")
            detail = call(client, "get", f"/communities/{kind.slug}")
            check.status(
                person, f"GET /communities/{kind.slug}", detail.status_code, 200 if landing else 404
            )
            spaces = call(client, "get", f"/communities/{kind.slug}/spaces")
            if not landing:
                check.status(person, f"GET {kind.slug}/spaces", spaces.status_code, 404)
            else:
                readable = {
                    space_slug(world, kind, obj)
                    for obj in SPACES
                    if expected(person, kind, obj, "view")
                }
                shown = {item["slug"] for item in spaces.json()["items"]}
                check.that(
                    person, f"GET {kind.slug}/spaces", shown == readable, f"{shown} != {readable}"
                )
                shown_on_landing = {space["slug"] for space in detail.json()["spaces"]}
                check.that(person, f"GET {kind.slug} spaces", shown_on_landing == readable)
            for obj in SPACES:
                slug = space_slug(world, kind, obj)
                one = call(client, "get", f"/communities/{kind.slug}/spaces/{slug}")
                want = 200 if expected(person, kind, obj, "view") else 404
                check.status(person, f"GET {kind.slug}/spaces/{slug}", one.status_code, want)
    check.done()


def test_people_requests_and_the_cockpit_open_exactly_as_the_matrix_says(
    world: World,
) -> None:
    absent_handles = {
        someone.handle
        for name in ("invited", "requested", "banned", "suspended", "deactivated")
        if isinstance(someone := world.persons[name], User)
    }
    check = Check()
    for person, client in clients(world):
        for kind in TYPES:
            base = f"/communities/{kind.slug}"
            if person in NOBODY:
                for path in ("/people", "/requests", "/cockpit", "/next-actions"):
                    check.status(
                        person,
                        f"GET {kind.slug}{path}",
                        call(client, "get", base + path).status_code,
                        401,
                    )
                continue
            reads = expected(person, kind, "open_space", "view")
            decides = expected(person, kind, "landing", "moderate") or expected(
                person, kind, "landing", "manage"
            )
            manages = expected(person, kind, "landing", "manage")
            people = call(client, "get", f"{base}/people")
            check.status(
                person, f"GET {kind.slug}/people", people.status_code, 200 if reads else 404
            )
            if reads:
                handles = {item["person"]["handle"] for item in people.json()["items"]}
                # The directory lists active members only: never the pending, banned,
                # suspended or deactivated people of the world.
                check.that(
                    person,
                    f"GET {kind.slug}/people members only",
                    not handles & absent_handles,
                    str(handles),
                )
            requests = call(client, "get", f"{base}/requests")
            check.status(
                person, f"GET {kind.slug}/requests", requests.status_code, 200 if decides else 404
            )
            # The invitations' list shares its gate with inviting, checked in every type
            # below (test_only_those_who_may_invite_or_decide_requests_do).
            cockpit = call(client, "get", f"{base}/cockpit")
            check.status(
                person, f"GET {kind.slug}/cockpit", cockpit.status_code, 200 if manages else 404
            )
            queue = call(client, "get", f"{base}/next-actions")
            want = 200 if manages else 403 if reads else 404
            check.status(person, f"GET {kind.slug}/next-actions", queue.status_code, want)
    check.done()


def test_search_finds_exactly_the_spaces_a_person_may_read(world: World) -> None:
    coordinator = world.persons["coordinator"]
    assert isinstance(coordinator, User)
    for kind in TYPES:
        for obj in SPACES:
            space = world.objects[(kind, obj)]
            assert space is not None
            talk.do_start_topic(
                coordinator,
                space,
                kind=Kind.DISCUSSION,
                title=f"Needle {kind.slug} {obj}",
                body="A needle.",
            )
    check = Check()
    for person, client in clients(world):
        response = call(client, "get", "/search", q="needle", limit=100)
        if person in NOBODY:
            check.status(person, "GET /search", response.status_code, 401)
            continue
        found = {
            (hit["community"]["slug"], hit["space"]["slug"]) for hit in response.json()["items"]
        }
        wanted = {
            (kind.slug, space_slug(world, kind, obj))
            for kind in TYPES
            for obj in SPACES
            if expected(person, kind, obj, "view")
        }
        check.that(
            person,
            "GET /search",
            found == wanted,
            f"extra {found - wanted} missing {wanted - found}",
        )
    check.done()


def status_of(world: World, kind: CommunityType, actor: User) -> str | None:
    return (
        Membership.objects.filter(community=world.communities[kind], person=actor)
        .values_list("status", flat=True)
        .first()
    )


def acting(world: World) -> Iterator[tuple[str, User, ApiClient]]:
    """The persons with an active account, each with their client."""
    for person, client in clients(world):
        actor = world.persons[person]
        if person not in NOBODY and isinstance(actor, User):
            yield person, actor, client


def test_nobody_writes_anything(world: World) -> None:
    general = world.objects[(TYPES[0], "open_space")]
    assert general is not None
    check = Check()
    for person, client in clients(world):
        if person not in NOBODY:
            continue
        for kind in TYPES:
            base = f"/communities/{kind.slug}"
            for path, body in (
                (f"{base}/join", {}),
                (f"{base}/invitations", {"addresses": [f"{person}@inside.example"]}),
                (f"{base}/next-actions/newcomer/1", {"outcome": "done"}),
                ("/follows", {"kind": "space", "id": general.pk}),
            ):
                check.status(
                    person, f"POST {path}", call(client, "post", path, body).status_code, 401
                )
    check.that(
        "nobody",
        "no invitation",
        not Invitation.objects.filter(email__startswith="anonymous").exists(),
    )
    check.that("nobody", "no follow", not Follow.objects.exists())
    check.done()


def test_only_those_who_may_invite_or_decide_requests_do(world: World) -> None:
    check = Check()
    for person, _actor, client in acting(world):
        for kind in TYPES:
            community = world.communities[kind]
            base = f"/communities/{kind.slug}"
            manages = expected(person, kind, "landing", "manage")
            decides = expected(person, kind, "landing", "moderate") or manages
            address = f"new-{person}-{kind.slug}@inside.example"
            invited = call(client, "post", f"{base}/invitations", {"addresses": [address]})
            exists = Invitation.objects.filter(community=community, email=address).exists()
            check.status(
                person,
                f"POST {kind.slug}/invitations",
                invited.status_code,
                200 if manages else 404,
            )
            check.that(person, f"POST {kind.slug}/invitations row", exists == manages)
            if decides:
                continue  # deciding is shown in tests/test_api_community.py
            requested = Membership.objects.get(
                community=community, person__email__startswith="requested@"
            )
            refused = call(client, "post", f"{base}/requests/{requested.pk}/approve")
            requested.refresh_from_db()
            check.status(person, f"POST {kind.slug}/requests/approve", refused.status_code, 404)
            check.that(
                person,
                f"POST {kind.slug}/requests/approve row",
                requested.status == Status.REQUESTED,
            )
    check.done()


def test_a_person_follows_exactly_the_spaces_they_may_read(world: World) -> None:
    check = Check()
    for person, actor, client in acting(world):
        for kind in TYPES:
            for obj in SPACES:
                space = world.objects[(kind, obj)]
                assert space is not None
                response = call(client, "post", "/follows", {"kind": "space", "id": space.pk})
                followed = Follow.objects.filter(follower=actor, space=space).exists()
                allowed = expected(person, kind, obj, "view")
                what = f"POST /follows {kind.slug}/{space.slug}"
                check.status(person, what, response.status_code, 201 if allowed else 404)
                check.that(person, f"{what} row", followed == allowed)
        listed = call(client, "get", "/follows", limit=100).json()["items"]
        check.that(
            person,
            "GET /follows",
            len(listed) == Follow.objects.filter(follower=actor).count(),
            str(len(listed)),
        )
    check.done()


def test_only_coordinators_decide_next_actions(world: World) -> None:
    member = world.persons["member"]
    assert isinstance(member, User)
    check = Check()
    for person, actor, client in acting(world):
        for kind in TYPES:
            community = world.communities[kind]
            path = f"/communities/{kind.slug}/next-actions/newcomer/{member.pk}"
            code = call(client, "post", path, {"outcome": "dismissed"}).status_code
            decided = Decision.objects.filter(community=community, decided_by=actor).exists()
            # A coordinator's decision is made when the member is in the queue (201),
            # refused when not (422); nobody else's ever is.
            allowed = {201, 422} if person == "coordinator" else {403, 404, 422}
            check.that(
                person,
                f"POST {kind.slug}/next-actions",
                code in allowed and decided == (code == 201),
                f"{code} decided={decided}",
            )
    check.done()


def test_joining_and_answering_an_invitation_go_as_the_matrix_says(world: World) -> None:
    check = Check()
    for person, actor, client in acting(world):
        for kind in TYPES:
            base = f"/communities/{kind.slug}"
            landing = expected(person, kind, "landing", "view")
            before = status_of(world, kind, actor)
            if person == "invited":
                code = call(client, "post", f"{base}/invitation/accept").status_code
                check.status(person, f"POST {kind.slug}/invitation/accept", code, 200)
                check.that(
                    person, f"{kind.slug} accepted", status_of(world, kind, actor) == Status.ACTIVE
                )
                continue
            code = call(client, "post", f"{base}/invitation/accept").status_code
            check.status(
                person, f"POST {kind.slug}/invitation/accept", code, 422 if landing else 404
            )
            check.that(person, f"{kind.slug} not accepted", status_of(world, kind, actor) == before)
            joined = call(client, "post", f"{base}/join", {"message": "Hello"}).status_code
            after = status_of(world, kind, actor)
            if expected(person, kind, "landing", "join"):
                want = Status.ACTIVE if kind.entry == Entry.OPEN else Status.REQUESTED
                check.status(person, f"POST {kind.slug}/join", joined, 201)
                check.that(person, f"POST {kind.slug}/join row", after == want, f"{after}")
            else:
                check.status(person, f"POST {kind.slug}/join", joined, 422 if landing else 404)
                check.that(
                    person, f"POST {kind.slug}/join row", after == before, f"{before}->{after}"
                )
    check.done()
