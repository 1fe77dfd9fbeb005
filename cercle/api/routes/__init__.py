"""The API's resources, one router per module, each at its prefix. Add a line here
for a new module."""

from __future__ import annotations

from ninja import Router

from cercle.api.routes import (
    cockpit,
    communities,
    email_settings,
    events,
    follows,
    ideas,
    library,
    me,
    memberships,
    notifications,
    people,
    polls,
    posts,
    reactions,
    search,
    spaces,
    tags,
    topics,
    wiki,
)

ROUTERS: list[tuple[str, Router]] = [
    ("/me", me.router),
    ("/me/email", email_settings.router),
    # Communities and people.
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
    # Content: each path names its community or object itself.
    ("", topics.router),
    ("", posts.router),
    ("", reactions.router),
    ("", tags.router),
    ("", events.router),
    ("", polls.router),
    ("", library.router),
    ("", wiki.router),
    ("", ideas.router),
]
