"""Importing a Stack Exchange data dump into a community (docs/importers.md).

`import_dump(directory, community)` reads the dump in two rounds:

1. **Check** (nothing written): the votes, posts and comments are read once for
   their structure (who answers what, when), so that a bad dump stops before any
   write, and so that every reply gets its place in its topic by time.
2. **Write**, in one transaction: people, tags, questions and answers, comments,
   accepted answers, votes, badges, each streamed again and written in batches.

Every row keeps its original time, and so does the activity event it records.
Running it again for the same site and community changes nothing.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cercle.accounts.models import RESERVED_HANDLES, User
from cercle.activity import verbs
from cercle.activity.models import ActivityEvent
from cercle.badges.models import BadgeAward, CustomBadge
from cercle.communities.models import Community, Membership, Role, Space, Status
from cercle.conversations.models import Kind, Post, PostRevision, Reaction, ReactionKind, Tag, Topic
from cercle.conversations.rendering import plain_text
from cercle.importers import bulk
from cercle.importers.dumpfiles import DumpError, DumpFile, Row, find_tables
from cercle.importers.models import (
    ImportedPost,
    ImportedSite,
    ImportedUser,
    Source,
    SourceKind,
)
from cercle.importers.progress import Progress
from cercle.importers.sanitize import clean_html, html_words
from cercle.people.models import Profile
from cercle.richtext import render_markdown
from cercle.search.models import SearchDocument

# Tables read, and those older dumps may lack (PostLinks and Tags came later).
REQUIRED_TABLES = ("users", "posts", "comments", "votes", "badges")
QUESTION, ANSWER, TAG_EXCERPT = "1", "2", "4"
ACCEPTED_VOTE, UPVOTE, DOWNVOTE = "1", "2", "3"
COMMUNITY_USER_ID = -1
# Before its ContentLicense attribute (2019), a dump's licence follows from the date:
# Stack Exchange moved to CC BY-SA 3.0 on 2011-04-08 and to 4.0 on 2018-05-02.
LICENSE_CHANGES = (
    (datetime(2011, 4, 8, tzinfo=UTC), "CC BY-SA 2.5"),
    (datetime(2018, 5, 2, tzinfo=UTC), "CC BY-SA 3.0"),
)
LATEST_LICENSE = "CC BY-SA 4.0"
MAX_TAGS_PER_TOPIC = 5
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_TAG_IN_ANGLES = re.compile(r"<([^<>]+)>")
# What an import passes over, by reason (the report's `skipped`).
SKIPPED = {
    "other_posts": _lazy("posts of other types (tag wikis, nominations...)"),
    "missing_accepted": _lazy("accepted answers missing from the dump"),
    "orphan_comments": _lazy("comments on posts that are not imported"),
    "other_votes": _lazy("votes of other kinds (favourites, bounties, closing...)"),
    "orphan_votes": _lazy("votes on posts that are not imported (deleted, tag wikis...)"),
    "orphan_badges": _lazy("badges of people missing from the dump"),
}
# Every email a member may receive, switched off for placeholder accounts.
POST_TYPE = "conversations.post"
TOPIC_TYPE = "conversations.topic"
MEMBERSHIP_TYPE = "communities.membership"
AWARD_TYPE = "badges.badgeaward"


def site_from_directory(directory: Path) -> str:
    """The site's host from the dump's folder name: `bicycles-meta` gives
    bicycles.meta.stackexchange.com, `bicycles` bicycles.stackexchange.com, and a
    name that is already a host (`cooking.stackexchange.com`) stays as it is."""
    name = directory.resolve().name.lower()
    name = name.removesuffix(".7z")
    if "." in name:
        return name
    if name.endswith("-meta"):
        return f"{name.removesuffix('-meta')}.meta.stackexchange.com"
    return f"{name}.stackexchange.com"


def check_site(site: str) -> str:
    site = site.strip().lower()
    if not _HOST.match(site) or len(site) > 200:
        raise ValueError(site)
    return site


def license_for(row: Row, created: datetime) -> str:
    given = row.text("ContentLicense").strip()
    if given:
        return given[:40]
    for until, name in LICENSE_CHANGES:
        if created < until:
            return name
    return LATEST_LICENSE


def tag_names(value: str) -> list[str]:
    """`<bike><tyres>` (and `|bike|tyres|` in recent dumps) as ["bike", "tyres"]."""
    if "<" in value:
        names = _TAG_IN_ANGLES.findall(value)
    else:
        names = [name for name in value.split("|") if name]
    return list(dict.fromkeys(name.strip() for name in names if name.strip()))


def tag_slug(name: str) -> str:
    # c++ and c# must not both become "c".
    return slugify(name.replace("+", "-plus").replace("#", "-sharp"))[:40].strip("-")


@dataclass
class ImportReport:
    """What an import did, for the command's summary, the benchmark and the tests."""

    site: str
    community: str
    already_imported: bool = False
    users: int = 0
    new_accounts: int = 0
    members: int = 0
    questions: int = 0
    answers: int = 0
    comments: int = 0
    accepted: int = 0
    upvotes: int = 0
    downvotes: int = 0
    reactions: int = 0
    tags: int = 0
    badges_read: int = 0
    badges_awarded: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    rows_read: int = 0
    rows_written: int = 0
    seconds: float = 0.0
    # The processor time of this process: what the import itself cost, whatever else
    # the machine was doing (on SQLite it includes the database's work).
    cpu_seconds: float = 0.0

    def counts(self) -> dict[str, int | dict[str, int]]:
        return {
            "users": self.users,
            "new_accounts": self.new_accounts,
            "members": self.members,
            "questions": self.questions,
            "answers": self.answers,
            "comments": self.comments,
            "accepted": self.accepted,
            "upvotes": self.upvotes,
            "downvotes": self.downvotes,
            "reactions": self.reactions,
            "tags": self.tags,
            "badges_read": self.badges_read,
            "badges_awarded": self.badges_awarded,
            "skipped": dict(self.skipped),
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
        }


