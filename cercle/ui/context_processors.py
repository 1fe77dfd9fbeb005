from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cercle import permissions


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        "may_use_admin_site": user is not None and permissions.may_use_admin_site(user),
    }
