from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Count tables -----------------------------------------------------------------------------
# Filled from the activity log by `cercle.analytics.counting` (a watermark makes each
# event counted once); pages read these, never the log itself. Days are UTC days.
# They are derived data, rebuilt from the log: their foreign keys carry no database
# constraint (checking millions of rows at each rebuild costs more than the GROUP BY
# that makes them); Django still deletes their rows with what they point to.


class FillState(models.Model):
    """How far the count tables have read the activity log."""

    name = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at event {self.last_event_id}"


class Tally(models.Model):
    """The counts every daily table keeps (docs/metrics.md, "What counts")."""

    events = models.PositiveIntegerField(default=0)  # everything the member did
    visits = models.PositiveIntegerField(default=0)  # community.visited (one a day at most)
    level1 = models.PositiveIntegerField(default=0)  # reacting
    level2 = models.PositiveIntegerField(default=0)  # taking part
    level3 = models.PositiveIntegerField(default=0)  # creating
    topics = models.PositiveIntegerField(default=0)
    questions = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)  # replies that are not answers
    reactions = models.PositiveIntegerField(default=0)
    knowledge = models.PositiveIntegerField(default=0)  # articles and resources added
    joined = models.PositiveIntegerField(default=0)
    left = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class OfAMember(models.Model):
    """A count table's row about one member in one community."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    # No index of its own: pages read by community and time (the unique index); one
    # index less to keep up at each rebuild, and deleting an account scans once.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class MemberDay(OfAMember, Tally):
    """What one member did in one community on one day."""

    day = models.DateField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "day", "person"], name="member_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.community_id} on {self.day}"


class SpaceDay(Tally):
    """What happened in one space on one day."""

    space = models.ForeignKey(
        "communities.Space",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    day = models.DateField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["space", "day"], name="space_day_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "day"], name="space_day_community"),
        ]

    def __str__(self) -> str:
        return f"space {self.space_id} on {self.day}"


class CommunityDay(Tally):
    """One community's day: the sums of its events, how many members were active
    that day (`active`) and in the 7, 30, 90 and 365 days that end with it
    (`active_N`), and the same for those who contributed (acted at a level)."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    day = models.DateField()
    active = models.PositiveIntegerField(default=0)
    contributors = models.PositiveIntegerField(default=0)
    active_7 = models.PositiveIntegerField(default=0)
    active_30 = models.PositiveIntegerField(default=0)
    active_90 = models.PositiveIntegerField(default=0)
    active_365 = models.PositiveIntegerField(default=0)
    contributors_7 = models.PositiveIntegerField(default=0)
    contributors_30 = models.PositiveIntegerField(default=0)
    contributors_90 = models.PositiveIntegerField(default=0)
    contributors_365 = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "day"], name="community_day_once"),
        ]

    def __str__(self) -> str:
        return f"community {self.community_id} on {self.day}"


class MemberMonth(OfAMember):
    """One member's month in one community: the base of participation levels,
    flows and retention."""

    month = models.DateField()  # the first day of the month
    days = models.PositiveIntegerField(default=0)  # days with any activity
    visits = models.PositiveIntegerField(default=0)
    level1 = models.PositiveIntegerField(default=0)
    level2 = models.PositiveIntegerField(default=0)
    level3 = models.PositiveIntegerField(default=0)
    questions = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "month", "person"], name="member_month_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.community_id}, {self.month:%Y-%m}"


class Level(models.TextChoices):
    """Wenger's levels of participation, as Cercle measures them (docs/metrics.md)."""

    CORE = "core", _("Core group")
    ACTIVE = "active", _("Active")
    PERIPHERAL = "peripheral", _("Peripheral")
    INACTIVE = "inactive", _("Inactive")


LEVEL_ORDER = [Level.INACTIVE, Level.PERIPHERAL, Level.ACTIVE, Level.CORE]


