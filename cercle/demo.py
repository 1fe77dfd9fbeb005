"""A small bilingual demo that covers the community typology.

Everything is built through the actions layer, as real use would build it:
- "Numérique responsable" (French): internal, on request, members only; Léa's
  request waits for Camille's answer;
- "Urban Cycling Practitioners" (English): external, open, public;
- "Cercle des animateurs" (French): external, on invitation, members only, with
  a private working-group space.
The internal email domain is metropole.example: Camille, Karim and Léa are internal.
Each community has conversations in its language (solved and open questions with
replies that never repeat one another, announcements, a discussion in the private
working group), a library, wiki articles (some captured from solved questions, as the
wiki's "capture" does), members who declare their expertise, and events with an
agenda. Every demo person has a generated portrait as their photo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone, translation

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
from cercle.conversations.models import Tag, Topic
from cercle.events import actions as event_actions
from cercle.events import demo as events
from cercle.ideas import demo as ideas
from cercle.knowledge import actions as library
from cercle.membership import actions
from cercle.onboarding import demo as onboarding
from cercle.people import actions as people
from cercle.people.portraits import portrait
from cercle.personas import demo as personas
from cercle.value import demo as value
from cercle.wiki import actions as wiki
from cercle.wiki.queries import capture_draft

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


def _person(person: DemoPerson, password: str) -> User:
    """A demo person; `password` is the demo password already hashed (a slow hash, done
    once for all of them: they share the published password anyway)."""
    user = User.objects.create_user(
        email=person.email,
        display_name=person.display_name,
        language=person.language,
        is_staff=person.is_staff,
        is_superuser=person.is_staff,
    )
    user.password = password
    user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
    return user


def _membership(person: User, community: Community) -> Membership:
    return Membership.objects.get(person=person, community=community)


@transaction.atomic
def load_demo() -> list[DemoPerson]:
    """Create the demo people (verified, so they can log in) and communities."""
    InternalEmailDomain.objects.create(domain=INTERNAL_DOMAIN)
    password = make_password(settings.DEMO_PASSWORD)
    camille, alice, bob, lea, karim = (_person(p, password) for p in DEMO_PEOPLE)

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

    solved = _conversations(camille, alice, bob, lea, karim, numerique, cycling, animateurs)
    _profiles(camille, alice, bob, lea, karim, cycling, numerique)
    _library(camille, alice, bob, karim, cycling, numerique)
    _wiki(camille, alice, bob, solved)
    _cycling_events(alice, cycling, [bob, lea])
    _animation(animateurs, camille, [alice, bob])
    value.populate(animateurs, camille, [alice, bob], sponsor=karim)
    return DEMO_PEOPLE


def _animation(community: Community, animator: User, members: list[User]) -> None:
    """The animators' circle lives: a persona, planned posts, a poll, a quiz and a
    challenge, contests, events and a monthly ritual, ideas, onboarding, and badges
    last (their job reads what the others wrote)."""
    for module in (personas, calendar, activities, contests, events, ideas, onboarding, badges):
        module.populate(community, animator, members)


def _photo(person: User) -> SimpleUploadedFile:
    """The person's generated portrait, given as a member uploads a photo."""
    return SimpleUploadedFile("portrait.png", portrait(person.handle), content_type="image/png")


