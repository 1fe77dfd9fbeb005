"""What the generated community writes, in French: replies built from parts (so that no
thread repeats itself), event agendas, the library's collections and resources, and
the guides of its wiki. Pure data and string assembly; `story` draws from it."""

from __future__ import annotations

import random
from dataclasses import dataclass

# --- Replies ------------------------------------------------------------------------------------
# A reply is a lead (sometimes), one experience, a tip (often) and a closing (sometimes);
# {object}, {context} and {first} (the opening post's author) are filled from the thread.

LEADS = (
    "Bonne question !",
    "Merci d'avoir lancé le sujet.",
    "Nous sommes passés par là l'an dernier.",
    "Je me reconnais bien dans ta situation.",
    "Même constat de notre côté.",
    "Quelques idées en vrac.",
    "Question qui revient souvent chez nous !",
    "Je partage notre expérience, pour ce qu'elle vaut.",
    "Sujet passionnant, {first}.",
    "Oh, {object}, un grand classique.",
    "Chez nous aussi, c'était un casse-tête.",
    "Je réponds avec un peu de recul :",
)
EXPERIENCES = (
    "Commencer petit a tout changé : une équipe pilote, puis on élargit.",
    "Nous utilisons un modèle simple en trois colonnes pour {object}.",
    "Le plus efficace a été de fixer un rituel court, toujours à la même heure.",
    "Pour {object}, nous avons nommé une personne référente : le sujet ne se perd plus.",
    "Nous avons documenté chaque essai dans le wiki, ce qui aide beaucoup les nouveaux.",
    "Nous avons arrêté de multiplier les outils : un seul, bien connu de tous.",
    "Mesurer avant et après nous a permis de convaincre la direction.",
    "Un atelier d'une heure avec les usagers a débloqué la situation.",
    "{Context}, nous avons réduit la durée de moitié et gardé l'essentiel.",
    "Nous faisons tourner la facilitation chaque mois : chacun apprend, personne ne s'épuise.",
    "Un tableau partagé, visible de tous, a suffi à relancer l'intérêt.",
    "Nous demandons à chaque participant de venir avec une seule question.",
    "Le format « quinze minutes, debout » marche très bien pour {object}.",
    "Nous avons commencé par interroger cinq collègues ; leurs réponses ont orienté le reste.",
    "Un binôme expérimenté et débutant a accéléré la prise en main.",
    "Nous avons abandonné les longs comptes rendus : trois décisions, trois actions.",
    "La clé a été de caler {object} sur un moment qui existait déjà dans la semaine.",
    "Nous avons testé {object} pendant six semaines avant de décider ; ça a rassuré tout le monde.",
    "Un schéma au tableau vaut mieux que dix diapositives, surtout {context}.",
    "Nous invitons quelqu'un d'un autre service à chaque séance : le regard extérieur aide.",
    "Partir des irritants du terrain a fait toute la différence.",
    "Un objectif modeste et mesurable, atteint en un mois, a donné de l'élan.",
    "Une charte d'une page, relue ensemble, a évité bien des malentendus.",
    "Dix minutes de bilan à la fin de chaque séance : ce qu'on garde, ce qu'on change.",
    "Un tableur partagé et une visio nous suffisent largement, sans outil payant.",
    "Annoncer la date trois semaines à l'avance et relancer la veille a doublé la présence.",
    "Alterner présentiel et distanciel a nettement amélioré la participation.",
    "Notre première version était trop ambitieuse ; la deuxième, deux fois plus courte, a pris.",
    "Impliquer les managers dès le départ nous a fait gagner des mois.",
    "Un canal dédié aux questions entre deux séances évite de tout concentrer sur la réunion.",
    "Nous avons écrit la démarche sur une seule page, affichée dans l'open space.",
    "Pour {object} {context}, nous découpons en étapes d'une semaine, pas plus.",
    "Nous avons demandé à l'équipe de voter pour le premier sujet à traiter.",
    "Une démonstration concrète a convaincu plus vite que tous nos arguments.",
)
TIPS = (
    "Astuce : gardez un temps de bilan à la fin.",
    "Petit conseil : commencez avec les volontaires.",
    "Je peux partager notre modèle si ça t'intéresse.",
    "Il y a une bonne fiche sur le sujet dans la bibliothèque.",
    "Attention au piège classique : vouloir tout changer d'un coup.",
    "Note aussi ce qui ne marche pas, c'est tout aussi utile.",
    "On peut en parler à la prochaine rencontre si tu veux.",
    "Le plus dur, ce sont les trois premières semaines ; après, ça roule.",
    "Garde une trace écrite, même courte : elle servira dans six mois.",
    "Et surtout, célébrez les premiers résultats, même petits.",
    "Nous avons des chiffres, je les mets dans le wiki dès que possible.",
    "N'hésite pas à m'écrire pour en discuter.",
    "Pense à prévenir les équipes voisines, elles auront des questions.",
    "Un conseil : fixe la date de bilan avant de commencer.",
)
CLOSINGS = (
    "Bon courage !",
    "Tiens-nous au courant.",
    "Hâte de lire la suite.",
    "Ça vaut le coup, courage.",
    "Au plaisir d'en reparler.",
    "Dis-nous ce que ça donne !",
)
SHORT_REPLIES = (
    "Merci {first}, c'est exactement ce qu'il me fallait.",
    "Même expérience chez nous, je confirme.",
    "Je note l'idée, merci !",
    "Très utile, je le partage à mon équipe.",
    "Intéressant, je n'avais pas vu les choses sous cet angle.",
    "Je me joins à la question, nous avons le même besoin.",
    "Merci pour ce retour détaillé !",
    "Je garde ce fil sous le coude.",
)


