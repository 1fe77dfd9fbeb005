"""What the home page shows: for a member, what is new where they belong; for a
visitor, the communities they can read and how to join them."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cercle import permissions
from cercle import sections as page_sections
from cercle.accounts.models import User
from cercle.communities.models import Community, Entry, Membership, Status
from cercle.conversations import landing
from cercle.conversations.landing import TopicLine
from cercle.conversations.models import Kind, Topic
from cercle.people.models import Expertise, Follow

FEED_SIZE = 12


@dataclass
class MemberHome:
    memberships: list[Membership]
    # The feed: each topic with the faces of its last posters.
    followed: list[TopicLine]
    latest: list[TopicLine]
    my_open_questions: list[Topic]
    to_answer: list[Topic] = field(default_factory=list)
    # What the apps above add (the newcomer's checklists...; the upcoming events in the
    # aside): cercle/sections.py.
    sections: list[page_sections.Shown] = field(default_factory=list)
    aside_sections: list[page_sections.Shown] = field(default_factory=list)


def _visible_topics(actor: User) -> QuerySet[Topic]:
    return Topic.objects.filter(
        space__in=permissions.readable_spaces_everywhere(actor),
        is_hidden=False,
        merged_into=None,
    ).select_related("space__community", "community", "author__profile", "persona")


def member_home(actor: User) -> MemberHome:
    memberships = list(
        Membership.objects.filter(person=actor, status=Status.ACTIVE)
        .select_related("community")
        .order_by("community__name")
    )
    mine = [m.community_id for m in memberships]
    topics = _visible_topics(actor).filter(community_id__in=mine)
    follows = Follow.objects.filter(follower=actor)
    followed_filter = (
        Q(Exists(follows.filter(topic=OuterRef("pk"))))
        | Q(Exists(follows.filter(space=OuterRef("space_id"))))
        | Q(Exists(follows.filter(tag__topics=OuterRef("pk"))))
        # A topic opened as a persona is nobody's to follow (docs/personas.md).
        | Q(Exists(follows.filter(person=OuterRef("author_id"))), persona=None)
    )
    followed = list(
        topics.filter(followed_filter)
        .exclude(author=actor)
        .order_by("-last_activity_at")[:FEED_SIZE]
    )
    shown = {t.pk for t in followed}
    latest = [
        t
        for t in topics.order_by("-last_activity_at")[: FEED_SIZE + len(shown)]
        if t.pk not in shown
    ][:FEED_SIZE]
    # The faces of the posters of every topic of the feed, in one query.
    faces = landing.faces_of([*followed, *latest])
    open_questions = list(
        _visible_topics(actor)
        .filter(author=actor, kind=Kind.QUESTION, accepted_answer=None)
        .order_by("-created_at")[:FEED_SIZE]
    )
    # Unanswered questions tagged with what the member declares knowing.
    declared = Expertise.objects.filter(person=actor).values("tag_id")
    to_answer = list(
        topics.filter(kind=Kind.QUESTION, accepted_answer=None, reply_count=0, tags__in=declared)
        .exclude(author=actor)
        .distinct()
        .order_by("-created_at")[:FEED_SIZE]
    )
    return MemberHome(
        memberships=memberships,
        followed=[TopicLine(t, faces[t.pk]) for t in followed],
        latest=[TopicLine(t, faces[t.pk]) for t in latest],
        my_open_questions=open_questions,
        to_answer=to_answer,
        sections=page_sections.gather("ui.member_home", person=actor, memberships=memberships),
        aside_sections=page_sections.gather(
            "ui.member_home.aside", person=actor, memberships=memberships
        ),
    )


def visitor_communities(actor: permissions.Actor) -> QuerySet[Community]:
    """Communities a visitor may read or join, the most lively first."""
    return (
        permissions.visible_communities(actor)
        .filter(Q(visibility="public") | Q(entry__in=[Entry.OPEN, Entry.REQUEST]))
        .annotate(member_count=Count("memberships", filter=Q(memberships__status=Status.ACTIVE)))
        .order_by("-member_count", "name")[:9]
    )
