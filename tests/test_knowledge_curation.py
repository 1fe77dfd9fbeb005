"""Curating the library: editing and deleting resources, collection covers, related
collections across communities, reordering top-level collections and drag and drop.

Alice is a member who adds things, Bob her peer, Claire the coordinator and Charlie an
outsider; `lab` is a private space where only Alice (and Claire) are listed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.communities.models import Community, Space, Visibility
from cercle.conversations import actions as conversation_actions
from cercle.errors import ActionRefused
from cercle.knowledge import actions
from cercle.knowledge.models import Collection, Resource
from cercle.membership import actions as community_actions
from cercle.search.query import search
from tests.communities import client_for, community, html, join


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def guides(alice: User, general: Space) -> Collection:
    return actions.do_create_collection(alice, general, title="Guides")


@pytest.fixture
def secrets(alice: User, lab: Space) -> Collection:
    return actions.do_create_collection(alice, lab, title="Budget papers")


@pytest.fixture
def manual(alice: User, guides: Collection) -> Resource:
    return actions.do_add_link(
        alice, guides, url="https://example.org/manual", title="Manual", excerpt="Chapter 2"
    )


def _image(image_format: str = "JPEG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, (200, 80, 20))
    if image_format == "JPEG":
        exif = Image.Exif()
        exif[0x010E] = "Secret place"  # ImageDescription: metadata the copy must drop
        image.save(buffer, format=image_format, exif=exif)
    else:
        image.save(buffer, format=image_format)
    return buffer.getvalue()


def _cover(name: str = "cover.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _image() if content is None else content, "image/jpeg")


def _titles(collection: Collection) -> list[str]:
    return [r.title for r in collection.resources.all()]


# --- Editing and deleting resources ---------------------------------------------------------


def test_the_author_edits_a_link_and_search_follows(
    alice: User, coordinator: User, cargo: Community, manual: Resource
) -> None:
    tag = conversation_actions.do_create_tag(coordinator, cargo, name="Repairs")
    response = client_for(alice).post(
        f"/c/cargo/resources/{manual.pk}/edit/",
        {
            "url": "https://example.org/handbook",
            "title": "Zanzibar handbook",
            "excerpt": "Every chapter",
            "tags": [tag.pk],
        },
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert (manual.url, manual.title, manual.excerpt) == (
        "https://example.org/handbook",
        "Zanzibar handbook",
        "Every chapter",
    )
    assert [t.slug for t in manual.tags.all()] == ["repairs"]
    assert [h.title for h in search(alice, "zanzibar")[0]] == ["Zanzibar handbook"]
    assert search(alice, "manual")[0] == []
    assert ActivityEvent.objects.filter(verb="resource.edited", object_id=manual.pk).exists()


def test_a_note_is_edited_and_rendered_again(alice: User, guides: Collection) -> None:
    note = actions.do_add_note(alice, guides, title="Pump", note="Inflate to *2 bar*")
    actions.do_edit_resource(
        alice, note, title="Pump", excerpt="Pressure", note="Inflate to **3 bar**"
    )
    note.refresh_from_db()
    assert "<strong>3 bar</strong>" in note.note_html
    assert note.excerpt == "Pressure"


def test_a_file_is_replaced_and_the_old_one_deleted(
    alice: User, guides: Collection, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("old.txt", b"Quinoa harvest", "text/plain")
    resource = actions.do_add_file(alice, guides, upload=upload, title="Harvest")
    old_name = resource.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post(
            f"/c/cargo/resources/{resource.pk}/edit/",
            {
                "title": "Sorghum sowing",
                "excerpt": "",
                "upload": SimpleUploadedFile("new.txt", b"Sorghum sowing", "text/plain"),
            },
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.original_name == "new.txt"
    assert not default_storage.exists(old_name)
    assert resource.file.read() == b"Sorghum sowing"
    assert [h.title for h in search(alice, "sorghum")[0]] == ["Sorghum sowing"]


def test_a_refused_edit_shows_the_form_again_and_changes_nothing(
    alice: User, manual: Resource
) -> None:
    response = client_for(alice).post(
        f"/c/cargo/resources/{manual.pk}/edit/",
        {"url": "ftp://example.org/x", "title": "New", "excerpt": ""},
    )
    assert response.status_code == 200
    manual.refresh_from_db()
    assert (manual.url, manual.title) == ("https://example.org/manual", "Manual")
    with pytest.raises(ActionRefused):
        actions.do_edit_resource(alice, manual, title="New", url="javascript:alert(1)")
    manual.refresh_from_db()
    assert manual.title == "Manual"


def test_a_peer_may_neither_edit_nor_delete_someone_elses_resource(
    bob: User, coordinator: User, manual: Resource
) -> None:
    bob_client = client_for(bob)
    assert bob_client.get(f"/c/cargo/resources/{manual.pk}/edit/").status_code == 403
    assert bob_client.get(f"/c/cargo/resources/{manual.pk}/delete/").status_code == 403
    edit = {"url": "https://evil.example/", "title": "Mine", "excerpt": ""}
    assert bob_client.post(f"/c/cargo/resources/{manual.pk}/edit/", edit).status_code == 403
    assert bob_client.post(f"/c/cargo/resources/{manual.pk}/delete/").status_code == 403
    with pytest.raises(ActionRefused) as refusal:
        actions.do_delete_resource(bob, manual)
    assert not refusal.value.not_found
    manual.refresh_from_db()
    assert (manual.title, manual.url) == ("Manual", "https://example.org/manual")
    page = html(bob_client, manual.get_absolute_url())
    assert f"/resources/{manual.pk}/edit/" not in page
    # The coordinator edits anyone's resource.
    client_for(coordinator).post(f"/c/cargo/resources/{manual.pk}/edit/", {**edit, "title": "Ok"})
    manual.refresh_from_db()
    assert manual.title == "Ok"


def test_who_cannot_read_the_space_gets_404_and_an_outsider_403(
    alice: User, bob: User, charlie: User, secrets: Collection, manual: Resource
) -> None:
    hidden = actions.do_add_note(alice, secrets, title="Budget 2027", note="Figures")
    bob_client = client_for(bob)
    for url in (f"/c/cargo/resources/{hidden.pk}/edit/", f"/c/cargo/resources/{hidden.pk}/delete/"):
        assert bob_client.get(url).status_code == 404
        assert bob_client.post(url, {"title": "Mine", "note": "x"}).status_code == 404
    assert Resource.objects.filter(pk=hidden.pk, title="Budget 2027").exists()
    charlie_client = client_for(charlie)
    assert charlie_client.get(f"/c/cargo/resources/{manual.pk}/edit/").status_code == 403
    assert charlie_client.post(f"/c/cargo/resources/{manual.pk}/delete/").status_code == 403
    anonymous = client_for(None).post(f"/c/cargo/resources/{manual.pk}/delete/")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]
    assert Resource.objects.filter(pk=manual.pk).exists()


def test_deleting_asks_first_then_removes_the_resource_its_file_and_its_search_entry(
    alice: User, bob: User, guides: Collection, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("notes.txt", b"Zanzibar harvest", "text/plain")
    resource = actions.do_add_file(alice, guides, upload=upload, title="Harvest")
    actions.do_comment(bob, resource, body="Thanks")
    stored = resource.file.name
    client = client_for(alice)
    confirmation = html(client, f"/c/cargo/resources/{resource.pk}/delete/")
    assert "This cannot be undone." in confirmation
    assert Resource.objects.filter(pk=resource.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/c/cargo/resources/{resource.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == guides.get_absolute_url()
    assert not Resource.objects.filter(pk=resource.pk).exists()
    assert not default_storage.exists(stored)
    assert search(alice, "zanzibar")[0] == []
    assert ActivityEvent.objects.filter(verb="resource.deleted", object_id=resource.pk).exists()


# --- Covers ---------------------------------------------------------------------------------


def test_a_cover_is_reencoded_shown_with_its_description_and_removed(
    alice: User, guides: Collection, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(alice)
    response = client.post(
        f"{guides.get_absolute_url()}edit/",
        {
            "edit-title": "Guides",
            "edit-description": "",
            "edit-cover": _cover(),
            "edit-cover_alt": "A cargo bike on a quay",
        },
    )
    assert response.status_code == 302
    guides.refresh_from_db()
    assert guides.cover.name.endswith(".jpg")
    with Image.open(guides.cover.path) as stored:
        assert stored.format == "JPEG"
        assert 0x010E not in stored.getexif()
    cover_url = guides.cover_url()
    for page in (guides.get_absolute_url(), "/c/cargo/library/"):
        assert f'src="{cover_url.replace("&", "&amp;")}" alt="A cargo bike on a quay"' in html(
            client, page
        )
    image = client.get(cover_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/jpeg"
    assert image["X-Content-Type-Options"] == "nosniff"
    stored_name = guides.cover.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{guides.get_absolute_url()}edit/",
            {"edit-title": "Guides", "edit-remove_cover": "on"},
        )
    guides.refresh_from_db()
    assert not guides.cover
    assert guides.cover_alt == ""
    assert not default_storage.exists(stored_name)
    assert client.get(cover_url).status_code == 404


def test_a_new_cover_replaces_the_old_file(
    alice: User, guides: Collection, django_capture_on_commit_callbacks: Any
) -> None:
    actions.do_edit_collection(alice, guides, title="Guides", cover=_cover())
    first = guides.cover.name
    png = SimpleUploadedFile("c.png", _image("PNG"), "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_edit_collection(alice, guides, title="Guides", cover=png)
    guides.refresh_from_db()
    assert guides.cover.name.endswith(".png")
    assert guides.cover.name != first
    assert not default_storage.exists(first)


def test_a_cover_must_really_be_a_small_enough_image(
    alice: User, guides: Collection, settings: Any
) -> None:
    fake = SimpleUploadedFile("cover.png", b"<svg onload=alert(1)></svg>", "image/png")
    client = client_for(alice)
    response = client.post(
        f"{guides.get_absolute_url()}edit/",
        {"edit-title": "Guides", "edit-cover": fake},
        follow=True,
    )
    assert "Use a PNG, JPEG or WebP image." in response.content.decode()
    gif = SimpleUploadedFile("cover.gif", _image("GIF"), "image/gif")
    with pytest.raises(ActionRefused):
        actions.do_edit_collection(alice, guides, title="Guides", cover=gif)
    settings.IMAGE_MAX_MB = 1
    large = _cover(content=_image() + b"\0" * (1024 * 1024))
    with pytest.raises(ActionRefused, match="too large"):
        actions.do_edit_collection(alice, guides, title="Guides", cover=large)
    guides.refresh_from_db()
    assert not guides.cover


def test_a_peer_cannot_change_the_cover_and_a_private_cover_stays_private(
    alice: User, bob: User, guides: Collection, secrets: Collection
) -> None:
    response = client_for(bob).post(
        f"{guides.get_absolute_url()}edit/", {"edit-title": "Mine", "edit-cover": _cover()}
    )
    assert response.status_code == 403
    guides.refresh_from_db()
    assert (guides.title, bool(guides.cover)) == ("Guides", False)
    actions.do_edit_collection(alice, secrets, title="Budget papers", cover=_cover())
    secrets.refresh_from_db()
    assert client_for(alice).get(secrets.cover_url()).status_code == 200
    assert client_for(bob).get(secrets.cover_url()).status_code == 404
    assert client_for(None).get(secrets.cover_url()).status_code == 404


# --- Related collections --------------------------------------------------------------------


@pytest.fixture
def velo(coordinator: User, alice: User) -> Community:
    """Another public community, where Alice is a member and Bob is not."""
    created = community(coordinator, slug="velo", name="Velo Friends")
    join(alice, created)
    return created


@pytest.fixture
def inner(coordinator: User, alice: User) -> Community:
    """A members-only community: only its members read it."""
    created = community(
        coordinator, slug="inner", name="Inner Circle", visibility=Visibility.MEMBERS
    )
    join(alice, created)
    return created


def _default_space(where: Community) -> Space:
    return where.spaces.get(is_default=True)


def test_the_editor_relates_and_unrelates_collections_of_other_communities(
    alice: User, guides: Collection, velo: Community
) -> None:
    routes = actions.do_create_collection(alice, _default_space(velo), title="Routes")
    client = client_for(alice)
    page = html(client, f"{guides.get_absolute_url()}related/")
    assert "Routes" in page
    assert "Velo Friends" in page
    response = client.post(
        f"{guides.get_absolute_url()}related/", {"other": routes.pk, "action": "relate"}
    )
    assert response.status_code == 302
    assert list(guides.related.all()) == [routes]
    assert "Routes" in html(client, guides.get_absolute_url())
    assert "Guides" in html(client, routes.get_absolute_url())  # symmetrical
    assert ActivityEvent.objects.filter(verb="collection.related").exists()
    client.post(f"{guides.get_absolute_url()}related/", {"other": routes.pk, "action": "unrelate"})
    assert not guides.related.exists()
    assert not routes.related.exists()


def test_the_relate_page_offers_and_accepts_only_collections_the_editor_reads(
    alice: User, coordinator: User, guides: Collection, inner: Community, general: Space
) -> None:
    hidden_space = community_actions.do_create_space(
        coordinator, inner, name="Staff room", is_private=True
    )
    hidden = actions.do_create_collection(coordinator, hidden_space, title="Staff notes")
    actions.do_create_collection(alice, _default_space(inner), title="Circle notes")
    actions.do_create_collection(alice, general, title="Tools")
    page = html(client_for(alice), f"{guides.get_absolute_url()}related/")
    assert "Circle notes" in page
    assert "Staff notes" not in page
    response = client_for(alice).post(
        f"{guides.get_absolute_url()}related/", {"other": hidden.pk, "action": "relate"}
    )
    assert response.status_code == 404
    assert not guides.related.exists()
    page = html(client_for(alice), f"{guides.get_absolute_url()}related/?q=circle")
    assert "Circle notes" in page
    assert "Tools" not in page


def test_a_peer_cannot_relate_and_who_cannot_read_gets_404(
    alice: User, bob: User, guides: Collection, secrets: Collection, velo: Community
) -> None:
    routes = actions.do_create_collection(alice, _default_space(velo), title="Routes")
    bob_client = client_for(bob)
    assert bob_client.get(f"{guides.get_absolute_url()}related/").status_code == 403
    response = bob_client.post(
        f"{guides.get_absolute_url()}related/", {"other": routes.pk, "action": "relate"}
    )
    assert response.status_code == 403
    assert bob_client.get(f"{secrets.get_absolute_url()}related/").status_code == 404
    response = bob_client.post(
        f"{secrets.get_absolute_url()}related/", {"other": guides.pk, "action": "relate"}
    )
    assert response.status_code == 404
    assert not guides.related.exists()
    assert not secrets.related.exists()
    with pytest.raises(ActionRefused):
        actions.do_relate_collections(bob, guides, routes)


def test_a_related_collection_shows_only_to_readers_of_its_space(
    alice: User, bob: User, charlie: User, guides: Collection, inner: Community, velo: Community
) -> None:
    circle = actions.do_create_collection(alice, _default_space(inner), title="Circle notes")
    routes = actions.do_create_collection(alice, _default_space(velo), title="Routes")
    actions.do_relate_collections(alice, guides, circle)
    actions.do_relate_collections(alice, guides, routes)
    assert {"Circle notes", "Routes"} <= set(_related_titles(client_for(alice), guides))
    for reader in (bob, charlie, None):
        # Velo is public, so everyone reads Routes; nobody but members reads the circle.
        titles = _related_titles(client_for(reader), guides)
        assert "Routes" in titles
        assert "Circle notes" not in titles
    page = html(client_for(bob), guides.get_absolute_url())
    assert "Circle notes" not in page
    assert "Inner Circle" not in page


def _related_titles(client: Client, collection: Collection) -> list[str]:
    page = html(client, collection.get_absolute_url())
    if 'id="related-title"' not in page:
        return []
    section = page.split('id="related-title"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>', section)


def test_the_relate_page_keeps_its_query_count(
    alice: User, general: Space, guides: Collection, django_assert_max_num_queries: Any
) -> None:
    client = client_for(alice)
    url = f"{guides.get_absolute_url()}related/"
    for number in range(3):
        other = actions.do_create_collection(alice, general, title=f"Other {number}")
        actions.do_relate_collections(alice, guides, other)
    client.get(url)
    with django_assert_max_num_queries(16) as few:
        html(client, url)
    for number in range(10):
        other = actions.do_create_collection(alice, general, title=f"More {number}")
        if number % 2:
            actions.do_relate_collections(alice, guides, other)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "More 9" in html(client, url)


# --- Top-level collections ------------------------------------------------------------------


def test_top_level_collections_reorder_from_the_library_page(alice: User, general: Space) -> None:
    a, b, c = (actions.do_create_collection(alice, general, title=t) for t in "ABC")
    client = client_for(alice)
    page = html(client, "/c/cargo/library/")
    assert page.count("Move up") == 3
    client.post(f"/c/cargo/library/{c.slug}/move/", {"direction": "up"})
    assert [x.title for x in Collection.objects.filter(parent=None)] == ["A", "C", "B"]
    page = html(client, "/c/cargo/library/")
    assert page.index(">C</a>") < page.index(">B</a>")
    assert [x.pk for x in Collection.objects.filter(parent=None)] == [a.pk, c.pk, b.pk]


def test_a_top_level_collection_moves_past_those_the_mover_cannot_read(
    alice: User, bob: User, general: Space, secrets: Collection
) -> None:
    actions.do_create_collection(alice, general, title="Alice's")
    mine = actions.do_create_collection(bob, general, title="Bob's")
    # The order is: Budget papers (private, unread by Bob), Alice's, Bob's.
    page = html(client_for(bob), "/c/cargo/library/")
    assert "Budget papers" not in page
    assert page.count("Move up") == 1  # only his own collection
    client_for(bob).post(f"/c/cargo/library/{mine.slug}/move/", {"direction": "up"})
    order = [c.title for c in Collection.objects.filter(parent=None)]
    assert order == ["Budget papers", "Bob's", "Alice's"]
    client_for(bob).post(f"/c/cargo/library/{mine.slug}/move/", {"direction": "up"})
    # Bob sees it first already; the private collection keeps its place.
    assert [c.title for c in Collection.objects.filter(parent=None)] == order


def test_a_peer_cannot_move_someone_elses_top_level_collection(
    alice: User, bob: User, general: Space
) -> None:
    actions.do_create_collection(alice, general, title="A")
    b = actions.do_create_collection(alice, general, title="B")
    response = client_for(bob).post(f"/c/cargo/library/{b.slug}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert [c.title for c in Collection.objects.filter(parent=None)] == ["A", "B"]


def test_the_library_page_keeps_its_query_count_with_covers_and_move_buttons(
    alice: User, general: Space, django_assert_max_num_queries: Any
) -> None:
    client = client_for(alice)
    for number in range(2):
        made = actions.do_create_collection(alice, general, title=f"C{number}")
        actions.do_edit_collection(alice, made, title=made.title, cover=_cover())
    client.get("/c/cargo/library/")
    with django_assert_max_num_queries(20) as few:
        html(client, "/c/cargo/library/")
    for number in range(5):
        made = actions.do_create_collection(alice, general, title=f"D{number}")
        actions.do_edit_collection(alice, made, title=made.title, cover=_cover())
        actions.do_create_collection(alice, general, title=f"S{number}", parent=made)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "S4" in html(client, "/c/cargo/library/")


# --- Drag and drop --------------------------------------------------------------------------


def _reorder(client: Client, collection: Collection, **body: Any) -> Any:
    return client.post(
        f"{collection.get_absolute_url()}reorder/",
        json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def three(alice: User, guides: Collection) -> list[Resource]:
    return [
        actions.do_add_link(alice, guides, url=f"https://example.org/{n}", title=n)
        for n in ("one", "two", "three")
    ]


def test_a_dragged_resource_is_saved_in_its_new_place(
    alice: User, guides: Collection, three: list[Resource]
) -> None:
    one, two, third = three
    response = _reorder(
        client_for(alice),
        guides,
        items="resources",
        moved=third.pk,
        order=[third.pk, one.pk, two.pk],
    )
    assert response.status_code == 200
    assert response.json()["message"] == "“three” moved to position 1 of 3."
    assert _titles(guides) == ["three", "one", "two"]
    assert ActivityEvent.objects.filter(verb="collection.reordered.resources").exists()


def test_dragged_sub_collections_are_saved_in_their_new_place(
    alice: User, guides: Collection
) -> None:
    a, b, c = (
        actions.do_create_collection(alice, guides.space, title=t, parent=guides) for t in "ABC"
    )
    response = _reorder(
        client_for(alice), guides, items="collections", moved=a.pk, order=[b.pk, c.pk, a.pk]
    )
    assert response.status_code == 200
    assert [x.title for x in guides.children.all()] == ["B", "C", "A"]


def test_the_new_order_must_be_exactly_the_collection_with_one_item_moved(
    alice: User, guides: Collection, three: list[Resource], general: Space
) -> None:
    one, two, third = three
    elsewhere = actions.do_create_collection(alice, general, title="Elsewhere")
    stranger = actions.do_add_link(alice, elsewhere, url="https://example.org/x", title="x")
    client = client_for(alice)
    refused = [
        {"items": "resources", "moved": stranger.pk, "order": [stranger.pk, one.pk, two.pk]},
        {"items": "resources", "moved": third.pk, "order": [third.pk, one.pk, stranger.pk]},
        {"items": "resources", "moved": third.pk, "order": [third.pk, one.pk]},
        {"items": "resources", "moved": third.pk, "order": [third.pk, one.pk, two.pk, two.pk]},
        {"items": "resources", "moved": third.pk, "order": [third.pk, two.pk, one.pk]},
        {"items": "collections", "moved": one.pk, "order": [one.pk]},
    ]
    for body in refused:
        assert _reorder(client, guides, **body).status_code == 409, body
    unreadable: list[dict[str, Any]] = [
        {"items": "resources"},
        {"items": "pages", "moved": 1, "order": [1]},
        {"items": "resources", "moved": "one", "order": [1]},
    ]
    for wrong in unreadable:
        assert _reorder(client, guides, **wrong).status_code == 400, wrong
    assert _titles(guides) == ["one", "two", "three"]
    assert _titles(elsewhere) == ["x"]


def test_only_who_may_move_the_item_drags_it(
    alice: User, bob: User, charlie: User, guides: Collection, three: list[Resource]
) -> None:
    one, two, third = three
    body = {"items": "resources", "moved": third.pk, "order": [third.pk, one.pk, two.pk]}
    for person in (bob, charlie):
        response = _reorder(client_for(person), guides, **body)
        assert response.status_code == 403
        assert response.json()["message"]
    assert _reorder(client_for(None), guides, **body).status_code == 403
    assert _titles(guides) == ["one", "two", "three"]
    # As with Move up and Move down, Bob moves what he added himself.
    his = actions.do_add_link(bob, guides, url="https://example.org/bob", title="bob")
    order = [his.pk, one.pk, two.pk, third.pk]
    response = _reorder(client_for(bob), guides, items="resources", moved=his.pk, order=order)
    assert response.status_code == 200
    assert _titles(guides) == ["bob", "one", "two", "three"]


def test_dragging_in_a_collection_one_cannot_read_is_a_404(
    alice: User, bob: User, secrets: Collection
) -> None:
    a = actions.do_add_note(alice, secrets, title="a", note="a")
    b = actions.do_add_note(alice, secrets, title="b", note="b")
    body = {"items": "resources", "moved": b.pk, "order": [b.pk, a.pk]}
    assert _reorder(client_for(bob), secrets, **body).status_code == 404
    assert _reorder(client_for(None), secrets, **body).status_code == 404
    assert _titles(secrets) == ["a", "b"]


def test_the_reorder_endpoint_wants_the_csrf_token_in_its_header(
    alice: User, guides: Collection, three: list[Resource]
) -> None:
    one, two, third = three
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    page = html(client, guides.get_absolute_url())
    body = json.dumps({"items": "resources", "moved": two.pk, "order": [two.pk, one.pk, third.pk]})
    url = f"{guides.get_absolute_url()}reorder/"
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert _titles(guides) == ["one", "two", "three"]
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post(
        url, body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert _titles(guides) == ["two", "one", "three"]


def test_the_collection_page_offers_dragging_only_where_the_reader_may_move(
    alice: User, bob: User, guides: Collection, three: list[Resource]
) -> None:
    actions.do_add_link(bob, guides, url="https://example.org/bob", title="bob")
    alice_page = html(client_for(alice), guides.get_absolute_url())
    assert alice_page.count("data-reorder-movable") == 3
    assert "knowledge/reorder.js" in alice_page
    assert 'role="status"' in alice_page
    bob_page = html(client_for(bob), guides.get_absolute_url())
    assert bob_page.count("data-reorder-movable") == 1
    reader_page = html(client_for(None), guides.get_absolute_url())
    assert "data-reorder-movable" not in reader_page
    assert "knowledge/reorder.js" not in reader_page
