"""A demo persona, built through the actions: Vélia, the workshop's voice, who opens
a conversation that members answer (and answers them back)."""

from __future__ import annotations

from collections.abc import Sequence

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations import actions as conversations
from cercle.conversations.models import Kind
from cercle.personas import actions

STORY = """\
Vélia tient l'atelier depuis toujours. Elle connaît chaque clé, chaque rayon et
chaque membre qui a un jour poussé la porte avec un pneu crevé.

Elle accueille les nouveaux, lance les rendez-vous du samedi et rappelle à tout le
monde que **personne ne répare seul**. Derrière Vélia, ce sont les animateurs de la
communauté qui écrivent, à tour de rôle.
"""


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    """Vélia, whom the animator (and the first member, if any) may speak as; a topic she
    opens, a member's reply and her answer."""
    speakers = [f"@{members[0].handle}"] if members else []
    velia = actions.do_create_persona(
        animator,
        community,
        name="Vélia, la voix de l'atelier",
        story=STORY,
        speakers=speakers,
    )
    space = community.spaces.filter(is_default=True).first() or community.spaces.first()
    if space is None:
        return
    topic = conversations.do_start_topic(
        animator,
        space,
        kind=Kind.DISCUSSION,
        title="Samedi, atelier ouvert : on règle vos freins",
        body=(
            "Bonjour à toutes et à tous !\n\n"
            "Ce samedi de 10 h à 13 h, l'atelier est ouvert : venez avec votre vélo, "
            "on regarde ensemble les **freins** et les **patins**. Le café est offert.\n\n"
            "Dites-moi ici ce que vous voulez apprendre en priorité."
        ),
        persona=velia,
    )
    if members:
        asked = conversations.do_reply(
            members[-1],
            topic,
            body="Je viens ! J'aimerais savoir régler des freins à disque hydrauliques.",
        )
        conversations.do_reply(
            animator,
            topic,
            body="Parfait, on commencera par là. Apportez le vélo, je sors les outils.",
            reply_to=asked,
            persona=velia,
        )
