from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from PIL import Image

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.activity.verbs import VERBS
from cercle.communities.models import Community, Space
from cercle.conversations.models import Post, Topic
from cercle.demo import DEMO_PEOPLE, demo_is_needed, load_demo
from cercle.events.models import Event
from cercle.knowledge.models import Collection, Resource
from cercle.people.models import Expertise, Profile
from cercle.people.portraits import portrait
from cercle.simulation.load import generate
from cercle.wiki.models import Article
from tests.communities import client_for

pytestmark = pytest.mark.django_db

# What `make run` generates beside the bilingual demo (the Makefile's DEMO_ARGS), on a
# fixed day.
MAKE_RUN: dict[str, Any] = {
    "members": 200,
    "months": 12,
    "seed": 1,
    "until": datetime(2026, 11, 30, tzinfo=UTC),
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    """The demo's portraits are files: they go to a temporary folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def make_run_demo() -> None:
    """The demo and the community `make run` generates (`cercle demo` also fills the
    cockpit's count tables, which these tests do not read)."""
    load_demo()
    camille = User.objects.get(email="camille@metropole.example")
    generate(**MAKE_RUN, coordinator=camille)


def test_the_demo_is_bilingual_and_every_demo_login_works() -> None:
    assert demo_is_needed()
    load_demo()
    assert not demo_is_needed()
    assert {p.language for p in DEMO_PEOPLE} == {"en", "fr"}
    for person in DEMO_PEOPLE:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": person.email, "password": settings.DEMO_PASSWORD}
        )
        assert response.status_code == 302, person.email
        home = client.get(reverse("home"))
        assert home["Content-Language"] == person.language
        assert person.display_name in home.content.decode()


def test_the_demo_has_an_administrator() -> None:
    load_demo()
    admins = User.objects.filter(is_superuser=True)
    assert [a.email for a in admins] == ["camille@metropole.example"]


def test_the_demo_has_conversations_experts_and_a_private_working_group() -> None:
    load_demo()
    assert Community.objects.count() == 3
    assert Space.objects.filter(is_private=True).count() == 1
    assert Topic.objects.filter(kind="question").exclude(accepted_answer=None).exists()
    assert Topic.objects.filter(kind="announcement").exists()
    assert {t.community.language for t in Topic.objects.select_related("community")} == {"en", "fr"}
    assert Expertise.objects.filter(level=3).count() == 3


def test_each_demo_community_in_both_languages_has_a_library_with_resources() -> None:
    load_demo()
    for slug in ("urban-cycling", "numerique-responsable"):
        collections = Collection.objects.filter(community__slug=slug)
        assert collections.exists(), slug
        assert not collections.annotate(n=Count("resources")).filter(n=0).exists(), slug
    kinds = set(Resource.objects.values_list("kind", flat=True))
    assert kinds == {"link", "note"}


def test_the_demo_wiki_captures_its_solved_questions_as_the_wiki_does() -> None:
    load_demo()
    captured = Article.objects.exclude(source_topic=None).select_related("source_topic")
    assert {a.community.language for a in captured} == {"en", "fr"}
    for article in captured:
        topic = article.source_topic
        assert topic is not None
        assert topic.accepted_answer is not None
        # What the capture suggests: the question and the accepted answer, credited,
        # with a link back to the conversation.
        assert topic.accepted_answer.body.split("\n")[0] in article.body
        assert topic.get_absolute_url() in article.body
    assert Article.objects.filter(source_topic=None).exists()  # and a guide, written


def test_the_generated_community_has_a_library_a_wiki_and_experts(make_run_demo: None) -> None:
    community = Community.objects.get(slug="pratiques-1")
    assert Collection.objects.filter(community=community).count() >= 3
    assert Resource.objects.filter(collection__community=community).count() >= 8
    articles = Article.objects.filter(community=community)
    solved = articles.exclude(source_topic=None).exclude(source_topic__accepted_answer=None)
    assert solved.count() >= 3
    # Captured as the wiki captures: the accepted answer, quoted and credited.
    article = solved.select_related("source_topic__accepted_answer__author").first()
    assert article is not None
    assert article.source_topic is not None
    answer = article.source_topic.accepted_answer
    assert answer is not None
    assert answer.author is not None
    assert f"> **{answer.author.display_name}**" in article.body
    assert "Réponse acceptée" in article.body or "réponse acceptée" in article.body
    assert article.toc_html  # rendered as the wiki renders its articles
    experts = Expertise.objects.filter(tag__community=community)
    assert experts.values("person").distinct().count() >= 10
    assert experts.filter(level__gte=2).exists()
    # "Who knows what?" shows people.
    camille = User.objects.get(email="camille@metropole.example")
    page = client_for(camille).get(reverse("community_experts", args=[community.slug]))
    assert page.status_code == 200
    names = {e.person.display_name for e in experts.select_related("person")}
    assert sum(name in page.content.decode() for name in names) >= 5


def test_events_have_agendas_not_questions_in_both_languages(make_run_demo: None) -> None:
    events = Event.objects.select_related("community")
    assert {event.community.language for event in events} == {"en", "fr"}
    for event in events:
        assert event.description.strip(), event.title
        assert not event.description.rstrip().endswith("?"), event.title
    generated = events.filter(community__slug="pratiques-1")
    assert generated.exists()
    assert all("Au programme" in event.description for event in generated)


def test_no_reply_repeats_another_post_of_its_topic_word_for_word(make_run_demo: None) -> None:
    repeated = Post.objects.values("topic_id", "body").annotate(n=Count("pk")).filter(n__gt=1)
    assert list(repeated) == []
    # A thread of the generated community says different things about its subject.
    busy = Topic.objects.filter(community__slug="pratiques-1", reply_count__gte=4).first()
    assert busy is not None
    assert len({post.body for post in busy.posts.all()}) == busy.reply_count + 1


def test_every_demo_person_has_a_portrait_served_as_their_photo(make_run_demo: None) -> None:
    generated = User.objects.filter(memberships__community__slug="pratiques-1")
    assert generated.count() == 200
    demo = User.objects.filter(email__in=[p.email for p in DEMO_PEOPLE])
    everyone = (
        User.objects.filter(
            pk__in={*generated.values_list("pk", flat=True), *demo.values_list("pk", flat=True)}
        )
        .select_related("profile")
        .order_by("pk")
    )
    assert everyone.count() == 204  # Camille coordinates the generated community
    camille = User.objects.get(email="camille@metropole.example")
    reader = client_for(camille)
    for person in everyone:
        profile = Profile.objects.get(person=person)
        assert profile.avatar, person.handle
        assert Path(profile.avatar.path).is_file(), person.handle
    for person in [*everyone[:3], *everyone.reverse()[:3]]:
        response = reader.get(reverse("profile_photo", args=[person.handle]))
        assert response.status_code == 200, person.handle
        assert response["Content-Type"] == "image/png"
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        image = Image.open(io.BytesIO(content))
        assert image.size == (160, 160)
    # The profile page shows the photo, not initials.
    bob = User.objects.get(email="bob@bikes.example")
    page = reader.get(reverse("profile", args=[bob.handle])).content.decode()
    assert reverse("profile_photo", args=[bob.handle]) in page


def test_portraits_are_the_same_for_a_handle_and_differ_between_handles() -> None:
    assert portrait("lea-dubois") == portrait("lea-dubois")
    assert len({portrait(f"member-{n}") for n in range(20)}) == 20
    assert Image.open(io.BytesIO(portrait("x"))).format == "PNG"


def test_the_generated_demo_records_every_change_with_a_declared_verb(
    make_run_demo: None,
) -> None:
    community = Community.objects.get(slug="pratiques-1")
    written = set(ActivityEvent.objects.values_list("verb", flat=True).distinct())
    assert written <= set(VERBS)
    events = ActivityEvent.objects.filter(community=community)
    assert events.filter(verb="expertise.declared").count() == (
        Expertise.objects.filter(tag__community=community).count()
    )
    assert events.filter(verb__startswith="resource.added.").count() == (
        Resource.objects.filter(collection__community=community).count()
    )
    assert events.filter(verb="collection.created").count() == (
        Collection.objects.filter(community=community).count()
    )
    assert events.filter(verb="article.created").count() == (
        Article.objects.filter(community=community, source_topic=None).count()
    )
