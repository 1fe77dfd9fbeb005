"""Every change to contests (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one transaction
and records its activity event: an entry is level 3 (creating), a vote level 1
(reacting), a jury's scoring level 2 (taking part). Refusals raise `ActionRefused`
and write nothing. `now` may be passed by callers that act for a given moment (the
results job, tests); it defaults to the present.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.animation import planning
from cercle.communities.models import Membership, Role, Space, Status
from cercle.contests.models import (
    Ballot,
    Contest,
    Criterion,
    Entry,
    EntryFile,
    Mode,
    Score,
    Vote,
)
from cercle.conversations import actions as conversations
from cercle.conversations.attachments import check_upload
from cercle.conversations.models import Kind as TopicKind
from cercle.errors import ActionRefused
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind
from cercle.richtext import render_markdown

logger = logging.getLogger(__name__)

MAX_TEXT = 20_000
MAX_FILES = 5
MAX_CRITERIA = 10
MAX_JURORS = 20
MAX_VOTES_PER_MEMBER = 50
MAX_WINNERS = 20
MAX_SCORE = 100


def _access(actor: permissions.Actor, contest: Contest) -> permissions.CommunityAccess:
    return permissions.community_access(actor, contest.community)


def _require(allowed: bool, *, readable: bool = True) -> None:
    if not allowed:
        raise ActionRefused(_("You may not do this here."), not_found=not readable)


def _require_visible(access: permissions.CommunityAccess, contest: Contest) -> None:
    """Someone who may not see the contest learns nothing about it: a 404."""
    if not permissions.planning.may_see(contest, access):
        raise ActionRefused(_("You may not do this here."), not_found=True)


def _clean_title(title: str, what: str) -> str:
    title = " ".join((title or "").split())
    if len(title) < 3:
        raise ActionRefused(
            _("Give the %(what)s a title of at least 3 characters.") % {"what": what}
        )
    if len(title) > 200:
        raise ActionRefused(_("The title is too long: 200 characters at most."))
    return title


def _clean_text(text: str, *, required: str | None = None) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionRefused(required)
    if len(text) > MAX_TEXT:
        raise ActionRefused(
            _("This text is too long: %(count)d characters at most.") % {"count": MAX_TEXT}
        )
    return text


# --- Contests -----------------------------------------------------------------------------


@dataclass
class CriterionSpec:
    name: str
    description: str = ""
    max_score: int = 10


@dataclass
class ContestPlan:
    """What an animator decides before entries open: the periods, the mode and the
    counts. Once entries are open only the title, brief and rules change."""

    submissions_open_at: datetime
    submissions_close_at: datetime
    voting_open_at: datetime
    voting_close_at: datetime
    publish_at: datetime | None = None
    mode: str = Mode.VOTE
    votes_per_member: int = 3
    winner_count: int = 3
    hide_authors: bool = True
    juror_handles: Sequence[str] = ()
    criteria: Sequence[CriterionSpec] = field(default_factory=list)


def _check_plan(plan: ContestPlan, space: Space, now: datetime) -> list[User]:
    """The plan's jurors, once every rule of the plan holds."""
    if plan.mode not in Mode.values:
        raise ActionRefused(_("Choose a community vote or a jury."))
    _check_periods(plan, now)
    if not 1 <= plan.winner_count <= MAX_WINNERS:
        raise ActionRefused(_("Choose between 1 and %(count)d winners.") % {"count": MAX_WINNERS})
    if plan.mode == Mode.VOTE:
        if not 1 <= plan.votes_per_member <= MAX_VOTES_PER_MEMBER:
            raise ActionRefused(
                _("Give each member between 1 and %(count)d votes.")
                % {"count": MAX_VOTES_PER_MEMBER}
            )
        return []
    _check_criteria(plan.criteria)
    return _jurors(space, plan.juror_handles)


