"""Builders for tests: people and communities, made through the same code paths and
actions as in real use. `community()` is the one way tests build a community; the
`cargo` fixture (tests/conftest.py) is the usual one, built with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.test import Client

from cercle.accounts.models import User
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    InternalEmailDomain,
    Membership,
    Role,
    Visibility,
)
from cercle.membership import actions

PASSWORD = "correct-horse-battery-staple"

# What the community navigation drawn around every page of a community adds to the
# page's queries, whatever the data (cercle/ui/navigation.py): at most the community's
# spaces, the reader's membership, their listings in private spaces and the unread
# topics of every space.
NAVIGATION_QUERIES = 4


def make_person(email: str, name: str, *, language: str = "", verified: bool = True) -> User:
    user = User.objects.create_user(
        email=email, password=PASSWORD, display_name=name, language=language
    )
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def staff_person(email: str = "op@example.org", name: str = "Operator") -> User:
    operator = make_person(email, name)
    operator.is_staff = True
    operator.save()
    return operator


def community(
    coordinator: User,
    *,
    slug: str = "cargo",
    audience: str = Audience.EXTERNAL,
    entry: str = Entry.OPEN,
    visibility: str = Visibility.PUBLIC,
    members: Iterable[User] = (),
    moderators: Iterable[User] = (),
    **values: Any,
) -> Community:
    """A community created by `coordinator` (made staff for the occasion if needed),
    which `members` join, and `moderators` join as moderators (by the open door: give
    `entry=Entry.OPEN`, the default, or add them otherwise after)."""
    was_staff = coordinator.is_staff
    coordinator.is_staff = True
    values.setdefault("name", slug.replace("-", " ").title())
    values.setdefault("domain", "Cargo bikes")
    values.setdefault("purpose", "Carry more, drive less.")
    created = actions.do_create_community(
        coordinator,
        slug=slug,
        audience=audience,
        entry=entry,
        visibility=visibility,
        language="en",
        **values,
    )
    coordinator.is_staff = was_staff
    for person in members:
        join(person, created)
    for person in moderators:
        join(person, created, Role.MODERATOR)
    return created


def internal_domain(domain: str = "inside.example") -> str:
    InternalEmailDomain.objects.get_or_create(domain=domain)
    return domain


def join(person: User, where: Community, role: str = Role.MEMBER) -> Membership:
    """`person` joins `where` (an open community), then gets `role` from a coordinator."""
    actions.do_join(person, where)
    membership = Membership.objects.get(person=person, community=where)
    if role != Role.MEMBER:
        boss = Membership.objects.filter(community=where, role=Role.COORDINATOR).first()
        assert boss is not None
        membership = actions.do_change_role(boss.person, membership, role)
    return membership


def client_for(person: User | None) -> Client:
    """A test client, logged in as `person` (anonymous for None)."""
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


def html(client: Client, url: str) -> str:
    """The page at `url`, which must answer 200."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
