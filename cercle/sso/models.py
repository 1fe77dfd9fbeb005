"""Single sign-on's own records: the rules that map what an identity provider says
about a person (groups, department) to memberships and roles, the memberships those
rules gave, and the email domains whose people sign in through their organisation only
(docs/sso.md)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cercle.communities.models import Community, Membership, Role

# What `MappingRule.provider_id` names when the facts come from provisioning.
SCIM_PROVIDER_ID = "scim"


class MappingRule(models.Model):
    """ "People whose `attribute` holds `value` are `role` of `community`", applied at
    each sign-in through `provider_id` (any provider, provisioning included, when blank)."""

    provider_id = models.CharField(
        _("identity provider"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty for every provider, provisioning (SCIM) included."),
    )
    attribute = models.CharField(
        _("attribute"),
        max_length=200,
        help_text=_("The claim or attribute to read, for example groups or department."),
    )
    value = models.CharField(
        _("value"),
        max_length=300,
        help_text=_("The value that matches, exactly (capitals do not matter)."),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("community"),
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mapping rule")
        verbose_name_plural = _("mapping rules")
        ordering: ClassVar[list[str]] = ["attribute", "value", "pk"]

    def __str__(self) -> str:
        return f"{self.attribute}={self.value} → {self.role} @ {self.community_id}"

    def matches(self, provider_id: str, claims: dict[str, set[str]]) -> bool:
        """`claims`: attribute names in lower case -> their values, casefolded."""
        if not self.enabled or (self.provider_id and self.provider_id != provider_id):
            return False
        values = claims.get(self.attribute.strip().lower(), set())
        return self.value.strip().casefold() in values


class MappedRole(models.Model):
    """A membership whose role (or whose very existence) a mapping rule gave, so that
    it can be taken back when no rule matches any more, and only then: a role a
    coordinator gave by hand has no row here and is never touched."""

    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="+")
    # The provider whose sign-in (or "scim") gave it: only that one takes it back.
    provider_id = models.CharField(max_length=200)
    # The role the rules gave, and the one the person had before (member when the rule
    # made them join): taking the grant back returns to `base_role`.
    role = models.CharField(max_length=12, choices=Role.choices)
    base_role = models.CharField(max_length=12, choices=Role.choices, default=Role.MEMBER)
    rule = models.ForeignKey(MappingRule, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("role given by a mapping rule")
        verbose_name_plural = _("roles given by mapping rules")

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.base_role} → {self.role} ({self.provider_id})"


class SsoOnlyDomain(models.Model):
    """An email domain whose people sign in through their organisation's identity
    provider only: no password log-in, reset or sign-up for its addresses."""

    domain = models.CharField(
        _("email domain"),
        max_length=253,
        unique=True,
        help_text=_("For example example.org; subdomains are not included."),
    )
    provider_id = models.CharField(
        _("identity provider"),
        max_length=200,
        help_text=_("The provider whose button these people use."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation-only email domain")
        verbose_name_plural = _("organisation-only email domains")
        ordering: ClassVar[list[str]] = ["domain"]

    def __str__(self) -> str:
        return self.domain