def _check_periods(plan: ContestPlan, now: datetime) -> None:
    if plan.submissions_close_at <= plan.submissions_open_at:
        raise ActionRefused(_("Entries must close after they open."))
    if plan.voting_open_at < plan.submissions_close_at:
        raise ActionRefused(_("Voting must open once entries are closed, not before."))
    if plan.voting_close_at <= plan.voting_open_at:
        raise ActionRefused(_("Voting must close after it opens."))
    if plan.submissions_close_at <= now:
        raise ActionRefused(_("Entries would already be closed: choose later dates."))
    if plan.publish_at is not None and plan.submissions_open_at < plan.publish_at:
        raise ActionRefused(_("Entries cannot open before the contest is published."))


def _check_criteria(criteria: Sequence[CriterionSpec]) -> None:
    if not criteria:
        raise ActionRefused(_("A jury needs at least one written criterion."))
    if len(criteria) > MAX_CRITERIA:
        raise ActionRefused(_("Write at most %(count)d criteria.") % {"count": MAX_CRITERIA})
    for criterion in criteria:
        if not criterion.name.strip() or len(criterion.name) > 100:
            raise ActionRefused(_("Give each criterion a name (100 characters at most)."))
        if len(criterion.description) > 500:
            raise ActionRefused(_("A criterion's description has 500 characters at most."))
        if not 1 <= criterion.max_score <= MAX_SCORE:
            raise ActionRefused(
                _("A criterion's maximum score is between 1 and %(count)d.") % {"count": MAX_SCORE}
            )


def _jurors(space: Space, handles: Iterable[str]) -> list[User]:
    """Members of the community who read the space, from their @handles."""
    wanted = list(dict.fromkeys(h.strip().lstrip("@").lower() for h in handles if h.strip()))
    if not wanted:
        raise ActionRefused(_("A jury needs at least one juror."))
    if len(wanted) > MAX_JURORS:
        raise ActionRefused(_("Choose at most %(count)d jurors.") % {"count": MAX_JURORS})
    memberships = {
        m.person.handle: m
        for m in Membership.objects.filter(
            community_id=space.community_id,
            status=Status.ACTIVE,
            person__handle__in=wanted,
            person__is_active=True,
        ).select_related("person")
    }
    jurors = []
    missing = []
    for handle in wanted:
        membership = memberships.get(handle)
        if membership is None or not permissions.community_access(
            membership.person, space.community, membership
        ).may_take_part(space):
            missing.append("@" + handle)
        else:
            jurors.append(membership.person)
    if missing:
        raise ActionRefused(
            _("Jurors must be members who read the space; not found: %(handles)s.")
            % {"handles": ", ".join(missing)}
        )
    return jurors


def _save_criteria(contest: Contest, criteria: Sequence[CriterionSpec]) -> None:
    contest.criteria.all().delete()
    Criterion.objects.bulk_create(
        [
            Criterion(
                contest=contest,
                position=number,
                name=spec.name.strip(),
                description=spec.description.strip(),
                max_score=spec.max_score,
            )
            for number, spec in enumerate(criteria)
        ]
    )


def _wake_for_results(contest: Contest) -> None:
    """Ask the worker to announce the results when voting closes (`announce_due` is
    idempotent: a wake-up left by an earlier date finds nothing to do)."""
    moment = contest.voting_close_at

    def enqueue() -> None:
        # Backends that run tasks at once (tests, some small installations) cannot wait:
        # there the `announce_contest_results` command, run by cron, does it.
        if announce_results_task.get_backend().supports_defer:
            announce_results_task.using(run_after=moment).enqueue()

    transaction.on_commit(enqueue)


