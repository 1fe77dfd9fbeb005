"""Pages get everything from their queries.

- No template tag touches the database: checked statically (no template tag module
  imports a model, a query or action module, the permissions package or django.db) and
  at run time (no query is run from a template tag's code while the main pages render).
- Templates never derive a permission: they read a `can` record.
- A GET writes nothing, except through the side effects declared in
  `cercle/web_effects.py` (read markers, space visits, presence, the calendar feed key).
- The topic and space pages run an exact number of queries, the same at two sizes.
"""

from __future__ import annotations

import ast
import re
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from cercle import sections, web_effects
from cercle.accounts.models import User
from cercle.communities.models import Community, Role, Space
from cercle.conversations import actions
from cercle.conversations.models import Kind, Post, Tag, Topic
from cercle.personas import actions as persona_actions
from cercle.personas.models import Persona
from tests.communities import client_for, community, html, join
from tests.conftest import make_person
from tests.test_conversations import png

ROOT = Path(__file__).resolve().parent.parent
TAG_MODULES = sorted((ROOT / "cercle").glob("*/templatetags/*.py"))
TEMPLATES = sorted(
    path
    for path in (ROOT / "cercle").rglob("*.html")
    if "templates/allauth" not in path.as_posix() and ".venv" not in path.parts
)


# --- No query in template tags ------------------------------------------------------------------

# What a template tag module may not import at run time (type hints under TYPE_CHECKING
# are fine): anything that reaches the database or decides a permission.
FORBIDDEN_IMPORT = re.compile(
    r"^(django\.db(\.|$)|cercle\.permissions(\.|$)|cercle\.[a-z_]+\.(models|queries|actions)(\.|$))"
)


def runtime_imports(tree: ast.Module) -> list[str]:
    """The modules a module imports outside `if TYPE_CHECKING:` blocks."""
    found: list[str] = []

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
                continue
            if isinstance(node, ast.Import):
                found.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.append(node.module)
                found.extend(f"{node.module}.{alias.name}" for alias in node.names)
            for child in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, child, None)
                if isinstance(inner, list):
                    visit([item for item in inner if isinstance(item, ast.stmt)])

    visit(tree.body)
    return found


def test_the_static_check_catches_a_template_tag_that_imports_a_query() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from cercle import permissions\n"
        "from cercle.badges import queries\n"
        "if TYPE_CHECKING:\n    from cercle.badges.models import Badge\n"
        "def tag():\n    from cercle.people.models import Profile\n"
    )
    imported = runtime_imports(tree)
    # Imports inside functions count; type hints do not.
    assert [name for name in imported if FORBIDDEN_IMPORT.match(name)] == [
        "cercle.permissions",
        "cercle.badges.queries",
        "cercle.people.models",
        "cercle.people.models.Profile",
    ]
    assert "cercle.badges.models" not in imported


@pytest.mark.parametrize("module", TAG_MODULES, ids=lambda path: path.parent.parent.name)
def test_no_template_tag_module_reaches_the_database_or_the_permissions(module: Path) -> None:
    source = module.read_text()
    tree = ast.parse(source)
    forbidden = [name for name in runtime_imports(tree) if FORBIDDEN_IMPORT.match(name)]
    assert forbidden == [], f"{module.name} imports {forbidden}: compute it in the page's query"
    # Nor a manager or a queryset reached another way.
    assert ".objects" not in source, f"{module.name} uses a manager"
    assert "import_module" not in source
    assert "apps.get_model" not in source


@contextmanager
def queries_from_template_tags() -> Iterator[list[str]]:
    """Every query run from a template tag's code (a frame in a templatetags module).

    A form drawn by the form tags reads its choices (a form's fields are the view's
    data, and Django's choice fields always ask again when drawn): not counted."""
    caught: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        frames = [frame.filename for frame in traceback.extract_stack()]
        in_tag = any("/templatetags/" in name and "/cercle/" in name for name in frames)
        if in_tag and not any("/django/forms/" in name for name in frames):
            caught.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        yield caught


def test_the_runtime_check_catches_a_tag_that_queries(alice: User) -> None:
    namespace: dict[str, Any] = {"User": User}
    source = "def tag(pk):\n    return User.objects.filter(pk=pk).count()\n"
    exec(compile(source, "/src/cercle/fake/templatetags/fake.py", "exec"), namespace)  # noqa: S102
    with queries_from_template_tags() as caught:
        assert namespace["tag"](alice.pk) == 1
    assert len(caught) == 1


