"""The life of a community of practice, drawn at random but like the real ones.

Pure Python, no database: `tell(members, months, seed, until)` returns who joined
when, who wrote what and when, who answered, reacted, voted, came to events and
visited, as plain records. The same arguments always give the same story.

What makes it look like a real community (the figures the analytics read):
- participation is heavy-tailed: about 1% of members write half of the posts, 9%
  most of the rest, and most members read (they visit and react, rarely write);
- a weekly rhythm (working days busy, weekends quiet) and working hours;
- questions get a first answer after a delay drawn from a log-normal law (a median
  of a few hours), most are answered, about half of the answered ones accept one;
- the community grows (newcomers arrive all along, faster lately), and some members
  drift away: they stop visiting and writing, a few leave;
- events with RSVPs and attendance, polls, and knowledge captured from solved
  questions;
- what a newcomer looks for first: replies that differ (no thread repeats itself),
  event agendas, a library of collections and resources, wiki guides, and members who
  declare their expertise (`texts` holds the words).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from cercle.simulation import texts

DAY = 86400.0
HOUR = 3600.0
MONTH_DAYS = 30.4375
POSTS_PER_MEMBER = 10
VISITS_PER_POST = 10.5
# Share of drawn visit days kept by the weekly rhythm (the mean of WEEKDAY_WEIGHTS + 0.15).
WEEK_KEEP = sum(min(1.0, w + 0.15) for w in (0.95, 1.0, 1.0, 0.95, 0.8, 0.25, 0.2)) / 7

# Monday first: how busy each day of the week is, relative to the busiest.
WEEKDAY_WEIGHTS = (0.95, 1.0, 1.0, 0.95, 0.8, 0.25, 0.2)
# Local hour of the day (the community's time zone, UTC+1 here).
HOUR_WEIGHTS = (
    0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.4,
    2.4, 2.8, 3.6, 3.8, 3.4, 2.8, 2.0, 1.6, 1.4, 1.1, 0.7, 0.3,
)  # fmt: skip
LOCAL_OFFSET_HOURS = 1

KIND_WEIGHTS = (("question", 0.55), ("discussion", 0.42), ("announcement", 0.03))
REACTIONS = ("helpful", "thanks", "agree", "idea", "celebrate")


@dataclass
class Member:
    index: int
    first_name: str
    last_name: str
    joined: float
    active_until: float  # when they go silent (the end of the story if they never do)
    left: bool  # went silent by leaving the community
    writes: float  # propensity to write
    reads: float  # propensity to visit, react and take part
    role: str = "member"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class Reply:
    author: int
    at: float
    body: str
    reactions: list[tuple[int, str, float]] = field(default_factory=list)
    short: bool = False  # a mere "thanks" or "me too": never accepted, never "helpful"


@dataclass
class Thread:
    """A topic: its opening post is `author`/`at`/`body`, then its replies in order."""

    kind: str
    title: str
    body: str
    author: int
    at: float
    tags: list[int]
    replies: list[Reply] = field(default_factory=list)
    reactions: list[tuple[int, str, float]] = field(default_factory=list)
    accepted: int | None = None  # index in `replies`
    accepted_at: float | None = None
    captured_by: int | None = None
    captured_at: float | None = None


@dataclass
class Meeting:
    title: str
    description: str
    starts: float
    announced: float
    online: bool
    rsvps: list[tuple[int, str, float, bool]]  # member, response, when, attended


@dataclass
class Declared:
    """A member declares their level (1 learning, 2 practising, 3 expert) on a tag."""

    member: int
    tag: int
    level: int
    at: float


@dataclass
class Shelved:
    """A collection of the library (`texts.SHELVES[shelf]`) and its resources: each is
    an index into the shelf's items, who added it and when."""

    shelf: int
    author: int
    at: float
    items: list[tuple[int, int, float]]


@dataclass
class Survey:
    title: str
    choices: list[str]
    opens: float
    closes: float
    ballots: list[tuple[int, int, float]]  # member, choice index, when


@dataclass
class Story:
    seed: int
    start: float
    end: float
    members: list[Member]
    tags: list[str]
    threads: list[Thread]
    visits: list[tuple[int, float]]  # member, when (one a day at most)
    meetings: list[Meeting]
    surveys: list[Survey]
    expertise: list[Declared] = field(default_factory=list)
    shelves: list[Shelved] = field(default_factory=list)
    guides: list[tuple[int, float]] = field(default_factory=list)  # texts.GUIDES index, when

    @property
    def posts(self) -> int:
        return sum(1 + len(thread.replies) for thread in self.threads)


