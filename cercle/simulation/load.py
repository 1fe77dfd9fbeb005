"""Write a simulated community (`story.tell`) into the database, in one transaction.

The rows are those the actions would have written, at their original times, with
their activity events: the analytics read a generated community as they read a
real one. Generated people have addresses under `.invalid` and no usable password:
nobody logs in as them and no email is sent to them. Each has a generated portrait
(`cercle.people.portraits`) as their photo: its files are written as the rows are, and
removed again if the generation fails.

Wiki articles captured from solved questions hold what the wiki's own capture writes
(`cercle.wiki.queries.capture_draft`: the question, the accepted answer and the helpful
replies, quoted and credited), rendered as the wiki renders an article.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify

from cercle.accounts.models import User
from cercle.activities.models import Ballot, BallotChoice, Poll, PollChoice
from cercle.activity import verbs
from cercle.activity.models import ActivityEvent, Presence
from cercle.bulkcopy import Table, reserve_ids
from cercle.communities.models import Audience, Community, Entry, Membership, Role, Status
from cercle.communities.models import Visibility as CommunityVisibility
from cercle.conversations.models import Post, PostRevision, Reaction, Tag, Topic
from cercle.conversations.rendering import plain_text
from cercle.events.models import RSVP, Event
from cercle.importers import bulk
from cercle.knowledge.models import Collection, Resource, ResourceKind
from cercle.membership import actions as community_actions
from cercle.people.models import Expertise, Profile, avatar_path
from cercle.people.portraits import portrait
from cercle.richtext import render_markdown
from cercle.search.conversations import link_documents_to_topics
from cercle.search.index import stored_text_vector
from cercle.search.models import SearchDocument
from cercle.simulation import story as tales
from cercle.simulation import texts
from cercle.wiki.models import Article, ArticleRevision
from cercle.wiki.queries import capture_draft
from cercle.wiki.rendering import render_article

TOPIC_TYPE = "conversations.topic"
POST_TYPE = "conversations.post"
COMMUNITY_TYPE = "communities.community"
MEMBERSHIP_TYPE = "communities.membership"
EVENT_TYPE = "events.event"
POLL_TYPE = "activities.poll"
ARTICLE_TYPE = "wiki.article"
COLLECTION_TYPE = "knowledge.collection"
RESOURCE_TYPE = "knowledge.resource"
EXPERTISE_TYPE = "people.expertise"
PROFILE_TYPE = "people.profile"
TIME_ZONE = "Europe/Paris"
# Generated people with a portrait at most (`_portraits`).
PORTRAITS = 1000

# The columns of a search document, in the order the rows below give them.
DOCUMENT_COLUMNS = (
    "kind",
    "object_id",
    "community_id",
    "space_id",
    "title",
    "body",
    "url",
    "author_id",
    "created_at",
    "tags",
    "topic_kind",
    "is_solved",
    "language",
)
EVENT_COLUMNS = (
    "community_id",
    "actor_id",
    "verb",
    "object_type",
    "object_id",
    "level",
    "space_id",
)
# What lives in the community's space (the rest, memberships and visits, in none).
IN_SPACE = {
    TOPIC_TYPE,
    POST_TYPE,
    EVENT_TYPE,
    POLL_TYPE,
    ARTICLE_TYPE,
    COLLECTION_TYPE,
    RESOURCE_TYPE,
}


@dataclass
class Report:
    """What was written: the figures `cercle demo` prints."""

    community: str = ""
    members: int = 0
    topics: int = 0
    questions: int = 0
    posts: int = 0
    reactions: int = 0
    accepted: int = 0
    events: int = 0
    rsvps: int = 0
    polls: int = 0
    ballots: int = 0
    articles: int = 0
    captured: int = 0
    collections: int = 0
    resources: int = 0
    experts: int = 0  # members who declared expertise
    portraits: int = 0
    activity_events: int = 0
    verbs: Counter[str] = field(default_factory=Counter)


def generate(
    *,
    members: int,
    months: int,
    seed: int,
    until: datetime,
    slug: str = "",
    coordinator: User | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Tell the story of a community and write it; all or nothing."""
    say = progress or (lambda _message: None)
    say(f"Drawing the story of {members:,} members over {months} months (seed {seed})...")
    told = tales.tell(members, months, seed, until)
    say(f"Writing {told.posts:,} posts and {len(told.visits):,} visits...")
    writer = _Writer(told, slug or f"pratiques-{seed}", coordinator, say)
    try:
        with transaction.atomic():
            # Created through the action, as an animator would; then dated back.
            writer.found_community()
            with bulk.original_times():
                return writer.write()
    except BaseException:
        # Files are not part of the transaction: the portraits written go with it.
        for name in writer.stored:
            default_storage.delete(name)
        raise


