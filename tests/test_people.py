"""People: profiles and who sees which part of them, photos, declared expertise, the
member directory, "who knows what" and follows.

Data is built through the actions (`cercle.people.actions`, the communities' and
conversations' actions), as in real use; pages are checked over HTTP.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image

from cercle import permissions
from cercle.accounts.actions import do_delete_account
from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.communities.models import (
    Audience,
    Community,
    Membership,
    Role,
    Space,
    Visibility,
)
from cercle.conversations import actions as conversation_actions
from cercle.conversations.models import Kind, Post, Tag, Topic
from cercle.errors import ActionRefused
from cercle.membership import actions as community_actions
from cercle.people import actions
from cercle.people.models import Expertise, FieldVisibility, Follow, Level, Profile, profile_for
from cercle.people.queries import Expert, who_knows_what
from cercle.people.templatetags.avatars import PALETTE, colour, initials
from cercle.permissions import visible_people
from tests.communities import client_for, community, html, internal_domain, join, staff_person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


# --- People, places and builders ------------------------------------------------------------


@pytest.fixture
def cargo(coordinator: User, alice: User, bob: User) -> Community:
    """A public, open community: Claire coordinates, Alice and Bob take part."""
    return community(coordinator, name="Cargo Riders", members=(alice, bob))


def profile_url(person: User) -> str:
    return reverse("profile", kwargs={"handle": person.handle})


def update_profile(person: User, **values: Any) -> Profile:
    current = profile_for(person)
    fields = {
        "headline": current.headline,
        "bio": current.bio,
        "organization": current.organization,
        "location": current.location,
        "languages": current.languages,
        "interests": current.interests,
        "ask_me_about": current.ask_me_about,
        "links": [(link["label"], link["url"]) for link in current.links],
        "is_public": current.is_public,
        "email_visibility": current.email_visibility,
        "organization_visibility": current.organization_visibility,
        "location_visibility": current.location_visibility,
    }
    fields.update(values)
    return actions.do_update_profile(person, person, **fields)


def form_data(**values: Any) -> dict[str, Any]:
    """What the edit page's form posts when nothing else is changed."""
    data: dict[str, Any] = {
        "headline": "",
        "bio": "",
        "organization": "",
        "location": "",
        "interests": "",
        "ask_me_about": "",
        "is_public": "",
        "email_visibility": FieldVisibility.ONLY_ME,
        "organization_visibility": FieldVisibility.PROFILE,
        "location_visibility": FieldVisibility.PROFILE,
    }
    for number in range(1, 6):
        data[f"link_label_{number}"] = ""
        data[f"link_url_{number}"] = ""
    data.update(values)
    return data


def start(
    author: User,
    space: Space,
    title: str = "Which cargo bike for three children?",
    kind: str = Kind.QUESTION,
    tags: list[Tag] | None = None,
    body: str = "We need one for the school run.",
) -> Topic:
    return conversation_actions.do_start_topic(
        author, space, kind=kind, title=title, body=body, tags=tags or []
    )


def reply(
    author: User, topic: Topic, body: str = "A longtail carries two, a box bike three."
) -> Post:
    return conversation_actions.do_reply(author, topic, body=body)


def png(size: tuple[int, int] = (8, 8), image_format: str = "PNG", **options: Any) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 93, 107)).save(buffer, format=image_format, **options)
    return buffer.getvalue()


# --- Who may see a person: the matrix -------------------------------------------------------


READERS = ["self", "shares a community", "outsider", "anonymous", "staff"]


def reader_named(name: str, alice: User, bob: User, charlie: User) -> User | AnonymousUser:
    if name == "anonymous":
        return AnonymousUser()
    if name == "staff":
        return staff_person()
    return {"self": alice, "shares a community": bob, "outsider": charlie}[name]


@pytest.mark.parametrize("is_public", [True, False], ids=["public", "private"])
@pytest.mark.parametrize("reader_name", READERS)
def test_who_sees_a_profile_public_or_private(
    is_public: bool,
    reader_name: str,
    cargo: Community,
    alice: User,
    bob: User,
    charlie: User,
) -> None:
    update_profile(alice, is_public=is_public, headline="Longtail rider")
    reader = reader_named(reader_name, alice, bob, charlie)
    expected = is_public or reader_name in {"self", "shares a community", "staff"}
    alice = User.objects.get(pk=alice.pk)
    assert permissions.may_see_person(reader, alice) is expected
    # Lists use the same rule as a query filter.
    assert User.objects.filter(visible_people(reader), pk=alice.pk).exists() is expected
    client = client_for(reader if isinstance(reader, User) else None)
    response = client.get(profile_url(alice))
    assert response.status_code == (200 if expected else 404)
    if expected:
        assert "Longtail rider" in response.content.decode()


def test_a_profile_without_a_stored_profile_is_private(
    cargo: Community, alice: User, bob: User, charlie: User
) -> None:
    assert not Profile.objects.filter(person=alice).exists()
    assert client_for(bob).get(profile_url(alice)).status_code == 200
    assert client_for(charlie).get(profile_url(alice)).status_code == 404
    assert Client().get(profile_url(alice)).status_code == 404
    # Reading a profile never writes one.
    assert not Profile.objects.filter(person=alice).exists()


