"""Every change to an account goes through these functions (views never save)."""

from __future__ import annotations

import logging

from django.db import transaction

from cercle.accounts.models import User

logger = logging.getLogger(__name__)


def do_update_preferences(user: User, *, display_name: str, language: str) -> User:
    user.display_name = display_name.strip()
    user.language = language
    user.save(update_fields=["display_name", "language"])
    return user


def do_set_language(user: User, language: str) -> None:
    """Remember a language chosen with the switcher, for pages and emails."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def do_delete_account(user: User) -> None:
    """Delete the account and everything that is only the person's own.

    Later apps attach their own clean-up (contributions kept under a tombstone
    author, memberships ended) to this same transaction.
    """
    user_id = user.pk
    with transaction.atomic():
        user.delete()
    logger.info("account %s deleted by its owner", user_id)
