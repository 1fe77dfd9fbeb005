"""The API's resources, one router per module, each at its prefix. Add a line here
for a new module (each branch adds its own lines)."""

from __future__ import annotations

from ninja import Router

from cercle.api.routes import me

ROUTERS: list[tuple[str, Router]] = [
    ("/me", me.router),
]
