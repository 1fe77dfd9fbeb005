"""Demo events, in French: a monthly "Atelier ouvert" ritual and a one-off meetup with
a few answers, built through the actions as real use would build them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta

from django.utils import timezone

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.errors import ActionRefused
from cercle.events import actions
from cercle.events.actions import RitualPlan

RITUAL_DESCRIPTION = """Chaque premier mardi du mois, l'atelier est ouvert à toutes et à tous :
on répare, on bricole, on partage ses astuces.

- Venez avec votre vélo (ou votre projet) ;
- les outils sont sur place ;
- thé et café offerts.
"""

MEETUP_DESCRIPTION = """Une soirée pour parler **logistique urbaine** : trois membres
racontent comment ils livrent en vélo cargo, puis place aux questions.

Programme :

1. Accueil à 18 h 30 ;
2. trois retours d'expérience de 10 minutes ;
3. discussion libre et verre de l'amitié.
"""


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    space = community.spaces.get(is_default=True)
    now = timezone.now()
    zone = community.zone
    actions.do_create_ritual(
        animator,
        space,
        title="Atelier ouvert",
        description=RITUAL_DESCRIPTION,
        place="L'Atelier",
        address="12 rue des Vélos, 69007 Lyon",
        capacity=15,
        plan=RitualPlan(
            rule="FREQ=MONTHLY;BYDAY=1TU",
            first_day=now.astimezone(zone).date(),
            start_time=time(18, 0),
            duration=timedelta(hours=2, minutes=30),
            announce_days=21,
        ),
    )
    day = (now + timedelta(days=10)).astimezone(zone).date()
    starts = datetime.combine(day, time(18, 30), tzinfo=zone)
    meetup = actions.do_create_event(
        animator,
        space,
        title="Rencontre : le vélo cargo en ville",
        description=MEETUP_DESCRIPTION,
        place="La Maison du Vélo",
        address="5 place Bellecour, 69002 Lyon",
        online_url="https://visio.example.org/velo-cargo",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        capacity=max(len(members) - 1, 2),
    )
    answers = ["going", "going", "maybe", "not_going", "going"]
    for person, answer in zip(members, answers, strict=False):
        try:
            actions.do_rsvp(person, meetup, answer)
        except ActionRefused:
            continue