def test_formatting_tags_run_no_query(db: None, django_assert_num_queries: Any) -> None:
    """The remaining tags and filters, given what pages give them, ask nothing; an
    avatar whose profile the page did not load shows initials rather than query."""
    person = make_person("zoe@example.org", "Zoé Durand")
    fresh = User.objects.get(pk=person.pk)  # profile not loaded
    template = Template(
        "{% load avatars notifications imported %}"
        "{% avatar person 40 %}{% notification_bell %}"
        "{% with origin=post|imported_origin %}{{ origin|default:'none' }}{% endwith %}"
    )
    with django_assert_num_queries(0):
        shown = template.render(Context({"person": fresh, "post": Post(pk=1)}))
    assert ">ZD<" in shown.replace(" ", "").replace("\n", "")
    assert "none" in shown


# --- Templates read `can`, never derive a rule ---------------------------------------------------

# A template that asks the access record, compares ids with the reader, or reads roles
# decides a permission: the page's query or view computes a `can` record instead.
RULE_IN_TEMPLATE = re.compile(
    r"\baccess\.|user\.pk\b|author_id *[!=]=|[!=]= *user\.pk|person_id *[!=]=|"
    r"\bis_coordinator\b|\bis_moderator\b|user\.is_staff|user\.is_superuser"
)


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: path.relative_to(ROOT / "cercle").as_posix()
)
def test_no_template_derives_a_permission(template: Path) -> None:
    found = [
        f"line {number}: {match.group(0)}"
        for number, line in enumerate(template.read_text().splitlines(), start=1)
        for match in RULE_IN_TEMPLATE.finditer(line)
    ]
    assert found == [], f"{template.name} derives a rule ({found}): pass it in `can`"


def test_the_template_check_catches_a_derived_rule() -> None:
    for rule in [
        "{% if access.may_manage %}",
        "{% if item.post.author_id == user.pk %}",
        "{% if membership.person_id != user.pk %}",
        "{% if request.user.is_staff %}",
    ]:
        assert RULE_IN_TEMPLATE.search(rule), rule
    assert not RULE_IN_TEMPLATE.search("{% if can.manage and item.can.edit %}")


# --- The people and places the pages are measured with -------------------------------------------


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, moderator: User) -> Community:
    created = community(coordinator)
    join(alice, created)
    join(bob, created)
    join(moderator, created, Role.MODERATOR)
    return created


@pytest.fixture
def general(cargo: Community) -> Space:
    return cargo.spaces.get(is_default=True)


@pytest.fixture
def crowd(cargo: Community) -> list[User]:
    """Four more members, so that posts have several authors."""
    people = [make_person(f"rider{n}@example.org", f"Rider {n}") for n in range(4)]
    for person in people:
        join(person, cargo)
    return people


@pytest.fixture
def lola(cargo: Community, coordinator: User) -> Persona:
    return persona_actions.do_create_persona(coordinator, cargo, name="Lola the Cargo Bike")


def picture() -> SimpleUploadedFile:
    return SimpleUploadedFile("p.png", png(), content_type="image/png")


def busy_topic(
    space: Space,
    asker: User,
    coordinator: User,
    persona: Persona,
    crowd: list[User],
    replies: int,
) -> Topic:
    """A question with `replies` replies by several people and a persona, with pictures,
    quotes, reactions from several people and an accepted answer."""
    tag = Tag.objects.get_or_create(community=space.community, slug="bikes", name="Bikes")[0]
    topic = actions.do_start_topic(
        asker,
        space,
        kind=Kind.QUESTION,
        title="Which cargo bike for three children?",
        body="We need one for the school run.",
        tags=[tag],
        files=[picture()],
    )
    previous: Post | None = None
    writers = [coordinator, *crowd]
    for number in range(replies):
        writer = writers[number % len(writers)]
        post = actions.do_reply(
            writer,
            topic,
            body=f"Reply {number}: a long-tail trike.",
            reply_to=previous if number % 4 == 1 else None,
            files=[picture()] if number % 3 == 0 else [],
            persona=persona if writer == coordinator and number % 2 == 0 else None,
        )
        for reader in (asker, *crowd[:2]):
            if reader != writer:
                actions.do_toggle_reaction(reader, post, "helpful" if number % 2 else "thanks")
        previous = post
    answer = Post.objects.select_related("topic__space__community").get(topic=topic, position=1)
    actions.do_accept_answer(asker, topic, answer)
    return topic


