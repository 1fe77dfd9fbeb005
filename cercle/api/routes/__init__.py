"""The API's resources, one router per module, each at its prefix. Add a line here
for a new module (each branch adds its own lines)."""

from __future__ import annotations

from ninja import Router

from cercle.api.routes import events as content_events
from cercle.api.routes import ideas as content_ideas
from cercle.api.routes import library as content_library
from cercle.api.routes import me
from cercle.api.routes import polls as content_polls
from cercle.api.routes import posts as content_posts
from cercle.api.routes import reactions as content_reactions
from cercle.api.routes import tags as content_tags
from cercle.api.routes import topics as content_topics
from cercle.api.routes import wiki as content_wiki

ROUTERS: list[tuple[str, Router]] = [
    ("/me", me.router),
    ("", content_topics.router),
    ("", content_posts.router),
    ("", content_reactions.router),
    ("", content_tags.router),
    ("", content_events.router),
    ("", content_polls.router),
    ("", content_library.router),
    ("", content_wiki.router),
    ("", content_ideas.router),
]
