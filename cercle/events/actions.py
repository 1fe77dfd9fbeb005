"""Every change to events, answers, attendance and rituals (views never save by hand).

Each `do_*` function asks `cercle.permissions`, validates, writes in one transaction,
records its activity event and notifies. Refusals raise `ActionRefused` and write
nothing.

Places are counted under a lock on the event's row (`select_for_update`): answers,
cancellations, capacity changes and reminders of one event happen one at a time, so
many members answering "going" at once never take more places than there are. On
SQLite the whole database has one writer at a time (IMMEDIATE transactions), which
gives the same guarantee.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cercle import permissions
from cercle.accounts.models import User
from cercle.activity import verbs
from cercle.activity.log import record_event
from cercle.activity.models import ActivityEvent
from cercle.animation import planning
from cercle.communities.models import Community, Membership, Space, Status
from cercle.conversations.actions import do_start_topic
from cercle.conversations.models import Kind as TopicKind
from cercle.errors import ActionRefused
from cercle.events import recurrence
from cercle.events.models import CHOSEN, RSVP, Event, FeedKey, Response, Ritual, when_label
from cercle.notifications.actions import notify_about
from cercle.notifications.models import Kind
from cercle.richtext import render_markdown

MAX_DESCRIPTION = 20_000
MAX_DURATION = timedelta(days=31)
MAX_CAPACITY = 100_000
MAX_REMINDER_HOURS = 14 * 24
MAX_ANNOUNCE_DAYS = 90
MIN_HORIZON_DAYS, MAX_HORIZON_DAYS = 7, 366
MAX_ADDED_AT_THE_DOOR = 50
# Who hears about a change or a cancellation: everyone who means to come.
INTERESTED = (Response.GOING, Response.WAITING, Response.MAYBE)


def _access(actor: permissions.Actor, community: Community) -> permissions.CommunityAccess:
    return permissions.community_access(actor, community)


def _require(allowed: bool, *, readable: bool = True) -> None:
    if not allowed:
        raise ActionRefused(_("You may not do this here."), not_found=not readable)


def _subject(event: Event, news: str) -> str:
    """A notification's subject, in the community's language (it is stored as written)."""
    with translation.override(event.community.language):
        return _(news) % {"title": event.title, "when": when_label(event)}


# Marked for translation here, translated in `_subject`.
CANCELLED = gettext_noop("%(title)s (%(when)s) is cancelled")
CHANGED = gettext_noop("%(title)s (%(when)s) has changed")
PROMOTED = gettext_noop("%(title)s (%(when)s): a place is yours")
REMINDER = gettext_noop("%(title)s, %(when)s")


# --- Validation ---------------------------------------------------------------------------


@dataclass
class Details:
    """What an animator says about an event or a ritual, cleaned."""

    title: str
    description: str = ""
    online_url: str = ""
    place: str = ""
    address: str = ""
    time_zone: str = ""
    capacity: int | None = None
    remind_hours_before: int = 24


def _clean_details(details: Details, community: Community) -> Details:
    details.title = " ".join((details.title or "").split())
    if len(details.title) < 3:
        raise ActionRefused(_("Give the event a title of at least 3 characters."))
    if len(details.title) > 200:
        raise ActionRefused(_("The title is too long: 200 characters at most."))
    details.description = (details.description or "").strip()
    if len(details.description) > MAX_DESCRIPTION:
        raise ActionRefused(
            _("The description is too long: %(count)d characters at most.")
            % {"count": MAX_DESCRIPTION}
        )
    details.online_url = (details.online_url or "").strip()
    if details.online_url:
        try:
            URLValidator(schemes=["http", "https"])(details.online_url)
        except ValidationError as error:
            raise ActionRefused(
                _("The online link must be a web address starting with https://.")
            ) from error
        if len(details.online_url) > 500:
            raise ActionRefused(_("The online link is too long: 500 characters at most."))
    details.place = " ".join((details.place or "").split())[:200]
    details.address = " ".join((details.address or "").split())[:300]
    if not (details.online_url or details.place or details.address):
        raise ActionRefused(_("Say where it happens: an online link, a place, or both."))
    details.time_zone = (details.time_zone or community.time_zone).strip()
    if details.time_zone not in available_timezones():
        raise ActionRefused(_("Choose a time zone such as Europe/Paris."))
    if details.capacity is not None and not 1 <= details.capacity <= MAX_CAPACITY:
        raise ActionRefused(
            _("The number of places must be between 1 and %(max)d, or empty for no limit.")
            % {"max": MAX_CAPACITY}
        )
    if not 0 <= details.remind_hours_before <= MAX_REMINDER_HOURS:
        raise ActionRefused(
            _("Send the reminder at most %(hours)d hours before, or 0 for none.")
            % {"hours": MAX_REMINDER_HOURS}
        )
    return details


def _clean_times(
    starts_at: datetime, ends_at: datetime, publish_at: datetime | None
) -> tuple[datetime, datetime, datetime | None]:
    for moment in (starts_at, ends_at, publish_at):
        if moment is not None and timezone.is_naive(moment):
            raise ValueError("event times must be aware")
    if ends_at <= starts_at:
        raise ActionRefused(_("The event must end after it starts."))
    if ends_at - starts_at > MAX_DURATION:
        raise ActionRefused(_("An event lasts 31 days at most."))
    if publish_at is not None and publish_at >= starts_at:
        raise ActionRefused(_("Announce the event before it starts."))
    return starts_at, ends_at, publish_at


# --- Events ---------------------------------------------------------------------------------


def do_create_event(
    actor: User,
    space: Space,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str = "",
    description: str = "",
    online_url: str = "",
    place: str = "",
    address: str = "",
    capacity: int | None = None,
    rsvp_open: bool = True,
    remind_hours_before: int = 24,
    publish_at: datetime | None = None,
    now: datetime | None = None,
) -> Event:
    """A new event in `space`, announced at `publish_at` (at once when empty)."""
    now = now or timezone.now()
    community = space.community
    access = _access(actor, community)
    _require(access.may_animate(space), readable=access.reads(space))
    details = _clean_details(
        Details(
            title, description, online_url, place, address, time_zone, capacity, remind_hours_before
        ),
        community,
    )
    starts_at, ends_at, publish_at = _clean_times(starts_at, ends_at, publish_at)
    if ends_at <= now:
        raise ActionRefused(_("This event would already be over: check its dates."))
    with transaction.atomic():
        event = Event.objects.create(
            community=community,
            space=space,
            title=details.title,
            description=details.description,
            description_html=render_markdown(details.description),
            online_url=details.online_url,
            place=details.place,
            address=details.address,
            starts_at=starts_at,
            ends_at=ends_at,
            time_zone=details.time_zone,
            capacity=details.capacity,
            rsvp_open=rsvp_open,
            remind_hours_before=details.remind_hours_before,
            publish_at=publish_at,
            created_by=actor,
        )
        record_event(verbs.EVENT_CREATED, actor=actor, community=community, target=event)
        planning.schedule(event, now)
    return event


def do_edit_event(
    actor: User,
    event: Event,
    *,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str = "",
    description: str = "",
    online_url: str = "",
    place: str = "",
    address: str = "",
    capacity: int | None = None,
    rsvp_open: bool = True,
    remind_hours_before: int = 24,
    publish_at: datetime | None = None,
    now: datetime | None = None,
) -> Event:
    """Change an event. Those who mean to come hear about a new time or place; a larger
    capacity (or none) gives places to the waiting list, in order. A smaller one takes
    no place back: it only stops new ones."""
    now = now or timezone.now()
    access = _access(actor, event.community)
    _require(access.may_animate(event.space), readable=permissions.planning.may_see(event, access))
    details = _clean_details(
        Details(
            title, description, online_url, place, address, time_zone, capacity, remind_hours_before
        ),
        event.community,
    )
    if event.published_at is not None:
        publish_at = event.publish_at  # Announced already: the moment is history.
    starts_at, ends_at, publish_at = _clean_times(starts_at, ends_at, publish_at)
    with transaction.atomic():
        locked = _locked(event)
        if locked.is_cancelled:
            raise ActionRefused(_("This event is cancelled: it can no longer change."))
        moved = locked.starts_at != starts_at or locked.ends_at != ends_at
        relocated = (locked.online_url, locked.place, locked.address) != (
            details.online_url,
            details.place,
            details.address,
        )
        replanned = locked.published_at is None and locked.publish_at != publish_at
        locked.title = details.title
        locked.description = details.description
        locked.description_html = render_markdown(details.description)
        locked.online_url = details.online_url
        locked.place = details.place
        locked.address = details.address
        locked.starts_at = starts_at
        locked.ends_at = ends_at
        locked.time_zone = details.time_zone
        locked.capacity = details.capacity
        locked.rsvp_open = rsvp_open
        locked.remind_hours_before = details.remind_hours_before
        locked.publish_at = publish_at
        locked.sequence += 1
        locked.save()
        if moved:
            # The reminder told the old time: the new one deserves its own.
            RSVP.objects.filter(event=locked).update(reminded_at=None)
        record_event(verbs.EVENT_EDITED, actor=actor, community=locked.community, target=locked)
        if locked.published_at is not None and (moved or relocated) and locked.ends_at > now:
            _tell(locked, _interested(locked), CHANGED, actor)
        if locked.published_at is not None:
            _promote(locked, now)
        if replanned:
            planning.schedule(locked, now)
    _refresh(event, locked)
    return event


def do_cancel_event(actor: User, event: Event, *, now: datetime | None = None) -> Event:
    """Cancel: the event stays, marked cancelled (calendars show it so); those who meant
    to come (going, waiting or maybe) are told."""
    now = now or timezone.now()
    access = _access(actor, event.community)
    _require(access.may_animate(event.space), readable=permissions.planning.may_see(event, access))
    with transaction.atomic():
        locked = _locked(event)
        if locked.is_cancelled:
            raise ActionRefused(_("This event is already cancelled."))
        locked.cancelled_at = now
        locked.sequence += 1
        if locked.published_at is None:
            # Never announced, now never will be: members do not hear of it, calendars
            # leave the ritual's date out.
            locked.publish_at = None
        locked.save(update_fields=["cancelled_at", "sequence", "publish_at", "updated_at"])
        record_event(verbs.EVENT_CANCELLED, actor=actor, community=locked.community, target=locked)
        if locked.published_at is not None:
            _tell(locked, _interested(locked), CANCELLED, actor)
    _refresh(event, locked)
    return event


def _locked(event: Event) -> Event:
    return (
        Event.objects.select_for_update(of=("self",))
        .select_related("community", "space")
        .get(pk=event.pk)
    )


def _refresh(event: Event, source: Event) -> None:
    for name in [f.attname for f in Event._meta.concrete_fields]:
        setattr(event, name, getattr(source, name))


def _interested(event: Event) -> list[int]:
    return list(
        RSVP.objects.filter(event=event, response__in=INTERESTED).values_list(
            "person_id", flat=True
        )
    )


def _tell(event: Event, people: list[int], news: str, actor: User | None) -> None:
    if people:
        notify_about(
            Kind.EVENT_UPDATE,
            people,
            actor=actor,
            community=event.community,
            subject=_subject(event, news),
            url=event.get_absolute_url(),
            space=event.space,
        )


def open_discussion(event: Event) -> None:
    """On publication (registered in `EventsConfig.ready`): the event's discussion, a
    topic in its space started by the animator who planned it, which links to the event
    (the event links back to it)."""
    if event.topic_id is not None or event.is_cancelled or event.created_by is None:
        return
    community = event.community
    with translation.override(community.language):
        body = _("The discussion of the event [%(title)s](%(url)s), %(when)s.") % {
            "title": event.title,
            "url": event.get_absolute_url(),
            "when": when_label(event),
        }
    if event.description:
        body = f"{body}\n\n{event.description}"
    try:
        with transaction.atomic():
            topic = do_start_topic(
                event.created_by,
                event.space,
                kind=TopicKind.DISCUSSION,
                title=event.title,
                body=body,
            )
    except ActionRefused:
        # Whoever planned it may no longer post there: the event goes out without one.
        return
    event.topic = topic
    Event.objects.filter(pk=event.pk).update(topic=topic)


# --- Answers --------------------------------------------------------------------------------


def do_rsvp(actor: User, event: Event, response: str, *, now: datetime | None = None) -> RSVP:
    """Answer going, maybe or not going, until the event starts. "Going" to a full event
    puts the member on the waiting list; someone going who changes their mind frees a
    place for the first one waiting."""
    now = now or timezone.now()
    if response not in CHOSEN:
        raise ActionRefused(_("Answer going, maybe or not going."))
    access = _access(actor, event.community)
    visible = permissions.planning.may_see(event, access) and event.published_at is not None
    _require(visible and access.may_take_part(event.space), readable=visible)
    with transaction.atomic():
        locked = _locked(event)
        _check_open(locked, now)
        rsvp = RSVP.objects.filter(event=locked, person=actor).first()
        before = rsvp.response if rsvp else None
        if response == Response.GOING:
            if rsvp is not None and before in (Response.GOING, Response.WAITING):
                return rsvp
            going = RSVP.objects.filter(event=locked, response=Response.GOING).count()
            full = locked.capacity is not None and going >= locked.capacity
            chosen = Response.WAITING if full else Response.GOING
        else:
            chosen = Response(response)
            if rsvp is not None and before == chosen:
                return rsvp
        if rsvp is None:
            rsvp = RSVP.objects.create(event=locked, person=actor, response=chosen, changed_at=now)
        else:
            rsvp.response = chosen
            rsvp.changed_at = now
            rsvp.save(update_fields=["response", "changed_at"])
        record_event(
            verbs.EVENT_RSVP[chosen],
            actor=actor,
            community=locked.community,
            target=locked,
        )
        if before == Response.GOING:
            _promote(locked, now)
    return rsvp


def _check_open(event: Event, now: datetime) -> None:
    if event.published_at is None:
        raise ActionRefused("", not_found=True)
    if event.is_cancelled:
        raise ActionRefused(_("This event is cancelled."))
    if event.has_started(now):
        raise ActionRefused(_("This event has started: answers are closed."))
    if not event.rsvp_open:
        raise ActionRefused(_("Answers are closed for this event."))


def _promote(event: Event, now: datetime) -> list[int]:
    """Give free places to the waiting list, first come first served (the event's row
    is locked by the caller)."""
    if event.is_cancelled or event.has_started(now):
        return []
    waiting = RSVP.objects.filter(event=event, response=Response.WAITING).order_by(
        "changed_at", "pk"
    )
    if event.capacity is not None:
        going = RSVP.objects.filter(event=event, response=Response.GOING).count()
        free = event.capacity - going
        if free <= 0:
            return []
        waiting = waiting[:free]
    promoted = list(waiting.values_list("pk", "person_id"))
    if not promoted:
        return []
    RSVP.objects.filter(pk__in=[pk for pk, _person in promoted]).update(
        response=Response.GOING, changed_at=now
    )
    people = [person for _pk, person in promoted]
    for person in User.objects.filter(pk__in=people):
        # Their answer was recorded when they joined the waiting list: no level here.
        record_event(
            verbs.EVENT_RSVP_PROMOTED, actor=person, community=event.community, target=event
        )
    _tell(event, people, PROMOTED, None)
    return people


# --- Attendance -----------------------------------------------------------------------------


@dataclass
class Attendance:
    marked: int = 0
    unmarked: int = 0


def do_mark_attendance(
    actor: User,
    event: Event,
    *,
    present: Collection[int],
    also: Iterable[str] = (),
    now: datetime | None = None,
) -> Attendance:
    """After the start, animators say who came: `present` are the people (ids) of the
    checklist ticked, `also` the @handles of members who came without answering. Each
    newly present person records their own participation (`event.attended`, level 2):
    the attendee is the actor, since the participation is theirs."""
    now = now or timezone.now()
    access = _access(actor, event.community)
    _require(access.may_animate(event.space), readable=permissions.planning.may_see(event, access))
    if event.published_at is None or event.is_cancelled:
        raise ActionRefused(_("Attendance is marked for events that took place."))
    if not event.has_started(now):
        raise ActionRefused(_("Mark attendance once the event has started."))
    handles = {h.strip().lstrip("@").lower() for h in also if h.strip().lstrip("@")}
    if len(handles) > MAX_ADDED_AT_THE_DOOR:
        raise ActionRefused(
            _("Add at most %(count)d people at once.") % {"count": MAX_ADDED_AT_THE_DOOR}
        )
    walk_ins = _walk_ins(event, handles)
    result = Attendance()
    with transaction.atomic():
        locked = _locked(event)
        rsvps = {r.person_id: r for r in RSVP.objects.filter(event=locked)}
        wanted = {pid for pid in present if pid in rsvps} | {p.pk for p in walk_ins}
        for person in walk_ins:
            if person.pk not in rsvps:
                rsvps[person.pk] = RSVP.objects.create(
                    event=locked, person=person, response=Response.NONE, changed_at=now
                )
        newly = [pid for pid in wanted if not rsvps[pid].attended]
        gone = [pid for pid, r in rsvps.items() if r.attended and pid not in wanted]
        RSVP.objects.filter(event=locked, person_id__in=newly).update(
            attended=True, attendance_marked_by=actor
        )
        RSVP.objects.filter(event=locked, person_id__in=gone).update(
            attended=False, attendance_marked_by=actor
        )
        already = set(
            ActivityEvent.objects.filter(
                verb=verbs.EVENT_ATTENDED.name,
                object_type=Event._meta.label_lower,
                object_id=locked.pk,
                actor_id__in=newly,
            ).values_list("actor_id", flat=True)
        )
        people = {u.pk: u for u in User.objects.filter(pk__in=newly)}
        for pid in newly:
            if pid not in already:
                record_event(
                    verbs.EVENT_ATTENDED,
                    actor=people[pid],
                    community=locked.community,
                    target=locked,
                )
        result.marked, result.unmarked = len(newly), len(gone)
    return result


def _walk_ins(event: Event, handles: set[str]) -> list[User]:
    if not handles:
        return []
    people = list(
        User.objects.filter(
            handle__in=handles,
            is_active=True,
            memberships__community=event.community,
            memberships__status=Status.ACTIVE,
        )
    )
    memberships = {
        m.person_id: m
        for m in Membership.objects.filter(community=event.community, person__in=people)
    }
    readers = [
        p
        for p in people
        if permissions.community_access(p, event.community, memberships.get(p.pk)).reads(
            event.space
        )
    ]
    unknown = sorted(handles - {p.handle for p in readers})
    if unknown:
        raise ActionRefused(
            _("No member who may see this event has these handles: %(handles)s")
            % {"handles": ", ".join(f"@{h}" for h in unknown)}
        )
    return readers


# --- Reminders ------------------------------------------------------------------------------


def send_reminders(now: datetime | None = None) -> int:
    """Remind the people going (and those who said maybe) of the events whose reminder
    time has come and that have not started; each person once per event, whatever how
    often this runs. Returns how many people were told (in the app, and by email as
    each chose)."""
    now = now or timezone.now()
    pending = RSVP.objects.filter(
        event=OuterRef("pk"),
        response__in=(Response.GOING, Response.MAYBE),
        reminded_at=None,
    )
    due = (
        Event.objects.live()
        .filter(
            starts_at__gt=now,
            starts_at__lte=now + timedelta(hours=MAX_REMINDER_HOURS),
            remind_hours_before__gt=0,
        )
        .filter(Exists(pending))
        .order_by("starts_at", "pk")
    )
    reminded = 0
    for event in due.only("pk", "starts_at", "remind_hours_before"):
        if event.starts_at - timedelta(hours=event.remind_hours_before) > now:
            continue
        reminded += _remind(event, now)
    return reminded


def _remind(event: Event, now: datetime) -> int:
    with transaction.atomic():
        locked = _locked(event)
        if locked.is_cancelled or locked.published_at is None or locked.has_started(now):
            return 0
        rsvps = list(
            RSVP.objects.filter(
                event=locked,
                response__in=(Response.GOING, Response.MAYBE),
                reminded_at=None,
            ).values_list("pk", "person_id")
        )
        if not rsvps:
            return 0
        RSVP.objects.filter(pk__in=[pk for pk, _p in rsvps]).update(reminded_at=now)
        told = notify_about(
            Kind.EVENT_REMINDER,
            [person for _pk, person in rsvps],
            actor=None,
            community=locked.community,
            subject=_subject(locked, REMINDER),
            url=locked.get_absolute_url(),
            space=locked.space,
        )
    # Those who may no longer see the event are marked too, and not told.
    return len(told)


# --- Calendar feeds -------------------------------------------------------------------------


def do_renew_feed_key(person: User) -> FeedKey:
    """A new key for the person's calendar feed addresses: the old ones stop working."""
    if not person.is_authenticated or not person.is_active:
        raise ActionRefused("", not_found=True)
    with transaction.atomic():
        key, _created = FeedKey.objects.update_or_create(
            person=person, defaults={"key": FeedKey.new_key()}
        )
        record_event(verbs.EVENT_FEED_KEY_RENEWED, actor=person, community=None)
    return key