def busy_space(
    space: Space,
    coordinator: User,
    persona: Persona,
    crowd: list[User],
    topics: int,
) -> None:
    """`topics` topics of every kind, by several people and a persona, tagged, with replies."""
    tags = [
        Tag.objects.get_or_create(community=space.community, slug=slug, name=slug.title())[0]
        for slug in ("bikes", "kids", "rain")
    ]
    for number in range(topics):
        writer = crowd[number % len(crowd)]
        kind = [Kind.DISCUSSION, Kind.QUESTION][number % 2]
        topic = actions.do_start_topic(
            coordinator if number % 5 == 0 else writer,
            space,
            kind=Kind.ANNOUNCEMENT if number % 5 == 0 else kind,
            title=f"Topic number {number}",
            body="What do you think?",
            tags=tags[: 1 + number % 3],
            persona=persona if number % 5 == 0 else None,
        )
        if number % 2 == 0:
            reply = actions.do_reply(crowd[(number + 1) % len(crowd)], topic, body="Me too.")
            actions.do_toggle_reaction(writer, reply, "agree")
        if number == 3:
            actions.do_set_pinned(coordinator, topic, True)


def measured(client: Client, url: str, assert_num_queries: Any, expected: int) -> str:
    """The page at `url` the second time (the first writes the reader's markers), with
    exactly `expected` queries."""
    html(client, url)
    with assert_num_queries(expected):
        return html(client, url)


# --- The topic page -------------------------------------------------------------------------------

# For everyone (9): the community, the space, the topic with its tags (2), the posts'
# count and page (with authors, personas, quoted posts and imported origins joined),
# their reactions with the reader's own (1), their attachments, the wiki's captures.
# A member adds 8: the session and the account, the membership, the reading state,
# whether they follow the topic, the personas they may write as, their draft of a reply
# (the composer's, issue 14), and the header's community switcher (the layout's one
# query, cercle/ui/context_processors.py). A
# moderator adds 2: the private spaces they are listed in and the spaces a topic may
# move to. The community navigation of the layout (cercle/ui/navigation.py) adds 1 for
# everyone (the community's spaces with the community) and 2 for a member (their
# membership for the navigation's permission questions, and the unread topics of every
# space in one grouped query). Nothing grows with the number of posts, authors,
# reactions, files or spaces.
TOPIC_QUERIES = {"visitor": 10, "member": 20, "moderator": 22}


