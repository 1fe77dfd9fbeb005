"""Demo onboarding, built through the actions: a French welcome message (from the
community's persona if it has one), a pinned introductions topic where two members
introduce themselves, and a personal welcome from the animator."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from cercle.accounts.models import User
from cercle.communities.models import Community
from cercle.conversations import actions as talk
from cercle.conversations.models import Kind
from cercle.errors import ActionRefused
from cercle.onboarding import actions
from cercle.personas.models import Persona

WELCOME = """\
Bienvenue parmi nous ! 🎉

Ici, on apprend les uns des autres : **personne n'est trop débutant** pour poser une
question, et chacun a quelque chose à partager.

Pour bien commencer :

1. complétez votre profil (quelques mots sur vous, une photo ou vos sujets de prédilection) ;
2. présentez-vous dans le fil « Présentez-vous ! » ;
3. suivez les étiquettes qui vous intéressent ;
4. réagissez à un message : un merci fait toujours plaisir.

À très vite !
"""

INTRODUCTIONS = (
    "Présentez-vous !",
    "Qui êtes-vous, qu'est-ce qui vous amène ici, et qu'aimeriez-vous apprendre ou "
    "partager ? Dites bonjour aux autres nouveaux en dessous.",
)

HELLOS = [
    "Bonjour à tous ! Je roule en biporteur depuis deux ans pour emmener mes enfants à "
    "l'école. J'aimerais apprendre à entretenir moi-même mes freins.",
    "Salut ! Mécanicien amateur, je peux aider pour les réglages de dérailleur. Je "
    "cherche des idées de parcours pour les sorties du dimanche.",
]


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    """The welcome settings, the introductions topic, two introductions, one welcome."""
    space = community.spaces.filter(is_default=True).first()
    if space is None:
        return
    space.community = community
    title, body = INTRODUCTIONS
    topic = talk.do_start_topic(animator, space, kind=Kind.DISCUSSION, title=title, body=body)
    talk.do_set_pinned(animator, topic, True)
    persona = Persona.objects.filter(community=community, is_active=True).order_by("pk").first()
    actions.do_update_settings(
        animator, community, welcome_message=WELCOME, introductions_topic=topic, persona=persona
    )
    for member, hello in zip(members, HELLOS, strict=False):
        talk.do_reply(member, topic, body=hello)
    # A member who joined too long ago is no newcomer: then there is no one to welcome.
    with contextlib.suppress(ActionRefused):
        for member in members[:1]:
            actions.do_welcome(animator, community, member)