# --- Rituals --------------------------------------------------------------------------------


@dataclass
class RitualPlan:
    """How a ritual repeats and how far ahead it is planned."""

    rule: str
    first_day: date
    start_time: time
    duration: timedelta
    announce_days: int = 14
    horizon_days: int = 92


def _clean_plan(plan: RitualPlan, zone_name: str) -> RitualPlan:
    plan.rule = recurrence.clean_rule(plan.rule)
    if not timedelta(minutes=5) <= plan.duration <= timedelta(days=1):
        raise ActionRefused(_("A ritual's occurrence lasts from 5 minutes to one day."))
    if not 0 <= plan.announce_days <= MAX_ANNOUNCE_DAYS:
        raise ActionRefused(
            _("Announce each occurrence at most %(days)d days before.")
            % {"days": MAX_ANNOUNCE_DAYS}
        )
    if not MIN_HORIZON_DAYS <= plan.horizon_days <= MAX_HORIZON_DAYS:
        raise ActionRefused(
            _("Plan between %(min)d and %(max)d days ahead.")
            % {"min": MIN_HORIZON_DAYS, "max": MAX_HORIZON_DAYS}
        )
    first = datetime.combine(plan.first_day, plan.start_time, tzinfo=ZoneInfo(zone_name))
    rule = recurrence.parse(plan.rule, first)
    # DTSTART is always an occurrence in iCalendar, never in dateutil unless the rule
    # gives it: start on the first day the rule gives, and both agree.
    actual = rule.after(first, inc=True)
    if actual is None:
        raise ActionRefused(_("This rule gives no date at all."))
    plan.first_day = actual.date()
    return plan