# --- What the check round learns ---------------------------------------------------------------


@dataclass(slots=True)
class Place:
    """Where a reply goes: its question (the topic) and its position there."""

    question: int
    position: int


@dataclass(slots=True)
class QuestionPlan:
    created: datetime
    owner: int | None
    accepted: int | None
    # (time, 0 for an answer or 1 for a comment, source id, owner): sorted, they give
    # the positions. An answer and a comment at the same second: the answer first.
    replies: list[tuple[datetime, int, int, int | None]] = field(default_factory=list)
    reply_count: int = 0
    last_time: datetime | None = None
    last_owner: int | None = None


@dataclass
class VoteCounts:
    up: Counter[int] = field(default_factory=Counter)
    down: Counter[int] = field(default_factory=Counter)
    accepted_at: dict[int, datetime] = field(default_factory=dict)


@dataclass
class Plan:
    votes: VoteCounts
    questions: dict[int, QuestionPlan]
    answers: dict[int, Place]  # answer id -> place
    comments: dict[int, Place]  # comment id -> place
    answer_question: dict[int, int]  # answer id -> question id
    answer_times: dict[int, datetime]  # answer id -> its time
    excerpts: dict[int, str]  # tag excerpt post id -> its text
    question_tags: dict[str, None]  # tag names used by questions, in order of first use


@dataclass(slots=True)
class TopicInfo:
    pk: int
    url: str
    tags: list[str]
    solved: bool


# --- The import ----------------------------------------------------------------------------------


def open_dump(directory: Path) -> dict[str, DumpFile]:
    if not directory.is_dir():
        raise DumpError(directory, _("no such folder."))
    found = find_tables(directory)
    missing = [table for table in REQUIRED_TABLES if table not in found]
    if missing:
        names = ", ".join(f"{table.capitalize()}.xml" for table in missing)
        raise DumpError(
            directory,
            _("the dump has no %(files)s (file names may be in any case).") % {"files": names},
        )
    return {table: DumpFile(path, table) for table, path in found.items()}


