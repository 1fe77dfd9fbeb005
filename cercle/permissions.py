"""The one place that answers "may this person do this here?".

Pages, the API, search, feeds, notifications and emails all ask these functions;
none of them decides on its own. Each answer is a pure function of the actor and
the object, so that tests can check it as a matrix (tests/test_permissions.py).
Communities, spaces and roles add their questions here as they arrive.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from cercle.accounts.models import User

Actor = User | AnonymousUser


def may_manage_account(actor: Actor, account: User) -> bool:
    """Only the owner changes an account's name, language, email, password or
    deletes it; administrators act through the admin site, not as the person."""
    return bool(actor.is_authenticated and actor.is_active and actor.pk == account.pk)


def may_use_admin_site(actor: Actor) -> bool:
    """The instance's operators (staff), for settings that no community owns."""
    return bool(actor.is_authenticated and actor.is_active and actor.is_staff)
