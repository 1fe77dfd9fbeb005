"""Forms of the event pages; they only read input, the actions decide.

Times are typed as local wall-clock times (`<input type="datetime-local">`): an
event's start and end in the event's time zone, its announcement in the community's.
The forms turn them into aware datetimes in those zones.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cercle.communities.models import Community, Space
from cercle.events import recurrence
from cercle.events.models import Event, Response, Ritual

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time without zone: the form decides which zone it is in."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)
    input_formats = [LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        text = str(value).strip()
        for pattern in self.input_formats:
            try:
                return datetime.strptime(text, pattern)  # noqa: DTZ007 - a wall time; the form adds the zone
            except ValueError:
                continue
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return value.strftime(LOCAL_FORMAT)
        return value


def aware(wall: datetime | None, zone: ZoneInfo) -> datetime | None:
    """A wall-clock time in `zone`; one that does not exist (the spring gap) is moved
    forward as clocks do."""
    if wall is None:
        return None
    return recurrence.normalized(wall.replace(tzinfo=zone))


def parse_local(text: str | None) -> datetime | None:
    """`?publish_at=2026-03-03T18:00` and the like, or None."""
    if not text:
        return None
    try:
        return datetime.strptime(text, LOCAL_FORMAT)  # noqa: DTZ007 - a wall time
    except ValueError:
        return None


class _WhereFields(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    space = forms.ModelChoiceField(
        label=_("Space"),
        queryset=Space.objects.none(),
        help_text=_("Who may see it and answer: the readers of this space."),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Markdown: the programme, what to bring, who it is for."),
    )
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where to join from afar (video call), if anywhere."),
    )
    place = forms.CharField(
        label=pgettext_lazy("where an event takes place", "Place"),
        required=False,
        max_length=200,
        help_text=_("Where to meet in person, for example “The Workshop, 2nd floor”."),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=())
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_(
            "How many people may come; leave empty for no limit. Beyond it, members "
            "join a waiting list."
        ),
    )
    remind_hours_before = forms.IntegerField(
        label=_("Reminder (hours before)"),
        min_value=0,
        max_value=336,
        initial=24,
        help_text=_("Members going get an email this many hours before; 0 for none."),
    )

    def __init__(self, *args: Any, community: Community, spaces: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["space"].queryset = spaces  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["time_zone"].initial = community.time_zone
        self.fields["time_zone"].help_text = _(
            "The times above are in this zone; the community's is %(zone)s."
        ) % {"zone": community.time_zone}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nowhere = not (data.get("online_url") or data.get("place") or data.get("address"))
        if nowhere and not self.errors.get("online_url"):
            raise forms.ValidationError(
                _("Say where it happens: an online link, a place, or both.")
            )
        return data


class EventForm(_WhereFields):
    starts_at = LocalDateTimeField(label=_("Starts at"))
    ends_at = LocalDateTimeField(label=_("Ends at"))
    rsvp_open = forms.BooleanField(label=_("Members may answer"), required=False, initial=True)
    publish_at = LocalDateTimeField(label=_("Announce at"), required=False)

    field_order = [
        "title",
        "space",
        "starts_at",
        "ends_at",
        "time_zone",
        "online_url",
        "place",
        "address",
        "description",
        "capacity",
        "rsvp_open",
        "remind_hours_before",
        "publish_at",
    ]

    def __init__(self, *args: Any, published: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].help_text = _("In the event's time zone (below).")
        if published:
            del self.fields["publish_at"]
        else:
            self.fields["publish_at"].help_text = _(
                "When members see it, in the community's time zone (%(zone)s); "
                "leave empty to announce it at once."
            ) % {"zone": self.community.time_zone}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "time_zone" in data:
            zone = ZoneInfo(data["time_zone"])
            data["starts_at"] = aware(data.get("starts_at"), zone)
            data["ends_at"] = aware(data.get("ends_at"), zone)
        data["publish_at"] = aware(data.get("publish_at"), self.community.zone)
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The event must end after it starts."))
        return data

    @staticmethod
    def initial_for(event: Event) -> dict[str, Any]:
        """The event's values as the form shows them: wall-clock times in its zones."""
        community_zone = event.community.zone
        return {
            "title": event.title,
            "space": event.space_id,
            "description": event.description,
            "online_url": event.online_url,
            "place": event.place,
            "address": event.address,
            "time_zone": event.time_zone,
            "capacity": event.capacity,
            "remind_hours_before": event.remind_hours_before,
            "rsvp_open": event.rsvp_open,
            "starts_at": event.local_start.replace(tzinfo=None),
            "ends_at": event.local_end.replace(tzinfo=None),
            "publish_at": event.publish_at.astimezone(community_zone).replace(tzinfo=None)
            if event.publish_at
            else None,
        }


