"""The API's resources, one router per module, each at its prefix. Add a line here
for a new module (each branch adds its own lines)."""

from __future__ import annotations

from ninja import Router

from cercle.api.routes import me
from cercle.api.routes import posts as content_posts
from cercle.api.routes import topics as content_topics

ROUTERS: list[tuple[str, Router]] = [
    ("/me", me.router),
    ("", content_topics.router),
    ("", content_posts.router),
]
