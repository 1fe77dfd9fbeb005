"""A community's life stage (Wenger, McDermott and Snyder), estimated from its trends.

The five stages: potential, coalescing, maturing, stewardship (sustaining) and
transformation. The estimate reads the community's months (`CommunityMonth`) and
compares the last three complete months with the three before them; each rule and
threshold is in docs/metrics.md, and the reasons are shown in words beside the stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cercle.analytics.counting import month_start
from cercle.analytics.models import CommunityMonth, MemberLevel
from cercle.communities.models import Community, Membership, Status

STAGES = {
    "potential": gettext_lazy("Potential"),
    "coalescing": gettext_lazy("Coalescing"),
    "maturing": gettext_lazy("Maturing"),
    "stewardship": gettext_lazy("Stewardship"),
    "transformation": gettext_lazy("Transformation"),
}
# Thresholds (docs/metrics.md, "Life stage").
YOUNG_MONTHS = 3  # younger than this, with few members: potential
FEW_MEMBERS = 10
COALESCING_MONTHS = 9  # still young enough to be coalescing
GROWING = 10.0  # percent over three months
FALLING = -25.0  # activity or membership falling this much: transformation
STABLE = 15.0  # activity within +/- this: stable
CORE_LOSS = 40.0  # percent of the core gone: transformation


@dataclass
class Trends:
    age_months: int
    members: int
    members_before: int
    activity: int  # weighted contributions over the last three complete months
    activity_before: int
    knowledge: int
    knowledge_before: int
    core: int
    core_before: int
    core_renewal: float | None  # percent of today's core who were not core 3 months ago
    # The members today, as the cockpit's tile and the members' list count them (the
    # months above are complete months: a young community has none yet).
    members_now: int | None = None

    @property
    def current_members(self) -> int:
        return self.members if self.members_now is None else self.members_now

    @staticmethod
    def change(now: int, before: int) -> float | None:
        if before == 0:
            return None
        return round((now - before) / before * 100, 1)

    @property
    def member_growth(self) -> float | None:
        return self.change(self.members, self.members_before)

    @property
    def activity_trend(self) -> float | None:
        return self.change(self.activity, self.activity_before)

    @property
    def knowledge_trend(self) -> float | None:
        return self.change(self.knowledge, self.knowledge_before)

    @property
    def core_change(self) -> float | None:
        return self.change(self.core, self.core_before)


@dataclass
class LifeStage:
    stage: str
    reasons: list[str]
    trends: Trends

    @property
    def label(self) -> str:
        return str(STAGES[self.stage])


def _number(value: float | None) -> str:
    """A percentage's number as the reader's language writes it ("50.4", "50,4")."""
    return number_format(value if value is not None else 0.0)


def trends(community: Community, today: date, members_now: int | None = None) -> Trends:
    """The community's trends, from its months: the last three complete months
    against the three before them; `members_now`, the members today (counted here
    when not given)."""
    months = list(
        CommunityMonth.objects.filter(community=community, month__lt=month_start(today))
        .order_by("-month")
        .values_list("month", "members", "contributions", "knowledge", "core")[:6]
    )
    recent, older = months[:3], months[3:6]
    first = community.created_at.date()
    age = (today.year - first.year) * 12 + today.month - first.month
    now_core = recent[0][4] if recent else 0
    before_core = older[0][4] if older else 0
    renewal = None
    if recent and older and now_core:
        current = set(
            MemberLevel.objects.filter(
                community=community, month=recent[0][0], level="core"
            ).values_list("person_id", flat=True)
        )
        earlier = set(
            MemberLevel.objects.filter(
                community=community, month=older[0][0], level="core"
            ).values_list("person_id", flat=True)
        )
        renewal = round(len(current - earlier) / len(current) * 100, 1) if current else None
    return Trends(
        age_months=age,
        members=recent[0][1] if recent else 0,
        members_before=older[0][1] if older else 0,
        activity=sum(m[2] for m in recent),
        activity_before=sum(m[2] for m in older),
        knowledge=sum(m[3] for m in recent),
        knowledge_before=sum(m[3] for m in older),
        core=now_core,
        core_before=before_core,
        core_renewal=renewal,
        members_now=members_now
        if members_now is not None
        else Membership.objects.filter(community=community, status=Status.ACTIVE).count(),
    )


def estimate(measured: Trends) -> LifeStage:
    """The stage the trends point to, with the reasons in words."""
    t = measured
    reasons: list[str] = []
    growth, activity, core = t.member_growth, t.activity_trend, t.core_change
    if t.age_months < YOUNG_MONTHS or max(t.members, t.current_members) < FEW_MEMBERS:
        reasons.append(
            _("The community is less than a month old.")
            if t.age_months == 0
            else ngettext(
                "The community is %(months)d month old.",
                "The community is %(months)d months old.",
                t.age_months,
            )
            % {"months": t.age_months}
        )
        reasons.append(
            ngettext("It has %(members)d member.", "It has %(members)d members.", t.current_members)
            % {"members": t.current_members}
        )
        return LifeStage("potential", reasons, t)
    if (activity is not None and activity <= FALLING) or (growth is not None and growth <= FALLING):
        if activity is not None and activity <= FALLING:
            reasons.append(
                _("Contributions fell by %(percent)s%% over the last three months.")
                % {"percent": _number(abs(activity))}
            )
        if growth is not None and growth <= FALLING:
            reasons.append(
                _("Membership fell by %(percent)s%% over the last three months.")
                % {"percent": _number(abs(growth))}
            )
        return LifeStage("transformation", reasons, t)
    if core is not None and core <= -CORE_LOSS:
        reasons.append(
            _("The core group shrank by %(percent)s%% in three months.")
            % {"percent": _number(abs(core))}
        )
        return LifeStage("transformation", reasons, t)
    growing = growth is not None and growth >= GROWING
    if growing and t.age_months < COALESCING_MONTHS:
        reasons.append(
            _("Membership grew by %(percent)s%% over the last three months.")
            % {"percent": _number(growth)}
        )
        reasons.append(
            ngettext(
                "The community is young: %(months)d month.",
                "The community is young: %(months)d months.",
                t.age_months,
            )
            % {"months": t.age_months}
        )
        return LifeStage("coalescing", reasons, t)
    if growing or (activity is not None and activity >= STABLE):
        if growing:
            reasons.append(
                _("Membership grew by %(percent)s%% over the last three months.")
                % {"percent": _number(growth)}
            )
        if activity is not None and activity >= STABLE:
            reasons.append(
                _("Contributions rose by %(percent)s%% over the last three months.")
                % {"percent": _number(activity)}
            )
        if t.core_renewal is not None:
            reasons.append(
                _("%(percent)s%% of the core group is new in three months.")
                % {"percent": _number(t.core_renewal)}
            )
        return LifeStage("maturing", reasons, t)
    reasons.append(
        _("Membership and contributions are steady (%(growth)s%% and %(activity)s%%).")
        % {
            "growth": _number(growth if growth is not None else 0.0),
            "activity": _number(activity or 0.0),
        }
    )
    knowledge = t.knowledge_trend
    if knowledge is not None:
        reasons.append(
            _("Knowledge added changed by %(percent)s%% over the last three months.")
            % {"percent": _number(knowledge)}
        )
    return LifeStage("stewardship", reasons, t)


def life_stage(community: Community, today: date, members_now: int | None = None) -> LifeStage:
    return estimate(trends(community, today, members_now))