def do_create_contest(
    actor: User,
    space: Space,
    *,
    title: str,
    brief: str,
    rules: str,
    plan: ContestPlan,
    now: datetime | None = None,
) -> Contest:
    now = now or timezone.now()
    access = permissions.community_access(actor, space.community)
    _require(access.may_animate(space), readable=access.reads(space))
    title = _clean_title(title, _("contest"))
    brief = _clean_text(brief, required=_("Write the contest's brief."))
    rules = _clean_text(rules, required=_("Write the contest's rules."))
    jurors = _check_plan(plan, space, now)
    with transaction.atomic():
        contest = Contest.objects.create(
            community=space.community,
            space=space,
            title=title,
            created_by=actor,
            publish_at=plan.publish_at,
            brief=brief,
            brief_html=render_markdown(brief),
            rules=rules,
            rules_html=render_markdown(rules),
            submissions_open_at=plan.submissions_open_at,
            submissions_close_at=plan.submissions_close_at,
            voting_open_at=plan.voting_open_at,
            voting_close_at=plan.voting_close_at,
            mode=plan.mode,
            votes_per_member=plan.votes_per_member if plan.mode == Mode.VOTE else 1,
            winner_count=plan.winner_count,
            hide_authors=plan.hide_authors,
        )
        if plan.mode == Mode.JURY:
            contest.jurors.set(jurors)
            _save_criteria(contest, plan.criteria)
        record_event(verbs.CONTEST_CREATED, actor=actor, community=space.community, target=contest)
        planning.schedule(contest, now)
        _wake_for_results(contest)
    return contest


def do_edit_contest(
    actor: User,
    contest: Contest,
    *,
    title: str,
    brief: str,
    rules: str,
    plan: ContestPlan | None = None,
    now: datetime | None = None,
) -> Contest:
    """Change the texts at any time before the results; the plan only until entries open."""
    now = now or timezone.now()
    access = _access(actor, contest)
    _require(
        access.may_animate(contest.space), readable=permissions.planning.may_see(contest, access)
    )
    if contest.results_announced_at is not None:
        raise ActionRefused(_("The results are out: the contest no longer changes."))
    title = _clean_title(title, _("contest"))
    brief = _clean_text(brief, required=_("Write the contest's brief."))
    rules = _clean_text(rules, required=_("Write the contest's rules."))
    jurors: list[User] = []
    if plan is not None:
        if contest.settings_locked(now):
            raise ActionRefused(
                _("Entries are open: only the title, the brief and the rules may change now.")
            )
        if contest.published_at is not None:
            plan = replace(plan, publish_at=None)
        jurors = _check_plan(plan, contest.space, now)
    with transaction.atomic():
        contest.title = title
        contest.brief, contest.brief_html = brief, render_markdown(brief)
        contest.rules, contest.rules_html = rules, render_markdown(rules)
        replanned = False
        if plan is not None:
            # Once out, a contest keeps the moment it was planned for.
            if contest.published_at is None:
                replanned = plan.publish_at != contest.publish_at
                contest.publish_at = plan.publish_at
            contest.submissions_open_at = plan.submissions_open_at
            contest.submissions_close_at = plan.submissions_close_at
            contest.voting_open_at = plan.voting_open_at
            contest.voting_close_at = plan.voting_close_at
            contest.mode = plan.mode
            contest.votes_per_member = plan.votes_per_member if plan.mode == Mode.VOTE else 1
            contest.winner_count = plan.winner_count
            contest.hide_authors = plan.hide_authors
        contest.save()
        if plan is not None:
            contest.jurors.set(jurors)
            contest._juror_ids = None
            _save_criteria(contest, plan.criteria if plan.mode == Mode.JURY else [])
            if replanned:
                planning.schedule(contest, now)
            _wake_for_results(contest)
        record_event(verbs.CONTEST_EDITED, actor=actor, community=contest.community, target=contest)
    return contest


def _remove_stored_files(files: Iterable[EntryFile]) -> None:
    """Delete the files from storage once the rows are gone for good."""
    stored = [item.file for item in files if item.file]

    def remove() -> None:
        for item in stored:
            item.storage.delete(item.name)

    transaction.on_commit(remove)


