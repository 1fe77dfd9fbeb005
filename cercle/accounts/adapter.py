from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation

from cercle.accounts.models import User
from cercle.mail.delivery import queue_email


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """allauth, fitted to Cercle: mail goes through the task worker and a new
    account keeps the language its owner signed up in."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        request = allauth_context.request
        site = SimpleNamespace(name=settings.SITE_NAME, domain=request.get_host())
        full_context = {
            "request": request,
            "email": email,
            "current_site": site,
            "site_name": settings.SITE_NAME,
            "site_url": request.build_absolute_uri("/"),
            **context,
        }
        queue_email(self.render_mail(template_prefix, email, full_context))

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data["display_name"].strip()
        language = translation.get_language() or ""
        user.language = language if language in {"en", "fr"} else ""
        if commit:
            user.save()
        return user