class _Writer:
    def __init__(
        self,
        told: tales.Story,
        slug: str,
        coordinator: User | None,
        say: Callable[[str], None],
    ) -> None:
        self.told, self.slug, self.given_coordinator, self.say = told, slug, coordinator, say
        self.report = Report(community=slug)
        self.person: list[int] = []  # member index -> user id
        self.events: list[tuple[Any, ...]] = []  # activity events waiting to be written
        self.event_table = Table(ActivityEvent, (*EVENT_COLUMNS, "created_at"))
        self.stored: list[str] = []  # files written (portraits), removed if all fails
        self.tags: list[Tag] = []

    def write(self) -> Report:
        self._people()
        self._conversations()
        self._expertise()
        self._library()
        self._meetings()
        self._surveys()
        self._visits()
        self._flush_events()
        link_documents_to_topics(SearchDocument.objects.filter(community_id=self.community.pk))
        if connection.vendor == "postgresql":
            self.say("Indexing for search...")
            SearchDocument.objects.filter(community_id=self.community.pk).update(
                search_vector=stored_text_vector()
            )
        return self.report

    # Activity events are written in batches as they come.

    def _event(
        self,
        verb: verbs.Verb,
        actor: int | None,
        target: tuple[str, int] | None,
        at: float,
        *,
        in_community: bool = True,
    ) -> None:
        """An event as `record_event` writes it: `verb` declared, at its level (in no
        community when the action records it in none, as a profile's change)."""
        declared = verbs.declared(verb)
        self.events.append(
            (
                self.community.pk if in_community else None,
                actor,
                declared.name,
                target[0] if target else "",
                target[1] if target else None,
                declared.level,
                self.space.pk if target and target[0] in IN_SPACE else None,
                tales.moment(at),
            )
        )
        self.report.verbs[declared.name] += 1
        if len(self.events) >= 200_000:
            self._flush_events()

    def _flush_events(self) -> None:
        self.report.activity_events += self.event_table.write(self.events)
        self.events = []

    # The community and its people

    def found_community(self) -> None:
        start = tales.moment(self.told.start)
        first = self.told.members[0]
        coordinator = self.given_coordinator
        if coordinator is None:
            coordinator = User(
                email=f"animation@{self.slug}.invalid",
                display_name=first.name,
                password=make_password(None),
            )
            coordinator.save()
        self.coordinator = coordinator
        self.community = community_actions.found_community(
            coordinator,
            name=f"Pratiques agiles {self.told.seed}",
            slug=self.slug,
            domain="L'agilité et l'amélioration continue dans les équipes",
            purpose="Apprendre les uns des autres pour mieux travailler ensemble",
            language="fr",
            time_zone=TIME_ZONE,
            audience=Audience.EXTERNAL,
            entry=Entry.OPEN,
            visibility=CommunityVisibility.MEMBERS,
        )
        self.space = self.community.spaces.get()
        Community.objects.filter(pk=self.community.pk).update(created_at=start)
        Membership.objects.filter(community=self.community).update(
            created_at=start, joined_at=start
        )
        ActivityEvent.objects.filter(community=self.community).update(created_at=start)
        self.report.activity_events += ActivityEvent.objects.filter(
            community=self.community
        ).count()

    def _people(self) -> None:
        people = self.told.members[1:]
        ids = reserve_ids(User, len(people))
        self.person = [self.coordinator.pk, *ids]
        taken = set(User.objects.values_list("handle", flat=True))
        password = make_password(None)
        rows = []
        for person, pk in zip(people, ids, strict=True):
            handle = _free_handle(slugify(person.name)[:30] or "membre", taken)
            joined = tales.moment(person.joined)
            rows.append(
                (pk, f"{handle}@{self.slug}.invalid", person.name, handle, "fr", password, joined)
            )
        Table(
            User, ("id", "email", "display_name", "handle", "language", "password", "date_joined")
        ).write(rows)
        self._portraits(people, rows)
        membership_ids = reserve_ids(Membership, len(people))
        memberships = []
        for person, pk, membership in zip(people, ids, membership_ids, strict=True):
            joined = tales.moment(person.joined)
            ended = tales.moment(person.active_until) if person.left else None
            status = Status.LEFT if person.left else Status.ACTIVE
            memberships.append(
                (
                    membership,
                    pk,
                    self.community.pk,
                    Role.MEMBER,
                    status,
                    joined,
                    joined,
                    ended or joined,
                    ended,
                )
            )
            self._event(verbs.MEMBERSHIP_JOINED, pk, (MEMBERSHIP_TYPE, membership), person.joined)
            if person.left:
                self._event(
                    verbs.MEMBERSHIP_LEFT, pk, (MEMBERSHIP_TYPE, membership), person.active_until
                )
        Table(
            Membership,
            (
                "id",
                "person_id",
                "community_id",
                "role",
                "status",
                "joined_at",
                "created_at",
                "updated_at",
                "ended_at",
            ),
        ).write(memberships)
        self.report.members = len(self.told.members)

    def _portraits(self, people: list[tales.Member], rows: list[tuple[Any, ...]]) -> None:
        """Generated people set a generated portrait as their photo soon after joining
        (`do_update_profile` records that in no community); the others keep a profile
        without photo (their initials). All of them up to `PORTRAITS`; beyond, those
        who write most: a benchmark's 50,000 members need no 50,000 files."""
        if self.given_coordinator is None:
            people = [self.told.members[0], *people]
            rows = [(self.coordinator.pk, "", "", self.coordinator.handle), *rows]
        drawn = {
            person.index
            for person in sorted(people, key=lambda p: (-p.writes, p.index))[:PORTRAITS]
        }
        profiles = []
        for person, row in zip(people, rows, strict=True):
            pk, handle, name = row[0], row[3], ""
            at = min(person.joined + 600, self.told.end - 1)
            if person.index in drawn:
                name = default_storage.save(
                    avatar_path(Profile(person_id=pk), "portrait.png"),
                    ContentFile(portrait(handle)),
                )
                self.stored.append(name)
                self._event(verbs.PROFILE_UPDATED, pk, (PROFILE_TYPE, pk), at, in_community=False)
            profiles.append((pk, name, tales.moment(at)))
        Table(Profile, ("person_id", "avatar", "updated_at")).write(profiles)
        self.report.portraits = len(drawn)

    # Conversations

    def _conversations(self) -> None:
        told, community, space = self.told, self.community, self.space
        start = tales.moment(told.start)
        tags = self.tags = Tag.objects.bulk_create(
            [Tag(community=community, name=name, slug=name, created_at=start) for name in told.tags]
        )
        topic_ids = reserve_ids(Topic, len(told.threads))
        post_ids = reserve_ids(Post, told.posts)
        topic_url = reverse(
            "topic", kwargs={"slug": community.slug, "space": space.slug, "topic_id": 0}
        ).removesuffix("0/")
        topics, posts, revisions, reactions, documents, tagged = [], [], [], [], [], []
        next_post = iter(post_ids)
        for thread, topic_id in zip(told.threads, topic_ids, strict=True):
            author = self.person[thread.author]
            url = f"{topic_url}{topic_id}/"
            tag_slugs = [told.tags[t] for t in thread.tags]
            thread_posts = [
                (next(next_post), 0, author, thread.body, thread.at, thread.reactions)
            ] + [
                (
                    next(next_post),
                    number,
                    self.person[reply.author],
                    reply.body,
                    reply.at,
                    reply.reactions,
                )
                for number, reply in enumerate(thread.replies, start=1)
            ]
            accepted_id = None
            if thread.accepted is not None and thread.accepted_at is not None:
                accepted_id = thread_posts[thread.accepted + 1][0]
                self._event(
                    verbs.ANSWER_ACCEPTED, author, (POST_TYPE, accepted_id), thread.accepted_at
                )
                self.report.accepted += 1
            last = thread_posts[-1]
            topics.append(
                (
                    topic_id,
                    community.pk,
                    space.pk,
                    thread.kind,
                    thread.title,
                    author,
                    tales.moment(thread.at),
                    tales.moment(last[4]),
                    last[2],
                    len(thread.replies),
                    len(thread.replies),
                    accepted_id,
                    tales.moment(thread.accepted_at) if thread.accepted_at else None,
                )
            )
            tagged += [(topic_id, tags[t].pk) for t in thread.tags]
            self._event(verbs.TOPIC_STARTED[thread.kind], author, (TOPIC_TYPE, topic_id), thread.at)
            for post_id, position, writer, body, at, post_reactions in thread_posts:
                created = tales.moment(at)
                body_html = "".join(f"<p>{html.escape(part)}</p>\n" for part in body.split("\n\n"))
                posts.append((post_id, topic_id, position, writer, body, body_html, created))
                title = thread.title if position == 0 else ""
                revisions.append((post_id, 1, title, body, writer, created))
                documents.append(
                    (
                        "topic" if position == 0 else "post",
                        topic_id if position == 0 else post_id,
                        community.pk,
                        space.pk,
                        thread.title if position == 0 else "",
                        body,
                        url if position == 0 else f"{url}?post={position}#post-{position}",
                        writer,
                        created,
                        " ".join(tag_slugs),
                        thread.kind,
                        accepted_id is not None,
                        "fr",
                    )
                )
                if position:
                    verb = verbs.ANSWER_POSTED if thread.kind == "question" else verbs.REPLY_POSTED
                    self._event(verb, writer, (POST_TYPE, post_id), at)
                for person, kind, when in post_reactions:
                    reactions.append((post_id, self.person[person], kind, tales.moment(when)))
                    self._event(
                        verbs.REACTION[kind], self.person[person], (POST_TYPE, post_id), when
                    )
        self.say(f"  {len(topics):,} topics, {len(posts):,} posts, {len(reactions):,} reactions")
        Table(
            Topic,
            (
                "id",
                "community_id",
                "space_id",
                "kind",
                "title",
                "author_id",
                "created_at",
                "last_activity_at",
                "last_poster_id",
                "reply_count",
                "last_position",
                "accepted_answer_id",
                "solved_at",
            ),
        ).write(topics)
        Table(Topic.tags.through, ("topic_id", "tag_id")).write(tagged)
        Table(
            Post, ("id", "topic_id", "position", "author_id", "body", "body_html", "created_at")
        ).write(posts)
        Table(
            PostRevision, ("post_id", "number", "title", "body", "editor_id", "created_at")
        ).write(revisions)
        Table(Reaction, ("post_id", "person_id", "kind", "created_at")).write(reactions)
        Table(SearchDocument, DOCUMENT_COLUMNS).write(documents)
        self.report.topics = len(topics)
        self.report.questions = sum(1 for thread in told.threads if thread.kind == "question")
        self.report.posts = len(posts)
        self.report.reactions = len(reactions)
        self._articles(topic_ids)

    def _articles(self, topic_ids: list[int]) -> None:
        """The wiki: guides the coordinator wrote, and solved questions captured as the
        wiki captures them (`capture_draft`, in the community's language)."""
        told = self.told
        captured = {
            topic_id: thread
            for thread, topic_id in zip(told.threads, topic_ids, strict=True)
            if thread.captured_at is not None and thread.accepted is not None
        }
        sources = Topic.objects.select_related("community", "space").in_bulk(list(captured))
        pages: list[tuple[str, str, int, int | None, float]] = [
            (title, body, self.coordinator.pk, None, at)
            for (title, body), (_index, at) in zip(texts.GUIDES, told.guides, strict=True)
        ]
        with translation.override(self.community.language):
            for topic_id, thread in captured.items():
                draft = capture_draft(sources[topic_id])
                writer = self.person[thread.captured_by or 0]
                pages.append((draft.title, draft.body, writer, topic_id, thread.captured_at or 0))
        ids = reserve_ids(Article, len(pages))
        articles, revisions, documents = [], [], []
        slugs: set[str] = set()
        for (title, body, writer, source, when), article_id in zip(pages, ids, strict=True):
            rendered = render_article(body)
            base = slugify(title)[:200] or "article"
            slug, number = base, 2
            while slug in slugs:
                slug, number = f"{base}-{number}", number + 1
            slugs.add(slug)
            at = tales.moment(when)
            articles.append(
                (
                    article_id,
                    self.community.pk,
                    self.space.pk,
                    title,
                    slug,
                    body,
                    rendered.html,
                    rendered.toc_html,
                    writer,
                    source,
                    at,
                    at,
                )
            )
            revisions.append((article_id, 1, title, body, writer, at))
            url = reverse("wiki_article", kwargs={"slug": self.community.slug, "article": slug})
            documents.append(
                self._document(
                    "article", article_id, title, plain_text(rendered.html), url, writer, at
                )
            )
            verb = verbs.ARTICLE_CREATED if source is None else verbs.ARTICLE_CAPTURED
            self._event(verb, writer, (ARTICLE_TYPE, article_id), when)
        Table(
            Article,
            (
                "id",
                "community_id",
                "space_id",
                "title",
                "slug",
                "body",
                "body_html",
                "toc_html",
                "created_by_id",
                "source_topic_id",
                "created_at",
                "updated_at",
            ),
        ).write(articles)
        Table(
            ArticleRevision, ("article_id", "number", "title", "body", "editor_id", "created_at")
        ).write(revisions)
        Table(SearchDocument, DOCUMENT_COLUMNS).write(documents)
        self.report.articles = len(articles)
        self.report.captured = len(captured)

    def _document(
        self,
        kind: str,
        object_id: int,
        title: str,
        body: str,
        url: str,
        author: int,
        at: datetime,
        tags: str = "",
    ) -> tuple[Any, ...]:
        """A search document of the wiki or the library, as their actions index it."""
        return (
            kind,
            object_id,
            self.community.pk,
            self.space.pk,
            title,
            body,
            url,
            author,
            at,
            tags,
            "",
            False,
            self.community.language,
        )

    # What members know, and the library

    def _expertise(self) -> None:
        declared = self.told.expertise
        ids = reserve_ids(Expertise, len(declared))
        rows = []
        for item, pk in zip(declared, ids, strict=True):
            person, at = self.person[item.member], tales.moment(item.at)
            rows.append((pk, person, self.tags[item.tag].pk, item.level, at, at))
            self._event(verbs.EXPERTISE_DECLARED, person, (EXPERTISE_TYPE, pk), item.at)
        Table(Expertise, ("id", "person_id", "tag_id", "level", "created_at", "updated_at")).write(
            rows
        )
        self.report.experts = len({item.member for item in declared})

    def _library(self) -> None:
        """Collections opened by the coordinator, filled by members over the months."""
        shelves = self.told.shelves
        tags = {tag.slug: tag.pk for tag in self.tags}
        collection_ids = reserve_ids(Collection, len(shelves))
        resource_ids = iter(reserve_ids(Resource, sum(len(s.items) for s in shelves)))
        collections, resources, tagged, documents = [], [], [], []
        for position, (shelved, collection_id) in enumerate(
            zip(shelves, collection_ids, strict=True)
        ):
            shelf = texts.SHELVES[shelved.shelf]
            author, opened = self.person[shelved.author], tales.moment(shelved.at)
            collections.append(
                (
                    collection_id,
                    self.community.pk,
                    self.space.pk,
                    shelf.title,
                    slugify(shelf.title)[:70],
                    shelf.description,
                    position,
                    author,
                    opened,
                )
            )
            self._event(
                verbs.COLLECTION_CREATED, author, (COLLECTION_TYPE, collection_id), shelved.at
            )
            for order, (index, member, when) in enumerate(shelved.items):
                item, pk = shelf.items[index], next(resource_ids)
                added_by, at = self.person[member], tales.moment(when)
                kind = ResourceKind.LINK if item.url else ResourceKind.NOTE
                excerpt, note = (item.text, "") if item.url else ("", item.text)
                note_html = render_markdown(note) if note else ""
                resources.append(
                    (
                        pk,
                        collection_id,
                        kind,
                        item.title,
                        item.url,
                        excerpt,
                        note,
                        note_html,
                        added_by,
                        at,
                        order,
                    )
                )
                tagged += [(pk, tags[slug]) for slug in item.tags if slug in tags]
                body = " ".join(
                    part
                    for part in (excerpt, item.url, plain_text(note_html) if note else "")
                    if part
                )
                url = reverse("knowledge:resource", args=[self.community.slug, pk])
                documents.append(
                    self._document(
                        "resource",
                        pk,
                        item.title,
                        body,
                        url,
                        added_by,
                        at,
                        " ".join(slug for slug in item.tags if slug in tags),
                    )
                )
                self._event(verbs.RESOURCE_ADDED[kind], added_by, (RESOURCE_TYPE, pk), when)
        Table(
            Collection,
            (
                "id",
                "community_id",
                "space_id",
                "title",
                "slug",
                "description",
                "position",
                "created_by_id",
                "created_at",
            ),
        ).write(collections)
        Table(
            Resource,
            (
                "id",
                "collection_id",
                "kind",
                "title",
                "url",
                "excerpt",
                "note",
                "note_html",
                "added_by_id",
                "created_at",
                "position",
            ),
        ).write(resources)
        Table(Resource.tags.through, ("resource_id", "tag_id")).write(tagged)
        Table(SearchDocument, DOCUMENT_COLUMNS).write(documents)
        self.report.collections, self.report.resources = len(collections), len(resources)

    # Animation

    def _meetings(self) -> None:
        told, coordinator = self.told, self.coordinator.pk
        ids = reserve_ids(Event, len(told.meetings))
        events, rsvps = [], []
        for meeting, event_id in zip(told.meetings, ids, strict=True):
            announced = tales.moment(meeting.announced)
            starts = tales.moment(meeting.starts)
            ends = tales.moment(meeting.starts + 2 * tales.HOUR)
            events.append(
                (
                    event_id,
                    self.community.pk,
                    self.space.pk,
                    meeting.title,
                    coordinator,
                    announced,
                    announced,
                    announced,
                    meeting.description,
                    render_markdown(meeting.description),
                    starts,
                    ends,
                    TIME_ZONE,
                    announced,
                    "https://visio.example.org/rencontre" if meeting.online else "",
                    "" if meeting.online else "Maison des associations",
                )
            )
            self._event(verbs.EVENT_CREATED, coordinator, (EVENT_TYPE, event_id), meeting.announced)
            for person, response, when, attended in meeting.rsvps:
                user = self.person[person]
                at = tales.moment(when)
                rsvps.append((event_id, user, response, at, at, attended))
                self._event(verbs.EVENT_RSVP[response], user, (EVENT_TYPE, event_id), when)
                if attended:
                    self._event(
                        verbs.EVENT_ATTENDED,
                        user,
                        (EVENT_TYPE, event_id),
                        meeting.starts + 3 * tales.HOUR,
                    )
        Table(
            Event,
            (
                "id",
                "community_id",
                "space_id",
                "title",
                "created_by_id",
                "created_at",
                "publish_at",
                "published_at",
                "description",
                "description_html",
                "starts_at",
                "ends_at",
                "time_zone",
                "updated_at",
                "online_url",
                "place",
            ),
        ).write(events)
        Table(
            RSVP, ("event_id", "person_id", "response", "created_at", "changed_at", "attended")
        ).write(rsvps)
        self.report.events, self.report.rsvps = len(events), len(rsvps)

    def _surveys(self) -> None:
        told, coordinator = self.told, self.coordinator.pk
        poll_ids = reserve_ids(Poll, len(told.surveys))
        choice_ids = reserve_ids(PollChoice, sum(len(s.choices) for s in told.surveys))
        ballot_ids = reserve_ids(Ballot, sum(len(s.ballots) for s in told.surveys))
        polls, choices, ballots, picks = [], [], [], []
        next_choice, next_ballot = iter(choice_ids), iter(ballot_ids)
        for survey, poll_id in zip(told.surveys, poll_ids, strict=True):
            opens = tales.moment(survey.opens)
            polls.append(
                (
                    poll_id,
                    self.community.pk,
                    self.space.pk,
                    survey.title,
                    coordinator,
                    opens,
                    opens,
                    opens,
                    tales.moment(survey.closes),
                )
            )
            self._event(verbs.POLL_CREATED, coordinator, (POLL_TYPE, poll_id), survey.opens)
            mine = [next(next_choice) for _label in survey.choices]
            choices += [
                (pk, poll_id, label, position)
                for position, (pk, label) in enumerate(zip(mine, survey.choices, strict=True))
            ]
            for person, picked, when in survey.ballots:
                ballot_id, user, at = next(next_ballot), self.person[person], tales.moment(when)
                ballots.append((ballot_id, poll_id, user, at, at))
                picks.append((ballot_id, mine[picked]))
                self._event(verbs.POLL_VOTED, user, (POLL_TYPE, poll_id), when)
        Table(
            Poll,
            (
                "id",
                "community_id",
                "space_id",
                "title",
                "created_by_id",
                "created_at",
                "publish_at",
                "published_at",
                "closes_at",
            ),
        ).write(polls)
        Table(PollChoice, ("id", "poll_id", "label", "position")).write(choices)
        Table(Ballot, ("id", "poll_id", "voter_id", "created_at", "updated_at")).write(ballots)
        Table(BallotChoice, ("ballot_id", "choice_id")).write(picks)
        self.report.polls, self.report.ballots = len(polls), len(ballots)

    def _visits(self) -> None:
        """The visits' events, and the members' presences that the visits of real
        members are checked against (cercle/activity/presence.py): one a member and
        UTC day. The story draws one visit a day on the community's clock, so two may
        fall on one UTC day: both events are kept, as the story tells them."""
        target = (COMMUNITY_TYPE, self.community.pk)
        days: set[tuple[int, date]] = set()
        for person, at in self.told.visits:
            self._event(verbs.COMMUNITY_VISITED, self.person[person], target, at)
            days.add((self.person[person], tales.moment(at).date()))
        Table(Presence, ("person_id", "community_id", "day")).write(
            (person, self.community.pk, day) for person, day in sorted(days)
        )


def _free_handle(base: str, taken: set[str]) -> str:
    handle, number = base, 1
    while handle in taken:
        number += 1
        handle = f"{base}-{number}"
    taken.add(handle)
    return handle
