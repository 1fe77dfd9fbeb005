"""What the conversation actions announce to the apps above them, and what they ask
of them (`cercle.hooks`).

Called inside the action's transaction, once the post is saved and indexed:

- `topic_started(actor, topic, post)`: a new topic and its first post;
- `replied(actor, topic, post)`: a reply (an answer, for a question);
- `post_edited(actor, post)`: a post whose text changed (new mentions, perhaps);
- `answer_accepted(actor, topic, post)`: `post` is now the accepted answer.
  Notifications tell the people concerned of each.

Called inside the action's transaction so that what is derived from posts stays in
step (the search index registers each):

- `post_changed(post)`: a post was written, edited, moved, hidden or restored;
- `post_deleted(post)`: a post was deleted;
- `topic_merged_away(topic)`: a topic was merged into another.

Asked when a composer is shown:

- `post_as_choices(access)`: what the writer may speak as besides themselves, here.
  Personas answer with the personas they may speak as (`personas.queries.speakable`);
  without a receiver, nobody speaks as anyone but themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cercle import permissions
from cercle.accounts.models import User
from cercle.conversations.models import Post, Topic
from cercle.hooks import Hook

if TYPE_CHECKING:
    from cercle.personas.models import Persona

topic_started: Hook[[User, Topic, Post], object] = Hook("topic_started")
replied: Hook[[User, Topic, Post], object] = Hook("replied")
post_edited: Hook[[User, Post], object] = Hook("post_edited")
answer_accepted: Hook[[User, Topic, Post], object] = Hook("answer_accepted")
post_changed: Hook[[Post], object] = Hook("post_changed")
post_deleted: Hook[[Post], object] = Hook("post_deleted")
topic_merged_away: Hook[[Topic], object] = Hook("topic_merged_away")

post_as_choices: Hook[[permissions.CommunityAccess], Sequence[Persona]] = Hook("post_as_choices")


def speakable(access: permissions.CommunityAccess) -> list[Persona]:
    """Every choice `post_as_choices` receivers offer `access.actor` here, in order."""
    return [persona for offered in post_as_choices(access) for persona in offered]
