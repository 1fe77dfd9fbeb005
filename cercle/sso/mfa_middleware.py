"""Sends a person who must use a second factor and has none to the page that adds one.

Reads the verdict kept in the session by `cercle.sso.mfa` (no query per request for
people who have nothing missing; those who are sent away are looked at afresh). The
pages needed to add a factor stay open: two-factor pages, re-authentication, sign-out,
email confirmation, static and media files."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from cercle.sso.mfa import MISSING_FACTOR_KEY, note_requirement


def _open_paths() -> tuple[str, ...]:
    confirm = reverse("account_confirm_email", args=["key"]).removesuffix("key/")
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("account_logout"),
        reverse("account_email"),
        confirm,
        settings.STATIC_URL,
        settings.MEDIA_URL,
    )


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.open_paths: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            missing = request.session.get(MISSING_FACTOR_KEY)
            if missing is None:
                # A session opened before this check existed: work it out once.
                missing = note_requirement(request, user)
            if missing:
                if self.open_paths is None:
                    self.open_paths = _open_paths()
                # Only people still missing a factor pay for a fresh look (a factor
                # added in another tab, a requirement lifted).
                if not request.path.startswith(self.open_paths) and note_requirement(
                    request,
                    user,
                ):
                    return self.send_to_setup(request)
        return self.get_response(request)

    def send_to_setup(self, request: HttpRequest) -> HttpResponse:
        messages.warning(
            request,
            _(
                "Your role requires two-factor sign-in: add an authenticator app or a "
                "security key to continue."
            ),
        )
        target = reverse("mfa_index")
        if request.headers.get("HX-Request"):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)