def moment(timestamp: float) -> datetime:
    return datetime.fromtimestamp(round(timestamp), UTC)


# --- Words ------------------------------------------------------------------------------------

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Emma",
    "Alice",
    "Lina",
    "Sarah",
    "Julie",
    "Anne",
    "Claire",
    "Marie",
    "Sophie",
    "Nadia",
    "Fatou",
    "Aïcha",
    "Yasmine",
    "Hélène",
    "Lucie",
    "Margaux",
    "Pauline",
    "Amandine",
    "Élodie",
    "Lucas",
    "Hugo",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Adam",
    "Nathan",
    "Karim",
    "Mehdi",
    "Thomas",
    "Nicolas",
    "Pierre",
    "Julien",
    "Antoine",
    "Maxime",
    "Olivier",
    "Vincent",
    "Romain",
    "Bastien",
    "Yanis",
    "Samuel",
    "Théo",
    "Paul",
    "Omar",
    "Grace",
    "Emily",
    "Olivia",
    "James",
    "Daniel",
    "Noah",
    "Ethan",
    "Priya",
    "Kenji",
    "Lars",
    "Ingrid",
    "Marta",
    "Diego",
    "Ana",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Benali",
    "Diallo",
    "Nguyen",
    "Haddad",
    "Okafor",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Jensen",
    "Rossi",
    "Silva",
    "Kowalski",
    "Novak",
    "Sato",
    "Weber",
    "Schmidt",
]

TAGS = [
    "retrospective",
    "facilitation",
    "kanban",
    "backlog",
    "mesure",
    "indicateurs",
    "atelier",
    "onboarding",
    "outils",
    "documentation",
    "formation",
    "teletravail",
    "gouvernance",
    "priorisation",
    "tests",
    "accessibilite",
    "design",
    "recrutement",
    "budget",
    "securite",
    "open-source",
]

ACTIONS = [
    "animer",
    "préparer",
    "faciliter",
    "mesurer",
    "documenter",
    "lancer",
    "prioriser",
    "outiller",
    "partager",
    "évaluer",
    "relancer",
    "simplifier",
    "organiser",
    "suivre",
    "améliorer",
    "présenter",
]
OBJECTS = (
    "une rétrospective",
    "un atelier de cadrage",
    "le backlog de l'équipe",
    "les revues de sprint",
    "un tableau kanban",
    "les indicateurs de flux",
    "une démonstration aux usagers",
    "le point quotidien",
    "un plan de formation",
    "les tests d'acceptation",
    "une communauté interne",
    "la documentation technique",
    "un comité de pilotage",
    "l'accueil des nouveaux",
    "une journée d'échanges",
    "la feuille de route",
    "un retour d'expérience",
    "les ateliers d'idéation",
)
CONTEXTS = (
    "à distance",
    "avec une grande équipe",
    "en début de projet",
    "dans le secteur public",
    "sans outil payant",
    "avec des équipes réparties",
    "quand le temps manque",
    "avec des partenaires externes",
    "en période de crise",
    "pour la première fois",
    "dans une petite structure",
    "avec des bénévoles",
)
QUESTION_TITLES = (
    "Comment {action} {object} {context} ?",
    "Quelqu'un sait comment {action} {object} {context} ?",
    "Quels outils pour {action} {object} ?",
    "Besoin d'aide : {action} {object} {context}",
    "Par où commencer pour {action} {object} ?",
)
DISCUSSION_TITLES = (
    "Retour d'expérience : {action} {object} {context}",
    "Vos astuces pour {action} {object}",
    "On a essayé {de_action} {object} {context}",
    "Débat : faut-il {action} {object} ?",
    "Ressources pour {action} {object}",
)
ANNOUNCEMENT_TITLES = (
    "Rencontre du mois : {object}",
    "Nouveau dans la bibliothèque : {object}",
    "Appel à contributions : {action} {object}",
)
OPENINGS = (
    "Dans mon équipe, nous cherchons à {action} {object} {context}.",
    "Depuis quelques semaines, je dois {action} {object} {context}.",
    "Notre service vient de décider {de_action} {object}.",
    "Petit partage : nous avons voulu {action} {object} {context}.",
)
DETAILS = (
    "Nous avons testé deux approches, sans résultat net.",
    "Le plus difficile est de garder tout le monde impliqué.",
    "Les premiers retours sont encourageants mais fragiles.",
    "La direction attend des résultats visibles d'ici l'été.",
    "Nous manquons surtout de temps pour préparer.",
    "J'ai lu plusieurs guides, mais aucun ne colle à notre situation.",
)
ASKS = (
    "Avez-vous des exemples concrets ?",
    "Qu'est-ce qui a marché chez vous ?",
    "Des conseils pour démarrer ?",
    "Je prends tous vos retours.",
)
# --- The story --------------------------------------------------------------------------------


