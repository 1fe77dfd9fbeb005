"""Ending a person's signed-in sessions, whatever the session engine.

The low step only: it writes no security log (that sits above this app). Callers go
through `cercle.sso.sessions_actions.end_all_sessions`, which checks nothing either
but records who ended them; allauth's `UserSession` rows list the sessions (one per
sign-in), and each row knows its Django session."""

from __future__ import annotations

from importlib import import_module

from allauth.usersessions.models import UserSession
from django.conf import settings

from cercle.accounts.models import User


def delete_sessions(person: User, *, keep_session_key: str | None = None) -> int:
    """Delete every signed-in session of `person` (but `keep_session_key`'s), with its
    Django session: the next request of each browser is signed out. Returns how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    rows = UserSession.objects.filter(user_id=person.pk)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    ended = 0
    for row in list(rows):
        store().delete(row.session_key)
        row.delete()
        ended += 1
    return ended
