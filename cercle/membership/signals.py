from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver
from django.http import HttpRequest

from cercle.membership.actions import do_attach_invitations


@receiver(email_confirmed)
def attach_invitations_on_verification(
    sender: Any, request: HttpRequest, email_address: Any, **kwargs: Any
) -> None:
    do_attach_invitations(email_address.user, email_address.email)