def tell(members: int, months: int, seed: int, until: datetime) -> Story:
    """The whole story of a community of `members` people over `months` months up to
    `until`; deterministic for a seed."""
    if members < 2:
        raise ValueError("a community needs at least two members")
    if months < 1:
        raise ValueError("a story lasts at least one month")
    rng = random.Random(seed)  # noqa: S311 - a story, not a secret
    end = until.timestamp()
    start = end - months * MONTH_DAYS * DAY
    people = _members(rng, members, start, end)
    threads = _threads(rng, people, start, end)
    story = Story(
        seed=seed,
        start=start,
        end=end,
        members=people,
        tags=list(TAGS),
        threads=threads,
        visits=[],
        meetings=_meetings(rng, people, start, end),
        surveys=_surveys(rng, people, start, end),
    )
    _capture(rng, people, threads, end)
    story.visits = _visits(rng, people, story.posts, start, end)
    story.expertise = _expertise(rng, people, end)
    story.shelves = _shelves(rng, people, start, end)
    story.guides = [(index, start + (2 + 5 * index) * DAY) for index in range(len(texts.GUIDES))]
    return story


def _members(rng: random.Random, count: int, start: float, end: float) -> list[Member]:
    span = end - start
    people: list[Member] = []
    for index in range(count):
        founder = index < max(2, count // 20)
        # Founders come in the first two weeks; then arrivals all along, more of them
        # as the community becomes known.
        joined = start + (rng.random() * 14 * DAY if founder else span * rng.random() ** 0.8)
        joined = min(joined, end - HOUR)
        drifts = rng.random() < (0.25 if founder else 0.45)
        active_until = end
        if drifts:
            active_until = min(end, joined + rng.expovariate(1 / (5 * MONTH_DAYS * DAY)))
        tier = rng.random()
        if (founder and tier < 0.3) or tier < 0.01:
            writes = 50.0  # the core: they write most
        elif tier < 0.10:
            writes = 5.0
        else:
            writes = 0.1  # the periphery: mostly read
        writes *= rng.lognormvariate(0, 0.7)
        reads = 0.3 + math.sqrt(writes) * rng.lognormvariate(0, 0.4)
        people.append(
            Member(
                index=index,
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                joined=joined,
                active_until=active_until,
                left=drifts and active_until < end and rng.random() < 0.2,
                writes=writes,
                reads=reads,
            )
        )
    people[0].role = "coordinator"
    people[0].active_until, people[0].left = end, False
    people[0].writes = max(people[0].writes, 30.0)
    people[0].joined = start
    return people


class _Picker:
    """Draws members by weight, among those active at a moment."""

    def __init__(self, rng: random.Random, people: list[Member], weights: list[float]) -> None:
        self.rng, self.people = rng, people
        self.cumulative = list(accumulate(weights))
        self.total = self.cumulative[-1]

    def pick(self, at: float, avoid: int = -1) -> int | None:
        for _try in range(12):
            index = bisect_right(self.cumulative, self.rng.random() * self.total)
            index = min(index, len(self.people) - 1)
            person = self.people[index]
            if person.joined <= at < person.active_until and index != avoid:
                return index
        return None


def _rhythm(rng: random.Random, low: float, high: float) -> float:
    """A moment in [low, high) that follows the week's and the day's rhythm."""
    if high - low < DAY:
        return low + rng.random() * (high - low)
    for _try in range(20):
        day = math.floor((low + rng.random() * (high - low)) / DAY)
        weekday = datetime.fromtimestamp(day * DAY, UTC).weekday()
        if rng.random() < WEEKDAY_WEIGHTS[weekday]:
            break
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0] - LOCAL_OFFSET_HOURS
    at = day * DAY + hour * HOUR + rng.random() * HOUR
    return min(max(at, low), high - 1)


