"""A small bilingual demo that covers the community typology.

Everything is built through the actions layer, as real use would build it:
- "Numérique responsable" (French): internal, on request, members only; Léa's
  request waits for Camille's answer;
- "Urban Cycling Practitioners" (English): external, open, public;
- "Cercle des animateurs" (French): external, on invitation, members only, with
  a private working-group space.
The internal email domain is metropole.example: Camille, Karim and Léa are internal.
Each community has a few conversations: a solved question with reactions, an open
question, an announcement, a discussion in the private working group.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction

from cercle.accounts.models import User
from cercle.activities import demo as activities
from cercle.animation import demo as calendar
from cercle.badges import demo as badges
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    InternalEmailDomain,
    Invitation,
    Membership,
    Role,
    Visibility,
)
from cercle.contests import demo as contests
from cercle.conversations import actions as talk
from cercle.conversations.models import Tag
from cercle.events import demo as events
from cercle.ideas import demo as ideas
from cercle.membership import actions
from cercle.onboarding import demo as onboarding
from cercle.people import actions as people
from cercle.personas import demo as personas
from cercle.value import demo as value

INTERNAL_DOMAIN = "metropole.example"


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    language: str
    role: str
    is_staff: bool = False


DEMO_PEOPLE = [
    DemoPerson("camille@metropole.example", "Camille Martin", "fr", "administratrice", True),
    DemoPerson("alice@bikes.example", "Alice Walker", "en", "coordinator"),
    DemoPerson("bob@bikes.example", "Bob Nguyen", "en", "moderator"),
    DemoPerson("lea@metropole.example", "Léa Dubois", "fr", "membre"),
    DemoPerson("karim@metropole.example", "Karim Benali", "fr", "membre"),
]

NUMERIQUE_CHARTER = """\
## Notre charte

1. **Bienveillance** : on partage ses essais, réussis ou non, sans jugement.
2. **Concret** : chaque sujet part d'une situation réelle dans un service.
3. **Ouverture** : ce qui marche chez l'un est documenté pour tous.

Les échanges restent internes à la métropole.
"""

CYCLING_CHARTER = """\
## How we work together

- Share **what you tried**, with numbers when you have them.
- Credit sources and link to studies.
- Disagree with ideas, never with people.

| Ritual | When |
|---|---|
| Open ride | first Saturday of the month |
| Route clinic | every other Tuesday |
"""

ANIMATEURS_CHARTER = """\
## Charte du cercle

