"""Personas: who may create them and speak as them, what members see (the persona,
marked as one, never its real writer: pages, lists, search, notifications, emails,
profiles, feeds) and what the coordinators' audit log shows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from cercle import permissions
from cercle.accounts import actions as account_actions
from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.analytics import counting, metrics
from cercle.analytics.figures import compute_figures
from cercle.analytics.models import QuestionLife
from cercle.communities.models import Audience, Community, Space, Visibility
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, Post, Tag, Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.notifications.models import Kind as NotificationKind
from cercle.notifications.models import Notification
from cercle.people import actions as people_actions
from cercle.people.models import Level
from cercle.people.queries import who_knows_what
from cercle.personas import actions
from cercle.personas import demo as personas_demo
from cercle.personas.models import Persona
from cercle.search.models import SearchDocument
from cercle.search.query import SearchFilters, search
from cercle.wiki.queries import capture_draft
from tests.communities import (
    NAVIGATION_QUERIES,
    client_for,
    community,
    html,
    internal_domain,
    join,
    staff_person,
)
from tests.conftest import make_person
from tests.smtp import SmtpServer, deliver_queued_email, text_body

pytestmark = pytest.mark.django_db

WRITER = "Alice Martin"


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User, moderator: User) -> Community:
    """A public, open community: Claire coordinates, Mona moderates, Alice and Bob take part."""
    return community(coordinator, members=(alice, bob), moderators=(moderator,))


@pytest.fixture
def velia(cargo: Community, coordinator: User, alice: User) -> Persona:
    """Vélia, the workshop's voice; Alice may speak as her."""
    return actions.do_create_persona(
        coordinator,
        cargo,
        name="Vélia, la voix de l'atelier",
        story="Vélia **répare** les vélos depuis toujours.",
        speakers=f"@{alice.handle}",
    )


def png(size: tuple[int, int] = (600, 300)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 93, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def as_persona(
    writer: User, space: Space, persona: Persona, title: str = "Atelier ouvert samedi"
) -> Topic:
    return conversation_actions.do_start_topic(
        writer,
        space,
        kind=Kind.DISCUSSION,
        title=title,
        body="Venez avec vos vélos, on regarde les freins ensemble.",
        persona=persona,
    )


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Persona, Topic, Post, ActivityEvent, Notification, SearchDocument)
    }


def about_posts(person: User) -> Any:
    """The person's notifications about posts (not the welcome of onboarding)."""
    return Notification.objects.filter(recipient=person, post__isnull=False)


# --- Who may do what ----------------------------------------------------------------------------


def test_speaking_as_a_persona_is_for_its_speakers_and_the_coordinators(
    cargo: Community,
    velia: Persona,
    coordinator: User,
    alice: User,
    bob: User,
    moderator: User,
    charlie: User,
) -> None:
    def speaks(person: User, persona: Persona = velia) -> bool:
        return permissions.personas.may_speak_as(
            permissions.community_access(person, cargo), persona
        )

    assert speaks(coordinator)
    assert speaks(alice)
    assert not speaks(bob)
    assert not speaks(moderator)
    assert not speaks(charlie)
    # Another community's persona: not even its coordinator speaks as it here.
    other = community(coordinator, slug="other")
    stranger = actions.do_create_persona(coordinator, other, name="Stranger")
    assert not permissions.personas.may_speak_as(
        permissions.community_access(coordinator, cargo), stranger
    )
    # A retired persona speaks no more.
    actions.do_set_persona_active(coordinator, velia, False)
    velia.refresh_from_db()
    assert not speaks(coordinator)
    assert not speaks(alice)
    actions.do_set_persona_active(coordinator, velia, True)
    velia.refresh_from_db()
    # A speaker who leaves the community no longer speaks as the persona.
    community_actions.do_leave(alice, cargo)
    assert not speaks(alice)


def test_only_coordinators_and_staff_read_the_audit(
    cargo: Community, coordinator: User, alice: User, bob: User, moderator: User, charlie: User
) -> None:
    operator = staff_person()
    allowed = {
        person.display_name: permissions.personas.may_read_persona_audit(
            permissions.community_access(person, cargo)
        )
        for person in (coordinator, alice, bob, moderator, charlie, operator)
    }
    assert allowed == {
        "Claire Coord": True,
        WRITER: False,
        "Bob Leroy": False,
        "Mona Moderator": False,
        "Charlie Outsider": False,
        "Operator": True,
    }


