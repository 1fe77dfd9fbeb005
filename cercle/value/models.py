"""Value creation: the stories members tell of the value the community created, and
the sponsors who read the summary (docs/value.md)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Sponsor(models.Model):
    """A person the coordinators named sponsor: they read the value summary."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="sponsors"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sponsor")
        verbose_name_plural = _("sponsors")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["community", "person"], name="value_sponsor_once"),
        ]

    def __str__(self) -> str:
        return f"sponsor {self.person_id} of {self.community_id}"


class Cycle(models.TextChoices):
    """Wenger-Trayner's five cycles of value creation, from taking part to redefining
    what success means (Wenger, Trayner and de Laat, 2011)."""

    IMMEDIATE = "immediate", _("Immediate value")
    POTENTIAL = "potential", _("Potential value")
    APPLIED = "applied", _("Applied value")
    REALIZED = "realized", _("Realized value")
    REFRAMING = "reframing", _("Reframing value")


# One line each, shown in the form beside the cycle's name and on the summary.
CYCLE_EXPLANATIONS: dict[str, Promise] = {
    Cycle.IMMEDIATE: _(
        "Taking part was worth it in itself: help received, a useful exchange, a contact made."
    ),
    Cycle.POTENTIAL: _(
        "Something was gained that may serve later: a skill, a resource, a relationship, "
        "a new way of seeing."
    ),
    Cycle.APPLIED: _(
        "Someone changed their practice: they used what the community gave them in their work."
    ),
    Cycle.REALIZED: _(
        "The change improved results that matter: time or money saved, better quality, "
        "a goal reached."
    ),
    Cycle.REFRAMING: _(
        "The community changed how success is defined: new goals, criteria or strategies."
    ),
}


class ValueStory(models.Model):
    """A value-creation story told by a member: what happened, in which cycle, and the
    community's contributions that made it happen."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="value_stories"
    )
    # The space the story is about, if any; its name is shown only to its readers.
    space = models.ForeignKey(
        "communities.Space",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("space"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    cycle = models.CharField(_("cycle"), max_length=12, choices=Cycle.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("what happened"))
    text_html = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    community_id: int
    space_id: int | None
    author_id: int | None

    class Meta:
        verbose_name = _("value-creation story")
        verbose_name_plural = _("value-creation stories")
        indexes: ClassVar[list[models.Index]] = [
            # The list, newest first, with or without a cycle; the counts per cycle.
            models.Index(fields=["community", "created_at"], name="value_story_newest"),
            models.Index(fields=["community", "cycle", "created_at"], name="value_story_cycle"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("value:story", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def cycle_explanation(self) -> Promise:
        return CYCLE_EXPLANATIONS[self.cycle]


class ContributionKind(models.TextChoices):
    TOPIC = "topic", _("Conversation")
    ARTICLE = "article", _("Wiki article")
    RESOURCE = "resource", _("Library resource")


class StoryContribution(models.Model):
    """One of the community's own contributions a story names: a topic, a wiki article
    or a library resource (exactly one). A contribution deleted later leaves the story."""

    story = models.ForeignKey(ValueStory, on_delete=models.CASCADE, related_name="contributions")
    position = models.PositiveSmallIntegerField(default=0)
    topic = models.ForeignKey(
        "conversations.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    article = models.ForeignKey(
        "wiki.Article", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    resource = models.ForeignKey(
        "knowledge.Resource", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    story_id: int
    topic_id: int | None
    article_id: int | None
    resource_id: int | None

    class Meta:
        verbose_name = _("contribution named in a story")
        verbose_name_plural = _("contributions named in stories")
        ordering: ClassVar[list[str]] = ["position", "pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=(
                    Q(topic__isnull=False, article__isnull=True, resource__isnull=True)
                    | Q(topic__isnull=True, article__isnull=False, resource__isnull=True)
                    | Q(topic__isnull=True, article__isnull=True, resource__isnull=False)
                ),
                name="value_contribution_one_target",
            ),
            models.UniqueConstraint(fields=["story", "topic"], name="value_contribution_topic"),
            models.UniqueConstraint(fields=["story", "article"], name="value_contribution_article"),
            models.UniqueConstraint(
                fields=["story", "resource"], name="value_contribution_resource"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of story {self.story_id}"

    @property
    def kind(self) -> ContributionKind:
        if self.topic_id is not None:
            return ContributionKind.TOPIC
        if self.article_id is not None:
            return ContributionKind.ARTICLE
        return ContributionKind.RESOURCE