def of(obj: str) -> str:
    """French "de" before `obj`, contracted as the article asks ("du backlog")."""
    for article, contracted in (("le ", "du "), ("les ", "des ")):
        if obj.startswith(article):
            return contracted + obj.removeprefix(article)
    if obj.startswith(("un ", "une ")):
        return "d'" + obj
    return "de " + obj


def _fill(text: str, *, obj: str, context: str, first: str) -> str:
    return text.format(
        object=obj, of_object=of(obj), context=context,
        Context=context[:1].upper() + context[1:], first=first,
    )  # fmt: skip


def _choose(rng: random.Random, choices: tuple[str, ...], first: str) -> str:
    # Nobody thanks themselves by name: without a name, only the lines that use none.
    return rng.choice(choices if first else [c for c in choices if "{first}" not in c])


def reply_body(rng: random.Random, *, obj: str, context: str, first: str, short: bool) -> str:
    """One reply about `obj`; `short` gives a one-line agreement or thanks. `first` is
    the first name of the person answered ("" when they answer themselves)."""
    if short:
        return _fill(_choose(rng, SHORT_REPLIES, first), obj=obj, context=context, first=first)
    parts = []
    if rng.random() < 0.45:
        parts.append(_choose(rng, LEADS, first))
    parts.append(rng.choice(EXPERIENCES))
    if rng.random() < 0.6:
        parts.append(rng.choice(TIPS))
    text = " ".join(parts)
    if rng.random() < 0.25:
        text += "\n\n" + rng.choice(CLOSINGS)
    return _fill(text, obj=obj, context=context, first=first)


# --- Event agendas -----------------------------------------------------------------------------