def test_only_coordinators_create_edit_and_retire_personas(
    cargo: Community, velia: Persona, alice: User, moderator: User, charlie: User
) -> None:
    before = snapshot()
    for person in (alice, moderator, charlie):
        with pytest.raises(ActionRefused):
            actions.do_create_persona(person, cargo, name="Usurper")
        with pytest.raises(ActionRefused):
            actions.do_edit_persona(person, velia, name="Usurped")
        with pytest.raises(ActionRefused):
            actions.do_set_persona_active(person, velia, False)
        client = client_for(person)
        assert client.get(reverse("personas:new", args=[cargo.slug])).status_code == 404
        edit = reverse("personas:edit", args=[cargo.slug, velia.slug])
        assert client.post(edit, {"name": "Usurped"}).status_code == 404
        retire = reverse("personas:retire", args=[cargo.slug, velia.slug])
        assert client.post(retire, {"active": "0"}).status_code == 404
    assert snapshot() == before
    velia.refresh_from_db()
    assert (velia.name, velia.is_active) == ("Vélia, la voix de l'atelier", True)


def test_an_internal_community_hides_its_personas_from_outsiders(
    coordinator: User, charlie: User
) -> None:
    domain = internal_domain()
    insider = make_person(f"ines@{domain}", "Ines Insider")
    inside = community(insider, slug="inside", audience=Audience.INTERNAL)
    persona = actions.do_create_persona(insider, inside, name="Hector")
    with pytest.raises(ActionRefused) as refusal:
        actions.do_create_persona(charlie, inside, name="Spy")
    assert refusal.value.not_found
    client = client_for(charlie)
    for url in (
        reverse("personas:list", args=["inside"]),
        reverse("personas:detail", args=["inside", persona.slug]),
        reverse("personas:audit", args=["inside"]),
    ):
        assert client.get(url).status_code == 404, url


# --- Managing personas --------------------------------------------------------------------------


