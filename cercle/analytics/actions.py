"""Changes to analytics' own settings: each checks, writes, logs, in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.analytics import counting
from cercle.analytics.models import ParticipationRule
from cercle.communities.models import Community
from cercle.errors import ActionRefused


def do_change_participation_rule(
    actor: User,
    community: Community,
    *,
    window_months: int,
    core_score: int,
    active_score: int,
    peripheral_days: int,
) -> ParticipationRule:
    """Change the thresholds of the levels of participation, then compute every month's
    levels and flows of the community again with them."""
    access = permissions.community_access(actor, community)
    if not permissions.cockpit.may_change_participation_rule(access):
        raise ActionRefused(_("You may not do this here."), not_found=not access.sees_landing())
    if not 1 <= window_months <= 12:
        raise ActionRefused(_("The window is from 1 to 12 months."))
    if min(core_score, active_score, peripheral_days) < 1:
        raise ActionRefused(_("Every threshold is at least 1."))
    if active_score >= core_score:
        raise ActionRefused(_("The core group must need more contributions than the active level."))
    with transaction.atomic():
        rule, _created = ParticipationRule.objects.select_for_update().get_or_create(
            community=community
        )
        rule.window_months, rule.core_score = window_months, core_score
        rule.active_score, rule.peripheral_days = active_score, peripheral_days
        rule.updated_by = actor
        rule.save()
        counting.recount_levels(community.pk)
        record_event(verbs.ANALYTICS_RULE_CHANGED, actor=actor, community=community, target=rule)
    return rule