def do_create_ritual(
    actor: User,
    space: Space,
    *,
    title: str,
    plan: RitualPlan,
    time_zone: str = "",
    description: str = "",
    online_url: str = "",
    place: str = "",
    address: str = "",
    capacity: int | None = None,
    remind_hours_before: int = 24,
    now: datetime | None = None,
) -> Ritual:
    """A ritual, and its occurrences of the coming `plan.horizon_days`."""
    now = now or timezone.now()
    community = space.community
    access = _access(actor, community)
    _require(access.may_animate(space), readable=access.reads(space))
    details = _clean_details(
        Details(
            title, description, online_url, place, address, time_zone, capacity, remind_hours_before
        ),
        community,
    )
    plan = _clean_plan(plan, details.time_zone)
    with transaction.atomic():
        ritual = Ritual.objects.create(
            community=community,
            space=space,
            title=details.title,
            description=details.description,
            description_html=render_markdown(details.description),
            online_url=details.online_url,
            place=details.place,
            address=details.address,
            rule=plan.rule,
            first_day=plan.first_day,
            start_time=plan.start_time,
            duration=plan.duration,
            time_zone=details.time_zone,
            capacity=details.capacity,
            remind_hours_before=details.remind_hours_before,
            announce_days=plan.announce_days,
            horizon_days=plan.horizon_days,
            created_by=actor,
        )
        record_event(verbs.RITUAL_CREATED, actor=actor, community=community, target=ritual)
        plan_ritual(ritual, now)
    return ritual