def test_only_an_active_shared_membership_lets_people_see_each_other(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    community_actions.do_leave(bob, cargo)
    assert not permissions.may_see_person(bob, alice)
    assert not permissions.may_see_person(alice, bob)
    community_actions.do_join(bob, cargo)
    assert permissions.may_see_person(bob, alice)
    community_actions.do_ban(coordinator, Membership.objects.get(person=bob, community=cargo))
    assert not permissions.may_see_person(bob, alice)
    assert client_for(bob).get(profile_url(alice)).status_code == 404


def test_sharing_an_internal_community_counts_only_while_internal() -> None:
    domain = internal_domain()
    insider = make_person(f"ines@{domain}", "Ines Insider")
    colleague = make_person(f"carl@{domain}", "Carl Colleague")
    inside = community(insider, slug="inside", audience=Audience.INTERNAL)
    community_actions.do_join(colleague, inside)
    assert permissions.may_see_person(colleague, insider)
    # Carl's address moves out of the internal domain: he is an outsider now.
    EmailAddress.objects.filter(user=colleague).update(email="carl@elsewhere.example")
    colleague = User.objects.get(pk=colleague.pk)
    assert not permissions.may_see_person(colleague, insider)
    assert not User.objects.filter(visible_people(colleague), pk=insider.pk).exists()


def test_a_deactivated_person_is_seen_by_nobody(cargo: Community, alice: User, bob: User) -> None:
    update_profile(alice, is_public=True)
    alice.is_active = False
    alice.save()
    assert not permissions.may_see_person(bob, alice)
    assert not permissions.may_see_person(staff_person(), alice)
    assert client_for(bob).get(profile_url(alice)).status_code == 404


FIELD_READERS = ["self", "shares a community", "outsider", "anonymous"]


@pytest.mark.parametrize(
    ("visibility", "seen_by"),
    [
        (FieldVisibility.PROFILE, {"self", "shares a community", "outsider", "anonymous"}),
        (FieldVisibility.COMMUNITIES, {"self", "shares a community"}),
        (FieldVisibility.ONLY_ME, {"self"}),
    ],
)
@pytest.mark.parametrize("field", ["email", "organization", "location"])
def test_each_field_is_seen_by_whom_its_owner_chose(
    field: str,
    visibility: str,
    seen_by: set[str],
    cargo: Community,
    alice: User,
    bob: User,
    charlie: User,
) -> None:
    update_profile(
        alice,
        is_public=True,
        organization="Vélo Lyon coop",
        location="Villeurbanne",
        **{f"{field}_visibility": visibility},
    )
    shown = {
        "email": "alice@example.org",
        "organization": "Vélo Lyon coop",
        "location": "Villeurbanne",
    }[field]
    for name in FIELD_READERS:
        reader = reader_named(name, alice, bob, charlie)
        page = html(client_for(reader if isinstance(reader, User) else None), profile_url(alice))
        assert (shown in page) is (name in seen_by), (field, visibility, name)


def test_the_email_address_is_hidden_by_default(cargo: Community, alice: User, bob: User) -> None:
    assert profile_for(alice).email_visibility == FieldVisibility.ONLY_ME
    assert "alice@example.org" not in html(client_for(bob), profile_url(alice))
    assert "alice@example.org" in html(client_for(alice), profile_url(alice))


# --- Editing a profile ------------------------------------------------------------------------


def test_a_member_edits_their_profile_from_the_edit_page(cargo: Community, alice: User) -> None:
    client = client_for(alice)
    page = html(client, reverse("profile_edit"))
    assert 'aria-current="page"' in page
    assert reverse("profile_edit") in page
    response = client.post(
        reverse("profile_edit"),
        form_data(
            headline="Longtail rider",
            bio="I fix **brakes**.<script>alert(1)</script>",
            organization="Vélo Lyon coop",
            location="Villeurbanne",
            languages=["fr", "en"],
            interests="Bike touring",
            ask_me_about="Electric assistance",
            is_public="1",
            link_label_1="My site",
            link_url_1="https://alice.example/",
            link_url_2="http://blog.example/posts",
        ),
    )
    assert response.status_code == 302
    stored = Profile.objects.get(person=alice)
    assert stored.is_public
    assert stored.languages == ["fr", "en"]
    assert "<strong>brakes</strong>" in stored.bio_html
    assert "<script" not in stored.bio_html
    assert stored.links == [
        {"label": "My site", "url": "https://alice.example/"},
        {"label": "blog.example", "url": "http://blog.example/posts"},
    ]
    assert ActivityEvent.objects.filter(verb="profile.updated", actor=alice).count() == 1
    page = html(Client(), profile_url(alice))
    for text in ["Longtail rider", "<strong>brakes</strong>", "Bike touring", "French, English"]:
        assert text in page
    assert 'href="https://alice.example/" rel="nofollow ugc noopener"' in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example/x", "data:text/html,hi", "not a url"]
)
def test_links_other_than_web_addresses_are_refused(alice: User, url: str) -> None:
    client = client_for(alice)
    response = client.post(
        reverse("profile_edit"), form_data(link_label_1="Mine", link_url_1=url, headline="Kept?")
    )
    assert response.status_code == 400
    assert "is not a web address starting with http:// or https://" in response.content.decode()
    assert not Profile.objects.filter(person=alice).exclude(headline="").exists()
    with pytest.raises(ActionRefused):
        actions.clean_links([("Mine", url)])


