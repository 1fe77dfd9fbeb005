"""Mapping rules: what an identity provider says about a person (groups, department)
makes them members of communities with a role, at each sign-in (docs/sso.md)."""

from __future__ import annotations

import pytest

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Audience, Community, Entry, Membership, Role, Status
from cercle.membership import actions as community_actions
from cercle.sso.mapping import MappingChange, RoleStatus, apply_identity
from cercle.sso.models import MappedRole, MappingRule
from tests.communities import community, make_person

pytestmark = pytest.mark.django_db

LEADS = {"groups": ["cop-agile-leads", "staff-all"]}
NO_LEADS = {"groups": ["staff-all"]}


@pytest.fixture
def agile(coordinator: User) -> Community:
    return community(
        coordinator,
        slug="pratiques-agiles",
        name="Pratiques agiles",
        audience=Audience.INTERNAL,
        entry=Entry.INVITATION,
    )


@pytest.fixture
def leads_rule(agile: Community, coordinator: User) -> MappingRule:
    return MappingRule.objects.create(
        provider_id="corp",
        attribute="groups",
        value="cop-agile-leads",
        community=agile,
        role=Role.COORDINATOR,
        created_by=coordinator,
    )


@pytest.fixture
def dana(db: None) -> User:
    return make_person("dana@elsewhere.example", "Dana Dupont")


def _membership(person: User, where: Community) -> Membership:
    return Membership.objects.get(person=person, community=where)


def test_a_matching_rule_makes_an_organisation_person_coordinator(
    dana: User, agile: Community, leads_rule: MappingRule
) -> None:
    changes = apply_identity(dana, provider_id="corp", organisation=True, claims=LEADS)

    dana.refresh_from_db()
    assert dana.organisation_provider == "corp"
    membership = _membership(dana, agile)
    assert (membership.status, membership.role) == (Status.ACTIVE, Role.COORDINATOR)
    assert changes == [
        MappingChange(agile, None, RoleStatus(Role.COORDINATOR, Status.ACTIVE), leads_rule)
    ]
    assert MappedRole.objects.get(membership=membership).base_role == Role.MEMBER
    assert ActivityEvent.objects.filter(verb="membership.joined", actor=dana).count() == 1
    applied = SecurityEvent.objects.get(kind=SecurityKind.MAPPING_APPLIED, subject=dana)
    assert applied.detail["changes"][0]["community"] == "pratiques-agiles"
    assert applied.detail["organisation_provider"] == ["", "corp"]
    assert SecurityEvent.objects.filter(kind=SecurityKind.ROLE_CHANGED, subject=dana).count() == 1


def test_rules_are_case_insensitive_and_limited_to_their_provider(
    dana: User, agile: Community, leads_rule: MappingRule
) -> None:
    assert apply_identity(dana, provider_id="other", organisation=True, claims=LEADS) == []
    assert not Membership.objects.filter(person=dana, community=agile).exists()
    changes = apply_identity(
        dana, provider_id="corp", organisation=True, claims={"Groups": ["COP-Agile-Leads"]}
    )
    assert [change.after.role for change in changes] == [Role.COORDINATOR]


def test_the_group_removed_at_the_next_sign_in_makes_them_a_plain_member_again(
    dana: User, agile: Community, leads_rule: MappingRule
) -> None:
    apply_identity(dana, provider_id="corp", organisation=True, claims=LEADS)
    changes = apply_identity(dana, provider_id="corp", organisation=True, claims=NO_LEADS)

    membership = _membership(dana, agile)
    assert (membership.status, membership.role) == (Status.ACTIVE, Role.MEMBER)
    assert changes == [
        MappingChange(
            agile,
            RoleStatus(Role.COORDINATOR, Status.ACTIVE),
            RoleStatus(Role.MEMBER, Status.ACTIVE),
            None,
        )
    ]
    assert not MappedRole.objects.exists()
    # A sign-in with nothing new changes nothing and logs nothing more.
    before = SecurityEvent.objects.count()
    assert apply_identity(dana, provider_id="corp", organisation=True, claims=NO_LEADS) == []
    assert SecurityEvent.objects.count() == before


def test_another_provider_never_takes_back_what_a_rule_of_the_first_gave(
    dana: User, agile: Community, leads_rule: MappingRule
) -> None:
    apply_identity(dana, provider_id="corp", organisation=True, claims=LEADS)
    assert apply_identity(dana, provider_id="partner", organisation=False, claims={}) == []
    assert _membership(dana, agile).role == Role.COORDINATOR
    dana.refresh_from_db()
    assert dana.organisation_provider == "corp"


