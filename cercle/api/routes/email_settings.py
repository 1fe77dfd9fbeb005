"""/me/email: how often the caller wants each kind of email, mailing-list mode, and
whether mail to their address stopped after it bounced: what their email settings
page (/notifications/settings/) shows and changes, through the same actions."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cercle.accounts.models import User
from cercle.api.caller import Scope
from cercle.api.problems import ERRORS, ApiError
from cercle.api.routes.community_kit import need
from cercle.notifications import actions, queries
from cercle.notifications.models import MAILING_LIST, Frequency

router = Router(tags=["me"])


class StoppedOut(Schema):
    address: str
    kind: str = Field(description="hard: the address does not exist; soft: it kept failing.")
    diagnostic: str = Field(description="What the receiving mail server said.")
    since: datetime


class EmailSettingsOut(Schema):
    preferences: dict[str, str] = Field(
        description="Each kind of email, the digest and mailing_list, with its value."
    )
    choices: dict[str, list[str]] = Field(description="The values each key takes.")
    stopped: StoppedOut | None = Field(
        description="Why mail to your address stopped after it bounced; null while it goes."
    )


class EmailSettingsIn(Schema):
    preferences: dict[str, str] = Field(
        description="The keys to change, each with its new value; the others stay."
    )


class ResumedOut(Schema):
    resumed: int = Field(description="How many stopped addresses take mail again.")


def _settings(person: User) -> EmailSettingsOut:
    preferences = queries.email_preferences(person)
    preferences[MAILING_LIST] = (
        Frequency.IMMEDIATELY if queries.in_mailing_list_mode(person) else Frequency.NEVER
    )
    bounce = queries.stopped_mail(person)
    return EmailSettingsOut(
        preferences=preferences,
        choices={
            key: sorted(str(value) for value in values)
            for key, values in actions.PREFERENCE_CHOICES.items()
        },
        stopped=None
        if bounce is None
        else StoppedOut(
            address=bounce.address,
            kind=bounce.kind,
            diagnostic=bounce.diagnostic,
            since=bounce.first_at,
        ),
    )


@router.get("", response={200: EmailSettingsOut, **ERRORS}, summary="Your email settings")
def email_settings(request: HttpRequest) -> EmailSettingsOut:
    """How often you receive each kind of email, the digest, mailing-list mode
    (`mailing_list`: `immediately` is on), and whether mail to you stopped."""
    return _settings(need(request, Scope.READ))


@router.patch("", response={200: EmailSettingsOut, **ERRORS}, summary="Change your email settings")
def change_email_settings(request: HttpRequest, body: EmailSettingsIn) -> EmailSettingsOut:
    """Only the keys given change. An unknown key or value is a 422 that names it, and
    nothing is written."""
    person = need(request, Scope.WRITE)
    errors = [
        {
            "location": f"body.preferences.{key}",
            "message": _("“%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(sorted(actions.PREFERENCE_CHOICES[key]))}
            if key in actions.PREFERENCE_CHOICES
            else _("No email setting is called “%(key)s”.") % {"key": key},
        }
        for key, value in body.preferences.items()
        if value not in actions.PREFERENCE_CHOICES.get(key, ())
    ]
    if errors:
        raise ApiError(422, _("Some fields are not valid."), errors=errors)
    actions.do_set_email_preferences(person, body.preferences)
    return _settings(person)


@router.post(
    "/resume", response={200: ResumedOut, **ERRORS}, summary="Say your mailbox works again"
)
def resume_mail(request: HttpRequest) -> ResumedOut:
    """Mail to your addresses that stopped after they bounced starts again."""
    return ResumedOut(resumed=actions.do_resume_mail(need(request, Scope.WRITE)))