def do_delete_contest(actor: User, contest: Contest) -> None:
    access = _access(actor, contest)
    _require(
        access.may_animate(contest.space), readable=permissions.planning.may_see(contest, access)
    )
    with transaction.atomic():
        _remove_stored_files(EntryFile.objects.filter(entry__contest=contest))
        record_event(
            verbs.CONTEST_DELETED, actor=actor, community=contest.community, target=contest
        )
        contest.delete()


# --- Entries ------------------------------------------------------------------------------


def _attach(entry: Entry, files: Sequence[UploadedFile], already: int = 0) -> None:
    if already + len(files) > MAX_FILES:
        raise ActionRefused(_("An entry has at most %(count)d files.") % {"count": MAX_FILES})
    checked = [(upload, check_upload(upload)) for upload in files]
    for upload, check in checked:
        item = EntryFile(
            community_id=entry.contest.community_id,
            entry=entry,
            original_name=check.safe_name,
            content_type=check.content_type,
            size=check.size,
        )
        item.file.save(check.safe_name, upload, save=False)
        item.save()


def do_submit_entry(
    actor: User,
    contest: Contest,
    *,
    title: str,
    text: str,
    files: Sequence[UploadedFile] = (),
    now: datetime | None = None,
) -> Entry:
    now = now or timezone.now()
    access = _access(actor, contest)
    _require_visible(access, contest)
    _require(permissions.contests.may_enter_contest(access, contest))
    if not contest.accepts_entries(now):
        raise ActionRefused(_("This contest does not take entries at the moment."))
    title = _clean_title(title, _("entry"))
    text = _clean_text(text)
    if not text and not files:
        raise ActionRefused(_("Write a text or add a file: an entry cannot be empty."))
    if Entry.objects.filter(contest=contest, author=actor).exists():
        raise ActionRefused(_("You already have an entry in this contest: edit it instead."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                entry = Entry.objects.create(
                    contest=contest,
                    author=actor,
                    title=title,
                    text=text,
                    text_html=render_markdown(text),
                    submitted_at=now,
                    updated_at=now,
                )
        except IntegrityError as error:
            # Two sessions of one member submitting at once: the first one stands.
            raise ActionRefused(
                _("You already have an entry in this contest: edit it instead.")
            ) from error
        entry.contest = contest
        _attach(entry, files)
        record_event(
            verbs.CONTEST_ENTRY_SUBMITTED,
            actor=actor,
            community=contest.community,
            target=entry,
        )
    return entry


def do_edit_entry(
    actor: User,
    entry: Entry,
    *,
    title: str,
    text: str,
    files: Sequence[UploadedFile] = (),
    remove_files: Iterable[int] = (),
    now: datetime | None = None,
) -> Entry:
    now = now or timezone.now()
    contest = entry.contest
    access = _access(actor, contest)
    _require_visible(access, contest)
    own = entry.author_id is not None and entry.author_id == actor.pk
    _require(own and permissions.contests.may_enter_contest(access, contest), readable=own)
    if not contest.accepts_entries(now):
        raise ActionRefused(_("Entries are closed: your entry no longer changes."))
    title = _clean_title(title, _("entry"))
    text = _clean_text(text)
    with transaction.atomic():
        removed = list(entry.files.filter(pk__in=list(remove_files)))
        kept = entry.files.count() - len(removed)
        if not text and not files and not kept:
            raise ActionRefused(_("Write a text or add a file: an entry cannot be empty."))
        _remove_stored_files(removed)
        EntryFile.objects.filter(pk__in=[item.pk for item in removed]).delete()
        entry.title, entry.text, entry.text_html = title, text, render_markdown(text)
        entry.updated_at = now
        entry.save(update_fields=["title", "text", "text_html", "updated_at"])
        _attach(entry, files, already=kept)
        record_event(
            verbs.CONTEST_ENTRY_EDITED, actor=actor, community=contest.community, target=entry
        )
    return entry


def do_withdraw_entry(actor: User, entry: Entry, *, now: datetime | None = None) -> None:
    """The author takes their entry back while entries are open; an animator removes
    one (with its votes and scores) until the results are out."""
    now = now or timezone.now()
    contest = entry.contest
    access = _access(actor, contest)
    _require_visible(access, contest)
    _require(
        permissions.contests.may_withdraw_contest_entry(access, entry),
        readable=permissions.contests.may_see_contest_entry(access, entry, now),
    )
    if contest.results_announced_at is not None:
        raise ActionRefused(_("The results are out: the entries stay as they were ranked."))
    if not access.may_animate(contest.space) and not contest.accepts_entries(now):
        raise ActionRefused(_("Entries are closed: your entry can no longer be withdrawn."))
    with transaction.atomic():
        _remove_stored_files(list(entry.files.all()))
        record_event(
            verbs.CONTEST_ENTRY_WITHDRAWN, actor=actor, community=contest.community, target=entry
        )
        entry.delete()


# --- Community vote -----------------------------------------------------------------------


def _voting_rules(actor: User, entry: Entry, now: datetime) -> permissions.CommunityAccess:
    contest = entry.contest
    access = _access(actor, contest)
    _require_visible(access, contest)
    _require(permissions.contests.may_see_contest_entry(access, entry, now), readable=False)
    if contest.is_jury:
        raise ActionRefused(_("A jury decides this contest: there is no vote."))
    if not contest.is_voting(now):
        raise ActionRefused(_("Voting is not open."))
    if not permissions.contests.may_vote_in_contest(access, contest):
        if access.may_take_part(contest.space):
            raise ActionRefused(
                _("Only members who joined before the contest started may vote in it.")
            )
        raise ActionRefused(_("You may not vote in this contest."))
    if entry.author_id is not None and entry.author_id == actor.pk:
        raise ActionRefused(_("You cannot vote for your own entry."))
    return access


def _lock_ballot(actor: User, contest: Contest) -> Ballot:
    """The voter's ballot row, locked until the transaction ends: every session of one
    voter waits here for the others, so each counts the votes the others cast.
    On PostgreSQL it is a row lock; SQLite takes the whole database at BEGIN IMMEDIATE."""
    ballot, _created = Ballot.objects.get_or_create(contest=contest, voter=actor)
    return Ballot.objects.select_for_update().get(pk=ballot.pk)


def do_vote(actor: User, entry: Entry, *, now: datetime | None = None) -> Vote:
    now = now or timezone.now()
    contest = entry.contest
    _voting_rules(actor, entry, now)
    with transaction.atomic():
        _lock_ballot(actor, contest)
        mine = set(
            Vote.objects.filter(contest=contest, voter=actor).values_list("entry_id", flat=True)
        )
        if entry.pk in mine:
            raise ActionRefused(_("You already voted for this entry."))
        if len(mine) >= contest.votes_per_member:
            raise ActionRefused(
                _("You have used your %(count)d votes: withdraw one to vote for this entry.")
                % {"count": contest.votes_per_member}
            )
        vote = Vote.objects.create(contest=contest, entry=entry, voter=actor)
        record_event(
            verbs.CONTEST_VOTED,
            actor=actor,
            community=contest.community,
            target=entry,
        )
    return vote


def do_withdraw_vote(actor: User, entry: Entry, *, now: datetime | None = None) -> bool:
    """Take a vote back during the voting period; False when there was none."""
    now = now or timezone.now()
    contest = entry.contest
    _voting_rules(actor, entry, now)
    with transaction.atomic():
        _lock_ballot(actor, contest)
        removed, _count = Vote.objects.filter(entry=entry, voter=actor).delete()
        if removed:
            record_event(
                verbs.CONTEST_VOTE_WITHDRAWN, actor=actor, community=contest.community, target=entry
            )
    return bool(removed)


# --- Jury ---------------------------------------------------------------------------------


def do_score(
    actor: User,
    entry: Entry,
    scores: Mapping[int, int],
    *,
    now: datetime | None = None,
) -> list[Score]:
    """A juror's scores for one entry, by criterion id; they may change them until
    voting closes."""
    now = now or timezone.now()
    contest = entry.contest
    access = _access(actor, contest)
    _require_visible(access, contest)
    _require(
        permissions.contests.may_judge(access, contest),
        readable=permissions.contests.may_see_contest_entry(access, entry, now),
    )
    if not contest.is_voting(now):
        raise ActionRefused(_("The jury scores entries during the voting period only."))
    if entry.author_id is not None and entry.author_id == actor.pk:
        raise ActionRefused(_("You cannot score your own entry."))
    criteria = {criterion.pk: criterion for criterion in contest.criteria.all()}
    if set(scores) != set(criteria):
        raise ActionRefused(_("Score the entry against every criterion."))
    for criterion_id, value in scores.items():
        maximum = criteria[criterion_id].max_score
        if not 0 <= value <= maximum:
            raise ActionRefused(
                _("%(name)s is scored from 0 to %(max)d.")
                % {"name": criteria[criterion_id].name, "max": maximum}
            )
    with transaction.atomic():
        first_time = not Score.objects.filter(entry=entry, juror=actor).exists()
        saved = []
        for criterion_id, value in scores.items():
            score, _created = Score.objects.update_or_create(
                entry=entry, criterion_id=criterion_id, juror=actor, defaults={"value": value}
            )
            saved.append(score)
        if first_time:
            record_event(
                verbs.CONTEST_SCORED,
                actor=actor,
                community=contest.community,
                target=entry,
            )
    return saved


# --- Results ------------------------------------------------------------------------------


def results_of(contest: Contest) -> list[tuple[Entry, float]]:
    """Entries from first to last with their result: votes received, or the jury's
    average total (each juror's scores added up, averaged over the jurors who scored
    the entry). Ties go to the earliest entry."""
    entries = list(contest.entries.select_related("author").order_by("submitted_at", "pk"))
    if contest.is_jury:
        totals: dict[int, list[int]] = defaultdict(list)
        rows = (
            Score.objects.filter(entry__contest=contest)
            .values("entry_id", "juror_id")
            .annotate(total=Sum("value"))
            .order_by()
        )
        for row in rows:
            totals[row["entry_id"]].append(row["total"])
        results = {pk: sum(values) / len(values) for pk, values in totals.items()}
    else:
        results = {
            row["entry_id"]: float(row["count"])
            for row in Vote.objects.filter(contest=contest)
            .values("entry_id")
            .annotate(count=Count("pk"))
            .order_by()
        }
    scored = [(entry, results.get(entry.pk, 0.0)) for entry in entries]
    # sorted() is stable: equal results keep the order of submission.
    return sorted(scored, key=lambda pair: -pair[1])


def _announcer(contest: Contest) -> User | None:
    """Who posts the announcement when the job does it: the contest's animator if they
    still may, otherwise a coordinator of the community who may."""
    candidates = []
    if contest.created_by is not None:
        candidates.append(contest.created_by)
    candidates += [
        m.person
        for m in Membership.objects.filter(
            community_id=contest.community_id, status=Status.ACTIVE, role=Role.COORDINATOR
        )
        .select_related("person")
        .order_by("joined_at", "pk")[:10]
    ]
    for person in candidates:
        access = permissions.community_access(person, contest.community)
        if person.is_active and permissions.conversations.may_start_topic(
            access, contest.space, TopicKind.ANNOUNCEMENT
        ):
            return person
    return None


def _announcement(contest: Contest, ranked: list[tuple[Entry, float]], url: str) -> str:
    lines = [_("The results of **%(title)s** are out.") % {"title": contest.title}, ""]
    winners = [(entry, result) for entry, result in ranked if entry.rank and entry.is_winner]
    if not winners:
        lines.append(_("No entry was submitted."))
    for entry, result in winners:
        author = entry.author.display_name if entry.author else _("a former member")
        if contest.is_jury:
            measure = _("%(score)s points") % {"score": f"{result:g}"}
        else:
            measure = ngettext("%(count)d vote", "%(count)d votes", int(result)) % {
                "count": int(result)
            }
        lines.append(
            _("%(rank)d. **%(title)s** by %(author)s (%(measure)s)")
            % {"rank": entry.rank, "title": entry.title, "author": author, "measure": measure}
        )
    lines += ["", _("Every entry and its result: %(url)s") % {"url": url}]
    lines += ["", _("Thank you to everyone who took part!")]
    return "\n".join(lines)


def _post_announcement(
    announcer: User, contest: Contest, ranked: list[tuple[Entry, float]], url: str
) -> None:
    with translation.override(contest.community.language):
        body = _announcement(contest, ranked, url)
        title = _("Results: %(title)s") % {"title": contest.title}
    try:
        with transaction.atomic():
            topic = conversations.do_start_topic(
                announcer, contest.space, kind=TopicKind.ANNOUNCEMENT, title=title[:200], body=body
            )
    except ActionRefused:
        # The ranking and the notifications still go out; the page shows the results.
        logger.warning("contest %s: the results topic could not be posted", contest.pk)
        return
    contest.results_topic = topic
    Contest.objects.filter(pk=contest.pk).update(results_topic=topic)


def do_announce_results(
    actor: User | None, contest: Contest, *, now: datetime | None = None
) -> bool:
    """Rank the entries, post the announcement in the contest's space and tell the
    participants; once only: False when the results were already out. `actor` None is
    the results job."""
    now = now or timezone.now()
    if actor is not None:
        access = _access(actor, contest)
        _require(
            access.may_animate(contest.space),
            readable=permissions.planning.may_see(contest, access),
        )
    if contest.published_at is None or now < contest.voting_close_at:
        raise ActionRefused(_("The results are announced once voting has closed."))
    with transaction.atomic():
        # Claimed with one conditional UPDATE: a second announcer (a click while the
        # job runs) finds the row taken and does nothing.
        claimed = Contest.objects.filter(pk=contest.pk, results_announced_at=None).update(
            results_announced_at=now
        )
        if not claimed:
            return False
        contest.results_announced_at = now
        ranked = results_of(contest)
        for number, (entry, result) in enumerate(ranked, start=1):
            entry.rank, entry.result = number, result
            entry.contest = contest
        Entry.objects.bulk_update([entry for entry, _result in ranked], ["rank", "result"])
        announcer = actor or _announcer(contest)
        results_url = contest.get_absolute_url() + "results/"
        if announcer is not None:
            _post_announcement(announcer, contest, ranked, results_url)
        participants = {entry.author_id for entry, _result in ranked if entry.author_id}
        participants |= set(
            Vote.objects.filter(contest=contest).values_list("voter_id", flat=True).distinct()
        )
        participants |= contest.juror_ids()
        notify_about(
            Kind.CONTEST_RESULTS,
            sorted(participants),
            actor=announcer,
            community=contest.community,
            subject=contest.title,
            url=results_url,
            space=contest.space,
        )
        record_event(
            verbs.CONTEST_RESULTS_ANNOUNCED,
            actor=announcer,
            community=contest.community,
            target=contest,
        )
    return True


def announce_due(now: datetime | None = None) -> int:
    """Announce the results of every published contest whose voting has closed;
    returns how many this run announced."""
    now = now or timezone.now()
    due = (
        Contest.objects.filter(
            results_announced_at=None, voting_close_at__lte=now, published_at__isnull=False
        )
        .select_related("community", "space", "created_by")
        .order_by("voting_close_at", "pk")[:100]
    )
    return sum(do_announce_results(None, contest, now=now) for contest in due)


@task(queue_name="default")
def announce_results_task() -> int:
    """Announce the results of contests whose voting has closed: queued by
    `_wake_for_results` to run when voting closes."""
    return announce_due()
