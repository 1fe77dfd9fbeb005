"""Demo content for the editorial calendar: a few posts planned over the coming weeks,
with a quiet stretch left on purpose so that the calendar shows a gap in the rhythm."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from cercle.accounts.models import User
from cercle.animation import actions
from cercle.communities.models import Community

# (days from today, hour in the community's clock, kind of topic, title, message)
PLANNED = [
    (
        1,
        9,
        "announcement",
        "Le programme du mois est en ligne",
        "Bonjour à toutes et à tous !\n\nCe mois-ci : un atelier réparation, un quiz "
        "et une sortie collective. Tous les détails sont dans le **calendrier**.",
    ),
    (
        4,
        18,
        "question",
        "Quelle est votre astuce d'entretien préférée ?",
        "Partagez l'astuce qui vous a fait gagner le plus de temps : chaîne, freins, "
        "pneus… Les meilleures rejoindront la bibliothèque.",
    ),
    (
        9,
        12,
        "discussion",
        "Retour sur l'atelier réparation",
        "Merci aux participants ! Qu'avez-vous appris, et que voudriez-vous voir au "
        "prochain atelier ?",
    ),
    (
        26,
        9,
        "discussion",
        "Bilan du mois et idées pour la suite",
        "Faisons le point ensemble : ce qui a marché, ce qui manque, ce que vous "
        "aimeriez organiser.",
    ),
]


def populate(community: Community, animator: User, members: list[User]) -> None:
    """Plan posts in the community's default space, written by `animator` (a coordinator)."""
    del members  # the calendar is the animators' own: members see the posts once out
    space = community.spaces.filter(is_default=True).first() or community.spaces.first()
    if space is None:
        return
    today = timezone.localtime(timezone.now(), community.zone).date()
    for days, hour, kind, title, body in PLANNED:
        moment = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=community.zone)
        actions.do_plan_post(
            animator, space, topic_kind=kind, title=title, body=body, publish_at=moment
        )
