"""The conversations on the community's landing page (cercle/sections.py): what is
being discussed now, and the questions waiting for a first answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse

from cercle import permissions, sections
from cercle.conversations import landing
from cercle.conversations.models import Kind


def latest_conversations(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """The latest topics with their posters' faces (two queries), for those who read the
    community. With none yet, what the place is for and, to those who may write, the
    way to open the first conversation (one more query, only then)."""
    if not access.reads_open_spaces():
        return None
    lines = landing.latest(access)
    first_topic_url = ""
    if not lines:
        space = (
            permissions.readable_spaces(access).order_by("-is_default", "position", "pk").first()
        )
        if space is not None and permissions.conversations.may_start_topic(
            access, space, Kind.DISCUSSION
        ):
            first_topic_url = reverse(
                "topic_new", kwargs={"slug": access.community.slug, "space": space.slug}
            )
    return {"lines": lines, "first_topic_url": first_topic_url}


def unanswered_questions(access: permissions.CommunityAccess) -> Mapping[str, Any] | None:
    """Questions nobody answered yet (one query), shown when there are some."""
    if not access.reads_open_spaces():
        return None
    questions = landing.unanswered(access)
    if not questions:
        return None
    can_answer = access.is_member
    return {"questions": questions, "can": {"answer": can_answer}}


sections.register(
    "community.landing.main",
    name="latest",
    template="conversations/_landing_latest.html",
    order=1,
    load=latest_conversations,
)
sections.register(
    "community.landing.main",
    name="unanswered",
    template="conversations/_landing_unanswered.html",
    order=5,
    load=unanswered_questions,
)