def do_edit_ritual(
    actor: User,
    ritual: Ritual,
    *,
    title: str,
    plan: RitualPlan,
    time_zone: str = "",
    description: str = "",
    online_url: str = "",
    place: str = "",
    address: str = "",
    capacity: int | None = None,
    remind_hours_before: int = 24,
    now: datetime | None = None,
) -> Ritual:
    """Change a ritual. Occurrences not announced yet follow (planned anew when the
    rule, day, time, duration or zone change); announced ones keep their answers and
    are edited one by one."""
    now = now or timezone.now()
    access = _access(actor, ritual.community)
    _require(access.may_animate(ritual.space), readable=access.reads(ritual.space))
    if not ritual.is_active:
        raise ActionRefused(_("This ritual has stopped."))
    details = _clean_details(
        Details(
            title, description, online_url, place, address, time_zone, capacity, remind_hours_before
        ),
        ritual.community,
    )
    plan = _clean_plan(plan, details.time_zone)
    with transaction.atomic():
        locked = Ritual.objects.select_for_update().get(pk=ritual.pk)
        timing = (
            locked.rule,
            locked.first_day,
            locked.start_time,
            locked.duration,
            locked.time_zone,
        ) != (plan.rule, plan.first_day, plan.start_time, plan.duration, details.time_zone)
        announce = locked.announce_days != plan.announce_days
        for name, value in {
            "title": details.title,
            "description": details.description,
            "description_html": render_markdown(details.description),
            "online_url": details.online_url,
            "place": details.place,
            "address": details.address,
            "rule": plan.rule,
            "first_day": plan.first_day,
            "start_time": plan.start_time,
            "duration": plan.duration,
            "time_zone": details.time_zone,
            "capacity": details.capacity,
            "remind_hours_before": details.remind_hours_before,
            "announce_days": plan.announce_days,
            "horizon_days": plan.horizon_days,
        }.items():
            setattr(locked, name, value)
        locked.sequence += 1
        locked.save()
        waiting = Event.objects.filter(ritual=locked, published_at=None)
        if timing:
            waiting.delete()
            _rekey_announced(locked)
        else:
            waiting.update(
                title=locked.title,
                description=locked.description,
                description_html=locked.description_html,
                online_url=locked.online_url,
                place=locked.place,
                address=locked.address,
                capacity=locked.capacity,
                remind_hours_before=locked.remind_hours_before,
            )
            if announce:
                for occurrence in waiting.filter(cancelled_at=None):
                    moment = _announcement(occurrence.local_start, locked.announce_days)
                    occurrence.publish_at = moment if moment > now else None
                    occurrence.save(update_fields=["publish_at", "updated_at"])
                    planning.schedule(occurrence, now)
        record_event(verbs.RITUAL_EDITED, actor=actor, community=locked.community, target=locked)
        plan_ritual(locked, now)
    _copy(ritual, locked)
    return ritual