AGENDA_INTROS = (
    "Une rencontre pour parler {of_object} {context}, entre pairs et sans diapositives.",
    "Deux heures pour avancer ensemble sur {object}.",
    "Nous faisons le point sur {object} : ce qui marche, ce qui coince, ce que l'on essaie "
    "ensuite.",
    "Une séance pratique autour {of_object}, ouverte à tous les membres, débutants compris.",
)
AGENDA_TALKS = (
    "Retour d'expérience : comment une équipe a su {action} {object}",
    "Témoignage : {action} {object} {context}, ce que nous avons appris",
    "Présentation d'un outil simple pour {action} {object}",
    "Les enseignements de notre sondage du mois",
)
AGENDA_WORKSHOPS = (
    "Atelier en petits groupes : chacun apporte une situation réelle",
    "Co-développement : deux cas concrets, dix minutes de questions chacun",
    "Atelier pratique : construire ensemble un modèle réutilisable",
    "Questions-réponses avec les membres les plus expérimentés",
)
AGENDA_ENDINGS = (
    "Ce que chacun repart tester, et le sujet de la prochaine fois",
    "Tour de clôture : une idée à essayer d'ici le mois prochain",
    "Bilan de la séance et choix du prochain thème",
)
ONLINE_PRACTICAL = (
    "En visio : le lien de connexion est sur cette page. Prévoyez un micro ; la caméra "
    "est facultative."
)
IN_PERSON_PRACTICAL = (
    "À la Maison des associations, salle 2 (accès de plain-pied). Café et thé offerts."
)


def agenda(rng: random.Random, *, action: str, obj: str, context: str, online: bool) -> str:
    """An event's description: what it is for, its programme, how to take part."""
    words = {"action": action, "object": obj, "of_object": of(obj), "context": context}
    intro = rng.choice(AGENDA_INTROS).format(**words)
    talk = rng.choice(AGENDA_TALKS).format(**words)
    workshop = rng.choice(AGENDA_WORKSHOPS)
    ending = rng.choice(AGENDA_ENDINGS)
    practical = ONLINE_PRACTICAL if online else IN_PERSON_PRACTICAL
    return (
        f"{intro}\n\n**Au programme**\n\n"
        f"1. Accueil et tour de table (10 min)\n"
        f"2. {talk} (20 min)\n"
        f"3. {workshop} (40 min)\n"
        f"4. {ending} (10 min)\n\n"
        f"{practical} Les notes de la séance seront partagées dans le wiki."
    )


# --- The library -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A resource: a link (`url` and an excerpt) or a note (Markdown `text`)."""

    title: str
    url: str = ""
    text: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shelf:
    """A collection of the library and what it holds."""

    title: str
    description: str
    items: tuple[Item, ...]