def _profiles(
    camille: User,
    alice: User,
    bob: User,
    lea: User,
    karim: User,
    cycling: Community,
    numerique: Community,
) -> None:
    """Profiles in both languages with a portrait, declared expertise and a few follows."""
    people.do_update_profile(
        camille,
        camille,
        headline="Animatrice des communautés de la métropole",
        bio="J'accompagne les communautés de pratique depuis 2015.",
        organization="Métropole",
        languages=["fr", "en"],
        ask_me_about="Rituels d'animation, chartes, engagement",
        avatar=_photo(camille),
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
        avatar=_photo(bob),
    )
    people.do_update_profile(
        alice,
        alice,
        headline="Urban planner, cycling infrastructure",
        languages=["en"],
        interests="Safe routes to school, counting cyclists",
        avatar=_photo(alice),
    )
    people.do_update_profile(
        lea,
        lea,
        headline="Archiviste, vélotaferie quotidienne",
        bio="Je range les courriels de la métropole et je vais au travail en vélo cargo.",
        languages=["fr", "en"],
        interests="Archivage, sobriété, vélo en famille",
        avatar=_photo(lea),
    )
    people.do_update_profile(
        karim,
        karim,
        headline="Responsable du parc d'impression",
        organization="Métropole",
        languages=["fr", "ar"],
        ask_me_about="Impression, réemploi du matériel",
        avatar=_photo(karim),
    )
    tags = {tag.slug: tag for tag in Tag.objects.filter(community=cycling)}
    people.do_declare_expertise(bob, tags["cargo-bikes"], 3)
    people.do_declare_expertise(bob, tags["safety"], 2)
    people.do_declare_expertise(alice, tags["infrastructure"], 3)
    people.do_declare_expertise(alice, tags["safety"], 2)
    people.do_declare_expertise(lea, tags["cargo-bikes"], 1)
    tags = {tag.slug: tag for tag in Tag.objects.filter(community=numerique)}
    people.do_declare_expertise(camille, tags["courriels"], 2)
    people.do_declare_expertise(karim, tags["impression"], 3)
    people.do_declare_expertise(karim, tags["materiel"], 2)
    people.do_follow(lea, cycling.spaces.get(is_default=True))
    people.do_follow(alice, bob)


@dataclass(frozen=True)
class Solved:
    """The demo's solved questions, which its wiki captures."""

    cycling: Topic
    numerique: Topic


def _thread(topic: Topic, *replies: tuple[User, str]) -> None:
    for author, body in replies:
        talk.do_reply(author, topic, body=body)


def _conversations(
    camille: User,
    alice: User,
    bob: User,
    lea: User,
    karim: User,
    numerique: Community,
    cycling: Community,
    animateurs: Community,
) -> Solved:
    """Conversations in both languages: solved and open questions, discussions, an
    announcement, a discussion in a private working group. No reply repeats another."""
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
    talk.do_reply(
        lea,
        question,
        body="Thank you both! We tried a longtail last weekend: the kids loved the bench.",
    )
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
    counting = talk.do_start_topic(
        bob,
        general,
        kind="question",
        title="How do you count cyclists on a new lane?",
        body="We need numbers before and after the works. Counters, volunteers, cameras?",
        tags=["infrastructure"],
    )
    _thread(
        counting,
        (
            alice,
            "We combine an automatic counter for the totals with two volunteers on a "
            "Tuesday morning, who note children, cargo bikes and riders without helmets.",
        ),
        (lea, "Our city publishes its counter data as open data: worth asking yours first."),
    )
    winter = talk.do_start_topic(
        bob,
        general,
        kind="discussion",
        title="Winter riding: what keeps you going when it's dark at 5 pm?",
        body="Lights, clothes, habits, motivation tricks: share what works for you.",
        tags=["safety"],
    )
    _thread(
        winter,
        (alice, "Two rear lights, one steady and one blinking. Drivers see me from far away."),
        (lea, "Merino layers and a rule: never decide to skip a ride before I'm outside."),
        (bob, "Good ones! I add studded tyres from December, the bridges freeze first."),
    )
    talk.do_start_topic(
        alice,
        general,
        kind="question",
        title="Painted lanes or protected lanes: is there data on the difference?",
        body=(
            "Our council asks whether paint alone is enough on a 50 km/h street. I am "
            "looking for before/after studies, ideally with injury figures."
        ),
        tags=["infrastructure", "safety"],
    )
    cargo_space = cycling.spaces.get(slug="cargo-bikes")
    locks = talk.do_start_topic(
        lea,
        cargo_space,
        kind="question",
        title="How do you lock a cargo bike outside a school?",
        body="The rack is too small for the box. A chain around a lamp post, or is there better?",
        tags=["cargo-bikes"],
    )
    _thread(
        locks,
        (
            bob,
            "A 12 mm chain through the frame **and** a frame lock on the rear wheel. Thieves "
            "skip a bike that takes two tools.",
        ),
    )

    talk.do_create_tag(camille, numerique, name="Courriels")
    talk.do_create_tag(camille, numerique, name="Impression")
    talk.do_create_tag(camille, numerique, name="Matériel")
    numerique_general = numerique.spaces.get(is_default=True)
    topic = talk.do_start_topic(
        karim,
        numerique_general,
        kind="question",
        title="Comment réduire le poids des pièces jointes dans nos courriels ?",
        body="Nos boîtes débordent de PDF de 10 Mo. Des idées qui ont marché chez vous ?",
        tags=["courriels"],
    )
    shared = talk.do_reply(
        camille,
        topic,
        body="Nous partageons des **liens** vers l'espace documentaire plutôt que les fichiers.",
    )
    talk.do_reply(
        karim,
        topic,
        body="Merci ! Et pour les envois à l'extérieur, vous passez par quel outil ?",
    )
    talk.do_reply(
        camille,
        topic,
        body=(
            "Le dépôt sécurisé de la métropole : le lien expire au bout de 30 jours, "
            "ce qui évite aussi les copies qui traînent."
        ),
    )
    talk.do_toggle_reaction(karim, shared, "helpful")
    talk.do_accept_answer(karim, topic, shared)
    printers = talk.do_start_topic(
        karim,
        numerique_general,
        kind="discussion",
        title="Retour d'expérience : l'impression recto verso par défaut",
        body=(
            "Depuis trois mois, toutes nos imprimantes impriment en recto verso et en noir "
            "par défaut. Résultat : **-38 %** de papier, et presque aucune plainte."
        ),
        tags=["impression"],
    )
    _thread(
        printers,
        (camille, "Bravo ! Tu peux nous dire comment vous l'avez annoncé aux services ?"),
        (
            karim,
            "Un message court de la direction, une affiche près de chaque imprimante, et "
            "la couleur reste possible en un clic : personne ne se sent privé de rien.",
        ),
    )
    circle_space = animateurs.spaces.get(is_private=True)
    talk.do_start_topic(
        camille,
        circle_space,
        kind="discussion",
        title="Première version de la charte",
        body="Voici une proposition. @alice-walker, qu'en pensez-vous ?",
    )
    return Solved(cycling=question, numerique=topic)


