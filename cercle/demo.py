"""A small bilingual demo: people who read Cercle in French or in English.

Later capabilities add their own demo content here (communities, conversations,
knowledge), always in both languages, always built through the actions layer.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from cercle.accounts.models import User


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    language: str
    role: str
    is_staff: bool = False


DEMO_PEOPLE = [
    DemoPerson("camille@demo.cercle.test", "Camille Martin", "fr", "administratrice", True),
    DemoPerson("alice@demo.cercle.test", "Alice Walker", "en", "coordinator"),
    DemoPerson("bob@demo.cercle.test", "Bob Nguyen", "en", "member"),
    DemoPerson("lea@demo.cercle.test", "Léa Dubois", "fr", "membre"),
]


def demo_is_needed() -> bool:
    """The demo is loaded only into an empty database, never over real data."""
    return not User.objects.exists()


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    """Create the demo people with verified addresses, so that they can log in."""
    for person in DEMO_PEOPLE:
        user = User.objects.create_user(
            email=person.email,
            password=settings.DEMO_PASSWORD,
            display_name=person.display_name,
            language=person.language,
            is_staff=person.is_staff,
            is_superuser=person.is_staff,
        )
        EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
    return DEMO_PEOPLE