def _daytime(at: float) -> float:
    """Nobody answers at 3 in the morning: a night moment moves to the next morning."""
    local_hour = (at / HOUR + LOCAL_OFFSET_HOURS) % 24
    if local_hour < 7:
        return at + (7 - local_hour + 0.5) * HOUR
    return at


@dataclass(frozen=True)
class Subject:
    """What a thread or a meeting is about: the words its title and text share."""

    action: str
    object: str
    context: str

    def fill(self, template: str) -> str:
        elided = self.action[:1] in "aeéiou"
        return template.format(
            action=self.action,
            de_action=("d'" if elided else "de ") + self.action,
            object=self.object,
            context=self.context,
        )


def _subject(rng: random.Random) -> Subject:
    return Subject(rng.choice(ACTIONS), rng.choice(OBJECTS), rng.choice(CONTEXTS))


def _opening(rng: random.Random, subject: Subject) -> str:
    first = subject.fill(rng.choice(OPENINGS))
    return f"{first} {rng.choice(DETAILS)}\n\n{rng.choice(ASKS)}"


def _threads(rng: random.Random, people: list[Member], start: float, end: float) -> list[Thread]:
    posts_target = POSTS_PER_MEMBER * len(people)
    # A member opens topics in proportion to how much they write and how long they stay.
    opening = [p.writes * max(p.active_until - p.joined, HOUR) for p in people]
    openers = list(accumulate(opening))
    writers = _Picker(rng, people, [p.writes for p in people])
    readers = _Picker(rng, people, [p.reads for p in people])
    tag_weights = [1 / (rank + 1) for rank in range(len(TAGS))]
    threads: list[Thread] = []
    posts = 0
    while posts < posts_target:
        author = min(bisect_right(openers, rng.random() * openers[-1]), len(people) - 1)
        person = people[author]
        kind = rng.choices([k for k, _w in KIND_WEIGHTS], weights=[w for _k, w in KIND_WEIGHTS])[0]
        if kind == "announcement" and person.writes < 5:
            kind = "discussion"
        at = _rhythm(rng, person.joined, person.active_until)
        templates = {
            "question": QUESTION_TITLES,
            "discussion": DISCUSSION_TITLES,
            "announcement": ANNOUNCEMENT_TITLES,
        }[kind]
        tags = sorted(
            set(rng.choices(range(len(TAGS)), weights=tag_weights, k=rng.choice((1, 1, 2, 3))))
        )
        subject = _subject(rng)
        thread = Thread(
            kind=kind,
            title=subject.fill(rng.choice(templates)),
            body=_opening(rng, subject),
            author=author,
            at=at,
            tags=tags,
        )
        _replies(rng, thread, writers, end, subject, people[author].first_name)
        _react(rng, thread, readers, end)
        threads.append(thread)
        posts += 1 + len(thread.replies)
    threads.sort(key=lambda thread: thread.at)
    return threads


def _replies(
    rng: random.Random,
    thread: Thread,
    writers: _Picker,
    end: float,
    subject: Subject,
    first_name: str,
) -> None:
    if thread.kind == "question":
        count = 0 if rng.random() < 0.09 else 1 + int(rng.expovariate(1 / 1.6))
    elif thread.kind == "discussion":
        count = 0 if rng.random() < 0.15 else 1 + int(rng.expovariate(1 / 3.8))
    else:
        count = int(rng.expovariate(1 / 1.5))
    at = thread.at
    bodies = {thread.body}
    substantial: list[int] = []  # replies that may be accepted: not a mere "thanks"
    for number in range(count):
        # The first answer comes after a few hours (median about 2.5 h), the next ones
        # spread over the following days.
        hours = (
            rng.lognormvariate(math.log(2.5), 1.3)
            if number == 0
            else (rng.lognormvariate(math.log(6), 1.4))
        )
        at = _daytime(at + hours * HOUR)
        if at >= end:
            break
        author = writers.pick(at, avoid=thread.author if not thread.replies else -1)
        if author is None:
            continue
        short = bool(thread.replies) and rng.random() < 0.15
        answered = first_name if author != thread.author else ""
        body = _reply(rng, subject, answered, short, bodies)
        if not short:
            substantial.append(len(thread.replies))
        thread.replies.append(Reply(author=author, at=at, body=body, short=short))
    if thread.kind == "question" and substantial and rng.random() < 0.55:
        chosen = substantial[0] if rng.random() < 0.6 else rng.choice(substantial)
        accepted_at = _daytime(
            thread.replies[chosen].at + rng.lognormvariate(math.log(12), 1.0) * HOUR
        )
        if accepted_at < end:
            thread.accepted, thread.accepted_at = chosen, accepted_at