def _library(
    camille: User, alice: User, bob: User, karim: User, cycling: Community, numerique: Community
) -> None:
    """A library in each language: collections of links and notes, added by members."""
    general = cycling.spaces.get(is_default=True)
    routes = library.do_create_collection(
        alice,
        general,
        title="Route design",
        description="Design guides and checklists we use when a street is redesigned.",
    )
    library.do_add_link(
        alice,
        routes,
        url="https://nacto.org/publication/urban-bikeway-design-guide/",
        title="NACTO Urban Bikeway Design Guide",
        excerpt="Protected lanes, intersections and signals, with drawings for each case.",
        tags=["infrastructure"],
    )
    library.do_add_link(
        alice,
        routes,
        url="https://www.crow.nl/publicaties/design-manual-for-bicycle-traffic",
        title="CROW Design Manual for Bicycle Traffic",
        excerpt="The Dutch reference: widths, speeds and junctions that make cycling safe.",
        tags=["infrastructure", "safety"],
    )
    library.do_add_note(
        bob,
        routes,
        title="Checklist: auditing a junction on foot",
        note=(
            "1. Stand where a child on a bike would wait.\n"
            "2. Can you see, and be seen by, turning drivers?\n"
            "3. How long is the green for bikes?\n"
            "4. Where do people actually ride? Look for worn paint.\n\n"
            "Take photos from the rider's height, not the pavement."
        ),
        tags=["safety"],
    )
    cargo = library.do_create_collection(
        bob,
        general,
        title="Cargo bikes for families",
        description="Choosing, loading and maintaining a cargo bike.",
    )
    library.do_add_note(
        bob,
        cargo,
        title="Before you buy: a test-ride checklist",
        note=(
            "- Ride it **loaded**: with the children or 30 kg of water bottles.\n"
            "- Try the steepest street near home, and a tight turn.\n"
            "- Check where you will park it at night.\n"
            "- Ask the shop about servicing the motor."
        ),
        tags=["cargo-bikes"],
    )
    library.do_add_link(
        alice,
        cargo,
        url="https://en.wikipedia.org/wiki/Freight_bicycle",
        title="Freight bicycles: types and history",
        excerpt="Longtails, front-loaders and trikes compared.",
        tags=["cargo-bikes"],
    )

    fiches = library.do_create_collection(
        camille,
        numerique.spaces.get(is_default=True),
        title="Fiches pratiques",
        description="Des fiches courtes, testées dans nos services, à reprendre telles quelles.",
    )
    library.do_add_note(
        camille,
        fiches,
        title="Fiche : alléger ses pièces jointes",
        note=(
            "1. Déposer le fichier dans l'espace documentaire.\n"
            "2. Copier le lien de partage.\n"
            "3. Coller le lien dans le courriel, avec une phrase qui dit ce qu'il contient.\n\n"
            "*Gain constaté : 70 % de volume de messagerie en moins en six mois.*"
        ),
        tags=["courriels"],
    )
    library.do_add_link(
        camille,
        fiches,
        url="https://ecoresponsable.numerique.gouv.fr/publications/referentiel-general-ecoconception/",
        title="Référentiel général d'écoconception de services numériques (RGESN)",
        excerpt="Les 78 critères de l'État pour concevoir des services numériques plus sobres.",
    )
    library.do_add_note(
        karim,
        fiches,
        title="Fiche : prolonger la vie d'une imprimante",
        note=(
            "- Nettoyer les rouleaux tous les six mois.\n"
            "- Garder le mode économie d'énergie après 5 minutes.\n"
            "- Avant de remplacer : demander un diagnostic au service du matériel."
        ),
        tags=["impression", "materiel"],
    )