- Ce qui se dit dans le cercle reste dans le cercle.
- Chacun vient avec une question et repart avec une idée.
"""


def demo_is_needed() -> bool:
    """The demo is loaded only into an empty database, never over real data."""
    return not User.objects.exists()


def _person(person: DemoPerson) -> User:
    user = User.objects.create_user(
        email=person.email,
        password=settings.DEMO_PASSWORD,
        display_name=person.display_name,
        language=person.language,
        is_staff=person.is_staff,
        is_superuser=person.is_staff,
    )
    EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
    return user


def _membership(person: User, community: Community) -> Membership:
    return Membership.objects.get(person=person, community=community)


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    """Create the demo people (verified, so they can log in) and communities."""
    InternalEmailDomain.objects.create(domain=INTERNAL_DOMAIN)
    camille, alice, bob, lea, karim = (_person(p) for p in DEMO_PEOPLE)

    numerique = actions.do_create_community(
        camille,
        name="Numérique responsable",
        slug="numerique-responsable",
        domain="Sobriété numérique dans les services de la métropole",
        purpose="Ensemble, réduisons l'empreinte de nos outils numériques, un service à la fois.",
        charter=NUMERIQUE_CHARTER,
        benefits=(
            "Des retours d'expérience de vos collègues\n"
            "Des fiches pratiques prêtes à l'emploi\n"
            "Un réseau pour porter vos projets"
        ),
        language="fr",
        audience=Audience.INTERNAL,
        entry=Entry.REQUEST,
        visibility=Visibility.MEMBERS,
    )
    actions.do_join(karim, numerique, message="Je pilote le parc d'imprimantes.")
    actions.do_decide_request(
        camille, _membership(karim, numerique), approve=True, message="Bienvenue Karim !"
    )
    actions.do_join(lea, numerique, message="Je travaille sur l'archivage des courriels.")

    cycling = actions.do_create_community(
        camille,
        name="Urban Cycling Practitioners",
        slug="urban-cycling",
        domain="Cargo bikes, safe routes and cycling infrastructure",
        purpose="Share what works on the road, so that every city becomes safer to ride.",
        charter=CYCLING_CHARTER,
        benefits=(
            "Field-tested answers from practitioners in many cities\n"
            "A library of route designs and studies\n"
            "Monthly open rides and route clinics"
        ),
        language="en",
        audience=Audience.EXTERNAL,
        entry=Entry.OPEN,
        visibility=Visibility.PUBLIC,
    )
    for person in (alice, bob, lea):
        actions.do_join(person, cycling)
    actions.do_change_role(camille, _membership(alice, cycling), Role.COORDINATOR)
    actions.do_change_role(alice, _membership(bob, cycling), Role.MODERATOR)
    actions.do_leave(camille, cycling)
    actions.do_create_space(
        alice, cycling, name="Cargo bikes", description="Models, loads, maintenance."
    )

    animateurs = actions.do_create_community(
        camille,
        name="Cercle des animateurs",
        slug="cercle-des-animateurs",
        domain="L'animation de communautés de pratique",
        purpose="Animer, c'est faire vivre : échangeons nos rituels et nos ratés.",
        charter=ANIMATEURS_CHARTER,
        benefits="Un regard de pairs sur vos animations\nDes rituels éprouvés à reprendre",
        language="fr",
        audience=Audience.EXTERNAL,
        entry=Entry.INVITATION,
        visibility=Visibility.MEMBERS,
    )
    actions.do_invite(
        camille,
        animateurs,
        ["alice@bikes.example", "bob@bikes.example", "nouvelle@exemple.example"],
        message="Rejoignez-nous pour partager vos rituels !",
    )
    for person in (alice, bob):
        token = Invitation.objects.get(community=animateurs, email=person.email).token
        actions.do_accept_invitation(person, token)
    charter_group = actions.do_create_space(
        camille,
        animateurs,
        name="Groupe de travail : charte",
        description="Nous réécrivons la charte du cercle.",
        is_private=True,
    )
    actions.do_list_in_space(camille, charter_group, alice)

    _conversations(camille, alice, bob, lea, karim, numerique, cycling, animateurs)
    _profiles(camille, alice, bob, lea, cycling)
    _animation(animateurs, camille, [alice, bob])
    value.populate(animateurs, camille, [alice, bob], sponsor=karim)
    return DEMO_PEOPLE


def _animation(community: Community, animator: User, members: list[User]) -> None:
    """The animators' circle lives: a persona, planned posts, a poll, a quiz and a
    challenge, contests, events and a monthly ritual, ideas, onboarding, and badges
    last (their job reads what the others wrote)."""
    for module in (personas, calendar, activities, contests, events, ideas, onboarding, badges):
        module.populate(community, animator, members)


def _profiles(camille: User, alice: User, bob: User, lea: User, cycling: Community) -> None:
    """Profiles in both languages, declared expertise and a few follows."""
    people.do_update_profile(
        camille,
        camille,
        headline="Animatrice des communautés de la métropole",
        bio="J'accompagne les communautés de pratique depuis 2015.",
        organization="Métropole",
        languages=["fr", "en"],
        ask_me_about="Rituels d'animation, chartes, engagement",
    )
    people.do_update_profile(
        bob,
        bob,
        headline="Bike mechanic and cargo-bike tinkerer",
        bio="I fix, load and test cargo bikes for families.",
        location="Lyon",
        languages=["en", "fr"],
        ask_me_about="Mid-drive motors, brakes, loads",
        is_public=True,
    )
    people.do_update_profile(
        alice,
        alice,
        headline="Urban planner, cycling infrastructure",
        languages=["en"],
        interests="Safe routes to school, counting cyclists",
    )
    tags = {tag.slug: tag for tag in Tag.objects.filter(community=cycling)}
    people.do_declare_expertise(bob, tags["cargo-bikes"], 3)
    people.do_declare_expertise(alice, tags["infrastructure"], 3)
    people.do_declare_expertise(lea, tags["cargo-bikes"], 1)
    people.do_follow(lea, cycling.spaces.get(is_default=True))
    people.do_follow(alice, bob)


def _conversations(
    camille: User,
    alice: User,
    bob: User,
    lea: User,
    karim: User,
    numerique: Community,
    cycling: Community,
    animateurs: Community,
) -> None:
    """A few conversations in both languages: solved and open questions, an
    announcement, a discussion in a private working group."""
    for name in ("Cargo bikes", "Safety", "Infrastructure"):
        talk.do_create_tag(alice, cycling, name=name)
    general = cycling.spaces.get(is_default=True)
    question = talk.do_start_topic(
        lea,
        general,
        kind="question",
        title="Which cargo bike for two children and steep streets?",
        body=(
            "Our neighbourhood has 8% slopes. We hesitate between a **longtail** and a "
            "**front-loader**. What works for you, and is electric assistance a must?"
        ),
        tags=["cargo-bikes"],
    )
    answer = talk.do_reply(
        bob,
        question,
        body=(
            "On slopes, a longtail with a mid-drive motor climbs best: the weight sits "
            "over the rear wheel.\n\n| Model | Range | Slope |\n|---|---|---|\n"
            "| Longtail | 60 km | good |\n| Front-loader | 50 km | fair |"
        ),
    )
    talk.do_reply(alice, question, body="+1 for mid-drive. @lea-dubois, try one before buying!")
    talk.do_toggle_reaction(lea, answer, "helpful")
    talk.do_toggle_reaction(alice, answer, "thanks")
    talk.do_accept_answer(lea, question, answer)
    talk.do_start_topic(
        alice,
        general,
        kind="announcement",
        title="Open ride on Saturday: meet at the station at 10",
        body="Bring water and a spare tube. Children on cargo bikes welcome!",
        tags=["safety"],
    )
    talk.do_start_topic(
        bob,
        general,
        kind="question",
        title="How do you count cyclists on a new lane?",
        body="We need numbers before and after the works. Counters, volunteers, cameras?",
        tags=["infrastructure"],
    )

    numerique_general = numerique.spaces.get(is_default=True)
    topic = talk.do_start_topic(
        karim,
        numerique_general,
        kind="question",
        title="Comment réduire le poids des pièces jointes dans nos courriels ?",
        body="Nos boîtes débordent de PDF de 10 Mo. Des idées qui ont marché chez vous ?",
    )
    talk.do_reply(
        camille,
        topic,
        body="Nous partageons des **liens** vers l'espace documentaire plutôt que les fichiers.",
    )
    circle_space = animateurs.spaces.get(is_private=True)
    talk.do_start_topic(
        camille,
        circle_space,
        kind="discussion",
        title="Première version de la charte",
        body="Voici une proposition. @alice-walker, qu'en pensez-vous ?",
    )
