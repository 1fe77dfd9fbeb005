"""Demo value-creation stories, built through the actions: members tell what the
community changed for them, in several cycles, naming the conversations it came
from; the coordinator names a sponsor."""

from __future__ import annotations

from collections.abc import Sequence

from cercle import permissions
from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations.models import Topic
from cercle.value import actions
from cercle.value.contributions import Target, readable
from cercle.value.models import Cycle

# (cycle, title, what happened, whether it names the community's first conversation)
STORIES = [
    (
        Cycle.IMMEDIATE,
        "Un coup de main la veille de mon premier atelier",
        "J'ai posé ma question un mardi soir ; trois réponses le lendemain matin, "
        "dont une **trame d'atelier complète**. L'atelier a eu lieu, et je me suis "
        "sentie moins seule pour le préparer.",
        True,
    ),
    (
        Cycle.POTENTIAL,
        "Une boîte à rituels que tout le monde peut reprendre",
        "À force de raconter nos rituels, nous en avons rassemblé une douzaine, "
        "chacun avec son déroulé et ses pièges. Je ne m'en sers pas encore, mais je "
        "sais où les trouver.",
        False,
    ),
    (
        Cycle.APPLIED,
        "La météo d'ouverture, adoptée dans mon service",
        "J'ai repris la « météo » d'ouverture proposée ici pour nos réunions d'équipe. "
        "Les plus discrets prennent la parole dès la première minute.",
        True,
    ),
    (
        Cycle.REALIZED,
        "Deux fois plus de réponses en un trimestre",
        "Depuis que nous relançons les questions sans réponse chaque lundi, la part "
        "de questions résolues est passée de 40 % à 80 % dans notre réseau.",
        False,
    ),
    (
        Cycle.REFRAMING,
        "Nous ne comptons plus les inscrits, mais les entraides",
        "Notre direction mesurait la communauté au nombre d'inscrits. Après la revue "
        "de nos récits de valeur, elle suit désormais les **questions résolues** et "
        "les pratiques reprises dans les services.",
        False,
    ),
]


def populate(
    community: Community,
    coordinator: User,
    members: Sequence[User],
    *,
    sponsor: User | None = None,
) -> None:
    """Five stories, one per cycle, told by the members and the coordinator in turn,
    the first and third naming the community's first conversation the teller reads;
    `sponsor` (by default the last member) is named sponsor."""
    tellers = [*members, coordinator]
    for number, (cycle, title, text, names_topic) in enumerate(STORIES):
        teller = tellers[number % len(tellers)]
        named: list[Target] = []
        if names_topic:
            access = permissions.community_access(teller, community)
            topic = next(
                (
                    topic
                    for topic in Topic.objects.filter(community=community)
                    .select_related("space")
                    .order_by("pk")[:20]
                    if readable(access, topic)
                ),
                None,
            )
            named = [topic] if topic is not None else []
        actions.do_record_story(
            teller, community, cycle=cycle, title=title, text=text, contributions=named
        )
    chosen = sponsor or (members[-1] if members else None)
    if chosen is not None:
        actions.do_name_sponsor(coordinator, community, email=chosen.email)
