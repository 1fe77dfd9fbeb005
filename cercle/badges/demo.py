"""Demo badges, built through the actions: a French custom badge given with a reason,
the built-in badges the members earned from the demo's activity, and a member of the
month chosen by the animator."""

from __future__ import annotations

from collections.abc import Sequence

from cercle.accounts.models import User
from cercle.badges import actions, awarding
from cercle.communities.models import Community


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    """Run it after the other demos: the job reads the activity they wrote."""
    badge = actions.do_create_badge(
        animator,
        community,
        name="Mécano de génie",
        description="A dépanné un autre membre, sur la route ou à l'atelier.",
        emoji="🔧",
    )
    if members:
        actions.do_award_badge(
            animator,
            badge,
            members[0],
            reason="A réparé un dérailleur en cinq minutes avant la sortie de dimanche.",
        )
    awarding.run(communities=[community.pk])
    if members:
        actions.do_pin_member(
            animator,
            community,
            rank=1,
            person=members[0],
            citation="Toujours là pour accueillir les nouveaux et prêter ses outils.",
        )
