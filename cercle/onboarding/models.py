"""Onboarding: how a community greets its newcomers.

- `OnboardingSettings`: the welcome message a community (or one of its personas)
  sends to each new member, and the topic where newcomers introduce themselves (one
  row per community, created the first time an animator saves them; without one, a
  default message is sent).
- `WelcomeSent`: the community's welcome went to this person, once and for all (a
  member who leaves and comes back is not welcomed twice).
- `Welcome`: an animator welcomed a newcomer in person (once per pair and community);
  it counts towards the "welcomer" badge.

The checklist itself is not stored: it is read from what the newcomer really did
(`cercle.onboarding.queries`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community
from cercle.richtext import render_markdown


class OnboardingSettings(models.Model):
    """What a community says to its newcomers, and where they introduce themselves."""

    community = models.OneToOneField(
        Community, on_delete=models.CASCADE, primary_key=True, related_name="onboarding"
    )
    welcome_message = models.TextField(
        _("welcome message"),
        max_length=5000,
        blank=True,
        help_text=_(
            "Markdown. Sent to every new member and shown on their welcome page; "
            "leave empty for a short default message."
        ),
    )
    welcome_html = models.TextField(editable=False, blank=True)
    # Sent by a persona of the community, marked as one; otherwise by the community.
    persona = models.ForeignKey(
        "personas.Persona",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    introductions_topic = models.ForeignKey(
        "conversations.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("introductions topic"),
        help_text=_("The conversation where newcomers introduce themselves."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    community_id: int
    introductions_topic_id: int | None
    persona_id: int | None

    class Meta:
        verbose_name = _("onboarding settings")
        verbose_name_plural = _("onboarding settings")

    def __str__(self) -> str:
        return f"onboarding of {self.community_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.welcome_html = render_markdown(self.welcome_message)
        super().save(*args, **kwargs)


class WelcomeSent(models.Model):
    """The community's welcome message went to `person`: at most once per community."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("welcome message sent")
        verbose_name_plural = _("welcome messages sent")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "person"], name="one_welcome_message"),
        ]

    def __str__(self) -> str:
        return f"welcome of {self.person_id} to {self.community_id}"


class Welcome(models.Model):
    """An animator welcomed a newcomer personally: who, whom, when; once per pair."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="+")
    welcomer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="welcomes_given"
    )
    newcomer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="welcomes_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    community_id: int
    welcomer_id: int
    newcomer_id: int

    class Meta:
        verbose_name = _("personal welcome")
        verbose_name_plural = _("personal welcomes")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "welcomer", "newcomer"], name="welcome_once_per_pair"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "newcomer"], name="welcome_by_newcomer"),
        ]

    def __str__(self) -> str:
        return f"{self.welcomer_id} welcomed {self.newcomer_id}"