SHELVES = (
    Shelf(
        "Boîte à outils de l'animation",
        "Les formats d'atelier et les fiches que nous réutilisons le plus souvent.",
        (
            Item(
                "Liberating Structures : 33 formats d'atelier",
                url="https://www.liberatingstructures.com/",
                text="Des formats courts pour faire participer tout le monde, du 1-2-4-Tous "
                "à la Troïka de consultation.",
                tags=("facilitation", "atelier"),
            ),
            Item(
                "Fiche : animer un tour de table en 10 minutes",
                text="## Le principe\n\nChacun répond à **une seule question**, en une minute.\n\n"
                "## Pas à pas\n\n1. Annoncer la question et le temps.\n"
                "2. Passer la parole dans l'ordre, sans débat.\n"
                "3. Noter les mots qui reviennent.\n\n"
                "## À éviter\n\n- Les questions fermées ;\n- commenter chaque réponse.",
                tags=("facilitation",),
            ),
            Item(
                "Fiche : le co-développement en 6 étapes",
                text="1. Exposé de la situation (10 min)\n2. Questions de clarification\n"
                "3. Contrat : ce que la personne attend\n4. Suggestions du groupe\n"
                "5. Plan d'action\n6. Ce que chacun retient",
                tags=("atelier",),
            ),
            Item(
                "Modèle de compte rendu en une page",
                text="| Décision | Qui | Pour quand |\n|---|---|---|\n"
                "| | | |\n\n*Trois décisions au plus, trois actions au plus.*",
                tags=("documentation",),
            ),
        ),
    ),
    Shelf(
        "Rétrospectives : formats et modèles",
        "Pour que les rétrospectives restent utiles après la dixième.",
        (
            Item(
                "Retromat : des centaines d'activités de rétrospective",
                url="https://retromat.org/fr/",
                text="Un générateur de plans de rétrospective, activité par activité.",
                tags=("retrospective",),
            ),
            Item(
                "Fiche : la rétrospective « Voilier »",
                text="Le vent (ce qui nous pousse), l'ancre (ce qui nous freine), les rochers "
                "(les risques) et l'île (notre objectif). Durée : 45 minutes.",
                tags=("retrospective", "atelier"),
            ),
            Item(
                "Le manifeste agile, en français",
                url="https://agilemanifesto.org/iso/fr/manifesto.html",
                text="Quatre valeurs et douze principes, à relire avant chaque rétrospective.",
                tags=("retrospective",),
            ),
        ),
    ),
    Shelf(
        "Mesurer et piloter",
        "Indicateurs de flux, tableaux de bord et retours chiffrés des membres.",
        (
            Item(
                "Kanban : la méthode expliquée",
                url="https://fr.wikipedia.org/wiki/Kanban_(d%C3%A9veloppement)",
                text="L'origine de la méthode et ses principes : visualiser, limiter le "
                "travail en cours, mesurer le flux.",
                tags=("kanban", "mesure"),
            ),
            Item(
                "Fiche : trois indicateurs pour commencer",
                text="- **Délai de traversée** : du début à la fin d'une tâche ;\n"
                "- **débit** : tâches terminées par semaine ;\n"
                "- **travail en cours** : tâches commencées, pas finies.\n\n"
                "Les mesurer chaque semaine, sur le même tableau.",
                tags=("indicateurs", "mesure"),
            ),
            Item(
                "Modèle de tableau de bord mensuel",
                text="Une page : trois courbes, trois faits marquants, une décision.",
                tags=("indicateurs",),
            ),
        ),
    ),
    Shelf(
        "Accueillir les nouveaux",
        "Tout ce qu'il faut pour bien démarrer dans la communauté.",
        (
            Item(
                "Qu'est-ce qu'une communauté de pratique ?",
                url="https://fr.wikipedia.org/wiki/Communaut%C3%A9_de_pratique",
                text="La définition d'Etienne Wenger : un domaine, une communauté, une pratique.",
                tags=("onboarding",),
            ),
            Item(
                "Check-list du premier mois",
                text="- [ ] Se présenter dans l'espace général\n"
                "- [ ] Déclarer ses sujets d'expertise sur son profil\n"
                "- [ ] Poser une première question\n"
                "- [ ] Venir à une rencontre",
                tags=("onboarding",),
            ),
        ),
    ),
)

# --- Guides of the wiki, written from scratch (the others are captured from questions) -----

GUIDES = (
    (
        "Bienvenue : comment participer",
        "## Pour commencer\n\n"
        "1. Présentez-vous dans l'espace général.\n"
        "2. Déclarez vos sujets d'expertise sur votre profil : les autres membres sauront "
        "à qui poser leurs questions.\n"
        "3. Posez une question, même simple : c'est ainsi que la communauté apprend.\n\n"
        "## Nos rendez-vous\n\n"
        "Une rencontre toutes les trois semaines environ, et un sondage chaque mois pour "
        "choisir le thème suivant.\n\n"
        "## Où trouver quoi\n\n"
        "- Les **fiches pratiques** sont dans la bibliothèque.\n"
        "- Les **meilleures réponses** aux questions sont recueillies ici, dans le wiki.\n",
    ),
    (
        "Glossaire de la communauté",
        "## Rituel\n\nUn rendez-vous régulier, toujours au même format.\n\n"
        "## Rétrospective\n\nUn temps pour regarder ce qui s'est passé et décider de ce "
        "que l'on change.\n\n"
        "## Travail en cours\n\nLes tâches commencées et pas encore terminées ; le limiter "
        "accélère le flux.\n\n"
        "## Co-développement\n\nUn atelier où un membre expose une situation et le groupe "
        "l'aide à trouver ses pistes.\n",
    ),
)
