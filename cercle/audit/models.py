"""The security log: one row for each thing that touches who may sign in, with what,
and with which rights, and for each request about a person's data.

Rows are written by `cercle.audit.log.record_security_event` only, never changed, and
kept for the time docs/privacy.md says. The person a row is about may be deleted later:
`subject_label` keeps how they were named then, so the log still reads.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityKind(models.TextChoices):
    """Every kind of security event, declared once."""

    SIGN_IN = "sign_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_OUT = "sign_out", _("Signed out")
    SSO_SIGN_IN = "sso_sign_in", _("Signed in through an identity provider")
    SSO_REFUSED = "sso_refused", _("Identity provider sign-in refused")
    ACCOUNT_CREATED = "account_created", _("Account created")
    ACCOUNT_LINKED = "account_linked", _("Identity provider linked to an account")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    PASSWORD_SET = "password_set", _("Password set")
    EMAIL_CHANGED = "email_changed", _("Email address changed")
    EMAIL_ADDED = "email_added", _("Email address added")
    EMAIL_CONFIRMED = "email_confirmed", _("Email address confirmed")
    EMAIL_REMOVED = "email_removed", _("Email address removed")
    FACTOR_ADDED = "factor_added", _("Sign-in factor added")
    FACTOR_REMOVED = "factor_removed", _("Sign-in factor removed")
    RECOVERY_CODES = "recovery_codes", _("Recovery codes generated")
    SESSIONS_ENDED = "sessions_ended", _("Sessions ended")
    ROLE_CHANGED = "role_changed", _("Role changed")
    MAPPING_CHANGED = "mapping_changed", _("Mapping rule changed")
    MAPPING_APPLIED = "mapping_applied", _("Mapping rules applied")
    PROVISIONED = "provisioned", _("Provisioning")
    DEACTIVATED = "deactivated", _("Account deactivated")
    REACTIVATED = "reactivated", _("Account reactivated")
    TOKEN_CREATED = "token_created", _("Token created")
    TOKEN_REVOKED = "token_revoked", _("Token revoked")
    EXPORT_REQUESTED = "export_requested", _("Data export requested")
    EXPORT_DOWNLOADED = "export_downloaded", _("Data export downloaded")
    ERASURE = "erasure", _("Account erased")
    SETTING_CHANGED = "setting_changed", _("Security setting changed")
    LOG_EXPORTED = "log_exported", _("Security log exported")
    OAUTH_APP_REGISTERED = "oauth_app_registered", _("OAuth application registered")
    OAUTH_APP_CHANGED = "oauth_app_changed", _("OAuth application changed")
    OAUTH_APP_DELETED = "oauth_app_deleted", _("OAuth application deleted")
    OAUTH_APP_AUTHORIZED = "oauth_app_authorized", _("OAuth application authorized")
    OAUTH_APP_REVOKED = "oauth_app_revoked", _("OAuth application's access revoked")


class SecurityEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=SecurityKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
    )
    # How the subject was named when it happened (an erased person stays readable).
    subject_label = models.CharField(_("about (as named then)"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    # The provider, the community, the rule, the factor, the outcome...: short facts.
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering: ClassVar[list[str]] = ["-at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["kind", "at"], name="security_by_kind"),
            models.Index(fields=["subject", "at"], name="security_by_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.subject_label}"
