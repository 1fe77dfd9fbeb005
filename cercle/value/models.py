"""Value creation: the stories members tell of the value the community created, and
the sponsors who read the summary (docs/value.md)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
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