def _reply(
    rng: random.Random, subject: Subject, first_name: str, short: bool, bodies: set[str]
) -> str:
    """A reply that says something no earlier post of the thread said word for word."""
    for attempt in range(50):
        body = texts.reply_body(
            rng,
            obj=subject.object,
            context=subject.context,
            first=first_name,
            short=short and attempt < 5,
        )
        if body not in bodies:
            break
    else:  # pragma: no cover - thousands of combinations for a few replies a thread
        body = f"{body}\n\n({len(bodies)})"
    bodies.add(body)
    return body


def _react(rng: random.Random, thread: Thread, readers: _Picker, end: float) -> None:
    targets: list[tuple[list[tuple[int, str, float]], float, int, float, bool]] = [
        (thread.reactions, thread.at, thread.author, 1.2, False)
    ]
    targets += [
        (reply.reactions, reply.at, reply.author, 3.0 if i == thread.accepted else 1.8, reply.short)
        for i, reply in enumerate(thread.replies)
    ]
    for reactions, at, author, mean, short in targets:
        seen: set[tuple[int, str]] = set()
        for _n in range(int(rng.expovariate(1 / mean))):
            when = _daytime(at + rng.lognormvariate(math.log(8), 1.3) * HOUR)
            if when >= end:
                continue
            person = readers.pick(when, avoid=author)
            kind = (
                "helpful"
                if thread.kind == "question" and rng.random() < 0.6
                else (rng.choice(REACTIONS))
            )
            if short and kind == "helpful":
                kind = "thanks"
            if person is None or (person, kind) in seen:
                continue
            seen.add((person, kind))
            reactions.append((person, kind, when))


def _capture(rng: random.Random, people: list[Member], threads: list[Thread], end: float) -> None:
    """Some solved questions become wiki articles, written by a core member."""
    core = [p.index for p in people if p.writes >= 20] or [0]
    for thread in threads:
        if thread.accepted_at is None or rng.random() >= 0.15:
            continue
        when = _daytime(thread.accepted_at + rng.uniform(1, 10) * DAY)
        writer = rng.choice(core)
        if when < end and people[writer].joined <= when < people[writer].active_until:
            thread.captured_by, thread.captured_at = writer, when


def _meetings(rng: random.Random, people: list[Member], start: float, end: float) -> list[Meeting]:
    """A meeting about every three weeks; about one active member in six answers."""
    readers = _Picker(rng, people, [p.reads for p in people])
    meetings: list[Meeting] = []
    day = start + 21 * DAY  # announced two weeks ahead: after the community began
    while day < end + 20 * DAY:
        starts = math.floor(day / DAY) * DAY + (17 - LOCAL_OFFSET_HOURS) * HOUR
        announced = starts - 14 * DAY
        if announced >= end:
            break
        active = sum(1 for p in people if p.joined <= announced < p.active_until)
        rsvps: list[tuple[int, str, float, bool]] = []
        answered: set[int] = set()
        for _n in range(max(1, round(active / 6 * rng.uniform(0.6, 1.3)))):
            when = announced + rng.random() * 13 * DAY
            if when >= end:
                continue
            person = readers.pick(when)
            if person is None or person in answered:
                continue
            answered.add(person)
            response = rng.choices(("going", "maybe", "not_going"), weights=(7, 2, 1))[0]
            attended = response == "going" and starts + 2 * HOUR < end and rng.random() < 0.75
            rsvps.append((person, response, when, attended))
        online = rng.random() < 0.6
        subject = _subject(rng)
        title = "Atelier en ligne : {action} {object}" if online else "Rencontre : {object}"
        meetings.append(
            Meeting(
                title=subject.fill(title),
                description=texts.agenda(
                    rng,
                    action=subject.action,
                    obj=subject.object,
                    context=subject.context,
                    online=online,
                ),
                starts=starts,
                announced=announced,
                online=online,
                rsvps=rsvps,
            )
        )
        day += rng.uniform(18, 25) * DAY
    return meetings