class ParticipationRule(models.Model):
    """The thresholds a coordinator may change; the defaults are documented in
    docs/metrics.md. A member's score over the window is their weighted
    contributions (level 1 counts 1, level 2 counts 2, level 3 counts 3)."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="participation_rule"
    )
    window_months = models.PositiveSmallIntegerField(
        _("window, in months"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Levels count what members did in this many months, the current one included."),
    )
    core_score = models.PositiveIntegerField(
        _("core group from"),
        default=15,
        validators=[MinValueValidator(1)],
        help_text=_("Weighted contributions over the window to belong to the core group."),
    )
    active_score = models.PositiveIntegerField(
        _("active from"),
        default=6,
        validators=[MinValueValidator(1)],
        help_text=_("Weighted contributions over the window to count as active."),
    )
    peripheral_days = models.PositiveIntegerField(
        _("peripheral from, days present"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Days with any activity (a visit is enough) to count as peripheral."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"participation rule of {self.community_id}"

    def level(self, score: int, days: int) -> Level:
        if score >= self.core_score:
            return Level.CORE
        if score >= self.active_score:
            return Level.ACTIVE
        if days >= self.peripheral_days or score > 0:
            return Level.PERIPHERAL
        return Level.INACTIVE


class MemberLevel(OfAMember):
    """A member's level at the end of a month (only members who were not inactive:
    the others are counted, not stored)."""

    month = models.DateField()
    level = models.CharField(max_length=12, choices=Level.choices)
    score = models.PositiveIntegerField(default=0)
    days = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "month", "person"], name="member_level_once"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            # The top contributors of a month.
            models.Index(fields=["community", "month", "-score"], name="member_level_top"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.level} in {self.month:%Y-%m}"


class CommunityMonth(models.Model):
    """One community's month: members, levels and their flows, concentration,
    responsiveness and knowledge, computed once when its days change."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    month = models.DateField()
    members = models.PositiveIntegerField(default=0)  # at the end of the month
    new_members = models.PositiveIntegerField(default=0)
    active_members = models.PositiveIntegerField(default=0)  # any activity in the month
    core = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    peripheral = models.PositiveIntegerField(default=0)
    inactive = models.PositiveIntegerField(default=0)
    # {"core": {"up": n, "stayed": n, "down": n}, ...}: where last month's levels went.
    flows = models.JSONField(default=dict)
    contributions = models.PositiveIntegerField(default=0)  # weighted
    contributors = models.PositiveIntegerField(default=0)
    level1 = models.PositiveIntegerField(default=0)
    level2 = models.PositiveIntegerField(default=0)
    level3 = models.PositiveIntegerField(default=0)
    # Members with at least one action at each level of engagement in the month.
    reached1 = models.PositiveIntegerField(default=0)
    reached2 = models.PositiveIntegerField(default=0)
    reached3 = models.PositiveIntegerField(default=0)
    # Concentration of the window's scores among the members who have one.
    gini = models.FloatField(null=True, blank=True)
    top1_share = models.FloatField(null=True, blank=True)
    knowledge = models.PositiveIntegerField(default=0)
    # This month's newcomers: how many were active 1, 2, 3 and 6 months later
    # ({"1": n, ...}), and the median days they took to contribute for the first time.
    retained = models.JSONField(default=dict)
    first_contribution_days = models.FloatField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "month"], name="community_month_once"),
        ]

    def __str__(self) -> str:
        return f"community {self.community_id}, {self.month:%Y-%m}"


class QuestionLife(models.Model):
    """When a question was asked, first answered and solved: responsiveness."""

    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    topic_id = models.PositiveBigIntegerField()
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    asked_at = models.DateTimeField()
    first_answer_at = models.DateTimeField(null=True, blank=True)
    answers = models.PositiveIntegerField(default=0)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["topic_id"], name="question_life_once"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "asked_at"], name="question_life_asked"),
        ]

    def __str__(self) -> str:
        return f"question {self.topic_id}"
