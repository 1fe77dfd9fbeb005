"""Demo contests, built through the actions: a community vote open for entries (with
entries from members) and a jury contest scheduled for later on the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.contests import actions
from cercle.contests.actions import ContestPlan, CriterionSpec
from cercle.contests.models import Mode

VOTE_BRIEF = """\
Montrez-nous l'astuce qui vous simplifie la vie au quotidien : un rangement malin,
un outil détourné, une habitude qui fait gagner du temps.

Une photo et quelques lignes suffisent : **comment** faites-vous, et **pourquoi**
cela marche.
"""

VOTE_RULES = """\
- Une participation par membre, modifiable jusqu'à la clôture des dépôts.
- Des images (PNG, JPEG) ou un PDF, 5 fichiers au plus.
- Chaque membre inscrit avant le début du concours dispose de **3 voix**, une par
  participation au plus, jamais pour la sienne.
- Les noms des auteurs restent masqués jusqu'aux résultats.
"""

JURY_BRIEF = """\
Racontez en une page un projet mené avec la communauté : le problème de départ, ce
que vous avez essayé, ce que vous en retenez.
"""

JURY_RULES = """\
- Une participation par membre.
- Le jury note chaque récit selon les critères publiés ; les membres du jury ne
  notent pas leur propre récit.
- Les trois meilleures moyennes sont annoncées dans l'espace du concours.
"""

ENTRIES = [
    (
        "Le porte-outils aimanté",
        "Une barre aimantée vissée sous l'étagère : plus jamais de tournevis perdu.",
    ),
    (
        "La check-list du vendredi",
        "Cinq minutes chaque vendredi pour ranger, noter et préparer lundi. "
        "Le lundi commence **enfin** au calme.",
    ),
    (
        "Le bocal à idées",
        "Chaque idée notée sur un papier, le bocal vidé à chaque réunion d'équipe.",
    ),
]


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    """A running community vote with a few entries, and a jury contest to come."""
    space = community.spaces.get(is_default=True)
    now = timezone.now().replace(second=0, microsecond=0)
    running = actions.do_create_contest(
        animator,
        space,
        title="Concours : votre meilleure astuce du quotidien",
        brief=VOTE_BRIEF,
        rules=VOTE_RULES,
        plan=ContestPlan(
            submissions_open_at=now,
            submissions_close_at=now + timedelta(days=10),
            voting_open_at=now + timedelta(days=10),
            voting_close_at=now + timedelta(days=17),
            mode=Mode.VOTE,
            votes_per_member=3,
            winner_count=3,
        ),
        now=now,
    )
    for member, (title, text) in zip(members, ENTRIES, strict=False):
        actions.do_submit_entry(member, running, title=title, text=text, now=now)
    later = now + timedelta(days=21)
    actions.do_create_contest(
        animator,
        space,
        title="Prix du plus beau récit de projet",
        brief=JURY_BRIEF,
        rules=JURY_RULES,
        plan=ContestPlan(
            publish_at=later,
            submissions_open_at=later,
            submissions_close_at=later + timedelta(days=14),
            voting_open_at=later + timedelta(days=14),
            voting_close_at=later + timedelta(days=21),
            mode=Mode.JURY,
            winner_count=3,
            juror_handles=[animator.handle],
            criteria=[
                CriterionSpec("Clarté", "Le récit se lit facilement et va à l'essentiel.", 10),
                CriterionSpec("Utilité", "D'autres membres peuvent s'en inspirer.", 10),
                CriterionSpec("Originalité", "Une approche ou un regard nouveau.", 5),
            ],
        ),
        now=now,
    )