def _surveys(rng: random.Random, people: list[Member], start: float, end: float) -> list[Survey]:
    """A poll a month; about one active member in four votes."""
    readers = _Picker(rng, people, [p.reads for p in people])
    surveys: list[Survey] = []
    opens = start + 20 * DAY
    while opens < end:
        closes = opens + 10 * DAY
        active = sum(1 for p in people if p.joined <= opens < p.active_until)
        choices = rng.sample(list(OBJECTS), 4)
        voted: set[int] = set()
        ballots: list[tuple[int, int, float]] = []
        for _n in range(max(1, round(active / 4 * rng.uniform(0.6, 1.3)))):
            when = opens + rng.random() * 10 * DAY
            if when >= min(end, closes):
                continue
            person = readers.pick(when)
            if person is None or person in voted:
                continue
            voted.add(person)
            ballots.append((person, min(int(rng.expovariate(0.8)), 3), when))
        surveys.append(
            Survey(
                title="Le prochain sujet de la rencontre ?",
                choices=[choice[0].upper() + choice[1:] for choice in choices],
                opens=opens,
                closes=closes,
                ballots=ballots,
            )
        )
        opens += MONTH_DAYS * DAY
    return surveys


def _visits(
    rng: random.Random, people: list[Member], posts: int, start: float, end: float
) -> list[tuple[int, float]]:
    """Days on which each member came (at most one visit a day is counted), in
    proportion to how much they read, while they are active."""
    target = VISITS_PER_POST * posts
    spans = [max((p.active_until - p.joined) / DAY, 0.0) for p in people]
    total = sum(p.reads * span for p, span in zip(people, spans, strict=True)) or 1.0
    rate = target / total
    first_day = math.floor(start / DAY)
    visits: list[tuple[int, float]] = []
    for person, span in zip(people, spans, strict=True):
        days = int(span)
        if days <= 0:
            continue
        wanted = min(days, round(person.reads * span * rate / WEEK_KEEP))
        offset = math.ceil(person.joined / DAY) - first_day
        for day in sorted(rng.sample(range(days), wanted)):
            weekday = datetime.fromtimestamp((first_day + offset + day) * DAY, UTC).weekday()
            if rng.random() >= WEEKDAY_WEIGHTS[weekday] + 0.15:
                continue
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0] - LOCAL_OFFSET_HOURS
            at = (first_day + offset + day) * DAY + hour * HOUR + rng.random() * HOUR
            if person.joined <= at < min(person.active_until, end):
                visits.append((person.index, at))
    return visits


def _expertise(rng: random.Random, people: list[Member], end: float) -> list[Declared]:
    """Those who write declare what they know, within days of joining; a few readers
    declare what they are learning. The popular tags get the most experts."""
    weights = [1 / (rank + 1) for rank in range(len(TAGS))]
    declared: list[Declared] = []
    for person in people:
        if person.writes >= 5:
            count, levels = rng.choice((1, 2, 2, 3)), (2, 3, 3)
        elif rng.random() < 0.12:
            count, levels = 1, (1, 1, 2)
        else:
            continue
        at = person.joined + rng.uniform(0.05, 3) * DAY
        if at >= min(person.active_until, end):
            continue
        for tag in sorted(set(rng.choices(range(len(TAGS)), weights=weights, k=count))):
            declared.append(Declared(person.index, tag, rng.choice(levels), at))
            at += rng.uniform(60, 600)
    return declared


def _shelves(rng: random.Random, people: list[Member], start: float, end: float) -> list[Shelved]:
    """The library grows over the story: the coordinator opens each collection, and
    members who write add its resources over the following months."""
    writers = _Picker(rng, people, [p.writes for p in people])
    shelves: list[Shelved] = []
    span = end - start
    for index, shelf in enumerate(texts.SHELVES):
        opened = start + (3 + index * 0.18 * span / DAY) * DAY
        if opened >= end:
            break
        items: list[tuple[int, int, float]] = []
        at = opened + HOUR
        for item in range(len(shelf.items)):
            at = _daytime(at + rng.uniform(0.2, 0.25 * span / DAY / len(shelf.items)) * DAY)
            if at >= end:
                break
            author = writers.pick(at)
            items.append((item, 0 if author is None else author, at))
        shelves.append(Shelved(index, 0, opened, items))
    return shelves


def months_before(until: datetime, months: int) -> datetime:
    return until - timedelta(days=months * MONTH_DAYS)