def test_a_coordinator_creates_a_persona_with_a_picture_checked_and_written_again(
    cargo: Community, coordinator: User, alice: User, bob: User, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for(coordinator)
    picture = SimpleUploadedFile("velia.png", png(), content_type="image/png")
    response = client.post(
        reverse("personas:new", args=[cargo.slug]),
        {
            "name": "  Vélia,   la voix de l'atelier ",
            "story": "Elle *répare*.",
            "speakers": f"@{alice.handle}, {bob.handle}",
            "avatar": picture,
        },
    )
    persona = Persona.objects.get()
    assert response.status_code == 302
    assert response["Location"] == persona.get_absolute_url()
    assert persona.name == "Vélia, la voix de l'atelier"
    assert persona.slug == "velia-la-voix-de-latelier"
    assert persona.story_html == "<p>Elle <em>répare</em>.</p>\n"
    assert set(persona.speakers.all()) == {alice, bob}
    with Image.open(persona.avatar.path) as stored:
        assert stored.format == "PNG"
        assert max(stored.size) == 512  # written again, at most 512 pixels a side
    assert ActivityEvent.objects.filter(verb="persona.created", actor=coordinator).count() == 1
    # The picture is served to whoever sees the persona's page, as an image.
    photo = client_for(None).get(reverse("personas:avatar", args=[cargo.slug, persona.slug]))
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/png"
    assert photo["X-Content-Type-Options"] == "nosniff"


def test_a_picture_that_is_not_an_image_is_refused_and_nothing_is_written(
    cargo: Community, coordinator: User, tmp_path: Path, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("velia.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client_for(coordinator).post(
        reverse("personas:new", args=[cargo.slug]), {"name": "Vélia", "avatar": fake}
    )
    assert response.status_code == 200
    assert "Use a PNG, JPEG or WebP image." in response.content.decode()
    assert not Persona.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_speakers_must_be_members_and_addresses_stay_unique(
    cargo: Community, coordinator: User, charlie: User
) -> None:
    with pytest.raises(ActionRefused, match=f"@{charlie.handle}"):
        actions.do_create_persona(coordinator, cargo, name="Vélia", speakers=f"@{charlie.handle}")
    assert not Persona.objects.exists()
    first = actions.do_create_persona(coordinator, cargo, name="Vélia")
    second = actions.do_create_persona(coordinator, cargo, name="Velia")
    assert (first.slug, second.slug) == ("velia", "velia-2")
    # The persona pages' own addresses are never a persona's.
    assert actions.do_create_persona(coordinator, cargo, name="New").slug == "new-2"
    assert actions.do_create_persona(coordinator, cargo, name="Audit").slug == "audit-2"
    with pytest.raises(ActionRefused):
        actions.do_create_persona(coordinator, cargo, name=" x ")


def test_editing_keeps_the_address_and_retiring_keeps_the_page(
    cargo: Community, velia: Persona, coordinator: User, bob: User
) -> None:
    client = client_for(coordinator)
    response = client.post(
        reverse("personas:edit", args=[cargo.slug, velia.slug]),
        {"name": "Vélia", "story": "Nouvelle histoire", "speakers": f"@{bob.handle}"},
    )
    assert response.status_code == 302
    velia.refresh_from_db()
    assert (velia.name, velia.slug) == ("Vélia", "velia-la-voix-de-latelier")
    assert list(velia.speakers.all()) == [bob]
    client.post(reverse("personas:retire", args=[cargo.slug, velia.slug]), {"active": "0"})
    velia.refresh_from_db()
    assert not velia.is_active
    # Members no longer find it in the list, but its page (where its posts link) stays.
    member = client_for(bob)
    assert "Vélia" not in html(member, reverse("personas:list", args=[cargo.slug]))
    page = html(member, velia.get_absolute_url())
    assert "It no longer speaks" in page
    assert "Retired" in html(client, reverse("personas:list", args=[cargo.slug]))


# --- Persona pages --------------------------------------------------------------------------------


def test_persona_pages_tell_members_it_is_a_persona_and_its_story(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    as_persona(alice, general, velia)
    for person in (None, bob):
        client = client_for(person)
        listing = html(client, reverse("personas:list", args=[cargo.slug]))
        assert "Vélia, la voix de l&#x27;atelier" in listing
        page = html(client, velia.get_absolute_url())
        assert "This is a persona, written by the community's animators." in page
        assert "Vélia <strong>répare</strong> les vélos depuis toujours." in page
        assert "Atelier ouvert samedi" in page  # what it said lately
        assert WRITER not in page
        assert "Who may speak" not in page
        assert "Retire" not in page
    landing = html(client_for(None), cargo.get_absolute_url())
    assert reverse("personas:list", args=[cargo.slug]) in landing


def test_a_members_only_community_shows_its_personas_where_it_shows_its_landing_page(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    persona = actions.do_create_persona(coordinator, closed, name="Vélia")
    lab = closed.spaces.get()
    as_persona(coordinator, lab, persona, title="Réservé aux membres")
    page = html(client_for(charlie), persona.get_absolute_url())
    assert "Vélia" in page
    assert "Réservé aux membres" not in page  # the posts follow their space's visibility
    assert "Réservé aux membres" in html(client_for(alice), persona.get_absolute_url())


# --- Speaking as a persona ------------------------------------------------------------------------


def test_a_speaker_opens_a_topic_as_the_persona_and_the_writer_stays_recorded(
    cargo: Community, velia: Persona, general: Space, alice: User
) -> None:
    topic = as_persona(alice, general, velia)
    post = topic.posts.get()
    assert (topic.author, topic.persona, post.author, post.persona) == (alice, velia, alice, velia)
    # The same event as any topic's, the real writer its actor (docs/personas.md).
    event = ActivityEvent.objects.get(verb="topic.started.discussion")
    assert (event.actor, event.level, event.object_id) == (alice, EngagementLevel.CREATE, topic.pk)
    reply = conversation_actions.do_reply(
        alice, topic, body="Et le café est offert.", persona=velia
    )
    assert (reply.author, reply.persona) == (alice, velia)
    event = ActivityEvent.objects.get(verb="reply.posted")
    assert (event.actor, event.level, event.object_id) == (alice, EngagementLevel.REACT, reply.pk)
    assert not ActivityEvent.objects.filter(verb__startswith="persona.post").exists()


def test_a_question_and_an_answer_written_as_a_persona_count_alike_in_the_cockpit_and_figures(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    # Alice asks as Vélia and Bob answers; Bob asks and Alice answers as Vélia.
    asked_as_velia = conversation_actions.do_start_topic(
        alice, general, kind=Kind.QUESTION, title="Quelle huile ?", body="Pour la chaîne.",
        persona=velia,
    )  # fmt: skip
    conversation_actions.do_reply(bob, asked_as_velia, body="De la cire, plutôt.")
    asked_by_bob = conversation_actions.do_start_topic(
        bob, general, kind=Kind.QUESTION, title="Quels patins ?", body="Pour la pluie."
    )
    conversation_actions.do_reply(alice, asked_by_bob, body="Des patins saumon.", persona=velia)
    counting.fill()

    figures = compute_figures(cargo)
    assert (figures.questions, figures.answers) == (2, 2)
    # The question lives and the cockpit's contributions by kind count the same.
    lives = {life.topic_id: life for life in QuestionLife.objects.filter(community=cargo)}
    assert set(lives) == {asked_as_velia.pk, asked_by_bob.pk}
    assert all(life.answers == 1 and life.first_answer_at for life in lives.values())
    assert lives[asked_as_velia.pk].asker == alice  # the real writer, as in the figures
    totals = metrics.activity(cargo, metrics.period("30d")).totals
    assert (totals["topics"], totals["questions"], totals["answers"]) == (2, 2, 2)
    assert totals["questions"] == figures.questions == len(lives)
    assert totals["answers"] == figures.answers == sum(life.answers for life in lives.values())


def test_someone_not_allowed_cannot_speak_as_the_persona_and_nothing_is_written(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    topic = conversation_actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="Freins", body="Quels patins ?"
    )
    before = snapshot()
    with pytest.raises(ActionRefused):
        as_persona(bob, general, velia)
    with pytest.raises(ActionRefused):
        conversation_actions.do_reply(bob, topic, body="Je suis Vélia", persona=velia)
    assert snapshot() == before
    # Through the forms: Bob is offered no choice, and a forged one is refused.
    client = client_for(bob)
    new_topic = reverse("topic_new", args=[cargo.slug, general.slug])
    assert "Post as" not in html(client, new_topic)
    response = client.post(
        new_topic,
        {"kind": "discussion", "title": "Forgé", "body": "Texte", "post_as": str(velia.pk)},
    )
    assert response.status_code == 200
    reply_url = reverse("topic_reply", args=[cargo.slug, general.slug, topic.pk])
    response = client.post(reply_url, {"body": "Forgé", "post_as": str(velia.pk)})
    assert response.status_code == 400
    assert snapshot() == before


def test_the_composer_offers_post_as_to_speakers_and_the_server_checks_again(
    cargo: Community, velia: Persona, general: Space, alice: User, coordinator: User
) -> None:
    client = client_for(alice)
    new_topic = reverse("topic_new", args=[cargo.slug, general.slug])
    page = html(client, new_topic)
    assert "Post as" in page
    assert f"Myself ({WRITER})" in page
    response = client.post(
        new_topic,
        {"kind": "discussion", "title": "Atelier", "body": "Samedi", "post_as": str(velia.pk)},
    )
    topic = Topic.objects.get()
    assert response["Location"] == topic.get_absolute_url()
    assert topic.persona == velia
    # Coordinators may change their mind between the page and the post: a persona retired
    # meanwhile is refused and nothing is written.
    reply_url = reverse("topic_reply", args=[cargo.slug, general.slug, topic.pk])
    assert "Post as" in html(client, topic.get_absolute_url())
    actions.do_set_persona_active(coordinator, velia, False)
    response = client.post(reply_url, {"body": "Encore", "post_as": str(velia.pk)})
    assert response.status_code == 400
    assert topic.posts.count() == 1
    response = client.post(reply_url, {"body": "En mon nom", "post_as": ""})
    assert response.status_code == 302
    assert topic.posts.get(position=1).persona is None


# --- The real writer never shows to members -------------------------------------------------------


def test_pages_lists_quotes_and_history_show_the_persona_never_the_writer(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User, moderator: User
) -> None:
    topic = as_persona(alice, general, velia)
    conversation_actions.do_reply(bob, topic, body="Super idée !")
    reply = conversation_actions.do_reply(
        alice, topic, body="Merci Bob.", persona=velia, reply_to=topic.posts.get(position=1)
    )
    conversation_actions.do_edit_post(alice, topic.posts.get(position=0), body="Corrigé.")
    conversation_actions.do_reply(bob, topic, body="Réponse", reply_to=reply)
    client = client_for(bob)
    page = html(client, topic.get_absolute_url())
    assert page.count('<span class="badge badge--persona">Persona</span>') == 2
    assert page.count(f'href="{velia.get_absolute_url()}"') >= 2
    assert "In reply to <a" in page
    assert "Vélia, la voix de l&#x27;atelier</a>" in page
    space = html(client, general.get_absolute_url())
    assert "by Vélia, la voix de l&#x27;atelier" in space
    quote = html(client, topic.get_absolute_url() + "?quote=0")
    assert "Vélia, la voix de l&#x27;atelier" in quote
    history = html(client, reverse("post_history", args=[cargo.slug, general.slug, topic.pk, 0]))
    assert "by Vélia, la voix de l&#x27;atelier" in history
    conversation_actions.do_flag(bob, reply, reason="other", note="Qui est-ce ?")
    queue = html(client_for(moderator), reverse("moderation_queue", args=[cargo.slug]))
    assert "Vélia, la voix de l&#x27;atelier (Persona)" in queue
    for text in (page, space, quote, history, queue):
        assert WRITER not in text
        assert alice.handle not in text


def test_search_neither_shows_nor_finds_the_writer_of_a_persona_post(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    topic = as_persona(alice, general, velia)
    conversation_actions.do_reply(alice, topic, body="Freins hydrauliques", persona=velia)
    assert set(SearchDocument.objects.values_list("author_id", flat=True)) == {None}
    hits, _total = search(bob, "freins")
    assert len(hits) == 2
    by_alice, _total = search(bob, "freins", SearchFilters(author_id=alice.pk))
    assert by_alice == []
    page = html(client_for(bob), reverse("search") + "?q=freins")
    assert "Atelier ouvert samedi" in page
    assert WRITER not in page
    filtered = html(client_for(bob), reverse("search") + f"?q=freins&author=@{alice.handle}")
    assert "Atelier ouvert samedi" not in filtered


@pytest.mark.django_db(transaction=True)
def test_notifications_and_emails_name_the_persona_and_followers_of_the_writer_hear_nothing(
    cargo: Community,
    velia: Persona,
    general: Space,
    alice: User,
    bob: User,
    coordinator: User,
    smtp_server: SmtpServer,
) -> None:
    people_actions.do_follow(bob, alice)
    people_actions.do_follow(coordinator, general)
    topic = as_persona(alice, general, velia)
    # Bob follows Alice: a persona's topic is nobody's, he hears nothing about it.
    assert not about_posts(bob).exists()
    [started] = about_posts(coordinator)
    assert started.kind == NotificationKind.NEW_TOPIC
    conversation_actions.do_reply(
        alice, topic, body=f"Bob, tu viens ? @{bob.handle}", persona=velia
    )
    [mention] = about_posts(bob)
    assert mention.kind == NotificationKind.MENTION
    listing = html(client_for(bob), reverse("notifications"))
    assert "Vélia, la voix de l&#x27;atelier mentioned you in" in listing
    assert WRITER not in listing
    deliver_queued_email()
    smtp_server.wait_for(bob.email)
    # (Other emails, a welcome for instance, may be there too: none names the writer.)
    [email] = [m for m in smtp_server.messages if "mentioned you" in text_body(m)]
    assert str(email["To"]) == bob.email
    assert "Vélia, la voix de l'atelier mentioned you in" in text_body(email)
    for message in smtp_server.messages:
        if str(message["To"]) == alice.email:
            continue
        assert WRITER not in str(message["Subject"])
        assert WRITER not in text_body(message)
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None
        assert WRITER not in html_part.get_content()


def test_accepting_an_answer_to_a_persona_question_names_the_persona(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    question = conversation_actions.do_start_topic(
        alice, general, kind=Kind.QUESTION, title="Qui a une clé de 15 ?", body="?", persona=velia
    )
    answer = conversation_actions.do_reply(bob, question, body="Moi !")
    conversation_actions.do_accept_answer(alice, question, answer)
    listing = html(client_for(bob), reverse("notifications"))
    assert "Vélia, la voix de l&#x27;atelier accepted your answer" in listing
    assert WRITER not in listing


def test_the_writers_profile_feed_and_expertise_owe_nothing_to_persona_posts(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User, coordinator: User
) -> None:
    tag = conversation_actions.do_create_tag(coordinator, cargo, name="Freins")
    question = conversation_actions.do_start_topic(
        bob, general, kind=Kind.QUESTION, title="Patins usés ?", body="?", tags=[tag]
    )
    answer = conversation_actions.do_reply(alice, question, body="Changez-les.", persona=velia)
    conversation_actions.do_accept_answer(bob, question, answer)
    conversation_actions.do_toggle_reaction(bob, answer, "helpful")
    as_persona(alice, general, velia, title="Persona topic")
    people_actions.do_follow(bob, alice)
    profile = html(client_for(bob), reverse("profile", args=[alice.handle]))
    assert "Patins usés" not in profile
    assert "Persona topic" not in profile
    # Reactions and accepted answers on a persona's posts credit nobody's expertise.
    assert who_knows_what(bob, cargo, tag=Tag.objects.get(pk=tag.pk)) == []
    people_actions.do_declare_expertise(alice, tag, Level.PRACTISING)
    [expert] = who_knows_what(bob, cargo, tag=tag)
    assert (expert.person, expert.accepted_answers, expert.helpful_reactions) == (alice, 0, 0)
    # Bob follows Alice: her persona's topic is not in "What you follow".
    home = html(client_for(bob), reverse("home"))
    followed = (
        home.split('id="followed-title"')[1].split("</section>")[0]
        if ('id="followed-title"' in home)
        else ""
    )
    assert "Persona topic" not in followed


def test_the_mention_autocomplete_knows_members_not_personas(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    as_persona(alice, general, velia)
    client = client_for(bob)
    url = reverse("mention_candidates", args=[cargo.slug])
    assert client.get(url, {"q": "Vélia"}).json() == {"results": []}
    assert client.get(url, {"q": "alice"}).json() == {
        "results": [{"handle": alice.handle, "name": WRITER}]
    }


def test_a_wiki_article_captured_from_a_conversation_credits_the_persona(
    cargo: Community, velia: Persona, general: Space, alice: User
) -> None:
    topic = as_persona(alice, general, velia)
    draft = capture_draft(topic)
    assert "Vélia, la voix de l'atelier" in draft.body
    assert WRITER not in draft.body


# --- The audit log ------------------------------------------------------------------------------


def test_the_audit_log_shows_coordinators_who_really_wrote_each_persona_post(
    cargo: Community,
    velia: Persona,
    general: Space,
    lab: Space,
    alice: User,
    bob: User,
    moderator: User,
    charlie: User,
    coordinator: User,
) -> None:
    topic = as_persona(alice, general, velia)
    conversation_actions.do_reply(coordinator, topic, body="Moi aussi", persona=velia)
    conversation_actions.do_reply(alice, topic, body="En mon nom")
    as_persona(alice, lab, velia, title="Dans le labo")
    url = reverse("personas:audit", args=[cargo.slug])
    page = html(client_for(coordinator), url)
    rows = page.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 3
    assert WRITER in rows[0]
    assert "Dans le labo" in rows[0]
    assert "Claire Coord" in rows[1]
    assert "Atelier ouvert samedi" in rows[1]
    assert WRITER in rows[2]
    for person in (alice, bob, moderator, charlie):
        assert client_for(person).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the log-in page
    # Staff, rescuing the community, see the persona posts of the spaces open to them.
    staff_page = html(client_for(staff_person()), url)
    assert "Atelier ouvert samedi" in staff_page
    assert "Dans le labo" not in staff_page


@pytest.mark.parametrize("count", [3, 60])
def test_the_audit_log_is_paginated_and_its_query_count_does_not_grow(
    count: int,
    cargo: Community,
    velia: Persona,
    general: Space,
    alice: User,
    coordinator: User,
    django_assert_max_num_queries: Any,
) -> None:
    topic = as_persona(alice, general, velia)
    for number in range(count):
        conversation_actions.do_reply(alice, topic, body=f"Message {number}", persona=velia)
    client = client_for(coordinator)
    url = reverse("personas:audit", args=[cargo.slug])
    # Session, user, membership, count, page, (staff check), the user menu's bell.
    with django_assert_max_num_queries(7 + NAVIGATION_QUERIES):
        page = html(client, url)
    assert page.count(f">{WRITER}</a>") == min(count + 1, 50)
    if count > 50:
        assert html(client, url + "?page=2").count(f">{WRITER}</a>") == count + 1 - 50


@pytest.mark.parametrize("count", [2, 20])
def test_persona_pages_run_a_fixed_number_of_queries(
    count: int,
    cargo: Community,
    coordinator: User,
    general: Space,
    alice: User,
    django_assert_max_num_queries: Any,
) -> None:
    personas = [
        actions.do_create_persona(coordinator, cargo, name=f"Persona {n}") for n in range(count)
    ]
    for number in range(count):
        as_persona(coordinator, general, personas[0], title=f"Sujet {number}")
    for person in (None, alice, coordinator):
        client = client_for(person)
        with django_assert_max_num_queries(8 + NAVIGATION_QUERIES):
            page = html(client, reverse("personas:list", args=[cargo.slug]))
        assert page.count('class="card persona-card"') == count
        with django_assert_max_num_queries(8 + NAVIGATION_QUERIES):
            html(client, personas[0].get_absolute_url())


def test_persona_posts_cost_the_topic_and_space_pages_no_more_queries_than_others(
    cargo: Community, velia: Persona, general: Space, alice: User, bob: User
) -> None:
    plain = conversation_actions.do_start_topic(
        alice, general, kind=Kind.DISCUSSION, title="En mon nom", body="Bonjour"
    )
    voiced = as_persona(alice, general, velia)
    for number in range(12):
        quoted = plain.posts.get(position=number)
        conversation_actions.do_reply(alice, plain, body=f"Message {number}", reply_to=quoted)
        quoted = voiced.posts.get(position=number)
        conversation_actions.do_reply(
            alice, voiced, body=f"Message {number}", reply_to=quoted, persona=velia
        )
    client = client_for(bob)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as context:
            html(client, url)
        return len(context.captured_queries)

    queries(plain.get_absolute_url())  # the first visit of each records its reading
    queries(voiced.get_absolute_url())
    assert queries(voiced.get_absolute_url()) == queries(plain.get_absolute_url())
    queries(general.get_absolute_url())  # the first visit records it too
    space = queries(general.get_absolute_url())
    as_persona(alice, general, velia, title="Encore un")
    assert queries(general.get_absolute_url()) == space


def test_the_demo_gives_the_community_a_persona_that_speaks(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    personas_demo.populate(cargo, coordinator, [alice, bob])
    velia = Persona.objects.get(community=cargo)
    assert list(velia.speakers.all()) == [alice]
    topic = Topic.objects.get(persona=velia)
    assert topic.author == coordinator
    assert list(topic.posts.values_list("persona", flat=True)) == [velia.pk, None, velia.pk]
    assert "Samedi, atelier ouvert" in html(client_for(bob), velia.get_absolute_url())


def test_a_persona_with_posts_is_never_deleted_alone_but_goes_with_its_community(
    cargo: Community, velia: Persona, general: Space, alice: User
) -> None:
    as_persona(alice, general, velia)
    with pytest.raises(RestrictedError):
        velia.delete()
    # Deleting the writer's account leaves the persona's messages the persona's.
    account_actions.do_delete_account(alice)
    post = Post.objects.get()
    assert (post.author, post.persona) == (None, velia)
    cargo.delete()
    assert not Persona.objects.exists()
    assert not Post.objects.exists()
