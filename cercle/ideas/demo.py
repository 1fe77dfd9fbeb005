"""Demo ideas, built through the actions: members propose, vote, and the animator
decides on some of them, with reasons."""

from __future__ import annotations

from collections.abc import Sequence

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.ideas import actions
from cercle.ideas.models import IdeaStatus

IDEAS = [
    (
        "Une rampe pour entrer les vélos cargo dans le local",
        "Les biporteurs passent mal la marche de l'entrée. Une rampe amovible "
        "suffirait : **deux planches et des cornières**.",
    ),
    (
        "Un atelier « première réparation » pour les nouveaux",
        "Une heure par mois pour apprendre à changer une chambre à air et régler ses "
        "freins, animée par des membres volontaires.",
    ),
    (
        "Une bourse aux pièces d'occasion",
        "Une étagère où chacun dépose les pièces qui lui restent et prend ce dont il a besoin.",
    ),
]


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    """Three ideas from the members, votes from the others, and two decisions."""
    space = community.spaces.filter(is_default=True).first() or community.spaces.first()
    if space is None or not members:
        return
    ideas = []
    for number, (title, description) in enumerate(IDEAS):
        author = members[number % len(members)]
        ideas.append(actions.do_propose_idea(author, space, title=title, description=description))
    for idea in ideas[:2]:
        for voter in [*members, animator]:
            if voter.pk != idea.author_id:
                actions.do_vote(voter, idea)
    actions.do_decide(
        animator,
        ideas[0],
        status=IdeaStatus.DISCUSSION,
        reason="Bonne idée : on mesure la marche et on en parle à la réunion de jeudi.",
    )
    actions.do_decide(
        animator,
        ideas[0],
        status=IdeaStatus.ADOPTED,
        reason="Budget de 120 € voté jeudi ; la rampe sera posée avant la fin du mois.",
    )
    actions.do_decide(
        animator,
        ideas[2],
        status=IdeaStatus.DECLINED,
        reason="Le local manque de place pour une étagère ; on en reparlera au déménagement.",
    )
