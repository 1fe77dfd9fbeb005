"""Mailing-list mode (docs/mail.md): a person who turned it on receives every new post
of the spaces and topics they follow (`people.Follow`), one email each, with the whole
text, and takes part by replying.

- `recipients(post)` is asked by `notify_topic_started` and `notify_reply` (actions),
  inside the conversation action's transaction: the followers in mailing-list mode who
  may read the post, never its writer. Their notifications about that post are not
  emailed apart (one email per post).
- Once the transaction commits, the `send_mailing_list_post` task asks again, for each
  of them, whether the mode is still on and whether they may still read the post (a
  person taken off a private space in between receives nothing), and queues one email
  each (`queue_email`: stopped addresses are dropped, the envelope is the person's
  bounce address).
- A post written as a persona names the persona only, never its real writer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.urls import reverse

from cercle import permissions
from cercle.accounts.models import User
from cercle.conversations.models import Post
from cercle.mail.compose import compose
from cercle.mail.delivery import queue_email
from cercle.notifications import queries, threads
from cercle.notifications.emails import absolute, language_of, unsubscribe_url, with_unsubscribe
from cercle.notifications.models import MAILING_LIST, Kind
from cercle.people.models import Follow

# Links of the rendered post that lead inside the site (mentions, tags, attachments)
# are made absolute, for the mail program.
_SITE_LINK = re.compile(r'(\s(?:href|src)=")/(?!/)')


def _followers(post: Post) -> set[int]:
    topic = post.topic
    return set(
        Follow.objects.filter(Q(space=topic.space_id) | Q(topic=topic.pk))
        .values_list("follower_id", flat=True)
        .distinct()
    )


def _allowed(people: Iterable[User], post: Post) -> list[User]:
    people = list(people)
    accesses = permissions.community_accesses(people, post.topic.community)
    return [
        person for person in people if queries.may_see(accesses[person.pk], Kind.NEW_TOPIC, post)
    ]


def recipients(post: Post) -> set[int]:
    """The people who receive `post` by email in mailing-list mode (see above)."""
    candidates = _followers(post) - {post.author_id}
    wanting = queries.mailing_list_people(candidates)
    if not wanting:
        return set()
    people = User.objects.filter(pk__in=wanting, is_active=True)
    return {person.pk for person in _allowed(people, post)}


def _writer(post: Post) -> str:
    if post.persona_id and post.persona is not None:
        return str(post.persona.name)  # never the real writer (docs/personas.md)
    return post.author.display_name if post.author is not None else ""


def compose_post(
    post: Post, person: User, access: permissions.CommunityAccess
) -> EmailMultiAlternatives:
    topic = post.topic
    language = language_of(person, topic.community.language)
    unsubscribe = unsubscribe_url(person, [MAILING_LIST])
    reply = threads.reply_address(access, topic)
    message = compose(
        "notifications/email/post",
        person.email,
        {
            "person": person,
            "post": post,
            "topic": topic,
            "writer": _writer(post),
            "body_html": _SITE_LINK.sub(rf"\1{settings.SITE_URL}/", post.body_html),
            "url": absolute(post.get_absolute_url()),
            "reply_address": reply,
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute(reverse("notification_settings")),
        },
        language,
    )
    threads.add_thread_headers(message, post, person, access)
    with_unsubscribe(message, unsubscribe, language)
    # A list's messages: mail programs and auto-responders treat them as such.
    message.extra_headers["Precedence"] = "list"
    return message


def send_post(post_id: int, person_ids: Iterable[int]) -> int:
    """The task's work: queue the post's email to each person who still wants it and may
    still read it; returns how many were queued."""
    post = (
        Post.objects.select_related(
            "author", "persona", "reply_to", "topic__space__community", "topic__community"
        )
        .filter(pk=post_id)
        .first()
    )
    if post is None:
        return 0
    wanting = queries.mailing_list_people(person_ids) - {post.author_id}
    people = list(User.objects.filter(pk__in=wanting, is_active=True).order_by("pk"))
    accesses = permissions.community_accesses(people, post.topic.community)
    queued = 0
    for person in people:
        access = accesses[person.pk]
        if not person.email or not queries.may_see(access, Kind.NEW_TOPIC, post):
            continue
        queue_email(compose_post(post, person, access), person_id=person.pk)
        queued += 1
    return queued