def import_dump(
    directory: Path,
    community: Community,
    *,
    space: Space | None = None,
    site: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the dump in `directory` into `community` (its default space unless
    `space` is given). Raises DumpError, and writes nothing, on a bad dump."""
    started, started_cpu = time.monotonic(), time.process_time()
    site = check_site(site or site_from_directory(directory))
    report = ImportReport(site=site, community=community.slug)
    tables = open_dump(directory)
    if space is None:
        space = Space.objects.get(community=community, is_default=True)
    elif space.community_id != community.pk:
        raise ValueError("the space belongs to another community")
    if _already_imported(community, site):
        report.already_imported = True
        return report
    job = _Import(tables, community, space, site, progress or Progress.silent(), report)
    plan = job.check()
    try:
        with transaction.atomic(), bulk.original_times():
            job.write(plan)
    except _AlreadyImported:
        report = ImportReport(site=site, community=community.slug, already_imported=True)
    report.seconds = time.monotonic() - started
    report.cpu_seconds = time.process_time() - started_cpu
    return report


def _already_imported(community: Community, site: str) -> bool:
    return ImportedSite.objects.filter(
        community=community, source=Source.STACKEXCHANGE, site=site
    ).exists()


class _AlreadyImported(Exception):
    """Another run imported the same site into the community meanwhile."""


class _Import:
    def __init__(
        self,
        tables: dict[str, DumpFile],
        community: Community,
        space: Space,
        site: str,
        progress: Progress,
        report: ImportReport,
    ) -> None:
        self.tables = tables
        self.community = community
        self.space = space
        self.site = site
        self.site_url = f"https://{site}"
        self.progress = progress
        self.report = report
        self.user_ids: dict[int, int] = {}
        self.user_names: dict[int, str] = {}
        self.post_ids: dict[int, int] = {}
        self.topics: dict[int, TopicInfo] = {}
        self.tags_by_name: dict[str, Tag] = {}
        self.imported_site: ImportedSite | None = None

    # --- Reading -------------------------------------------------------------------------------

    def _rows(self, table: str, label: str) -> Iterator[Row]:
        dump = self.tables[table]
        self.progress.start(label)

        def advance(source: DumpFile, rows: int) -> None:
            self.progress.update(rows, source.bytes_read / source.size if source.size else 1.0)

        count = 0
        for row in dump.rows(advance):
            count += 1
            yield row
        self.progress.finish(count)

    # --- Round 1: check ------------------------------------------------------------------------

    def check(self) -> Plan:
        votes = self._check_votes()
        questions, answer_rows, excerpts, question_tags = self._check_posts()
        answer_question: dict[int, int] = {}
        answer_times: dict[int, datetime] = {}
        for post_id, parent, created, owner, row in answer_rows:
            question = questions.get(parent)
            if question is None:
                raise row.error(
                    _("the answer %(id)d is to the question %(question)d, not in the dump.")
                    % {"id": post_id, "question": parent}
                )
            question.replies.append((created, 0, post_id, owner))
            answer_question[post_id] = parent
            answer_times[post_id] = created
        del answer_rows
        for question in questions.values():
            if question.accepted is not None and question.accepted not in answer_question:
                self.report.skipped["missing_accepted"] += 1
                question.accepted = None
        self._check_comments(questions, answer_question)
        answers, comments = _place_replies(questions)
        return Plan(
            votes=votes,
            questions=questions,
            answers=answers,
            comments=comments,
            answer_question=answer_question,
            answer_times=answer_times,
            excerpts=excerpts,
            question_tags=question_tags,
        )

    def _check_posts(
        self,
    ) -> tuple[
        dict[int, QuestionPlan],
        list[tuple[int, int, datetime, int | None, Row]],
        dict[int, str],
        dict[str, None],
    ]:
        questions: dict[int, QuestionPlan] = {}
        answer_rows: list[tuple[int, int, datetime, int | None, Row]] = []
        excerpts: dict[int, str] = {}
        question_tags: dict[str, None] = {}
        label = _("Checking %(file)s") % {"file": self.tables["posts"].name}
        seen: set[int] = set()
        for row in self._rows("posts", label):
            kind = row.text("PostTypeId")
            post_id = row.integer("Id")
            _once(row, post_id, seen)
            if kind == QUESTION:
                if not row.text("Title").strip():
                    raise row.error(_("the question %(id)d has no Title.") % {"id": post_id})
                questions[post_id] = QuestionPlan(
                    created=row.time("CreationDate"),
                    owner=row.optional_integer("OwnerUserId"),
                    accepted=row.optional_integer("AcceptedAnswerId"),
                )
                question_tags.update(dict.fromkeys(tag_names(row.text("Tags"))))
            elif kind == ANSWER:
                parent = row.optional_integer("ParentId")
                if parent is None:
                    raise row.error(_("the answer %(id)d has no ParentId.") % {"id": post_id})
                created = row.time("CreationDate")
                owner = row.optional_integer("OwnerUserId")
                answer_rows.append((post_id, parent, created, owner, row))
            elif kind == TAG_EXCERPT:
                excerpts[post_id] = html_words(row.text("Body"))
            else:
                self.report.skipped["other_posts"] += 1
        return questions, answer_rows, excerpts, question_tags

    def _check_comments(
        self, questions: dict[int, QuestionPlan], answer_question: dict[int, int]
    ) -> None:
        label = _("Checking %(file)s") % {"file": self.tables["comments"].name}
        seen: set[int] = set()
        for row in self._rows("comments", label):
            comment_id, post_id = row.integer("Id"), row.integer("PostId")
            _once(row, comment_id, seen)
            created = row.time("CreationDate")
            question_id = post_id if post_id in questions else answer_question.get(post_id)
            if question_id is None:
                self.report.skipped["orphan_comments"] += 1
                continue
            questions[question_id].replies.append(
                (created, 1, comment_id, row.optional_integer("UserId"))
            )

    def _check_votes(self) -> VoteCounts:
        counts = VoteCounts()
        label = _("Checking %(file)s") % {"file": self.tables["votes"].name}
        for row in self._rows("votes", label):
            kind = row.text("VoteTypeId")
            if kind == UPVOTE:
                counts.up[row.integer("PostId")] += 1
            elif kind == DOWNVOTE:
                counts.down[row.integer("PostId")] += 1
            elif kind == ACCEPTED_VOTE:
                post_id, created = row.integer("PostId"), row.time("CreationDate")
                if post_id not in counts.accepted_at or created < counts.accepted_at[post_id]:
                    counts.accepted_at[post_id] = created
            row.integer("Id")
        return counts

    # --- Round 2: write ------------------------------------------------------------------------

    def write(self, plan: Plan) -> None:
        try:
            with transaction.atomic():
                self.imported_site = ImportedSite.objects.create(
                    community=self.community, source=Source.STACKEXCHANGE, site=self.site
                )
        except IntegrityError:
            raise _AlreadyImported from None
        self._write_users()
        self._write_tags(plan)
        self._write_posts(plan)
        self._write_comments(plan)
        self._write_accepted(plan)
        self._write_votes()
        self._write_badges()
        self.imported_site.counts = self.report.counts()
        self.imported_site.save(update_fields=["counts"])

    def _insert(self, objects: list[bulk.M]) -> None:
        self.report.rows_written += bulk.insert(objects)

    # People

    def _write_users(self) -> None:
        known = dict(
            ImportedUser.objects.filter(source=Source.STACKEXCHANGE, site=self.site).values_list(
                "source_id", "user_id"
            )
        )
        handles = set(User.objects.values_list("handle", flat=True))
        next_number: dict[str, int] = {}
        batch: list[tuple[Row, int, datetime, str]] = []
        label = self.tables["users"].name
        seen: set[int] = set()
        for row in self._rows("users", label):
            source_id = row.integer("Id")
            _once(row, source_id, seen)
            created = row.time("CreationDate")
            name = " ".join(row.text("DisplayName").split())[:80] or f"user{source_id}"
            self.user_names[source_id] = name
            self.report.rows_read += 1
            if source_id in known:
                self.user_ids[source_id] = known[source_id]
            batch.append((row, source_id, created, name))
            if len(batch) >= bulk.BATCH:
                self._write_user_batch(batch, handles, next_number)
                batch = []
        self._write_user_batch(batch, handles, next_number)

    def _write_user_batch(
        self,
        batch: list[tuple[Row, int, datetime, str]],
        handles: set[str],
        next_number: dict[str, int],
    ) -> None:
        if not batch:
            return
        new = [entry for entry in batch if entry[1] not in self.user_ids]
        people = [
            User(
                email=f"user{source_id}@{self.site}.invalid",
                display_name=name,
                handle=_free_handle(name, handles, next_number),
                password=make_password(None),
                date_joined=created,
                is_active=True,
            )
            for _row, source_id, created, name in new
        ]
        self._insert(people)
        for (_row, source_id, _created, _name), person in zip(new, people, strict=True):
            self.user_ids[source_id] = person.pk
        self._insert(
            [
                ImportedUser(
                    user_id=person.pk,
                    source=Source.STACKEXCHANGE,
                    site=self.site,
                    source_id=source_id,
                    is_bot=source_id == COMMUNITY_USER_ID,
                )
                for (_row, source_id, _created, _name), person in zip(new, people, strict=True)
            ]
        )
        self._insert(
            [
                self._profile(row, person.pk)
                for (row, *_rest), person in zip(new, people, strict=True)
            ]
        )
        # Their addresses end in `.invalid`: the mail layer never sends to them
        # (`cercle.mail.delivery`), so they need no preferences of their own.
        self.report.new_accounts += len(people)
        self.report.users += len(batch)
        # People already imported from this site (into another community) join this one
        # too, unless they are in it already.
        reused = [self.user_ids[entry[1]] for entry in batch if entry not in new]
        members = set(
            Membership.objects.filter(community=self.community, person_id__in=reused).values_list(
                "person_id", flat=True
            )
            if reused
            else []
        )
        joining = [
            (source_id, created)
            for _row, source_id, created, _name in batch
            if self.user_ids[source_id] not in members
        ]
        memberships = [
            Membership(
                person_id=self.user_ids[source_id],
                community=self.community,
                role=Role.MEMBER,
                status=Status.ACTIVE,
                joined_at=created,
                created_at=created,
            )
            for source_id, created in joining
        ]
        self._insert(memberships)
        self.report.members += len(memberships)
        self._insert(
            [
                bulk.event(
                    verbs.MEMBERSHIP_JOINED,
                    community_id=self.community.pk,
                    actor_id=membership.person_id,
                    target=(MEMBERSHIP_TYPE, membership.pk),
                    created_at=membership.joined_at or membership.created_at,
                )
                for membership in memberships
            ]
        )

    def _profile(self, row: Row, person_id: int) -> Profile:
        about = row.text("AboutMe").strip()
        about_html = clean_html(about, site_url=self.site_url) if about else ""
        bio = about_html
        if len(bio) > 5000:
            # The profile keeps at most 5,000 characters: the words, cut.
            bio = plain_text(about_html)[:5000]
            about_html = render_markdown(bio)
        links = []
        website = row.text("WebsiteUrl").strip()
        if website.startswith(("http://", "https://")) and len(website) <= 500:
            host = website.split("/")[2][:80] or website[:80]
            links.append({"label": host, "url": website})
        links.append({"label": self.site, "url": f"{self.site_url}/users/{row.integer('Id')}"})
        return Profile(
            person_id=person_id,
            bio=bio,
            bio_html=about_html,
            location=" ".join(row.text("Location").split())[:120],
            links=links,
        )

    # Tags

    def _write_tags(self, plan: Plan) -> None:
        wanted: dict[str, str] = {}  # name -> description
        if "tags" in self.tables:
            for row in self._rows("tags", self.tables["tags"].name):
                name = row.text("TagName").strip()
                if not name:
                    raise row.error(_("the row has no TagName attribute."))
                excerpt = plan.excerpts.get(row.optional_integer("ExcerptPostId") or 0, "")
                wanted[name] = excerpt
        for name in plan.question_tags:
            wanted.setdefault(name, "")
        existing = {tag.slug: tag for tag in Tag.objects.filter(community=self.community)}
        new: dict[str, Tag] = {}
        now = datetime.now(UTC)
        for name, description in wanted.items():
            slug = tag_slug(name) or "tag"
            if slug in new and new[slug].name != name[:40]:
                # Two source tags with one slug (rare): the second gets a number.
                number = 2
                while f"{slug[:36]}-{number}" in existing:
                    number += 1
                slug = f"{slug[:36]}-{number}"
            # A tag the community already has is the same word: it is used as it is.
            tag = existing.get(slug)
            if tag is None:
                tag = Tag(
                    community=self.community,
                    name=name[:40],
                    slug=slug,
                    description=_shorten(description, 200),
                    created_at=now,
                )
                existing[slug] = new[slug] = tag
            self.tags_by_name[name] = tag
        self._insert(list(new.values()))
        self.report.tags = len(new)

    # Questions and answers

    def _write_posts(self, plan: Plan) -> None:
        questions: list[Row] = []
        answers: list[Row] = []
        for row in self._rows("posts", self.tables["posts"].name):
            kind = row.text("PostTypeId")
            self.report.rows_read += 1
            if kind == QUESTION:
                questions.append(row)
            elif kind == ANSWER:
                answers.append(row)
            if len(questions) + len(answers) >= bulk.BATCH:
                answers = self._write_post_batch(plan, questions, answers)
                questions = []
        answers = self._write_post_batch(plan, questions, answers)
        if answers:  # pragma: no cover - the check round found every question
            raise answers[0].error(_("an answer whose question is not in the dump."))

    def _write_post_batch(self, plan: Plan, questions: list[Row], answers: list[Row]) -> list[Row]:
        """Write the questions (topics) then the answers whose topic exists; return the
        answers that came before their question in the file, for the next batch."""
        topics = [self._topic(plan, row) for row in questions]
        self._insert(topics)
        tagged: list[models.Model] = []
        for row, topic in zip(questions, topics, strict=True):
            names = tag_names(row.text("Tags"))[:MAX_TAGS_PER_TOPIC]
            tags = [self.tags_by_name[name] for name in names if name in self.tags_by_name]
            tags = list({tag.pk: tag for tag in tags}.values())
            for tag in tags:
                tagged.append(Topic.tags.through(topic_id=topic.pk, tag_id=tag.pk))
            question_id = row.integer("Id")
            self.topics[question_id] = TopicInfo(
                pk=topic.pk,
                url=reverse(
                    "topic",
                    kwargs={
                        "slug": self.community.slug,
                        "space": self.space.slug,
                        "topic_id": topic.pk,
                    },
                ),
                tags=[tag.slug for tag in tags],
                solved=plan.questions[question_id].accepted is not None,
            )
        self._insert(tagged)
        ready = [(row, SourceKind.QUESTION, row.integer("Id"), 0) for row in questions]
        waiting: list[Row] = []
        for row in answers:
            answer_id = row.integer("Id")
            place = plan.answers[answer_id]
            if place.question in self.topics:
                ready.append((row, SourceKind.ANSWER, answer_id, place.position))
            else:
                waiting.append(row)
        posts: list[Post] = []
        origins: list[ImportedPost] = []
        for row, kind, source_id, position in ready:
            question_id = (
                source_id if kind == SourceKind.QUESTION else plan.answer_question[source_id]
            )
            created = row.time("CreationDate")
            body = clean_html(row.text("Body"), site_url=self.site_url)
            owner = row.optional_integer("OwnerUserId")
            posts.append(
                Post(
                    topic_id=self.topics[question_id].pk,
                    position=position,
                    author_id=self.user_ids.get(owner) if owner is not None else None,
                    body=body,
                    body_html=body,
                    created_at=created,
                    edited_at=row.optional_time("LastEditDate"),
                )
            )
            path = "q" if kind == SourceKind.QUESTION else "a"
            origins.append(
                ImportedPost(
                    site=self.imported_site,
                    source_kind=kind,
                    source_id=source_id,
                    author_name=self._author_name(owner, row.text("OwnerDisplayName")),
                    author_source_id=owner,
                    license=license_for(row, created),
                    source_url=f"{self.site_url}/{path}/{source_id}",
                    upvotes=plan.votes.up[source_id],
                    downvotes=plan.votes.down[source_id],
                )
            )
        self._write_post_rows(ready, posts, origins, plan)
        return waiting

    def _topic(self, plan: Plan, row: Row) -> Topic:
        question = plan.questions[row.integer("Id")]
        return Topic(
            community=self.community,
            space=self.space,
            kind=Kind.QUESTION,
            title=" ".join(row.text("Title").split())[:200],
            author_id=self._user(question.owner),
            created_at=question.created,
            last_activity_at=question.last_time or question.created,
            last_poster_id=self._user(question.last_owner),
            reply_count=question.reply_count,
            last_position=question.reply_count,
            # A closed question takes no more answers at its source: nor here.
            is_locked=bool(row.text("ClosedDate")),
        )

    def _user(self, source_id: int | None) -> int | None:
        return None if source_id is None else self.user_ids.get(source_id)

    def _author_name(self, source_id: int | None, given: str) -> str:
        """The name the source shows: the account's, or the one kept for a deleted one."""
        if source_id is not None and source_id in self.user_names:
            return self.user_names[source_id]
        return " ".join(given.split())[:200]

    def _write_post_rows(
        self,
        ready: list[tuple[Row, SourceKind, int, int]],
        posts: list[Post],
        origins: list[ImportedPost],
        plan: Plan,
    ) -> None:
        """Posts with their first revision, origin, search document and activity event."""
        self._insert(posts)
        revisions: list[PostRevision] = []
        documents: list[SearchDocument] = []
        events: list[ActivityEvent] = []
        community_id, language = self.community.pk, self.community.language
        for (row, kind, source_id, position), post, origin in zip(
            ready, posts, origins, strict=True
        ):
            origin.post_id = post.pk
            is_question = kind == SourceKind.QUESTION
            question_id = source_id if is_question else plan.answer_question[source_id]
            topic = self.topics[question_id]
            self.post_ids[source_id] = post.pk
            title = " ".join(row.text("Title").split())[:200] if is_question else ""
            revisions.append(
                PostRevision(
                    post_id=post.pk,
                    number=1,
                    title=title,
                    body=post.body,
                    editor_id=post.author_id,
                    created_at=post.created_at,
                )
            )
            documents.append(
                bulk.search_document(
                    kind="topic" if is_question else "post",
                    object_id=topic.pk if is_question else post.pk,
                    topic_id=topic.pk,
                    community_id=community_id,
                    space_id=self.space.pk,
                    title=title,
                    body=html_words(post.body_html),
                    url=topic.url if is_question else _post_url(topic.url, position),
                    author_id=post.author_id,
                    created_at=post.created_at,
                    tags=topic.tags,
                    topic_kind=Kind.QUESTION,
                    is_solved=topic.solved,
                    language=language,
                )
            )
            if is_question:
                self.report.questions += 1
                events.append(
                    bulk.event(
                        verbs.TOPIC_STARTED_QUESTION,
                        community_id=community_id,
                        actor_id=post.author_id,
                        target=(TOPIC_TYPE, topic.pk),
                        space_id=self.space.pk,
                        created_at=post.created_at,
                    )
                )
            else:
                self.report.answers += 1
                events.append(
                    bulk.event(
                        verbs.ANSWER_POSTED,
                        community_id=community_id,
                        actor_id=post.author_id,
                        target=(POST_TYPE, post.pk),
                        space_id=self.space.pk,
                        created_at=post.created_at,
                    )
                )
            self.report.upvotes += origin.upvotes
            self.report.downvotes += origin.downvotes
        self._insert(revisions)
        self._insert(origins)
        self._insert(documents)
        bulk.fill_search_vectors(documents)
        self._insert(events)

    # Comments

    def _write_comments(self, plan: Plan) -> None:
        batch: list[Row] = []
        for row in self._rows("comments", self.tables["comments"].name):
            self.report.rows_read += 1
            if row.integer("Id") in plan.comments:
                batch.append(row)
            if len(batch) >= bulk.BATCH:
                self._write_comment_batch(plan, batch)
                batch = []
        self._write_comment_batch(plan, batch)

    def _write_comment_batch(self, plan: Plan, rows: list[Row]) -> None:
        if not rows:
            return
        posts: list[Post] = []
        origins: list[ImportedPost] = []
        for row in rows:
            comment_id, on_post = row.integer("Id"), row.integer("PostId")
            place = plan.comments[comment_id]
            topic = self.topics[place.question]
            created = row.time("CreationDate")
            owner = row.optional_integer("UserId")
            text = row.text("Text")
            posts.append(
                Post(
                    topic_id=topic.pk,
                    position=place.position,
                    author_id=self._user(owner),
                    body=text,
                    body_html=render_markdown(text),
                    reply_to_id=self.post_ids[on_post],
                    created_at=created,
                )
            )
            origins.append(
                ImportedPost(
                    site=self.imported_site,
                    source_kind=SourceKind.COMMENT,
                    source_id=comment_id,
                    author_name=self._author_name(owner, row.text("UserDisplayName")),
                    author_source_id=owner,
                    license=license_for(row, created),
                    source_url=(
                        f"{self.site_url}/questions/{place.question}#comment{comment_id}_{on_post}"
                    ),
                )
            )
        self._insert(posts)
        revisions: list[PostRevision] = []
        documents: list[SearchDocument] = []
        events: list[ActivityEvent] = []
        community_id = self.community.pk
        for row, post, origin in zip(rows, posts, origins, strict=True):
            origin.post_id = post.pk
            topic = self.topics[plan.comments[origin.source_id].question]
            revisions.append(
                PostRevision(
                    post_id=post.pk,
                    number=1,
                    body=post.body,
                    editor_id=post.author_id,
                    created_at=post.created_at,
                )
            )
            documents.append(
                bulk.search_document(
                    kind="post",
                    object_id=post.pk,
                    topic_id=topic.pk,
                    community_id=community_id,
                    space_id=self.space.pk,
                    title="",
                    body=html_words(post.body_html),
                    url=_post_url(topic.url, post.position),
                    author_id=post.author_id,
                    created_at=post.created_at,
                    tags=topic.tags,
                    topic_kind=Kind.QUESTION,
                    is_solved=topic.solved,
                    language=self.community.language,
                )
            )
            # An imported comment is a reply that is not an answer: its own verb, so that
            # "answered" keeps meaning what it meant at the source (docs/importers.md).
            events.append(
                bulk.event(
                    verbs.COMMENT_POSTED,
                    community_id=community_id,
                    actor_id=post.author_id,
                    target=(POST_TYPE, post.pk),
                    space_id=self.space.pk,
                    created_at=post.created_at,
                )
            )
            del row
        self.report.comments += len(posts)
        self._insert(revisions)
        self._insert(origins)
        self._insert(documents)
        bulk.fill_search_vectors(documents)
        self._insert(events)

    # Accepted answers

    def _write_accepted(self, plan: Plan) -> None:
        topics: list[Topic] = []
        events: list[ActivityEvent] = []
        for question_id, question in plan.questions.items():
            if question.accepted is None:
                continue
            answer_pk = self.post_ids[question.accepted]
            # The day of the acceptance vote (dumps keep only its day), or else the
            # answer's own time: never before the answer.
            answered = plan.answer_times[question.accepted]
            accepted_at = max(plan.votes.accepted_at.get(question.accepted, answered), answered)
            topics.append(
                Topic(
                    pk=self.topics[question_id].pk,
                    accepted_answer_id=answer_pk,
                    solved_at=accepted_at,
                )
            )
            events.append(
                bulk.event(
                    verbs.ANSWER_ACCEPTED,
                    community_id=self.community.pk,
                    actor_id=self._user(question.owner),
                    target=(POST_TYPE, answer_pk),
                    space_id=self.space.pk,
                    created_at=accepted_at,
                )
            )
        Topic.objects.bulk_update(topics, ["accepted_answer", "solved_at"], batch_size=bulk.BATCH)
        self.report.rows_written += len(topics)
        self.report.accepted = len(topics)
        self._insert(events)

    # Votes

    def _write_votes(self) -> None:
        events: list[ActivityEvent] = []
        reactions: dict[tuple[int, int], Reaction] = {}
        for row in self._rows("votes", self.tables["votes"].name):
            self.report.rows_read += 1
            kind = row.text("VoteTypeId")
            if kind not in (UPVOTE, DOWNVOTE, ACCEPTED_VOTE):
                self.report.skipped["other_votes"] += 1
                continue
            post_pk = self.post_ids.get(row.integer("PostId"))
            if post_pk is None:
                self.report.skipped["orphan_votes"] += 1
                continue
            if kind != UPVOTE:
                continue
            created = row.time("CreationDate")
            # Public dumps name no voter: the vote is counted, and its event has no actor.
            voter = self._user(row.optional_integer("UserId"))
            events.append(
                bulk.event(
                    verbs.REACTION[ReactionKind.HELPFUL],
                    community_id=self.community.pk,
                    actor_id=voter,
                    target=(POST_TYPE, post_pk),
                    space_id=self.space.pk,
                    created_at=created,
                )
            )
            if voter is not None and (post_pk, voter) not in reactions:
                reactions[(post_pk, voter)] = Reaction(
                    post_id=post_pk, person_id=voter, kind=ReactionKind.HELPFUL, created_at=created
                )
            if len(events) >= bulk.BATCH:
                self._insert(events)
                events = []
        self._insert(events)
        self._insert(list(reactions.values()))
        self.report.reactions = len(reactions)

    # Badges

    def _write_badges(self) -> None:
        awards: list[BadgeRow] = []
        for row in self._rows("badges", self.tables["badges"].name):
            self.report.rows_read += 1
            self.report.badges_read += 1
            person = self._user(row.integer("UserId"))
            if person is None:
                self.report.skipped["orphan_badges"] += 1
                continue
            awards.append(
                BadgeRow(
                    person_id=person,
                    name=row.text("Name").strip()[:100],
                    awarded_at=row.time("Date"),
                    # Older dumps have no Class (1 gold, 2 silver, 3 bronze).
                    grade=row.optional_integer("Class"),
                    tag_based=row.text("TagBased").lower() == "true",
                )
            )
        awarded, events = award_badges(self.community, self.site, awards)
        self.report.badges_awarded = awarded
        self.report.rows_written += awarded
        self._insert(events)


@dataclass(frozen=True, slots=True)
class BadgeRow:
    person_id: int
    name: str
    awarded_at: datetime
    grade: int | None
    tag_based: bool


GRADES = {1: _lazy("gold"), 2: _lazy("silver"), 3: _lazy("bronze")}
GRADE_EMOJI = {1: "🥇", 2: "🥈", 3: "🥉"}


def award_badges(
    community: Community, site: str, awards: list[BadgeRow]
) -> tuple[int, list[ActivityEvent]]:
    """Award the source's badges as custom badges of the community: one custom badge
    per name (and grade, when a name comes in several), each person holding it once,
    from the first time they earned it. The number of awards, and their events."""
    first: dict[tuple[str, int | None, bool], dict[int, datetime]] = {}
    for award in awards:
        holders = first.setdefault((award.name, award.grade, award.tag_based), {})
        if award.person_id not in holders or award.awarded_at < holders[award.person_id]:
            holders[award.person_id] = award.awarded_at
    grades_by_name: dict[str, set[int | None]] = {}
    for name, grade, _tag in first:
        grades_by_name.setdefault(name, set()).add(grade)
    existing = {badge.name: badge for badge in CustomBadge.objects.filter(community=community)}
    badges: dict[tuple[str, int | None, bool], CustomBadge] = {}
    new: list[CustomBadge] = []
    for key, holders in first.items():
        name, grade, tag_based = key
        label = name
        if len(grades_by_name[name]) > 1 and grade in GRADES:
            label = f"{name} ({GRADES[grade]})"
        label = label[:60]
        badge = existing.get(label)
        if badge is None:
            if tag_based:
                description = _("The “%(tag)s” tag badge of %(site)s.") % {
                    "tag": name,
                    "site": site,
                }
            else:
                description = _("A badge earned on %(site)s.") % {"site": site}
            if grade in GRADES:
                description += " " + _("Grade: %(grade)s.") % {"grade": GRADES[grade]}
            badge = CustomBadge(
                community=community,
                name=label,
                description=description[:300],
                emoji=GRADE_EMOJI.get(grade or 0, "🏅"),
                created_at=min(holders.values()),
            )
            existing[label] = badge
            new.append(badge)
        badges[key] = badge
    bulk.insert(new)
    held = set(
        BadgeAward.objects.filter(
            community=community, custom_badge__in=[badge.pk for badge in badges.values()]
        ).values_list("person_id", "custom_badge_id")
    )
    reason = _("Earned on %(site)s.") % {"site": site}
    made: list[BadgeAward] = []
    for key, holders in first.items():
        badge = badges[key]
        for person_id, awarded_at in sorted(holders.items()):
            if (person_id, badge.pk) in held:
                continue
            held.add((person_id, badge.pk))
            made.append(
                BadgeAward(
                    person_id=person_id,
                    community=community,
                    custom_badge=badge,
                    reason=reason[:300],
                    awarded_at=awarded_at,
                )
            )
    bulk.insert(made)
    events = [
        bulk.event(
            verbs.BADGE_AWARDED,
            community_id=community.pk,
            actor_id=None,
            target=(AWARD_TYPE, award.pk),
            created_at=award.awarded_at,
        )
        for award in made
    ]
    return len(made), events


def _place_replies(
    questions: dict[int, QuestionPlan],
) -> tuple[dict[int, Place], dict[int, Place]]:
    """Each reply's position in its topic, by time: the answers' and the comments'."""
    answers: dict[int, Place] = {}
    comments: dict[int, Place] = {}
    for question_id, question in questions.items():
        question.replies.sort()
        question.reply_count = len(question.replies)
        question.last_time, question.last_owner = question.created, question.owner
        for position, (created, order, source_id, owner) in enumerate(question.replies, 1):
            (answers if order == 0 else comments)[source_id] = Place(question_id, position)
            question.last_time, question.last_owner = created, owner
        question.replies = []
    return answers, comments


def _once(row: Row, source_id: int, seen: set[int]) -> None:
    """A row's Id must be unique in its file."""
    if source_id in seen:
        raise row.error(_("the Id %(id)d appears twice in the file.") % {"id": source_id})
    seen.add(source_id)


def _post_url(topic_url: str, position: int) -> str:
    return f"{topic_url}?post={position}#post-{position}"


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _free_handle(name: str, taken: set[str], next_number: dict[str, int]) -> str:
    """A handle nobody has, as `accounts.models.unique_handle` makes it, without a query
    per person: `taken` holds every handle in use."""
    base = slugify(name).replace("_", "-")[:34].strip("-") or "member"
    handle, number = base, next_number.get(base, 1)
    if number > 1:
        handle = f"{base}-{number}"
    while handle in RESERVED_HANDLES or handle in taken:
        number += 1
        handle = f"{base}-{number}"
    next_number[base] = number
    taken.add(handle)
    return handle