def test_at_most_five_links_and_only_the_owner_changes_a_profile(alice: User, bob: User) -> None:
    with pytest.raises(ActionRefused, match="5 links at most"):
        actions.clean_links([(f"L{n}", f"https://l{n}.example/") for n in range(6)])
    with pytest.raises(ActionRefused):
        actions.do_update_profile(bob, alice, headline="Bob was here")
    assert not Profile.objects.filter(person=alice, headline="Bob was here").exists()


def test_the_edit_page_needs_an_account() -> None:
    response = Client().get(reverse("profile_edit"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_profile_shows_an_edit_link_to_its_owner_only(
    cargo: Community, alice: User, bob: User
) -> None:
    edit = reverse("profile_edit")
    assert f'href="{edit}"' in html(client_for(alice), profile_url(alice))
    assert "Edit my profile" not in html(client_for(bob), profile_url(alice))


# --- Photos -----------------------------------------------------------------------------------


def photo_url(person: User) -> str:
    return reverse("profile_photo", kwargs={"handle": person.handle})


def test_a_photo_is_stored_re_encoded_and_served_only_to_those_who_see_the_profile(
    cargo: Community, alice: User, bob: User, charlie: User, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_for(alice)
    upload = SimpleUploadedFile("me.png", png((1200, 800)), content_type="image/png")
    assert client.post(reverse("profile_edit"), form_data(avatar=upload)).status_code == 302
    stored = Profile.objects.get(person=alice).avatar
    assert re.fullmatch(rf"avatars/{alice.pk}-[0-9a-f]{{16}}\.png", stored.name)
    with Image.open(stored.path) as image:
        assert image.format == "PNG"
        assert max(image.size) == 512
    shown = client_for(bob).get(photo_url(alice))
    assert shown.status_code == 200
    assert shown["Content-Type"] == "image/png"
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert b"".join(shown.streaming_content) == stored.open("rb").read()  # type: ignore[attr-defined]
    assert client_for(charlie).get(photo_url(alice)).status_code == 404
    assert Client().get(photo_url(alice)).status_code == 404
    # The profile and the directory show the photo instead of the initials.
    assert f'src="{photo_url(alice)}?v=' in html(client_for(bob), profile_url(alice))


def test_a_jpeg_photo_loses_its_metadata(alice: User, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    upload = SimpleUploadedFile("me.jpg", png(image_format="JPEG", exif=exif.tobytes()))
    update_profile(alice, avatar=upload)
    with Image.open(Profile.objects.get(person=alice).avatar.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<script>alert(1)</script>", "Use a PNG, JPEG or WebP image."),
        (b"GIF89a" + png()[6:], "Use a PNG, JPEG or WebP image."),
        ("gif", "Use a PNG, JPEG or WebP image."),
        ("huge", "too large: the limit is 1 MB"),
    ],
    ids=["script", "fake-gif-header", "real-gif", "too-large"],
)
def test_a_photo_that_is_not_a_png_jpeg_or_webp_or_too_large_is_refused(
    alice: User, tmp_path: Any, settings: Any, content: bytes | str, message: str
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.IMAGE_MAX_MB = 1
    if content == "gif":
        content = png(image_format="GIF")
    elif content == "huge":
        content = png((64, 64)) + b"\0" * 1_100_000
    assert isinstance(content, bytes)
    upload = SimpleUploadedFile("me.png", content, content_type="image/png")
    response = client_for(alice).post(
        reverse("profile_edit"), form_data(avatar=upload, headline="Not saved")
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    # Nothing is half-written: neither the other fields nor a file.
    assert not Profile.objects.filter(person=alice, headline="Not saved").exists()
    assert not Profile.objects.exclude(avatar="").exists()
    assert list(tmp_path.rglob("*.*")) == []


def test_a_new_photo_replaces_the_old_file_and_removing_it_brings_the_initials_back(
    cargo: Community,
    alice: User,
    bob: User,
    tmp_path: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    update_profile(alice, avatar=SimpleUploadedFile("a.png", png()))
    first = Profile.objects.get(person=alice).avatar.name
    # The old file goes once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        update_profile(alice, avatar=SimpleUploadedFile("b.webp", png(image_format="WEBP")))
    second = Profile.objects.get(person=alice).avatar.name
    assert second.endswith(".webp")
    assert (tmp_path / second).exists()
    assert not (tmp_path / first).exists()
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("profile_edit"), form_data(remove_avatar="on"))
    assert response.status_code == 302
    assert not Profile.objects.get(person=alice).avatar
    assert not (tmp_path / second).exists()
    page = html(client_for(bob), profile_url(alice))
    assert "<svg" in page
    assert ">AM</text>" in page
    assert client_for(bob).get(photo_url(alice)).status_code == 404


def test_the_default_picture_is_an_inline_svg_of_the_initials_on_a_colour_of_the_handle(
    cargo: Community, alice: User, bob: User
) -> None:
    assert initials(alice) == "AM"
    assert colour(alice) in PALETTE
    assert colour(alice) == colour(User.objects.get(pk=alice.pk))
    page = html(client_for(bob), profile_url(alice))
    # The header's account menu draws the reader's own face first: find Alice's.
    faces = re.findall(r"<svg class=\"person-avatar\".*?</svg>", page, flags=re.DOTALL)
    svg = next(face for face in faces if ">AM</text>" in face)
    assert f'fill="{colour(alice)}"' in svg
    assert 'aria-hidden="true"' in svg
    assert "style=" not in svg
    assert "<script" not in svg


# --- Declared expertise -----------------------------------------------------------------------


@pytest.fixture
def cargo_bikes(cargo: Community, coordinator: User) -> Tag:
    return conversation_actions.do_create_tag(coordinator, cargo, name="Cargo bikes")


def test_a_member_declares_expertise_with_their_communities_tags(
    cargo: Community, cargo_bikes: Tag, alice: User, bob: User
) -> None:
    client = client_for(alice)
    edit = html(client, reverse("profile_edit"))
    # Her communities have one tag: it is chosen already (issue 14, the only choice).
    assert f'<option value="{cargo_bikes.pk}" selected>#cargo-bikes (Cargo bikes)</option>' in edit
    response = client.post(
        reverse("expertise_declare"), {"tag": cargo_bikes.pk, "level": Level.PRACTISING}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("profile_edit") + "#expertise"
    client.post(reverse("expertise_declare"), {"tag": cargo_bikes.pk, "level": Level.EXPERT})
    [declared] = Expertise.objects.filter(person=alice)
    assert (declared.tag, declared.level) == (cargo_bikes, Level.EXPERT)
    page = html(client_for(bob), profile_url(alice))
    assert "#cargo-bikes" in page
    assert "Expert" in page
    assert ActivityEvent.objects.filter(verb="expertise.declared", community=cargo).count() == 2
    client.post(reverse("expertise_remove", kwargs={"expertise_id": declared.pk}))
    assert not Expertise.objects.filter(person=alice).exists()


def test_expertise_needs_an_active_membership_and_a_real_level(
    cargo: Community, cargo_bikes: Tag, charlie: User, alice: User, bob: User, coordinator: User
) -> None:
    with pytest.raises(ActionRefused, match="tags of your own communities"):
        actions.do_declare_expertise(charlie, cargo_bikes, Level.EXPERT)
    with pytest.raises(ActionRefused):
        actions.do_declare_expertise(alice, cargo_bikes, 7)
    # A tag of another member's community is not offered, and posting it is refused.
    response = client_for(charlie).post(
        reverse("expertise_declare"), {"tag": cargo_bikes.pk, "level": Level.EXPERT}
    )
    assert response.status_code == 302
    assert not Expertise.objects.exists()
    # Someone else's expertise cannot be removed.
    mine = actions.do_declare_expertise(alice, cargo_bikes, Level.LEARNING)
    response = client_for(bob).post(reverse("expertise_remove", kwargs={"expertise_id": mine.pk}))
    assert response.status_code == 404
    assert Expertise.objects.filter(pk=mine.pk).exists()
    # Declared twice: still one row, at the last level.
    actions.do_declare_expertise(alice, cargo_bikes, Level.EXPERT)
    assert Expertise.objects.get(person=alice).level == Level.EXPERT


def test_expertise_in_a_members_only_community_is_not_shown_to_outsiders(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    secret = conversation_actions.do_create_tag(coordinator, closed, name="Secret project")
    actions.do_declare_expertise(alice, secret, Level.EXPERT)
    update_profile(alice, is_public=True)
    assert "#secret-project" not in html(client_for(charlie), profile_url(alice))
    assert "#secret-project" not in html(Client(), profile_url(alice))
    assert "#secret-project" in html(client_for(coordinator), profile_url(alice))


# --- Contributions on the profile page --------------------------------------------------------


def test_contributions_never_show_a_private_space_the_reader_is_not_listed_in(
    cargo: Community, general: Space, lab: Space, coordinator: User, alice: User, bob: User
) -> None:
    update_profile(alice, is_public=True)
    start(alice, general, "Open question on longtails")
    start(alice, lab, "Secret prototype frame")
    question = start(coordinator, lab, "Which welds for the prototype?")
    answer = reply(alice, question, "TIG, always, in the lab.")
    conversation_actions.do_accept_answer(coordinator, question, answer)
    public_question = start(coordinator, general, "Tyre pressure for heavy loads?")
    public_answer = reply(alice, public_question, "Two bars more than usual.")
    conversation_actions.do_accept_answer(coordinator, public_question, public_answer)
    hidden = start(alice, general, "A topic the moderators hid")
    conversation_actions.do_hide_post(coordinator, hidden.posts.get(position=0), reason="spam")
    deleted = reply(alice, public_question, "Words that were deleted")
    conversation_actions.do_delete_post(alice, deleted)

    def contributions(page: str) -> list[tuple[str, str]]:
        section = page.split('id="contributions-title"', 1)[1].split("</section>", 1)[0]
        return re.findall(r"(Started|Replied in) <a href=\"[^\"]+\">([^<]+)</a>", section)

    for reader in [bob, None, make_person("dan@example.org", "Dan Outside")]:
        page = html(client_for(reader), profile_url(alice))
        # Newest first; neither the lab, nor the hidden topic, nor the deleted reply.
        assert contributions(page) == [
            ("Replied in", "Tyre pressure for heavy loads?"),
            ("Started", "Open question on longtails"),
        ]
        assert "<strong>1</strong> accepted answer</li>" in page
    # Alice reads the lab, and so do the coordinators.
    for reader in [alice, coordinator]:
        page = html(client_for(reader), profile_url(alice))
        assert contributions(page) == [
            ("Replied in", "Tyre pressure for heavy loads?"),
            ("Replied in", "Which welds for the prototype?"),
            ("Started", "Secret prototype frame"),
            ("Started", "Open question on longtails"),
        ]
        assert "<strong>2</strong> accepted answers</li>" in page


def test_a_profile_lists_the_communities_shared_with_the_reader(
    cargo: Community, coordinator: User, alice: User, bob: User
) -> None:
    other = community(coordinator, slug="repair", name="Repair Café")
    join(alice, other)
    update_profile(alice, is_public=True)
    seen_by_bob = html(client_for(bob), profile_url(alice))
    shared = seen_by_bob.split('id="shared-title"', 1)[1].split("</section>", 1)[0]
    assert "Cargo Riders" in shared
    assert "Repair Café" not in shared
    seen_by_claire = html(client_for(coordinator), profile_url(alice))
    shared = seen_by_claire.split('id="shared-title"', 1)[1].split("</section>", 1)[0]
    assert "Cargo Riders" in shared
    assert "Repair Café" in shared
    assert 'id="shared-title"' not in html(Client(), profile_url(alice))


# --- Member directory -------------------------------------------------------------------------


def directory_url(slug: str = "cargo", **query: str) -> str:
    url = reverse("community_people", kwargs={"slug": slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed_names(page: str) -> list[str]:
    return re.findall(r'class="member-card__name"><a href="/people/[^"]+/">([^<]+)</a>', page)


def test_the_directory_lists_members_and_finds_them_by_name_handle_expertise_and_role(
    cargo: Community, cargo_bikes: Tag, coordinator: User, alice: User, bob: User
) -> None:
    mona = make_person("mona@example.org", "Mona Moderator")
    join(mona, cargo, Role.MODERATOR)
    actions.do_declare_expertise(bob, cargo_bikes, Level.EXPERT)
    client = client_for(alice)
    everyone = listed_names(html(client, directory_url()))
    assert everyone == ["Alice Martin", "Bob Leroy", "Claire Coord", "Mona Moderator"]
    assert listed_names(html(client, directory_url(q="leroy"))) == ["Bob Leroy"]
    assert listed_names(html(client, directory_url(q="@mona-mod"))) == ["Mona Moderator"]
    assert listed_names(html(client, directory_url(tag="cargo-bikes"))) == ["Bob Leroy"]
    assert listed_names(html(client, directory_url(role="coordinator"))) == ["Claire Coord"]
    assert listed_names(html(client, directory_url(role="moderator", q="claire"))) == []
    page = html(client, directory_url(q="bob"))
    assert "#cargo-bikes" in page
    assert "1 member found" in page


def test_the_directory_is_for_those_who_read_the_open_spaces(
    coordinator: User, alice: User, charlie: User
) -> None:
    public = community(coordinator, slug="public")
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, public)
    join(alice, closed)
    update_profile(alice, is_public=True)
    # Public community: anyone reads it; they see the members whose profile they may see.
    assert listed_names(html(Client(), directory_url("public"))) == ["Alice Martin"]
    assert listed_names(html(client_for(charlie), directory_url("public"))) == ["Alice Martin"]
    # Members only: outsiders get a 404, as for its spaces.
    assert client_for(charlie).get(directory_url("closed")).status_code == 404
    assert Client().get(directory_url("closed")).status_code == 404
    assert client_for(charlie).get(reverse("community_experts", args=["closed"])).status_code == 404
    assert client_for(alice).get(directory_url("closed")).status_code == 200
    # Banned people read nothing.
    community_actions.do_ban(coordinator, Membership.objects.get(person=alice, community=public))
    assert client_for(alice).get(directory_url("public")).status_code == 404
    # Internal communities do not exist for outsiders.
    insider = make_person(f"ines@{internal_domain()}", "Ines Insider")
    community(insider, slug="inside", audience=Audience.INTERNAL)
    assert client_for(charlie).get(directory_url("inside")).status_code == 404
    assert client_for(insider).get(directory_url("inside")).status_code == 200


def test_the_directory_shows_outsiders_only_the_profiles_they_may_see(
    cargo: Community, alice: User, bob: User, charlie: User
) -> None:
    update_profile(alice, is_public=True)
    assert listed_names(html(client_for(charlie), directory_url())) == ["Alice Martin"]
    assert "Bob Leroy" in listed_names(html(client_for(alice), directory_url()))


def test_the_directory_is_paginated(cargo: Community, alice: User) -> None:
    for number in range(30):
        join(make_person(f"m{number:02}@example.org", f"Member {number:02}"), cargo)
    client = client_for(alice)
    first = html(client, directory_url())
    assert len(listed_names(first)) == 24
    assert "33 members found" in first
    second = listed_names(html(client, directory_url(page="2")))
    assert len(second) == 9


def test_the_landing_page_links_to_the_directory_for_those_who_may_see_it(
    coordinator: User, alice: User, charlie: User
) -> None:
    community(coordinator, slug="public")
    community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    link = f'href="{directory_url("public")}"'
    assert link in html(Client(), reverse("community", args=["public"]))
    closed_link = f'href="{directory_url("closed")}"'
    assert closed_link not in html(client_for(charlie), reverse("community", args=["closed"]))
    assert closed_link in html(client_for(coordinator), reverse("community", args=["closed"]))


# --- Who knows what ---------------------------------------------------------------------------


@pytest.fixture
def experts_forum(
    cargo: Community,
    general: Space,
    lab: Space,
    cargo_bikes: Tag,
    coordinator: User,
    alice: User,
    bob: User,
) -> dict[str, Any]:
    """A written-down case for "who knows what" on #cargo-bikes.

    Scores (declared level * 3 + accepted answers * 5 + "helpful" reactions * 1), for
    a member who does not read the private Lab:
    - Alice: declares expert (9), 1 accepted answer (5), 2 helpful reactions (2) = 16
    - Bob: declares nothing, 2 accepted answers (10), 1 helpful reaction (1) = 11
    - Dora: declares practising (6); her 3 accepted answers are in the Lab = 6
      (for the coordinator, who reads the Lab: 6 + 15 = 21)
    - Eve: declares learning = 3
    - Finn: one accepted answer (and a helpful reaction), but tagged #brakes only = absent
    """
    brakes = conversation_actions.do_create_tag(coordinator, cargo, name="Brakes")
    dora = make_person("dora@example.org", "Dora Welder")
    eve = make_person("eve@example.org", "Eve Learner")
    finn = make_person("finn@example.org", "Finn Fixer")
    for person in (dora, eve, finn):
        join(person, cargo)
    community_actions.do_list_in_space(coordinator, lab, dora)

    def answered(
        space: Space, title: str, answerer: User, tags: list[Tag], helpful_from: list[User]
    ) -> Post:
        question = start(coordinator, space, title, tags=tags)
        answer = reply(answerer, question, f"{answerer.display_name} explains {title}.")
        conversation_actions.do_accept_answer(coordinator, question, answer)
        for person in helpful_from:
            conversation_actions.do_toggle_reaction(person, answer, "helpful")
        return answer

    actions.do_declare_expertise(alice, cargo_bikes, Level.EXPERT)
    actions.do_declare_expertise(dora, cargo_bikes, Level.PRACTISING)
    actions.do_declare_expertise(eve, cargo_bikes, Level.LEARNING)
    answered(general, "Longtail or box bike for two kids?", alice, [cargo_bikes], [bob, eve])
    answered(general, "Which longtail for steep streets?", bob, [cargo_bikes], [alice])
    answered(general, "Cargo bike rain cover?", bob, [cargo_bikes], [])
    for number in range(3):
        answered(lab, f"Prototype frame weld {number}", dora, [cargo_bikes], [])
    answered(general, "Disc or drum brakes?", finn, [brakes], [alice])
    return {"dora": dora, "eve": eve, "finn": finn, "brakes": brakes}


def ranking(experts: list[Expert]) -> list[tuple[str, int, list[str]]]:
    return [(e.person.display_name, e.score, e.evidence) for e in experts]


def test_who_knows_what_ranks_members_by_declared_and_shown_expertise(
    experts_forum: dict[str, Any], cargo: Community, cargo_bikes: Tag
) -> None:
    eve = experts_forum["eve"]
    with translation.override("en"):
        found = who_knows_what(eve, cargo, tag=cargo_bikes)
    assert ranking(found) == [
        (
            "Alice Martin",
            16,
            [
                "declares: expert",
                "1 accepted answer tagged #cargo-bikes",
                "2 “helpful” reactions on posts tagged #cargo-bikes",
            ],
        ),
        (
            "Bob Leroy",
            11,
            [
                "2 accepted answers tagged #cargo-bikes",
                "1 “helpful” reaction on posts tagged #cargo-bikes",
            ],
        ),
        ("Dora Welder", 6, ["declares: practising"]),
        ("Eve Learner", 3, ["declares: learning"]),
    ]
    alice = found[0]
    assert (alice.declared_level, alice.accepted_answers, alice.helpful_reactions) == (3, 1, 2)


def test_answers_in_a_private_space_count_only_for_those_who_read_it(
    experts_forum: dict[str, Any], cargo: Community, cargo_bikes: Tag, coordinator: User
) -> None:
    with translation.override("en"):
        found = who_knows_what(coordinator, cargo, tag=cargo_bikes, limit=2)
    assert ranking(found) == [
        ("Dora Welder", 21, ["declares: practising", "3 accepted answers tagged #cargo-bikes"]),
        (
            "Alice Martin",
            16,
            [
                "declares: expert",
                "1 accepted answer tagged #cargo-bikes",
                "2 “helpful” reactions on posts tagged #cargo-bikes",
            ],
        ),
    ]


def test_who_knows_what_by_words_and_across_the_whole_community(
    experts_forum: dict[str, Any], cargo: Community, cargo_bikes: Tag, bob: User
) -> None:
    eve = experts_forum["eve"]
    with translation.override("en"):
        by_words = who_knows_what(eve, cargo, text="longtail")
        both = who_knows_what(eve, cargo, tag=cargo_bikes, text="steep")
        everything = who_knows_what(eve, cargo)
    # "longtail" matches two questions (Alice's and one of Bob's answers), no tag's name.
    assert ranking(by_words) == [
        (
            "Alice Martin",
            7,
            [
                "1 accepted answer about “longtail”",
                "2 “helpful” reactions on posts about “longtail”",
            ],
        ),
        (
            "Bob Leroy",
            6,
            [
                "1 accepted answer about “longtail”",
                "1 “helpful” reaction on posts about “longtail”",
            ],
        ),
    ]
    # Bob and Dora both score 6: more accepted answers come first.
    assert ranking(both) == [
        ("Alice Martin", 9, ["declares: expert"]),
        (
            "Bob Leroy",
            6,
            [
                "1 accepted answer tagged #cargo-bikes about “steep”",
                "1 “helpful” reaction on posts tagged #cargo-bikes about “steep”",
            ],
        ),
        ("Dora Welder", 6, ["declares: practising"]),
        ("Eve Learner", 3, ["declares: learning"]),
    ]
    # Without a subject: every topic the reader reads, and the highest declared level.
    assert [(e.person.display_name, e.score) for e in everything] == [
        ("Alice Martin", 16),
        ("Bob Leroy", 11),
        ("Finn Fixer", 6),
        ("Dora Welder", 6),
        ("Eve Learner", 3),
    ]
    assert everything[0].evidence[0] == "declares: expert on #cargo-bikes"
    assert everything[2].evidence == [
        "1 accepted answer in this community",
        "1 “helpful” reaction in this community",
    ]


def test_hidden_or_deleted_answers_no_longer_count(
    experts_forum: dict[str, Any], cargo: Community, cargo_bikes: Tag, coordinator: User, bob: User
) -> None:
    answer = Post.objects.get(topic__title="Cargo bike rain cover?", position=1)
    conversation_actions.do_hide_post(coordinator, answer, reason="off topic")
    found = {e.person.pk: e for e in who_knows_what(experts_forum["eve"], cargo, tag=cargo_bikes)}
    assert found[bob.pk].accepted_answers == 1


def test_who_knows_what_tells_nothing_to_those_who_may_not_read_the_community(
    coordinator: User, alice: User, charlie: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    join(alice, closed)
    tag = conversation_actions.do_create_tag(coordinator, closed, name="Welding")
    actions.do_declare_expertise(alice, tag, Level.EXPERT)
    assert who_knows_what(charlie, closed, tag=tag) == []
    assert who_knows_what(AnonymousUser(), closed, tag=tag) == []
    assert [e.person for e in who_knows_what(coordinator, closed, tag=tag)] == [alice]


def test_who_knows_what_leaves_out_people_the_actor_may_not_see(
    experts_forum: dict[str, Any], cargo: Community, cargo_bikes: Tag, charlie: User, bob: User
) -> None:
    # Only Bob made his profile public: an outsider sees him alone.
    update_profile(bob, is_public=True)
    assert [e.person for e in who_knows_what(charlie, cargo, tag=cargo_bikes)] == [bob]


def test_the_experts_page_shows_the_ranking_with_its_evidence(
    experts_forum: dict[str, Any], cargo: Community, cargo_bikes: Tag
) -> None:
    client = client_for(experts_forum["eve"])
    page = html(client, reverse("community_experts", args=["cargo"]) + "?tag=cargo-bikes")
    names = re.findall(r'class="expert__name"><a href="/people/[^"]+/">([^<]+)</a>', page)
    assert names == ["Alice Martin", "Bob Leroy", "Dora Welder", "Eve Learner"]
    assert "<li>1 accepted answer tagged #cargo-bikes</li>" in page
    assert "16 points" in page
    assert "Only conversations you may read count." in page
    empty = html(client, reverse("community_experts", args=["cargo"]) + "?q=zeppelin")
    assert "Nobody has declared or shown expertise on this subject yet." in empty


# --- Follows ------------------------------------------------------------------------------------


def follow_url(kind: str, target_id: int, *, undo: bool = False) -> str:
    return reverse("unfollow" if undo else "follow", kwargs={"kind": kind, "target_id": target_id})


def test_a_member_follows_and_unfollows_a_person_without_javascript(
    cargo: Community, alice: User, bob: User
) -> None:
    client = client_for(bob)
    page = html(client, profile_url(alice))
    assert f'action="{follow_url("person", alice.pk)}"' in page
    response = client.post(follow_url("person", alice.pk), {"next": profile_url(alice)})
    assert response.status_code == 302
    assert response["Location"] == profile_url(alice)
    assert Follow.objects.filter(follower=bob, person=alice).count() == 1
    page = html(client, profile_url(alice))
    assert "You follow Alice Martin." in page
    assert f'action="{follow_url("person", alice.pk, undo=True)}"' in page
    # Twice is refused, with a word, and changes nothing.
    client.post(follow_url("person", alice.pk), {"next": profile_url(alice)})
    assert "You already follow this." in html(client, profile_url(alice))
    assert Follow.objects.filter(follower=bob, person=alice).count() == 1
    client.post(follow_url("person", alice.pk, undo=True), {"next": profile_url(alice)})
    assert not Follow.objects.filter(follower=bob).exists()
    client.post(follow_url("person", alice.pk, undo=True), {"next": profile_url(alice)})
    assert "You do not follow this." in html(client, profile_url(alice))
    # Nobody follows themselves.
    assert client_for(alice).post(follow_url("person", alice.pk)).status_code == 404


def test_follow_buttons_answer_htmx_with_the_new_button(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general, "Longtail or box bike?")
    client = client_for(bob)
    response = client.post(
        follow_url("topic", topic.pk),
        {"next": topic.get_absolute_url()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    button = response.content.decode()
    assert '<form class="follow-form"' in button
    assert f'hx-post="{follow_url("topic", topic.pk, undo=True)}"' in button
    assert f'value="{topic.get_absolute_url()}"' in button
    assert 'id="follow-topic-' in button
    assert "Unfollow" in button
    assert "Longtail or box bike?" in button
    assert Follow.objects.filter(follower=bob, topic=topic).exists()
    # No message is left behind for the next page: the button said it all.
    assert "You follow" not in html(client, topic.get_absolute_url())


@pytest.mark.parametrize("kind", ["topic", "space", "tag"])
def test_one_cannot_follow_what_one_cannot_read(
    kind: str, cargo: Community, lab: Space, coordinator: User, alice: User, bob: User
) -> None:
    closed = community(coordinator, slug="closed", visibility=Visibility.MEMBERS)
    secret_tag = conversation_actions.do_create_tag(coordinator, closed, name="Secret")
    secret_topic = start(alice, lab, "Lab notes")
    target_id = {"topic": secret_topic.pk, "space": lab.pk, "tag": secret_tag.pk}[kind]
    response = client_for(bob).post(follow_url(kind, target_id))
    assert response.status_code == 404
    assert not Follow.objects.filter(follower=bob).exists()
    targets: dict[str, actions.Target] = {"topic": secret_topic, "space": lab, "tag": secret_tag}
    target = targets[kind]
    with pytest.raises(ActionRefused):
        actions.do_follow(bob, target)
    # Alice reads the lab: she may follow the topic and the space.
    if kind != "tag":
        assert client_for(alice).post(follow_url(kind, target_id)).status_code == 302


def test_following_a_person_one_may_not_see_or_an_unknown_kind_is_a_404(
    cargo: Community, alice: User, charlie: User
) -> None:
    assert client_for(charlie).post(follow_url("person", alice.pk)).status_code == 404
    assert client_for(charlie).post(f"/follow/planet/{alice.pk}/").status_code == 404
    assert client_for(charlie).get(follow_url("person", alice.pk)).status_code == 405


def test_following_sends_visitors_to_log_in_and_refuses_foreign_next_addresses(
    cargo: Community, general: Space, alice: User, bob: User
) -> None:
    response = Client().post(follow_url("space", general.pk), {"next": general.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]
    response = client_for(bob).post(
        follow_url("space", general.pk), {"next": "https://evil.example/phish"}
    )
    assert response["Location"] == general.get_absolute_url()
    assert Follow.objects.filter(follower=bob, space=general).exists()


# --- Query counts -------------------------------------------------------------------------------


# Each page's number of queries: the test shows it is the same with 2 or 25 members,
# questions and answers. Raise a number only when a page needs one more read for good.
QUERY_COUNTS = {
    # The profiles include the person's badges (one query, docs/badges.md).
    "profile": 13,
    "own profile": 12,
    # The community's pages add its navigation (3 for a member: the spaces, the
    # membership, the unread topics; cercle/ui/navigation.py).
    "directory": 11 + 3,
    "directory filtered": 11 + 3,
    "experts by tag": 14 + 3,
    "experts by words": 17 + 3,
    "experts of everything": 15 + 3,
    # Reading the page writes nothing: the profile is made when it is first saved. The
    # account pages' navigation asks once whether an identity provider is configured on
    # the administration site (its "Organisation sign-in" link; docs/sso.md).
    "edit page": 8 + 1,
}


@pytest.mark.parametrize("size", [2, 25])
def test_people_pages_run_a_fixed_number_of_queries(
    size: int,
    cargo: Community,
    general: Space,
    cargo_bikes: Tag,
    coordinator: User,
    alice: User,
    bob: User,
) -> None:
    repair = conversation_actions.do_create_tag(coordinator, cargo, name="Repair")
    actions.do_declare_expertise(alice, cargo_bikes, Level.EXPERT)
    update_profile(alice, is_public=True, links=[("Site", "https://alice.example/")])
    for number in range(size):
        person = make_person(f"p{number}@example.org", f"Person {number}")
        join(person, cargo)
        actions.do_declare_expertise(person, cargo_bikes, Level.PRACTISING)
        actions.do_declare_expertise(person, repair, Level.LEARNING)
        question = start(coordinator, general, f"Question {number}", tags=[cargo_bikes])
        answer = reply(alice, question, f"Answer {number}")
        conversation_actions.do_accept_answer(coordinator, question, answer)
        conversation_actions.do_toggle_reaction(person, answer, "helpful")
        reply(person, question, f"Thanks {number}")
    client, own = client_for(bob), client_for(alice)
    experts = reverse("community_experts", args=["cargo"])
    pages = {
        "profile": (client, profile_url(alice)),
        "own profile": (own, profile_url(alice)),
        "directory": (client, directory_url()),
        "directory filtered": (client, directory_url(tag="cargo-bikes", q="person")),
        "experts by tag": (client, experts + "?tag=cargo-bikes"),
        "experts by words": (client, experts + "?q=answer"),
        "experts of everything": (client, experts),
        "edit page": (own, reverse("profile_edit")),
    }
    counts = {}
    for name, (who, url) in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert who.get(url).status_code == 200, name
        counts[name] = len(queries)
    # The same numbers with 2 or 25 members, questions and answers.
    assert counts == QUERY_COUNTS


def test_deleting_an_account_deletes_its_photo(
    alice: User, tmp_path: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    update_profile(alice, avatar=SimpleUploadedFile("a.png", png()))
    stored = tmp_path / Profile.objects.get(person=alice).avatar.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_account(alice)
    assert not Profile.objects.exists()
    assert not stored.exists()
