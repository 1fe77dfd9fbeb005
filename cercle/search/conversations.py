"""How conversations are found: their posts become search documents, kept in step by
the conversation hooks (`cercle.conversations.hooks`) inside each action's transaction."""

from __future__ import annotations

from django.db.models import F, OuterRef, QuerySet, Subquery

from cercle.conversations.models import Post, Topic
from cercle.conversations.rendering import plain_text
from cercle.search.index import index_document, remove_document, set_topic_state, set_visibility
from cercle.search.models import SearchDocument


def index_post(post: Post) -> None:
    """Put a post (or a topic's opening post) into the search index, as readers see it."""
    topic = post.topic
    visible = not (post.is_hidden or post.deleted_at or topic.is_hidden or topic.merged_into_id)
    extra = " ".join(a.text for a in post.attachments.all() if a.text)
    opening = post.position == 0
    tags = [tag.slug for tag in topic.tags.all()]
    is_solved = topic.accepted_answer_id is not None
    index_document(
        kind="topic" if opening else "post",
        object_id=topic.pk if opening else post.pk,
        topic_id=topic.pk,
        url=topic.get_absolute_url() if opening else post.get_absolute_url(),
        community_id=topic.community_id,
        space_id=topic.space_id,
        # A reply is found by its own words: the topic's title would rank every
        # reply as high as the topic itself. The search page shows the title.
        title=topic.title if opening else "",
        body=f"{plain_text(post.body_html)} {extra}".strip(),
        # A persona's post is nobody's: neither shown nor found by its real writer.
        author_id=None if post.persona_id else post.author_id,
        created_at=post.created_at,
        tags=tags,
        topic_kind=topic.kind,
        is_solved=is_solved,
        is_visible=visible,
        language=topic.community.language,
    )
    if opening:
        # Accepting an answer or retagging reindexes the opening post only.
        set_topic_state(topic_id=topic.pk, topic_kind=topic.kind, is_solved=is_solved, tags=tags)


def hide_post(post: Post) -> None:
    """A deleted post is no longer found (its document stays, marked invisible)."""
    opening = post.position == 0
    set_visibility(
        kind="topic" if opening else "post",
        object_id=post.topic_id if opening else post.pk,
        is_visible=False,
    )


def remove_topic(topic: Topic) -> None:
    """A topic merged into another is found through the one it joined."""
    remove_document(kind="topic", object_id=topic.pk)


def link_documents_to_topics(documents: QuerySet[SearchDocument]) -> None:
    """Name the topic of conversation documents written in bulk without it (the demo's
    writer): a topic's document its own, a reply's document its post's."""
    documents.filter(kind="topic", topic_id=None).update(topic_id=F("object_id"))
    documents.filter(kind="post", topic_id=None).update(
        topic_id=Subquery(Post.objects.filter(pk=OuterRef("object_id")).values("topic_id")[:1])
    )
