"""Demo polls, quizzes and challenges, built through the actions (in French, like the
demo communities): an open poll with votes, a quiz already taken by some members, a
challenge with answers, and a poll planned for next week on the calendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from cercle.accounts.models import User
from cercle.activities import actions
from cercle.activities.actions import ChallengeFields, PollFields, QuizFields
from cercle.activities.models import ResultsShown
from cercle.activities.quiztext import parse
from cercle.communities.models import Community

QUIZ = """\
? Selon Etienne Wenger, quels sont les trois piliers d'une communauté de pratique ?
+ Un domaine, une communauté, une pratique
- Un sujet, un chef, un budget
- Un forum, un wiki, un agenda
> Le domaine dit de quoi l'on parle, la communauté qui en parle, la pratique ce que
> l'on partage : histoires, outils, cas, documents.

? Quelle part des membres forme en général le « noyau » actif ?
- Plus de la moitié
+ Environ 10 à 15 %
- Moins de 1 %
> Le noyau est petit ; la plupart des membres sont périphériques, et c'est normal.

? Lesquelles de ces activités relèvent du deuxième niveau d'engagement ?
+ Répondre à un quiz
+ Participer à un défi
- Réagir à un message
- Déposer une participation à un concours
> Réagir est du premier niveau ; créer et soumettre, du troisième.
"""

CHALLENGE_PROMPT = """\
Cette semaine, partagez **votre meilleure astuce pour accueillir un nouveau membre** :
un message type, un rituel, une question qui brise la glace…

Quelques lignes suffisent. Vous pourrez modifier votre réponse jusqu'à la date limite.
"""

ANSWERS = [
    "Je propose un café virtuel de 15 minutes dans la première semaine : "
    "pas d'ordre du jour, juste faire connaissance.",
    "Dans le fil des présentations, je pose toujours la même question : "
    "*quel problème aimeriez-vous résoudre avec nous ?*",
    "Je présente le nouveau membre à **une** personne qui partage ses sujets, "
    "plutôt qu'à tout le monde.",
]


def populate(community: Community, animator: User, members: Sequence[User]) -> None:
    """A poll, a quiz and a challenge open now, with some participation, and a poll
    planned for next week."""
    space = community.spaces.get(is_default=True)
    now = timezone.now().replace(second=0, microsecond=0)

    poll = actions.do_create_poll(
        animator,
        space,
        PollFields(
            title="Quel rituel voulez-vous pour la rentrée ?",
            description="Nous lancerons le plus demandé en septembre.",
            choices=[
                "Un café virtuel chaque lundi",
                "Une revue de pratiques mensuelle",
                "Un atelier « cas difficile » par trimestre",
            ],
            multiple=True,
            max_choices=2,
            closes_at=now + timedelta(days=10),
        ),
    )
    choices = [choice.pk for choice in poll.choices.all()]
    for number, member in enumerate(members):
        actions.do_vote(member, poll, [choices[number % len(choices)]])

    quiz = actions.do_create_quiz(
        animator,
        space,
        QuizFields(
            title="Quiz : les communautés de pratique",
            description="Trois questions pour réviser les bases. Une seule tentative !",
            questions=parse(QUIZ),
            leaderboard=True,
            closes_at=now + timedelta(days=14),
        ),
    )
    questions = list(quiz.questions.prefetch_related("choices"))
    for number, member in enumerate(members[:3]):
        picks = {}
        for question in questions:
            right = [choice.pk for choice in question.choices.all() if choice.is_right]
            # The first member knows it all; the others pick only one of the last
            # question's two right answers, which makes it wrong.
            picks[question.pk] = right if number == 0 or question != questions[-1] else right[:1]
        actions.do_answer_quiz(member, quiz, picks)

    challenge = actions.do_create_challenge(
        animator,
        space,
        ChallengeFields(
            title="Défi de la semaine : votre astuce d'accueil",
            prompt=CHALLENGE_PROMPT,
            deadline=now + timedelta(days=7),
        ),
    )
    for member, answer in zip(members, ANSWERS, strict=False):
        actions.do_answer_challenge(member, challenge, answer)

    actions.do_create_poll(
        animator,
        space,
        PollFields(
            title="Quel créneau pour la prochaine rencontre ?",
            choices=["Mardi midi", "Jeudi 18 h", "Vendredi matin"],
            anonymous=False,
            results_shown=ResultsShown.AFTER_CLOSING,
            closes_at=now + timedelta(days=14),
            publish_at=now + timedelta(days=7),
        ),
    )
