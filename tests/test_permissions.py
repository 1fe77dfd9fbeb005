from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cercle import permissions
from cercle.accounts.models import User
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, User | AnonymousUser]:
    alice = make_person("alice@example.org", "Alice")
    bob = make_person("bob@example.org", "Bob")
    operator = make_person("op@example.org", "Operator")
    operator.is_staff = True
    operator.save()
    gone = make_person("gone@example.org", "Gone")
    gone.is_active = False
    gone.is_staff = True
    gone.save()
    return {
        "alice": alice,
        "bob": bob,
        "operator": operator,
        "gone": gone,
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("alice", True), ("bob", False), ("operator", False), ("gone", False), ("anonymous", False)],
)
def test_only_the_owner_manages_an_account(
    people: dict[str, User | AnonymousUser], actor: str, expected: bool
) -> None:
    alice = people["alice"]
    assert isinstance(alice, User)
    assert permissions.may_manage_account(people[actor], alice) is expected


@pytest.mark.parametrize(
    ("actor", "expected"),
    [("alice", False), ("operator", True), ("gone", False), ("anonymous", False)],
)
def test_only_active_staff_use_the_admin_site(
    people: dict[str, User | AnonymousUser], actor: str, expected: bool
) -> None:
    assert permissions.may_use_admin_site(people[actor]) is expected
