"""What the importers remember: where imported content and people came from.

These rows make an import idempotent (unique source ids) and keep the attribution
that the source's licence requires (Stack Exchange content is CC BY-SA: each post
keeps its author's name, its original address and its licence, shown with it).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community


class Source(models.TextChoices):
    STACKEXCHANGE = "stackexchange", _("Stack Exchange")


class ImportedSite(models.Model):
    """One source site imported into one community, written by the import that did it.

    The import runs in one transaction that starts by writing this row, so the row
    exists only for a complete import: its presence is how a second run knows there
    is nothing to do, and its unique constraint stops two runs at once.
    """

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="imports")
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    site = models.CharField(
        _("site"),
        max_length=200,
        help_text=_("The source site's host name, for example bicycles.stackexchange.com."),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    # What the import counted (users, questions, answers...): the report, kept.
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("imported site")
        verbose_name_plural = _("imported sites")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["community", "source", "site"], name="import_site_once_per_community"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} → {self.community_id}"

    @property
    def base_url(self) -> str:
        return f"https://{self.site}"


class ImportedUser(models.Model):
    """A placeholder account made for a person of a source site.

    The account has no usable password and an undeliverable address, so nobody can
    sign in as it until it is claimed. One account per person and site, whatever the
    number of communities the site is imported into.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_from"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    site = models.CharField(max_length=200)
    source_id = models.BigIntegerField()
    # Stack Exchange's "Community" user (Id -1): a background process, not a person.
    is_bot = models.BooleanField(default=False)
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("imported person")
        verbose_name_plural = _("imported people")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["source", "site", "source_id"], name="import_user_once_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site} user {self.source_id}"

    @property
    def profile_url(self) -> str:
        return f"https://{self.site}/users/{self.source_id}"


class SourceKind(models.TextChoices):
    QUESTION = "question", _("Question")
    ANSWER = "answer", _("Answer")
    COMMENT = "comment", _("Comment")


class ImportedPost(models.Model):
    """Where an imported post came from, who wrote it and under which licence."""

    post = models.OneToOneField(
        "conversations.Post", on_delete=models.CASCADE, related_name="imported"
    )
    site = models.ForeignKey(ImportedSite, on_delete=models.CASCADE, related_name="posts")
    source_kind = models.CharField(max_length=10, choices=SourceKind.choices)
    source_id = models.BigIntegerField()
    # The author as the source names them: kept even when their account was deleted
    # there (then `author_source_id` is empty).
    author_name = models.CharField(max_length=200, blank=True)
    author_source_id = models.BigIntegerField(null=True, blank=True)
    license = models.CharField(max_length=40)
    source_url = models.URLField(max_length=500)
    # Votes at the source carry no voter: they are kept as counts (docs/importers.md).
    upvotes = models.PositiveIntegerField(default=0)
    downvotes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("imported post")
        verbose_name_plural = _("imported posts")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["site", "source_kind", "source_id"], name="import_post_once_per_site"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_kind} {self.source_id} of {self.site_id}"

    @property
    def license_url(self) -> str:
        return license_url(self.license)

    @property
    def author_url(self) -> str:
        if self.author_source_id is None:
            return ""
        host = self.source_url.split("/")[2] if "://" in self.source_url else ""
        return f"https://{host}/users/{self.author_source_id}" if host else ""


LICENSE_URLS = {
    "CC BY-SA 2.5": "https://creativecommons.org/licenses/by-sa/2.5/",
    "CC BY-SA 3.0": "https://creativecommons.org/licenses/by-sa/3.0/",
    "CC BY-SA 4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
}


def license_url(name: str) -> str:
    return LICENSE_URLS.get(name, "")