@pytest.mark.parametrize("replies", [3, 60])
@pytest.mark.parametrize("reader", ["visitor", "member", "moderator"])
def test_the_topic_page_runs_the_same_exact_number_of_queries_at_any_size(
    replies: int,
    reader: str,
    general: Space,
    alice: User,
    bob: User,
    moderator: User,
    coordinator: User,
    crowd: list[User],
    lola: Persona,
    tmp_path: Path,
    settings: Any,
    django_assert_num_queries: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    topic = busy_topic(general, alice, coordinator, lola, crowd, replies)
    person = {"visitor": None, "member": bob, "moderator": moderator}[reader]
    page = measured(
        client_for(person),
        topic.get_absolute_url(),
        django_assert_num_queries,
        TOPIC_QUERIES[reader],
    )
    shown = min(replies, settings.POSTS_PER_PAGE - 1)
    # The question and the replies; the accepted answer (reply 1) once, under the question,
    # its place in the thread pointing to it (issue 14). The counts above did not change:
    # the authors' profiles (their faces) come joined to the posts' query.
    assert page.count('post__body"') == shown + 1
    assert page.count('id="post-1-in-thread"') == 1
    assert "Accepted answer" in page
    assert page.count("Lola the Cargo Bike") >= 1
    assert ("Moderate" in page) == (reader == "moderator")
    assert ('id="reply"' in page) == (reader != "visitor")


# --- The space page ------------------------------------------------------------------------------

# For everyone (6): the community, the space, the topics' count and page (with
# authors, last posters and personas joined, and each topic's reading state for the
# reader as a subquery), their tags, the other spaces. A member adds 7: the session
# and the account, the membership, their last visit (read and kept in one query within
# a visit), the private spaces they are listed in, whether they follow the space, and
# the header's community switcher. The community navigation adds 1 for everyone and 2
# for a member, as on the topic page.
SPACE_QUERIES = {"visitor": 7, "member": 16}


@pytest.mark.parametrize("topics", [3, 40])
@pytest.mark.parametrize("order", ["latest", "top"])
@pytest.mark.parametrize("reader", ["visitor", "member"])
def test_the_space_page_runs_the_same_exact_number_of_queries_at_any_size(
    topics: int,
    order: str,
    reader: str,
    general: Space,
    bob: User,
    coordinator: User,
    crowd: list[User],
    lola: Persona,
    django_assert_num_queries: Any,
) -> None:
    busy_space(general, coordinator, lola, crowd, topics)
    page = measured(
        client_for({"visitor": None, "member": bob}[reader]),
        general.get_absolute_url() + f"?list={order}",
        django_assert_num_queries,
        SPACE_QUERIES[reader],
    )
    assert page.count('<li class="topic-row') == min(topics, 30)
    assert "Lola the Cargo Bike" in page
    assert ("Start a discussion" in page) == (reader == "member")


# --- The community's home page ---------------------------------------------------------------

# For a visitor (16): the community, the leaders, the newest members, the member count,
# the readable spaces, then the apps' sections: the latest topics (with each reader's
# reading state as a subquery) and their posters' faces (one query, a window function
# picks each topic's last posts), the unanswered questions, the next events, the open
# polls, quizzes and challenges, the running contests, the library's new resources, the
# wiki's new articles, the members of the month, the ideas, the personas. A member adds
# 8: the session and the account, the membership, the private spaces they are listed in,
# the newcomer's checklist, whether they sponsor the community, the space to write the
# first wiki article in (the test community has none yet), and the header's community
# switcher. A coordinator reads every space (no listing) and is no newcomer, but counts
# the newcomers of the week for the "Animate" card. Nothing grows with the number of
# topics, replies or posters. Like every page inside a community, it draws the community
# navigation (cercle/ui/navigation.py): the spaces with the community for everyone, and
# for a member their membership and the unread topics of all spaces in one query.
HOME_QUERIES = {"visitor": 17, "member": 27, "coordinator": 25}


@pytest.mark.parametrize("topics", [5, 30])
@pytest.mark.parametrize("reader", ["visitor", "member", "coordinator"])
def test_the_community_home_runs_the_same_exact_number_of_queries_at_any_size(
    topics: int,
    reader: str,
    cargo: Community,
    general: Space,
    bob: User,
    coordinator: User,
    crowd: list[User],
    lola: Persona,
    django_assert_num_queries: Any,
) -> None:
    busy_space(general, coordinator, lola, crowd, topics)
    page = measured(
        client_for({"visitor": None, "member": bob, "coordinator": coordinator}[reader]),
        cargo.get_absolute_url(),
        django_assert_num_queries,
        HOME_QUERIES[reader],
    )
    assert page.count('<li class="home-topic">') == min(topics, 8)
    assert page.count('class="face"') >= min(topics, 8)
    assert ("animate-title" in page) == (reader == "coordinator")


# --- No query from template tags while the pages render -------------------------------------------


def pages(cargo: Community, general: Space, topic: Topic, person: User) -> list[str]:
    slug = cargo.slug
    return [
        reverse("home"),
        cargo.get_absolute_url(),
        general.get_absolute_url(),
        topic.get_absolute_url(),
        reverse("profile", kwargs={"handle": person.handle}),
        reverse("community_people", kwargs={"slug": slug}),
        reverse("community_experts", kwargs={"slug": slug}),
        reverse("badges:community", kwargs={"slug": slug}),
        reverse("events:list", kwargs={"slug": slug}),
        reverse("activities:list", kwargs={"slug": slug}),
        reverse("contests:list", kwargs={"slug": slug}),
        reverse("ideas:board", kwargs={"slug": slug}),
        reverse("personas:list", kwargs={"slug": slug}),
        reverse("knowledge:library", kwargs={"slug": slug}),
        reverse("wiki_space", kwargs={"slug": slug, "space": general.slug}),
        reverse("notifications"),
        reverse("onboarding:welcome", kwargs={"slug": slug}),
        reverse("nextactions:queue", kwargs={"slug": slug}),
        reverse("value:stories", kwargs={"slug": slug}),
        reverse("events:calendar", kwargs={"slug": slug}),
        reverse("profile_edit"),
        reverse("search") + "?q=cargo",
    ]


@pytest.fixture
def lively(
    general: Space,
    alice: User,
    coordinator: User,
    crowd: list[User],
    lola: Persona,
    tmp_path: Path,
    settings: Any,
) -> Topic:
    settings.MEDIA_ROOT = tmp_path
    busy_space(general, coordinator, lola, crowd, 4)
    return busy_topic(general, alice, coordinator, lola, crowd, 5)


@pytest.mark.parametrize("who", ["newcomer", "coordinator", "visitor"])
def test_no_template_tag_queries_while_the_pages_render(
    who: str,
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    lively: Topic,
) -> None:
    person = {"newcomer": alice, "coordinator": coordinator, "visitor": None}[who]
    reader = client_for(person)
    for url in pages(cargo, general, lively, alice):
        with queries_from_template_tags() as caught:
            response = reader.get(url)
        assert response.status_code in {200, 302, 403, 404}, url
        assert caught == [], (url, caught)


# --- A GET writes only through its declared side effects ----------------------------------------

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@contextmanager
def undeclared_writes() -> Iterator[list[str]]:
    """Every write not made by a side effect declared in cercle/web_effects.py."""
    caught: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if WRITE.match(sql) and web_effects.running() is None:
            caught.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(wrapper):
        yield caught


def test_the_declared_side_effects_are_the_documented_ones() -> None:
    documented = (ROOT / "docs" / "architecture.md").read_text()
    assert set(web_effects.DECLARED) == {
        "read markers",
        "space visits",
        "presence",
        "calendar feed key",
    }
    for name, function in web_effects.DECLARED.items():
        assert f"`{function}`" in documented, (name, function)


@pytest.mark.parametrize("who", ["newcomer", "coordinator", "visitor"])
def test_a_get_writes_only_through_its_declared_side_effects(
    who: str,
    cargo: Community,
    general: Space,
    alice: User,
    coordinator: User,
    lively: Topic,
    settings: Any,
) -> None:
    settings.CERCLE_RECORD_PRESENCE = True
    person = {"newcomer": alice, "coordinator": coordinator, "visitor": None}[who]
    reader = client_for(person)
    for url in pages(cargo, general, lively, alice):
        with undeclared_writes() as caught:
            response = reader.get(url)
        assert response.status_code in {200, 302, 403, 404}, url
        assert caught == [], (url, caught)


def test_the_write_check_catches_an_undeclared_write(alice: User) -> None:
    with undeclared_writes() as caught:
        User.objects.filter(pk=alice.pk).update(display_name="Alice M.")
    assert len(caught) == 1


def test_reading_a_topic_writes_the_read_marker_as_a_declared_side_effect(
    general: Space, alice: User, bob: User
) -> None:
    topic = actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Saddles", body="Which one?"
    )
    actions.do_reply(alice, topic, body="A wide one.")
    written: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if WRITE.match(sql):
            written.append(web_effects.running() or sql)
        return execute(sql, *args)

    reader = client_for(bob)
    with connection.execute_wrapper(wrapper):
        html(reader, topic.get_absolute_url())
        html(reader, general.get_absolute_url())
    assert set(written) == {"read markers", "space visits"}, written
    assert topic.read_states.get(person=bob).last_read_position == 1