def do_stop_ritual(actor: User, ritual: Ritual, *, now: datetime | None = None) -> Ritual:
    """Stop a ritual: no more occurrences; those not announced yet are removed, those
    announced stay (cancel them one by one if they will not happen)."""
    now = now or timezone.now()
    access = _access(actor, ritual.community)
    _require(access.may_animate(ritual.space), readable=access.reads(ritual.space))
    with transaction.atomic():
        locked = Ritual.objects.select_for_update().get(pk=ritual.pk)
        if not locked.is_active:
            raise ActionRefused(_("This ritual has stopped already."))
        last = (
            Event.objects.filter(ritual=locked)
            .exclude(published_at=None)
            .order_by("-occurrence")
            .values_list("occurrence", flat=True)
            .first()
        )
        locked.ended_at = max(now, last) if last else now
        locked.sequence += 1
        locked.save(update_fields=["ended_at", "sequence", "updated_at"])
        Event.objects.filter(ritual=locked, published_at=None).delete()
        record_event(verbs.RITUAL_STOPPED, actor=actor, community=locked.community, target=locked)
    _copy(ritual, locked)
    return ritual


def _rekey_announced(ritual: Ritual) -> None:
    """After a change of rule or time, an announced occurrence stands for the new rule's
    occurrence of the same day (calendars show it in its place, and no second one is
    planned that day); one on a day the rule no longer gives stands alone."""
    announced = Event.objects.filter(ritual=ritual).exclude(published_at=None)
    for event in announced.exclude(occurrence=None):
        if event.occurrence is None:
            continue
        day = event.occurrence.astimezone(event.zone).date()
        replaced = recurrence.on_day(ritual, day)
        if replaced is not None and replaced != event.occurrence:
            Event.objects.filter(pk=event.pk).update(occurrence=replaced)


