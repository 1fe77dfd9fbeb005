"""The API's resources, one router per module, each at its prefix. Add a line here
for a new module (each branch adds its own lines)."""

from __future__ import annotations

from ninja import Router

from cercle.api.routes import (
    cockpit,
    communities,
    follows,
    me,
    memberships,
    notifications,
    people,
    search,
    spaces,
)

ROUTERS: list[tuple[str, Router]] = [
    ("/me", me.router),
    ("/communities", communities.router),
    ("/communities", spaces.router),
    ("/communities", memberships.router),
    ("/memberships", memberships.mine_router),
    ("/communities", people.community_router),
    ("/people", people.router),
    ("/follows", follows.router),
    ("/notifications", notifications.router),
    ("/search", search.router),
    ("/communities", cockpit.router),
]
