"""Mapping rules applied to a person: what their identity provider says (groups,
department) makes them members of communities, with a role.

`apply_identity` is the one entry point, called at every sign-in through an identity
provider (cercle.sso.adapter) and by provisioning (cercle.scim, with provider "scim").
Its signature is a contract those callers rely on.

- The rules of that provider (and those for any provider) that match make the person an
  active member of the rule's community with the rule's role; several rules for one
  community: the highest role wins. A role a person already has that is higher stays.
- A role (or a membership) a rule gave is remembered (`MappedRole`); when no rule of the
  same provider matches any more, the role goes back to what it was before (plain
  member when the rule made them join). Roles a coordinator gave by hand have no such
  record and are never taken away; a banned or suspended membership is never touched.
- `dry_run` computes the same changes and writes nothing (the staff dry-run page).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.communities import hooks
from cercle.communities.models import Community, Membership, Role, Status
from cercle.sso.models import MappedRole, MappingRule

ROLE_RANK: Mapping[str, int] = {Role.MEMBER: 0, Role.MODERATOR: 1, Role.COORDINATOR: 2}
UNTOUCHABLE = {Status.BANNED, Status.SUSPENDED}


class RoleStatus(NamedTuple):
    role: str
    status: str


@dataclass(frozen=True)
class MappingChange:
    """One community where the rules change the person's place.

    `before` is None when the person had no membership there; `rule` is None when the
    change takes back what a rule gave (no rule matches any more)."""

    community: Community
    before: RoleStatus | None
    after: RoleStatus
    rule: MappingRule | None

    @property
    def joins(self) -> bool:
        return self.before is None or self.before.status != Status.ACTIVE

    @property
    def changes_role(self) -> bool:
        before_role = self.before.role if self.before and not self.joins else Role.MEMBER
        return self.after.role != before_role

    def as_detail(self) -> dict[str, Any]:
        return {
            "community": self.community.slug,
            "before": list(self.before) if self.before else None,
            "after": list(self.after),
            "rule": self.rule.pk if self.rule else None,
        }


def _higher(first: str, second: str) -> str:
    return first if ROLE_RANK.get(first, 0) >= ROLE_RANK.get(second, 0) else second


def folded(claims: Mapping[str, Sequence[str]]) -> dict[str, set[str]]:
    """Claims as rules compare them: names in lower case, values casefolded."""
    result: dict[str, set[str]] = {}
    for name, values in claims.items():
        listed = [values] if isinstance(values, str) else values
        result.setdefault(name.strip().lower(), set()).update(
            str(value).strip().casefold() for value in listed
        )
    return result


def matching_rules(provider_id: str, claims: Mapping[str, Sequence[str]]) -> list[MappingRule]:
    facts = folded(claims)
    rules = (
        MappingRule.objects.filter(enabled=True, provider_id__in=["", provider_id])
        .select_related("community")
        .order_by("pk")
    )
    return [rule for rule in rules if rule.matches(provider_id, facts)]


def organisation_provider_after(person: User, provider_id: str, organisation: bool) -> str:
    """Set when this provider is the organisation's; cleared only when this provider
    had set it and is no longer the organisation's."""
    if organisation:
        return provider_id
    if person.organisation_provider == provider_id:
        return ""
    return person.organisation_provider


def _is_internal_after(person: User, provider_after: str) -> bool:
    if provider_after:
        return True
    if not _saved(person):
        return False
    as_it_will_be = copy.copy(person)
    as_it_will_be.organisation_provider = ""
    as_it_will_be.__dict__.pop("_cercle_is_internal", None)
    return permissions.is_internal(as_it_will_be)


def _saved(person: User) -> bool:
    return getattr(person, "pk", None) is not None


def _last_coordinator(membership: Membership) -> bool:
    return (
        membership.role == Role.COORDINATOR
        and not Membership.objects.filter(
            community_id=membership.community_id, status=Status.ACTIVE, role=Role.COORDINATOR
        )
        .exclude(pk=membership.pk)
        .exists()
    )


@dataclass
class _Plan:
    changes: list[MappingChange] = field(default_factory=list)
    # What to write: (membership or None for a new one, community, target role, joins)
    writes: list[tuple[Membership | None, Community, str, bool]] = field(default_factory=list)
    grants: list[tuple[Community, str, str, MappingRule]] = field(default_factory=list)
    ungrants: list[MappedRole] = field(default_factory=list)

    def give(
        self,
        community: Community,
        membership: Membership | None,
        grant: MappedRole | None,
        rule: MappingRule,
    ) -> None:
        """What one matching rule (the highest for its community) changes."""
        before = RoleStatus(membership.role, membership.status) if membership else None
        if membership is None or membership.status != Status.ACTIVE:
            after = RoleStatus(rule.role, Status.ACTIVE)
            self.changes.append(MappingChange(community, before, after, rule))
            self.writes.append((membership, community, rule.role, True))
            if rule.role != Role.MEMBER:
                self.grants.append((community, rule.role, Role.MEMBER, rule))
            elif grant is not None:
                self.ungrants.append(grant)
            return
        current = membership.role
        # What the person holds without the rules: the role before a rule raised it
        # (while it still stands as the rule left it), else what they hold now.
        base = grant.base_role if grant is not None and grant.role == current else current
        target = _higher(base, rule.role)
        if target != current:
            after = RoleStatus(target, Status.ACTIVE)
            self.changes.append(MappingChange(community, before, after, rule))
            self.writes.append((membership, community, target, False))
        if target == base:
            if grant is not None:
                self.ungrants.append(grant)
        elif grant is None or (grant.role, grant.base_role) != (target, base):
            self.grants.append((community, target, base, rule))

    def take_back(self, grant: MappedRole) -> None:
        """A role a rule gave, when no rule of its provider matches any more."""
        membership = grant.membership
        self.ungrants.append(grant)
        if not (
            membership.status == Status.ACTIVE
            and membership.role == grant.role
            and grant.role != grant.base_role
        ):
            return  # changed by hand since, or no longer active: left as it is
        if _last_coordinator(membership):
            # A community keeps a coordinator: the role (and its record) stays until
            # another one is appointed.
            self.ungrants.pop()
            return
        before = RoleStatus(membership.role, membership.status)
        after = RoleStatus(grant.base_role, Status.ACTIVE)
        self.changes.append(MappingChange(membership.community, before, after, None))
        self.writes.append((membership, membership.community, grant.base_role, False))