# --- Sections: what apps above add to a page ----------------------------------------------------


def test_every_section_names_a_known_page_and_takes_its_inputs() -> None:
    for page, inputs in sections.PAGES.items():
        for section in sections.sections_of(page):
            assert section.load.__code__.co_varnames[: len(inputs)] == inputs, section


def test_gather_refuses_inputs_its_page_does_not_take(alice: User) -> None:
    with pytest.raises(TypeError, match="take"):
        sections.gather("people.profile", reader=alice)
    with pytest.raises(ValueError, match="No page"):
        sections.register("nowhere", name="x", template="x.html", order=1, load=lambda: None)


# --- The search page -----------------------------------------------------------------------------

# For everyone (6): the communities and the spaces the filters offer, the page of
# topics (each topic's best document, ranked, counted, in one statement), its snippets,
# the topics with their spaces and communities, the authors of the best posts with their
# profiles. A member adds 5: the session and the account, who is internal (the internal
# domains and their verified addresses, asked once), the header's community switcher.
# Nothing grows with the number of topics, replies or authors.
SEARCH_QUERIES = {"visitor": 6, "member": 11}


@pytest.mark.parametrize("topics", [3, 30])
@pytest.mark.parametrize("reader", ["visitor", "member"])
def test_the_search_page_runs_the_same_exact_number_of_queries_at_any_size(
    topics: int,
    reader: str,
    general: Space,
    bob: User,
    coordinator: User,
    crowd: list[User],
    lola: Persona,
    django_assert_num_queries: Any,
) -> None:
    for number in range(topics):
        topic = actions.do_start_topic(
            crowd[number % len(crowd)],
            general,
            kind=[Kind.QUESTION, Kind.DISCUSSION][number % 2],
            title=f"Trailer number {number}",
            body="Which trailer?",
        )
        for writer in crowd[:3]:
            actions.do_reply(writer, topic, body="A trailer with two wheels.")
    page = measured(
        client_for({"visitor": None, "member": bob}[reader]),
        reverse("search") + "?q=trailer",
        django_assert_num_queries,
        SEARCH_QUERIES[reader],
    )
    assert page.count('<li class="search-hit">') == min(topics, 20)
    assert "4 matching messages" in page
