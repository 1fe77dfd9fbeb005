"""What the single sign-on staff pages show."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.socialaccount.models import SocialAccount
from django.db.models import QuerySet

from cercle.accounts.models import User
from cercle.communities.models import Role, Status
from cercle.sso.claims import oidc_claims, saml_claims
from cercle.sso.mapping import MappingChange, apply_identity, organisation_provider_after
from cercle.sso.models import SCIM_PROVIDER_ID, MappingRule, SsoOnlyDomain
from cercle.sso.providers import ProviderInfo


def rules() -> QuerySet[MappingRule]:
    return MappingRule.objects.select_related("community", "created_by").order_by(
        "community__name", "attribute", "value", "pk"
    )


def sso_only_domains() -> QuerySet[SsoOnlyDomain]:
    return SsoOnlyDomain.objects.order_by("domain")


def is_organisation(provider_id: str, providers: list[ProviderInfo]) -> bool:
    """Provisioning speaks for the organisation; a provider when it is marked so."""
    if provider_id == SCIM_PROVIDER_ID:
        return True
    return any(info.organisation for info in providers if info.id == provider_id)


def last_claims(person: User, provider_id: str, kind: str) -> dict[str, list[str]] | None:
    """What `provider_id` said about `person` at their last sign-in, if ever."""
    account = SocialAccount.objects.filter(user=person, provider=provider_id).first()
    if account is None or not isinstance(account.extra_data, dict):
        return None
    return saml_claims(account.extra_data) if kind == "saml" else oidc_claims(account.extra_data)


@dataclass(frozen=True)
class DryRun:
    person: User | None
    provider_id: str
    organisation: bool
    claims: dict[str, list[str]]
    from_last_sign_in: bool
    changes: list[MappingChange]
    organisation_before: str
    organisation_after: str


def dry_run(
    *,
    person: User | None,
    provider_id: str,
    organisation: bool,
    claims: dict[str, list[str]],
    from_last_sign_in: bool = False,
) -> DryRun:
    """What the rules would change if `person` (None: someone new) signed in through
    `provider_id` saying `claims`; nothing is written."""
    subject = person or User()
    changes = apply_identity(
        subject, provider_id=provider_id, organisation=organisation, claims=claims, dry_run=True
    )
    return DryRun(
        person=person,
        provider_id=provider_id,
        organisation=organisation,
        claims=claims,
        from_last_sign_in=from_last_sign_in,
        changes=changes,
        organisation_before=subject.organisation_provider,
        organisation_after=organisation_provider_after(subject, provider_id, organisation),
    )


@dataclass(frozen=True)
class ChangeRow:
    """A change as the dry-run page words it."""

    change: MappingChange
    before: str
    after: str


def _place(role: str, status: str) -> str:
    if status == Status.ACTIVE:
        return str(Role(role).label)
    return str(Status(status).label)


def change_rows(changes: list[MappingChange]) -> list[ChangeRow]:
    return [
        ChangeRow(
            change=change,
            before=_place(*change.before) if change.before else "",
            after=_place(*change.after),
        )
        for change in changes
    ]
