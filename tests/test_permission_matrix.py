"""The permission matrix of docs/permissions.md, checked case by case.

13 persons x 12 community types x 4 objects x 5 actions = 3120 cases, answered by
`cercle.permissions` and, for viewing and managing, by the pages themselves over HTTP.

The expected answers are written by hand below (TABLE), read from docs/permissions.md;
they are never computed from the `cercle/permissions/` package.

Notation
--------
TABLE maps each person to its four objects, and each object to five conditions, one per
action in the order (view, join, post, moderate, manage). A condition is a tiny boolean
expression over the type of the community:

    Y     always                      N     never
    ext   the audience is external    int   the audience is internal
    pub   the visibility is public    mem   the visibility is "members only"
    open  the entry is open           req   the entry is on request
    inv   the entry is on invitation
    a&b   both    a|b   either    !a   not    (...)   grouping (& binds tighter than |)

For example "ext&(open|req)" means: in an external community that one may join in one
click or on request.

The persons (all email addresses verified; "inside.example" is the internal domain):
anonymous; outsider_external and staff (is_staff, no membership) at outside.example;
outsider_internal, invited, requested, member, moderator, coordinator and banned at
inside.example. Three more, for single sign-on and deprovisioning:
sso_internal, an active member at outside.example vouched for by the organisation's
identity provider (`organisation_provider` set), who is internal whatever their address;
deactivated, an active coordinator at inside.example whose account was deactivated
(`is_active` False), who may do nothing an anonymous visitor may not; suspended, at
inside.example with an active account and a membership `suspended` by deprovisioning,
who is an outsider until reactivated. Every person with an account is listed
(SpaceMember) in the private_listed space, outsiders, pending, banned, deactivated and
suspended people included: being listed must open nothing to someone who is not an
active member.

The objects: landing (the community itself), open_space (not private), private_listed
(a private space where the person is listed), private_unlisted (a private space where
the person is not listed; another member is).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    InternalEmailDomain,
    Invitation,
    Membership,
    Role,
    Space,
    SpaceMember,
    Status,
    Visibility,
)
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

INTERNAL_DOMAIN = "inside.example"
EXTERNAL_DOMAIN = "outside.example"

PERSONS = (
    "anonymous",
    "outsider_external",
    "outsider_internal",
    "invited",
    "requested",
    "member",
    "moderator",
    "coordinator",
    "banned",
    "staff",
    "sso_internal",
    "deactivated",
    "suspended",
)
OBJECTS = ("landing", "open_space", "private_listed", "private_unlisted")
ACTIONS: tuple[permissions.Action, ...] = ("view", "join", "post", "moderate", "manage")

NOTHING = ("N", "N", "N", "N", "N")

# fmt: off
TABLE: dict[str, dict[str, tuple[str, str, str, str, str]]] = {
    #                          view       join              post moderate manage
    "anonymous": {
        "landing":            ("ext",     "N",              "N", "N",     "N"),
        "open_space":         ("ext&pub", "N",              "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    "outsider_external": {
        "landing":            ("ext",     "ext&(open|req)", "N", "N",     "N"),
        "open_space":         ("ext&pub", "ext&(open|req)", "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    "outsider_internal": {
        "landing":            ("Y",       "open|req",       "N", "N",     "N"),
        "open_space":         ("pub",     "open|req",       "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    "invited": {
        "landing":            ("Y",       "Y",              "N", "N",     "N"),
        "open_space":         ("pub",     "Y",              "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    "requested": {
        "landing":            ("Y",       "N",              "N", "N",     "N"),
        "open_space":         ("pub",     "N",              "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    "member": {
        "landing":            ("Y",       "N",              "Y", "N",     "N"),
        "open_space":         ("Y",       "N",              "Y", "N",     "N"),
        "private_listed":     ("Y",       "N",              "Y", "N",     "N"),
        "private_unlisted":   NOTHING,
    },
    "moderator": {
        "landing":            ("Y",       "N",              "Y", "Y",     "N"),
        "open_space":         ("Y",       "N",              "Y", "Y",     "N"),
        "private_listed":     ("Y",       "N",              "Y", "Y",     "N"),
        "private_unlisted":   NOTHING,
    },
    "coordinator": {
        "landing":            ("Y",       "N",              "Y", "Y",     "Y"),
        "open_space":         ("Y",       "N",              "Y", "Y",     "Y"),
        "private_listed":     ("Y",       "N",              "Y", "Y",     "Y"),
        "private_unlisted":   ("Y",       "N",              "Y", "Y",     "Y"),
    },
    "banned": {
        "landing":            ("Y",       "N",              "N", "N",     "N"),
        "open_space":         NOTHING,
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    # Staff see every landing page and manage every community, but read content and
    # join by their own status (docs: "staff read and join like anyone"): staff here
    # are not internal, so an internal community's spaces stay closed to them.
    "staff": {
        "landing":            ("Y",       "ext&(open|req)", "N", "N",     "Y"),
        "open_space":         ("ext&pub", "ext&(open|req)", "N", "N",     "Y"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    # Vouched for by the organisation's identity provider: internal at an outside address.
    "sso_internal": {
        "landing":            ("Y",       "N",              "Y", "N",     "N"),
        "open_space":         ("Y",       "N",              "Y", "N",     "N"),
        "private_listed":     ("Y",       "N",              "Y", "N",     "N"),
        "private_unlisted":   NOTHING,
    },
    # A deactivated account is no one's: an active coordinator once, now an anonymous
    # visitor (over HTTP its session is anonymous, and the permission layer agrees).
    "deactivated": {
        "landing":            ("ext",     "N",              "N", "N",     "N"),
        "open_space":         ("ext&pub", "N",              "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
    # Suspended while deprovisioned, account active again: an (internal) outsider.
    "suspended": {
        "landing":            ("Y",       "open|req",       "N", "N",     "N"),
        "open_space":         ("pub",     "open|req",       "N", "N",     "N"),
        "private_listed":     NOTHING,
        "private_unlisted":   NOTHING,
    },
}
# fmt: on

EXPECTED: dict[tuple[str, str, permissions.Action], str] = {
    (person, obj, action): condition
    for person, rows in TABLE.items()
    for obj, conditions in rows.items()
    for action, condition in zip(ACTIONS, conditions, strict=True)
}


# --- The community types and the little condition language ---------------------------------


class CommunityType(NamedTuple):
    audience: Audience
    entry: Entry
    visibility: Visibility

    @property
    def slug(self) -> str:
        short = {Audience.INTERNAL: "int", Audience.EXTERNAL: "ext", Entry.OPEN: "open"}
        short |= {Entry.REQUEST: "req", Entry.INVITATION: "inv"}
        short |= {Visibility.PUBLIC: "pub", Visibility.MEMBERS: "mem"}
        return f"{short[self.audience]}-{short[self.entry]}-{short[self.visibility]}"


TYPES = [
    CommunityType(audience, entry, visibility)
    for audience, entry, visibility in itertools.product(Audience, Entry, Visibility)
]


def holds(condition: str, kind: CommunityType) -> bool:
    """Evaluate a condition of the notation above for a community type."""
    atoms = {
        "Y": True,
        "N": False,
        "ext": kind.audience == Audience.EXTERNAL,
        "int": kind.audience == Audience.INTERNAL,
        "pub": kind.visibility == Visibility.PUBLIC,
        "mem": kind.visibility == Visibility.MEMBERS,
        "open": kind.entry == Entry.OPEN,
        "req": kind.entry == Entry.REQUEST,
        "inv": kind.entry == Entry.INVITATION,
    }
    tokens = re.findall(r"[A-Za-z]+|[&|!()]|\S", condition)
    position = 0

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        token = peek()
        if token is None:
            raise ValueError(f"unexpected end of condition {condition!r}")
        position += 1
        return token

    def either() -> bool:
        value = both()
        while peek() == "|":
            take()
            value = both() or value
        return value

    def both() -> bool:
        value = single()
        while peek() == "&":
            take()
            value = single() and value
        return value

    def single() -> bool:
        token = take()
        if token == "!":
            return not single()
        if token == "(":
            value = either()
            if take() != ")":
                raise ValueError(f"missing ')' in condition {condition!r}")
            return value
        if token not in atoms:
            raise ValueError(f"unknown word {token!r} in condition {condition!r}")
        return atoms[token]

    value = either()
    if peek() is not None:
        raise ValueError(f"trailing {peek()!r} in condition {condition!r}")
    return value


def expected(person: str, kind: CommunityType, obj: str, action: permissions.Action) -> bool:
    return holds(EXPECTED[(person, obj, action)], kind)


def test_the_table_covers_every_person_object_and_action_once() -> None:
    assert set(EXPECTED) == set(itertools.product(PERSONS, OBJECTS, ACTIONS))
    assert len(TYPES) == 12
    assert len(EXPECTED) * len(TYPES) == 3120
    for condition in set(EXPECTED.values()):
        holds(condition, TYPES[0])  # every condition parses


def test_the_condition_notation_reads_as_documented() -> None:
    internal_open_public = CommunityType(Audience.INTERNAL, Entry.OPEN, Visibility.PUBLIC)
    external_invitation_members = CommunityType(
        Audience.EXTERNAL, Entry.INVITATION, Visibility.MEMBERS
    )
    assert holds("int&pub&open", internal_open_public)
    assert not holds("ext&(open|req)", internal_open_public)
    assert holds("ext&!(open|req)", external_invitation_members)
    assert holds("N|mem&inv", external_invitation_members)
    assert not holds("(Y|Y)&N", external_invitation_members)
    with pytest.raises(ValueError, match="unknown word"):
        holds("public", internal_open_public)


# --- The world: persons, communities, spaces, memberships ----------------------------------


@dataclass
class World:
    persons: dict[str, permissions.Actor]
    communities: dict[CommunityType, Community]
    objects: dict[tuple[CommunityType, str], Space | None]

    def target(self, kind: CommunityType, obj: str) -> Community | Space:
        space = self.objects[(kind, obj)]
        return self.communities[kind] if space is None else space

    def url(self, kind: CommunityType, obj: str) -> str:
        space = self.objects[(kind, obj)]
        if space is None:
            return f"/c/{self.communities[kind].slug}/"
        return f"/c/{self.communities[kind].slug}/s/{space.slug}/"


MEMBERSHIPS: dict[str, tuple[Status, Role]] = {
    "invited": (Status.INVITED, Role.MEMBER),
    "requested": (Status.REQUESTED, Role.MEMBER),
    "member": (Status.ACTIVE, Role.MEMBER),
    "moderator": (Status.ACTIVE, Role.MODERATOR),
    "coordinator": (Status.ACTIVE, Role.COORDINATOR),
    "banned": (Status.BANNED, Role.MEMBER),
    "sso_internal": (Status.ACTIVE, Role.MEMBER),
    "deactivated": (Status.ACTIVE, Role.COORDINATOR),
    "suspended": (Status.SUSPENDED, Role.COORDINATOR),
}


JOINED = {Status.ACTIVE, Status.BANNED, Status.SUSPENDED}


def build_world(kinds: list[CommunityType]) -> World:
    InternalEmailDomain.objects.create(domain=INTERNAL_DOMAIN)
    persons: dict[str, permissions.Actor] = {"anonymous": AnonymousUser()}
    for name in PERSONS[1:]:
        external = name in {"outsider_external", "staff", "sso_internal"}
        domain = EXTERNAL_DOMAIN if external else INTERNAL_DOMAIN
        persons[name] = make_person(f"{name}@{domain}", name.replace("_", " ").title())
    staff = persons["staff"]
    assert isinstance(staff, User)
    staff.is_staff = True
    staff.save()
    vouched = persons["sso_internal"]
    assert isinstance(vouched, User)
    vouched.organisation_provider = "organisation-idp"
    vouched.save()
    deactivated = persons["deactivated"]
    assert isinstance(deactivated, User)
    deactivated.is_active = False
    deactivated.save()
    # Someone else, listed in the private space where the persons under test are not.
    colleague = make_person(f"colleague@{INTERNAL_DOMAIN}", "Colleague")
    accounts = [person for person in persons.values() if isinstance(person, User)]

    communities: dict[CommunityType, Community] = {}
    objects: dict[tuple[CommunityType, str], Space | None] = {}
    now = timezone.now()
    for kind in kinds:
        coordinator = persons["coordinator"]
        assert isinstance(coordinator, User)
        community = Community.objects.create(
            name=f"Community {kind.slug}",
            slug=kind.slug,
            domain="Matrices",
            purpose="Checking who may do what.",
            audience=kind.audience,
            entry=kind.entry,
            visibility=kind.visibility,
            created_by=coordinator,
        )
        general = Space.objects.create(
            community=community, name="General", slug="general", is_default=True
        )
        listed = Space.objects.create(
            community=community, name="Listed", slug="listed", is_private=True, position=1
        )
        unlisted = Space.objects.create(
            community=community, name="Unlisted", slug="unlisted", is_private=True, position=2
        )
        for name, (status, role) in MEMBERSHIPS.items():
            person = persons[name]
            assert isinstance(person, User)
            Membership.objects.create(
                person=person,
                community=community,
                status=status,
                role=role,
                joined_at=now
                if status in {Status.ACTIVE, Status.BANNED, Status.SUSPENDED}
                else None,
                ended_at=now if status in {Status.BANNED, Status.SUSPENDED} else None,
                request_message="Let me in." if status == Status.REQUESTED else "",
            )
        Membership.objects.create(
            person=colleague,
            community=community,
            status=Status.ACTIVE,
            role=Role.MEMBER,
            joined_at=now,
        )
        invited = persons["invited"]
        assert isinstance(invited, User)
        Invitation.objects.create(community=community, email=invited.email, invited_by=coordinator)
        SpaceMember.objects.bulk_create(
            SpaceMember(space=listed, person=person, added_by=coordinator) for person in accounts
        )
        SpaceMember.objects.create(space=unlisted, person=colleague, added_by=coordinator)
        communities[kind] = community
        objects |= {
            (kind, "landing"): None,
            (kind, "open_space"): general,
            (kind, "private_listed"): listed,
            (kind, "private_unlisted"): unlisted,
        }
    return World(persons=persons, communities=communities, objects=objects)


@pytest.fixture
def world() -> World:
    return build_world(TYPES)


def clients(world: World) -> Iterator[tuple[str, Client]]:
    for name, person in world.persons.items():
        client = Client()
        if isinstance(person, User):
            client.force_login(person)
        yield name, client


def mismatch_report(mismatches: list[str], cases: int) -> str:
    header = f"{len(mismatches)} of {cases} cases disagree with docs/permissions.md:"
    return "\n".join([header, *mismatches])


# --- The permission layer -------------------------------------------------------------------


def test_every_case_of_the_matrix_answers_as_the_specification_says(world: World) -> None:
    mismatches = []
    cases = 0
    for kind in TYPES:
        community = world.communities[kind]
        for person in PERSONS:
            access = permissions.community_access(world.persons[person], community)
            for obj in OBJECTS:
                space = world.objects[(kind, obj)]
                for action in ACTIONS:
                    cases += 1
                    want = expected(person, kind, obj, action)
                    got = access.may(action, space)
                    if got != want:
                        mismatches.append(
                            f"  {person:<17} {kind.slug:<12} {obj:<16} {action:<8} "
                            f"expected {want!s:<5} got {got}"
                            f"  [{EXPECTED[(person, obj, action)]}]"
                        )
    assert cases == 3120
    assert not mismatches, mismatch_report(mismatches, cases)


def test_the_one_question_shortcut_agrees_with_the_table_on_a_sample(world: World) -> None:
    """Each (person, object, action) once, in a community type that rotates with it."""
    mismatches = []
    cases = 0
    for index, (person, obj, action) in enumerate(EXPECTED):
        kind = TYPES[index % len(TYPES)]
        want = expected(person, kind, obj, action)
        got = permissions.may(world.persons[person], action, world.target(kind, obj))
        cases += 1
        if got != want:
            mismatches.append(
                f"  {person:<17} {kind.slug:<12} {obj:<16} {action:<8} "
                f"expected {want!s:<5} got {got}"
            )
    assert cases == 260
    assert not mismatches, mismatch_report(mismatches, cases)


def test_the_communities_listed_to_a_person_are_those_whose_landing_they_may_view(
    world: World,
) -> None:
    mismatches = []
    for person in PERSONS:
        listed = set(
            permissions.visible_communities(world.persons[person]).values_list("slug", flat=True)
        )
        wanted = {kind.slug for kind in TYPES if expected(person, kind, "landing", "view")}
        if listed != wanted:
            mismatches.append(
                f"  {person:<17} missing {sorted(wanted - listed)} extra {sorted(listed - wanted)}"
            )
    assert not mismatches, mismatch_report(mismatches, len(PERSONS))


def test_the_spaces_listed_to_a_person_are_exactly_those_they_may_view(world: World) -> None:
    mismatches = []
    for kind in TYPES:
        community = world.communities[kind]
        for person in PERSONS:
            access = permissions.community_access(world.persons[person], community)
            listed = set(permissions.readable_spaces(access).values_list("slug", flat=True))
            wanted = set()
            for obj in OBJECTS[1:]:
                space = world.objects[(kind, obj)]
                if space is not None and expected(person, kind, obj, "view"):
                    wanted.add(space.slug)
            if listed != wanted:
                mismatches.append(
                    f"  {person:<17} {kind.slug:<12} "
                    f"missing {sorted(wanted - listed)} extra {sorted(listed - wanted)}"
                )
    assert not mismatches, mismatch_report(mismatches, len(PERSONS) * len(TYPES))


def test_the_spaces_readable_across_communities_are_exactly_those_they_may_view(
    world: World,
) -> None:
    """The filter that search and feeds use agrees with the table, for every person."""
    mismatches = []
    for person in PERSONS:
        readable = set(
            permissions.readable_spaces_everywhere(world.persons[person]).values_list(
                "pk", flat=True
            )
        )
        wanted = {
            space.pk
            for kind in TYPES
            for obj in OBJECTS[1:]
            if (space := world.objects[(kind, obj)]) is not None
            and expected(person, kind, obj, "view")
        }
        if readable != wanted:
            mismatches.append(
                f"  {person:<17} missing {len(wanted - readable)} extra {len(readable - wanted)}"
            )
    assert not mismatches, mismatch_report(mismatches, len(PERSONS))


# --- The pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", TYPES, ids=[kind.slug for kind in TYPES])
def test_the_pages_show_a_person_exactly_what_they_may_view_and_404_otherwise(
    kind: CommunityType,
) -> None:
    world = build_world([kind])
    mismatches = []
    requests = 0
    for person, client in clients(world):
        for obj in OBJECTS:
            want = 200 if expected(person, kind, obj, "view") else 404
            got = client.get(world.url(kind, obj)).status_code
            requests += 1
            if got != want:
                mismatches.append(
                    f"  {person:<17} {kind.slug:<12} {obj:<16} view     "
                    f"expected {want} got {got}  [{EXPECTED[(person, obj, 'view')]}]"
                )
    assert requests == 52
    assert not mismatches, mismatch_report(mismatches, requests)


@pytest.mark.parametrize("kind", TYPES, ids=[kind.slug for kind in TYPES])
def test_the_management_page_opens_to_managers_and_is_a_404_for_everyone_else(
    kind: CommunityType,
) -> None:
    """Anonymous visitors, and a deactivated account's session (anonymous again), are sent
    to the login page instead, for any address, existing or not, so the redirection tells
    nothing either."""
    world = build_world([kind])
    manage_url = reverse("community_manage", kwargs={"slug": kind.slug})
    mismatches = []
    for person, client in clients(world):
        response = client.get(manage_url)
        allowed = expected(person, kind, "landing", "manage")
        if person in {"anonymous", "deactivated"}:
            nowhere = client.get(reverse("community_manage", kwargs={"slug": "nowhere"}))
            ok = (
                not allowed
                and response.status_code == 302
                and response["Location"].startswith(reverse("account_login"))
                and nowhere.status_code == 302
                and nowhere["Location"].replace("nowhere", kind.slug) == response["Location"]
            )
        else:
            ok = response.status_code == (200 if allowed else 404)
        if not ok:
            mismatches.append(
                f"  {person:<17} {kind.slug:<12} landing          manage   "
                f"expected {'200' if allowed else '404'} got {response.status_code}"
            )
    assert not mismatches, mismatch_report(mismatches, len(PERSONS))


# --- Leaving the organization --------------------------------------------------------------


@pytest.mark.parametrize("how", ["address deleted", "address unverified"])
def test_a_member_who_is_no_longer_internal_loses_an_internal_community_but_not_an_external_one(
    how: str,
) -> None:
    internal = CommunityType(Audience.INTERNAL, Entry.OPEN, Visibility.PUBLIC)
    external = CommunityType(Audience.EXTERNAL, Entry.OPEN, Visibility.PUBLIC)
    world = build_world([internal, external])
    member = world.persons["member"]
    assert isinstance(member, User)
    client = Client()
    client.force_login(member)
    seen = [client.get(world.url(internal, obj)).status_code for obj in OBJECTS[:3]]
    assert seen == [200, 200, 200]

    addresses = EmailAddress.objects.filter(user=member)
    if how == "address deleted":
        addresses.delete()
    else:
        addresses.update(verified=False)

    member = User.objects.get(pk=member.pk)  # no cached answer from before
    access = permissions.community_access(member, world.communities[internal])
    assert not access.is_member
    for obj in OBJECTS:
        space = world.objects[(internal, obj)]
        for action in ACTIONS:
            assert not access.may(action, space), (obj, action)
    assert world.communities[internal] not in permissions.visible_communities(member)
    assert not permissions.readable_spaces(access).exists()
    seen = [client.get(world.url(internal, obj)).status_code for obj in OBJECTS[:3]]
    assert seen == [404, 404, 404]
    assert client.get(f"/c/{internal.slug}/manage/").status_code == 404

    still = permissions.community_access(member, world.communities[external])
    assert still.is_member
    seen = [client.get(world.url(external, obj)).status_code for obj in OBJECTS[:3]]
    assert seen == [200, 200, 200]