def _plan(
    person: User, provider_id: str, internal: bool, rules: list[MappingRule], lock: bool
) -> _Plan:
    wanted: dict[int, MappingRule] = {}
    for rule in rules:
        known = wanted.get(rule.community_id)
        if known is None or ROLE_RANK[rule.role] > ROLE_RANK[known.role]:
            wanted[rule.community_id] = rule

    grants: dict[int, MappedRole] = {}
    memberships: dict[int, Membership] = {}
    if _saved(person):  # the dry-run page may ask about claims alone
        grants_query = MappedRole.objects.filter(membership__person=person).select_related(
            "membership__community"
        )
        memberships_query = Membership.objects.filter(person=person, community_id__in=list(wanted))
        if lock:
            grants_query = grants_query.select_for_update(of=("self",))
            memberships_query = memberships_query.select_for_update()
        grants = {grant.membership.community_id: grant for grant in grants_query}
        memberships = {m.community_id: m for m in memberships_query}

    plan = _Plan()
    for community_id, rule in wanted.items():
        membership = memberships.get(community_id)
        if membership is not None and membership.status in UNTOUCHABLE:
            continue
        if rule.community.is_internal and not internal:
            continue
        plan.give(rule.community, membership, grants.get(community_id), rule)
    for community_id, grant in grants.items():
        if community_id not in wanted and grant.provider_id == provider_id:
            plan.take_back(grant)
    return plan


def apply_identity(
    person: User,
    *,
    provider_id: str,
    organisation: bool,
    claims: Mapping[str, Sequence[str]],
    request: HttpRequest | None = None,
    dry_run: bool = False,
) -> list[MappingChange]:
    """Bring the person's organisation provider, memberships and roles in line with what
    `provider_id` says about them (`claims`: attribute -> values, as
    `cercle.sso.claims` gives them). Returns the changes to memberships (made, or with
    `dry_run`, that would be made; nothing is written then)."""
    provider_after = organisation_provider_after(person, provider_id, organisation)
    internal = _is_internal_after(person, provider_after)
    rules = matching_rules(provider_id, claims)
    if dry_run:
        return _plan(person, provider_id, internal, rules, lock=False).changes

    with transaction.atomic():
        provider_before = person.organisation_provider
        if provider_after != provider_before:
            person.organisation_provider = provider_after
            person.__dict__.pop("_cercle_is_internal", None)
            person.save(update_fields=["organisation_provider"])
        plan = _plan(person, provider_id, internal, rules, lock=True)
        now = timezone.now()
        written: dict[int, Membership] = {}
        for found, community, role, joins in plan.writes:
            membership = found or Membership(person=person, community=community)
            membership.role = role
            if joins:
                membership.status, membership.joined_at, membership.ended_at = (
                    Status.ACTIVE,
                    now,
                    None,
                )
                membership.request_message = membership.decision_message = ""
            membership.save()
            written[community.pk] = membership
            if joins:
                record_event(
                    verbs.MEMBERSHIP_JOINED, actor=person, community=community, target=membership
                )
                hooks.member_joined(membership)
            else:
                record_event(
                    verbs.MEMBERSHIP_ROLE_CHANGED,
                    actor=None,
                    community=community,
                    target=membership,
                )
        MappedRole.objects.filter(pk__in=[grant.pk for grant in plan.ungrants]).delete()
        for community, role, base, rule in plan.grants:
            membership = written.get(community.pk) or Membership.objects.get(
                person=person, community=community
            )
            MappedRole.objects.update_or_create(
                membership=membership,
                defaults={
                    "provider_id": provider_id,
                    "role": role,
                    "base_role": base,
                    "rule": rule,
                },
            )
        actor = _actor(request)
        for change in plan.changes:
            if change.changes_role:
                record_security_event(
                    SecurityKind.ROLE_CHANGED,
                    actor=actor,
                    subject=person,
                    request=request,
                    via="mapping",
                    provider=provider_id,
                    **change.as_detail(),
                )
        if plan.changes or provider_after != provider_before:
            record_security_event(
                SecurityKind.MAPPING_APPLIED,
                actor=actor,
                subject=person,
                request=request,
                provider=provider_id,
                organisation_provider=[provider_before, provider_after]
                if provider_after != provider_before
                else None,
                changes=[change.as_detail() for change in plan.changes],
            )
    return plan.changes


def _actor(request: HttpRequest | None) -> User | None:
    user = getattr(request, "user", None) if request is not None else None
    return user if isinstance(user, User) and user.is_authenticated else None