def _copy(ritual: Ritual, source: Ritual) -> None:
    for name in [f.attname for f in Ritual._meta.concrete_fields]:
        setattr(ritual, name, getattr(source, name))


def _announcement(local_start: datetime, days: int) -> datetime:
    """`days` before, at the same wall-clock time."""
    return recurrence.normalized(local_start - timedelta(days=days))


def plan_ritual(ritual: Ritual, now: datetime | None = None) -> int:
    """Create the ritual's missing occurrences from now to its horizon; returns how many.

    Idempotent: an occurrence is known by its ritual and the start the rule gave it
    (a unique constraint), so running this twice, or from two processes at once,
    never makes one twice."""
    now = now or timezone.now()
    if not ritual.is_active:
        return 0
    starts = recurrence.occurrences(ritual, now, now + timedelta(days=ritual.horizon_days))
    if not starts:
        return 0
    zone = ritual.zone
    # One occurrence per local day: an announced one moved within its day still counts.
    known = {
        moment.astimezone(zone).date()
        for moment in Event.objects.filter(
            ritual=ritual, occurrence__gte=starts[0] - timedelta(days=1)
        ).values_list("occurrence", flat=True)
        if moment is not None
    }
    created = 0
    for start in starts:
        if start.date() in known:
            continue
        announce = _announcement(start, ritual.announce_days)
        try:
            with transaction.atomic():
                event = Event.objects.create(
                    community_id=ritual.community_id,
                    space_id=ritual.space_id,
                    title=ritual.title,
                    description=ritual.description,
                    description_html=ritual.description_html,
                    online_url=ritual.online_url,
                    place=ritual.place,
                    address=ritual.address,
                    starts_at=start,
                    ends_at=recurrence.normalized(start + ritual.duration),
                    time_zone=ritual.time_zone,
                    capacity=ritual.capacity,
                    remind_hours_before=ritual.remind_hours_before,
                    publish_at=announce if announce > now else None,
                    created_by_id=ritual.created_by_id,
                    ritual=ritual,
                    occurrence=start,
                )
                planning.schedule(event, now)
        except IntegrityError:
            # Another run made this one at the same moment.
            continue
        created += 1
    return created


def plan_rituals(now: datetime | None = None) -> int:
    """Every active ritual, planned to its horizon (`cercle plan_rituals`)."""
    now = now or timezone.now()
    created = 0
    for ritual in Ritual.objects.filter(ended_at=None).select_related("community", "space"):
        created += plan_ritual(ritual, now)
    return created
