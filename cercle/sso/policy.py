"""The instance's security policy, changed by staff and recorded in the security log."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import SecurityPolicy, User
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityKind
from cercle.errors import ActionRefused
from cercle.sso.mfa import note_requirement


def do_set_two_factor_requirement(
    actor: User, required: bool, *, request: HttpRequest | None = None
) -> SecurityPolicy:
    """Require (or stop requiring) a second factor of staff and coordinators."""
    if not permissions.mfa.may_change_security_policy(actor):
        raise ActionRefused(_("Only staff can change the security policy."))
    with transaction.atomic():
        policy = SecurityPolicy.objects.select_for_update().filter(pk=1).first()
        if policy is None:
            policy = SecurityPolicy.load()
        if policy.staff_and_coordinators_need_two_factor == required:
            return policy
        policy.staff_and_coordinators_need_two_factor = required
        policy.save()
        record_security_event(
            SecurityKind.SETTING_CHANGED,
            actor=actor,
            request=request,
            setting="staff_and_coordinators_need_two_factor",
            value=required,
        )
    if request is not None:
        # The staff member who switched it on is asked at once, not at next sign-in.
        note_requirement(request, actor)
    return policy
