"""The reference figures of a community: `cercle analytics figures SLUG`.

Each key is defined in docs/metrics.md. They are those of the Stack Exchange
dumps' README, computed the same way for imported history and for what members
write here, since both record the same things:

- a question is the opening post of a question topic (the import and
  `do_start_topic` both make one per question);
- an answer is a reply in a question topic that was recorded as an answer: its
  activity event is one of the verbs declared to count toward the answers
  (`cercle.activity.verbs`, `answer.posted`: written by `do_reply`, also as a
  persona, and by the import). Imported comments are replies too, but recorded as
  `comment.posted`: they are not answers, as they were not at the source;
- the author is the post's author: its real writer (also behind a persona), or
  nobody when the account was deleted, here or at the source (the import leaves
  the author of a post without `OwnerUserId` empty);
- the time is the post's own, the original one for imported posts.

Only what still stands counts: a deleted post (a tombstone), a post hidden by a
moderator, and a hidden or merged-away topic are out, as deleted posts are out of
a dump. The counting is done by the database in four queries, whatever the size
of the community; `cercle.analytics.statistics` turns its lists into figures.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery

from cercle.activity.models import ActivityEvent
from cercle.activity.verbs import Tally, verbs_counting
from cercle.analytics import statistics
from cercle.communities.models import Community, Membership, Status
from cercle.conversations.models import Kind, Post

# The top share is that of the top 1 % of authors (rounded up: at least one).
TOP_PERCENT = 1
ONE_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Figures:
    """The figures of one community, rounded as they are shown (docs/metrics.md)."""

    community: str
    users: int
    questions: int
    answers: int
    authors: int
    answered_pct: float | None
    median_hours_first_answer: float | None
    gini: float | None
    top1_share: float | None

    def as_dict(self) -> dict[str, str | int | float | None]:
        return asdict(self)


def questions_and_answers(community: Community) -> QuerySet[Post]:
    """The community's questions (position 0) and answers (later positions) that
    still stand, without ordering so that they can be grouped."""
    recorded_as_answers = ActivityEvent.objects.filter(
        community=community,
        verb__in=verbs_counting(Tally.ANSWERS),
        object_type=Post._meta.label_lower,
    ).values("object_id")
    return (
        Post.objects.filter(
            topic__community=community,
            topic__kind=Kind.QUESTION,
            topic__is_hidden=False,
            topic__merged_into=None,
            deleted_at=None,
            is_hidden=False,
        )
        .filter(Q(position=0) | Q(pk__in=recorded_as_answers))
        .order_by()
    )


def compute_figures(community: Community) -> Figures:
    """The reference figures of `community`, in four queries."""
    users = Membership.objects.filter(community=community, status=Status.ACTIVE).count()
    posts = questions_and_answers(community)
    totals = posts.aggregate(
        questions=Count("pk", filter=Q(position=0)),
        answers=Count("pk", filter=Q(position__gt=0)),
    )
    per_author: list[int] = list(
        posts.exclude(author=None)
        .values("author")
        .annotate(posts=Count("pk"))
        .values_list("posts", flat=True)
    )
    first_answer = (
        posts.filter(topic=OuterRef("topic"), position__gt=0)
        .values("topic")
        .annotate(first=Min("created_at"))
        .values("first")
    )
    answered = (
        posts.filter(position=0)
        .annotate(first_answer=Subquery(first_answer))
        .exclude(first_answer=None)
        .values_list("created_at", "first_answer")
    )
    hours = [(answer - asked) / ONE_HOUR for asked, answer in answered]
    return Figures(
        community=community.slug,
        users=users,
        questions=totals["questions"],
        answers=totals["answers"],
        authors=len(per_author),
        answered_pct=rounded(statistics.percent(len(hours), totals["questions"]), 1),
        median_hours_first_answer=rounded(statistics.median(hours), 2),
        gini=rounded(statistics.gini(per_author), 3),
        top1_share=rounded(statistics.top_share(per_author, TOP_PERCENT), 3),
    )


def rounded(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)