class RsvpForm(forms.Form):
    response = forms.ChoiceField(
        choices=[(r.value, r.label) for r in (Response.GOING, Response.MAYBE, Response.NOT_GOING)]
    )


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Present"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    also = forms.CharField(
        label=_("Also present"),
        required=False,
        help_text=_("Members who came without answering: their @handles, separated by spaces."),
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = choices  # type: ignore[attr-defined]

    def handles(self) -> list[str]:
        text = self.cleaned_data.get("also") or ""
        return [h for h in text.replace(",", " ").split() if h]


REPEATS = [
    ("weekly", _("Every week, on the same weekday")),
    ("fortnightly", _("Every two weeks, on the same weekday")),
    ("monthly_nth", _("Every month, on the same weekday (for example the first Tuesday)")),
    ("monthly_last", _("Every month, on the last such weekday")),
    ("monthly_day", _("Every month, on the same day of the month")),
    ("custom", _("A rule of my own (iCalendar RRULE)")),
]


def rule_for_choice(choice: str, first_day: date, custom: str) -> str:
    day = recurrence.WEEKDAY_CODES[first_day.weekday()]
    nth = (first_day.day - 1) // 7 + 1
    return {
        "weekly": f"FREQ=WEEKLY;BYDAY={day}",
        "fortnightly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}",
        "monthly_nth": f"FREQ=MONTHLY;BYDAY={nth}{day}",
        "monthly_last": f"FREQ=MONTHLY;BYDAY=-1{day}",
        "monthly_day": f"FREQ=MONTHLY;BYMONTHDAY={first_day.day}",
    }.get(choice, custom)


class RitualForm(_WhereFields):
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the ritual's time zone: it stays the same when clocks change."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=5, max_value=1440, initial=120
    )
    repeats = forms.ChoiceField(label=_("Repeats"), choices=REPEATS, initial="monthly_nth")
    custom_rule = forms.CharField(
        label=_("Your rule"),
        required=False,
        max_length=300,
        help_text=_(
            "Only for “a rule of my own”: for example FREQ=MONTHLY;BYDAY=1TU (first "
            "Tuesday of the month) or FREQ=WEEKLY;INTERVAL=3;BYDAY=TH."
        ),
    )
    announce_days = forms.IntegerField(
        label=_("Announce each occurrence (days before)"),
        min_value=0,
        max_value=90,
        initial=14,
        help_text=_("Then members see it, answer, and its discussion opens."),
    )
    horizon_days = forms.IntegerField(
        label=_("Plan ahead (days)"),
        min_value=7,
        max_value=366,
        initial=92,
        help_text=_("Occurrences are prepared this far ahead, for the calendar."),
    )

    field_order = [
        "title",
        "space",
        "first_day",
        "start_time",
        "duration_minutes",
        "time_zone",
        "repeats",
        "custom_rule",
        "online_url",
        "place",
        "address",
        "description",
        "capacity",
        "remind_hours_before",
        "announce_days",
        "horizon_days",
    ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first_day = data.get("first_day")
        if data.get("repeats") == "custom" and not data.get("custom_rule"):
            self.add_error("custom_rule", _("Write the rule, or choose how it repeats above."))
        elif first_day:
            data["rule"] = rule_for_choice(
                data.get("repeats", ""), first_day, data.get("custom_rule", "")
            )
        minutes = data.get("duration_minutes")
        if minutes:
            data["duration"] = timedelta(minutes=minutes)
        return data

    @staticmethod
    def initial_for(ritual: Ritual) -> dict[str, Any]:
        return {
            "title": ritual.title,
            "space": ritual.space_id,
            "description": ritual.description,
            "online_url": ritual.online_url,
            "place": ritual.place,
            "address": ritual.address,
            "time_zone": ritual.time_zone,
            "capacity": ritual.capacity,
            "remind_hours_before": ritual.remind_hours_before,
            "first_day": ritual.first_day,
            "start_time": ritual.start_time,
            "duration_minutes": int(ritual.duration.total_seconds() // 60),
            "repeats": "custom",
            "custom_rule": ritual.rule,
            "announce_days": ritual.announce_days,
            "horizon_days": ritual.horizon_days,
        }


def default_start(community: Community, now: datetime) -> tuple[datetime, datetime]:
    """A new event's suggested times: next week, 18:00 to 20:00, wall-clock."""
    day = (now.astimezone(community.zone) + timedelta(days=7)).date()
    start = datetime.combine(day, time(18, 0))
    return start, start + timedelta(hours=2)
