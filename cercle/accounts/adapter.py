from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils import translation

from cercle.accounts.models import User
from cercle.mail.delivery import queue_email


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    """allauth, fitted to Cercle: mail goes through the task worker and a new
    account keeps the language its owner signed up in."""

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        message = self.render_mail(template_prefix, email, context)
        queue_email(message)

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data["display_name"].strip()
        language = translation.get_language() or ""
        user.language = language if language in {"en", "fr"} else ""
        if commit:
            user.save()
        return user
