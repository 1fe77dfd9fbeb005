from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cercle.accounts.actions import do_update_preferences
from cercle.accounts.forms import PreferencesForm
from cercle.accounts.models import User


def _user(request: HttpRequest) -> User:
    """The signed-in person (views using this are behind login_required)."""
    return cast(User, request.user)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        do_update_preferences(
            user,
            display_name=form.cleaned_data["display_name"],
            language=form.cleaned_data["language"],
        )
        if user.language:
            translation.activate(user.language)
        messages.success(request, _("Your preferences are saved."))
        return redirect("account_preferences")
    return render(request, "accounts/preferences.html", {"form": form})
