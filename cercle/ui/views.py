from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from cercle.accounts.actions import do_set_language
from cercle.accounts.models import User
from cercle.ui.home import member_home, visitor_communities


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, User):
        return render(request, "ui/home.html", {"home": member_home(request.user)})
    return render(request, "ui/home.html", {"communities": list(visitor_communities(request.user))})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, remembered on the account of a signed-in person."""
    language = request.POST.get("language", "")
    response = django_set_language(request)
    if language in dict(settings.LANGUAGES) and isinstance(request.user, User):
        do_set_language(request.user, language)
    return response


@require_safe
def language_page(request: HttpRequest) -> HttpResponse:
    """A page with the language switch, for links from emails and the footer."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    return render(request, "ui/language.html", {"next_url": next_url})


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and `make run`: answers 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not ready"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