def _capture(curator: User, topic: Topic, language: str) -> None:
    """What the wiki's "capture" button does: the suggested article, saved as it is."""
    with translation.override(language):
        draft = capture_draft(topic)
    wiki.do_create_article(
        curator, topic.space, title=draft.title, body=draft.body, source_topic=topic
    )


def _wiki(camille: User, alice: User, bob: User, solved: Solved) -> None:
    """Articles in both languages: each solved question captured, and a guide."""
    _capture(alice, solved.cycling, "en")
    wiki.do_create_article(
        bob,
        solved.cycling.space,
        title="Riding in a group: the basics",
        body=(
            "## Before the ride\n\n"
            "- Check tyres, brakes and lights.\n"
            "- Agree on a leader and a sweeper.\n\n"
            "## On the road\n\n"
            "Ride two abreast where it is allowed, single file otherwise. Call out holes "
            "and stops; point, don't swerve.\n\n"
            "## With children\n\n"
            "Children ride between two adults. Stop every 30 minutes.\n"
        ),
    )
    _capture(camille, solved.numerique, "fr")


ROUTE_CLINIC = """Bring a route you ride (or would like to ride) and we look at it together.

**Agenda**

1. Ten minutes of news from the council's cycling plan.
2. Route reviews: each person shows one route on the map, the group suggests safer options.
3. One junction, studied in depth with the audit checklist from the library.

Laptops welcome; a projector is there.
"""

OPEN_RIDE = """An easy 20 km loop along the river, for every rider and every bike.

**Programme**

- 10:00 meet at the station, bike check by Bob;
- 10:30 departure, at the pace of the slowest rider;
- 12:00 picnic at the old lock (bring your own);
- 13:30 back at the station.

Cancelled if it rains heavily; check this page on Saturday morning.
"""


def _cycling_events(alice: User, cycling: Community, riders: list[User]) -> None:
    """The English community's events: the fortnightly route clinic and an open ride."""
    space = cycling.spaces.get(is_default=True)
    zone = cycling.zone
    today = timezone.now().astimezone(zone).date()
    event_actions.do_create_ritual(
        alice,
        space,
        title="Route clinic",
        description=ROUTE_CLINIC,
        online_url="https://visio.example.org/route-clinic",
        place="Cycling house, first floor",
        address="5 place Bellecour, 69002 Lyon",
        plan=event_actions.RitualPlan(
            rule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            first_day=today,
            start_time=time(18, 30),
            duration=timedelta(hours=1, minutes=30),
            announce_days=21,
        ),
    )
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    starts = datetime.combine(saturday, time(10, 0), tzinfo=zone)
    ride = event_actions.do_create_event(
        alice,
        space,
        title="Open ride: the riverside loop",
        description=OPEN_RIDE,
        place="Central station, south entrance",
        address="Place Charles Béraudier, 69003 Lyon",
        starts_at=starts,
        ends_at=starts + timedelta(hours=3, minutes=30),
        capacity=25,
    )
    for rider in riders:
        event_actions.do_rsvp(rider, ride, "going")
