"""Every change staff make to single sign-on: mapping rules and organisation-only
domains. Each checks the permission, validates, writes in one transaction and logs it
in the security log (rules as MAPPING_CHANGED, domains as SETTING_CHANGED)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.errors import ActionRefused
from cercle.sso.models import MappingRule, SsoOnlyDomain

RULE_FIELDS = ("provider_id", "attribute", "value", "community", "role", "enabled")


def _require_staff(actor: User) -> None:
    if not permissions.sso.may_manage_sso(actor):
        raise ActionRefused(_("You may not do this here."))


def _rule_detail(rule: MappingRule) -> dict[str, Any]:
    return {
        "rule": rule.pk,
        "provider_id": rule.provider_id,
        "attribute": rule.attribute,
        "value": rule.value,
        "community": rule.community.slug,
        "role": rule.role,
        "enabled": rule.enabled,
    }


def do_save_rule(
    actor: User, rule: MappingRule, *, request: HttpRequest | None = None
) -> MappingRule:
    """Create or update `rule` (validated by its form) and log it."""
    _require_staff(actor)
    created = rule.pk is None
    with transaction.atomic():
        before = (
            _rule_detail(MappingRule.objects.select_related("community").get(pk=rule.pk))
            if not created
            else None
        )
        if created:
            rule.created_by = actor
        rule.attribute, rule.value = rule.attribute.strip(), rule.value.strip()
        rule.save()
        record_security_event(
            SecurityKind.MAPPING_CHANGED,
            actor=actor,
            request=request,
            change="created" if created else "updated",
            before=before,
            after=_rule_detail(rule),
        )
    return rule


def do_delete_rule(actor: User, rule: MappingRule, *, request: HttpRequest | None = None) -> None:
    """Delete a rule. The roles it gave stay until the person's next sign-in, when no
    rule matches any more and they are taken back."""
    _require_staff(actor)
    with transaction.atomic():
        detail = _rule_detail(rule)
        rule.delete()
        record_security_event(
            SecurityKind.MAPPING_CHANGED,
            actor=actor,
            request=request,
            change="deleted",
            before=detail,
        )


def do_add_sso_domain(
    actor: User, domain: SsoOnlyDomain, *, request: HttpRequest | None = None
) -> SsoOnlyDomain:
    _require_staff(actor)
    with transaction.atomic():
        domain.save()
        record_security_event(
            SecurityKind.SETTING_CHANGED,
            actor=actor,
            request=request,
            what="sso_only_domain",
            change="added",
            domain=domain.domain,
            provider=domain.provider_id,
        )
    return domain


def do_remove_sso_domain(
    actor: User, domain: SsoOnlyDomain, *, request: HttpRequest | None = None
) -> None:
    _require_staff(actor)
    with transaction.atomic():
        name, provider = domain.domain, domain.provider_id
        domain.delete()
        record_security_event(
            SecurityKind.SETTING_CHANGED,
            actor=actor,
            request=request,
            what="sso_only_domain",
            change="removed",
            domain=name,
            provider=provider,
        )
