from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cercle import permissions
from cercle.membership.queries import switcher_communities
from cercle.ui import navigation


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Called by the template only where the switcher is drawn (one query).
        "switcher_communities": lambda: switcher_communities(user) if user else [],
        "may_use_admin_site": user is not None and permissions.may_use_admin_site(user),
        "may_see_security_log": user is not None and permissions.audit.may_see_security_log(user),
        # The community navigation (sidebar, drawer, Create menu), read only by pages of
        # a community and computed once however often the layout reads it (a fixed
        # number of queries: cercle/ui/navigation.py).
        "community_nav": cache(lambda: navigation.for_request(request)),
    }
