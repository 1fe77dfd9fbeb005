from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Audience, Community, InternalEmailDomain
from tests.communities import community
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


# --- Who is internal ---------------------------------------------------------------------


@pytest.fixture
def inside() -> None:
    InternalEmailDomain.objects.create(domain="inside.example")


def test_a_verified_address_in_an_internal_domain_makes_a_person_internal(inside: None) -> None:
    assert permissions.is_internal(make_person("ines@inside.example", "Inès"))
    assert not permissions.is_internal(make_person("olga@outside.example", "Olga"))
    assert not permissions.is_internal(make_person("una@inside.example", "Una", verified=False))
    assert not permissions.is_internal(AnonymousUser())


def test_the_organisation_identity_provider_makes_a_person_internal_whatever_their_address(
    inside: None,
) -> None:
    vouched = make_person("vera@outside.example", "Vera", verified=False)
    assert not permissions.is_internal(User.objects.get(pk=vouched.pk))
    vouched.organisation_provider = "organisation-idp"
    vouched.save()
    assert permissions.is_internal(User.objects.get(pk=vouched.pk))
    where = internal_community(vouched)  # joins it, as only internal people may
    assert permissions.community_access(User.objects.get(pk=vouched.pk), where).is_member
    assert permissions.community_accesses([vouched], where)[vouched.pk].is_member


def test_a_deactivated_account_is_never_internal_nor_a_member(inside: None) -> None:
    gone = make_person("gaspard@inside.example", "Gaspard")
    gone.organisation_provider = "organisation-idp"
    gone.save()
    where = internal_community(gone)
    assert permissions.is_internal(User.objects.get(pk=gone.pk))
    gone.is_active = False
    gone.save()
    gone = User.objects.get(pk=gone.pk)
    assert not permissions.is_internal(gone)
    assert not permissions.community_access(gone, where).is_member
    assert not permissions.community_accesses([gone], where)[gone.pk].is_member
    assert not permissions.readable_spaces_everywhere(gone).exists()


def internal_community(*members: User) -> Community:
    coordinator = make_person("coord@inside.example", "Coordination")
    return community(coordinator, slug="inside", audience=Audience.INTERNAL, members=members)