def test_a_role_given_by_hand_is_never_taken_away(
    coordinator: User, alice: User, cargo: Community
) -> None:
    rule = MappingRule.objects.create(
        attribute="department", value="R&D", community=cargo, role=Role.MODERATOR
    )
    membership = _membership(alice, cargo)
    community_actions.do_change_role(coordinator, membership, Role.COORDINATOR)

    # The rule asks less than she has: nothing changes, nothing is recorded as given.
    assert (
        apply_identity(
            alice, provider_id="corp", organisation=False, claims={"department": ["r&d"]}
        )
        == []
    )
    assert not MappedRole.objects.exists()
    apply_identity(alice, provider_id="corp", organisation=False, claims={})
    assert _membership(alice, cargo).role == Role.COORDINATOR

    # Raised by a rule from a role given by hand, she goes back to that role.
    community_actions.do_change_role(coordinator, _membership(alice, cargo), Role.MODERATOR)
    rule.role = Role.COORDINATOR
    rule.save()
    apply_identity(alice, provider_id="corp", organisation=False, claims={"department": ["R&D"]})
    assert _membership(alice, cargo).role == Role.COORDINATOR
    apply_identity(alice, provider_id="corp", organisation=False, claims={})
    assert _membership(alice, cargo).role == Role.MODERATOR


def test_a_banned_membership_is_never_reactivated(
    coordinator: User, alice: User, cargo: Community
) -> None:
    MappingRule.objects.create(attribute="groups", value="bikers", community=cargo)
    community_actions.do_ban(coordinator, _membership(alice, cargo))

    assert (
        apply_identity(alice, provider_id="corp", organisation=True, claims={"groups": ["bikers"]})
        == []
    )
    assert _membership(alice, cargo).status == Status.BANNED


def test_the_highest_role_of_several_rules_wins(dana: User, cargo: Community) -> None:
    for value, role in (("a", Role.MEMBER), ("b", Role.COORDINATOR), ("c", Role.MODERATOR)):
        MappingRule.objects.create(attribute="groups", value=value, community=cargo, role=role)
    MappingRule.objects.create(
        attribute="groups", value="b", community=cargo, role=Role.COORDINATOR, enabled=False
    )
    [change] = apply_identity(
        dana, provider_id="corp", organisation=False, claims={"groups": ["a", "b", "c"]}
    )
    assert change.after == RoleStatus(Role.COORDINATOR, Status.ACTIVE)


def test_an_internal_community_takes_only_internal_people(
    dana: User, agile: Community, leads_rule: MappingRule
) -> None:
    leads_rule.provider_id = ""
    leads_rule.save()
    assert apply_identity(dana, provider_id="partner", organisation=False, claims=LEADS) == []
    assert not Membership.objects.filter(person=dana, community=agile).exists()


def test_the_organisation_provider_is_cleared_only_by_the_provider_that_set_it(
    dana: User,
) -> None:
    apply_identity(dana, provider_id="corp", organisation=True, claims={})
    apply_identity(dana, provider_id="partner", organisation=False, claims={})
    dana.refresh_from_db()
    assert dana.organisation_provider == "corp"
    apply_identity(dana, provider_id="corp", organisation=False, claims={})
    dana.refresh_from_db()
    assert dana.organisation_provider == ""


def test_a_dry_run_says_what_would_change_and_writes_nothing(
    dana: User, agile: Community, leads_rule: MappingRule
) -> None:
    counts = (
        Membership.objects.count(),
        SecurityEvent.objects.count(),
        ActivityEvent.objects.count(),
    )
    changes = apply_identity(
        dana, provider_id="corp", organisation=True, claims=LEADS, dry_run=True
    )
    assert [(c.community, c.after.role) for c in changes] == [(agile, Role.COORDINATOR)]
    dana.refresh_from_db()
    assert dana.organisation_provider == ""
    assert counts == (
        Membership.objects.count(),
        SecurityEvent.objects.count(),
        ActivityEvent.objects.count(),
    )
    assert not MappedRole.objects.exists()


def test_the_last_coordinator_given_by_a_rule_stays_until_another_is_named(
    dana: User, agile: Community, leads_rule: MappingRule, coordinator: User
) -> None:
    apply_identity(dana, provider_id="corp", organisation=True, claims=LEADS)
    community_actions.do_leave(coordinator, agile)
    assert apply_identity(dana, provider_id="corp", organisation=True, claims=NO_LEADS) == []
    assert _membership(dana, agile).role == Role.COORDINATOR


def test_a_rule_makes_a_member_join_and_the_join_hooks_run(dana: User, cargo: Community) -> None:
    MappingRule.objects.create(attribute="groups", value="bikers", community=cargo)
    [change] = apply_identity(
        dana, provider_id="scim", organisation=False, claims={"groups": ["bikers"]}
    )
    assert change.joins
    assert not change.changes_role
    assert _membership(dana, cargo).status == Status.ACTIVE
    assert not SecurityEvent.objects.filter(kind=SecurityKind.ROLE_CHANGED).exists()
    # Losing the group leaves a member a member (only roles are taken back).
    assert apply_identity(dana, provider_id="scim", organisation=False, claims={}) == []
    assert _membership(dana, cargo).status == Status.ACTIVE
