"""The library: collections follow their space, resources are found by who may read
them, every change is logged at its level; bookmarks import and Markdown export."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent, EngagementLevel
from cercle.communities.models import Community, Space
from cercle.errors import ActionRefused
from cercle.knowledge import actions
from cercle.knowledge.bookmarks import BookmarkFolder, BookmarkLink, parse_bookmarks
from cercle.knowledge.models import Collection, Resource, ResourceReaction
from cercle.membership import actions as community_actions
from cercle.search.query import search
from tests.conftest import make_person

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def claire(coordinator: User) -> User:
    """Coordinator of Cargo (the usual test community, tests/conftest.py)."""
    return coordinator


@pytest.fixture
def board(cargo: Community, claire: User, alice: User) -> Space:
    """Private: Alice is listed, Bob is not."""
    space = community_actions.do_create_space(claire, cargo, name="Board", is_private=True)
    community_actions.do_list_in_space(claire, space, alice)
    return space


@pytest.fixture
def guides(alice: User, general: Space) -> Collection:
    return actions.do_create_collection(alice, general, title="Guides")


@pytest.fixture
def secrets(alice: User, board: Space) -> Collection:
    return actions.do_create_collection(alice, board, title="Budget papers")


def _client(person: User) -> Client:
    client = Client()
    client.force_login(person)
    return client


# --- Permissions ----------------------------------------------------------------------------


def test_an_unlisted_member_gets_404_on_a_private_collection_and_its_resources(
    alice: User, bob: User, secrets: Collection
) -> None:
    resource = actions.do_add_note(alice, secrets, title="Budget 2027", note="Zanzibar figures")
    bob_client = _client(bob)
    assert bob_client.get(secrets.get_absolute_url()).status_code == 404
    assert bob_client.get(resource.get_absolute_url()).status_code == 404
    assert bob_client.get(f"/c/cargo/library/{secrets.slug}/export/").status_code == 404
    assert _client(alice).get(resource.get_absolute_url()).status_code == 200
    library = bob_client.get("/c/cargo/library/")
    assert "Budget papers" not in library.content.decode()
    assert "Budget papers" in _client(alice).get("/c/cargo/library/").content.decode()


def test_an_unlisted_member_finds_no_private_resource_in_search(
    alice: User, bob: User, secrets: Collection, guides: Collection
) -> None:
    actions.do_add_note(alice, secrets, title="Zanzibar budget", note="Figures")
    actions.do_add_link(alice, guides, url="https://example.org/z", title="Zanzibar trip")
    assert {h.title for h in search(alice, "zanzibar")[0]} == {"Zanzibar budget", "Zanzibar trip"}
    assert [h.title for h in search(bob, "zanzibar")[0]] == ["Zanzibar trip"]


def test_an_unlisted_member_cannot_add_to_a_private_collection(
    bob: User, secrets: Collection
) -> None:
    with pytest.raises(ActionRefused) as refusal:
        actions.do_add_link(bob, secrets, url="https://example.org/")
    assert refusal.value.not_found
    assert not Resource.objects.exists()


def test_an_outsider_may_read_a_public_library_but_not_add(alice: User, guides: Collection) -> None:
    charlie = make_person("charlie@example.org", "Charlie Outsider")
    assert _client(charlie).get(guides.get_absolute_url()).status_code == 200
    with pytest.raises(ActionRefused):
        actions.do_add_note(charlie, guides, title="Hello", note="Hi")
    assert _client(charlie).get(f"{guides.get_absolute_url()}link/").status_code == 404


def test_related_collections_show_only_where_the_reader_reads_the_other_space(
    alice: User, bob: User, guides: Collection, secrets: Collection
) -> None:
    actions.do_relate_collections(alice, guides, secrets)
    assert "Budget papers" in _client(alice).get(guides.get_absolute_url()).content.decode()
    assert "Budget papers" not in _client(bob).get(guides.get_absolute_url()).content.decode()


# --- Resources, activity and search ---------------------------------------------------------


def test_adding_a_resource_is_logged_at_level_create_and_reacting_at_level_react(
    alice: User, bob: User, guides: Collection
) -> None:
    resource = actions.do_add_link(alice, guides, url="https://example.org/a", title="A")
    actions.do_comment(bob, resource, body="Thanks, **useful**")
    assert actions.do_toggle_reaction(bob, resource, "thanks")
    levels = dict(ActivityEvent.objects.values_list("verb", "level"))
    assert levels["resource.added.link"] == EngagementLevel.CREATE
    assert levels["resource.commented"] == EngagementLevel.REACT
    assert levels["resource.reacted.thanks"] == EngagementLevel.REACT
    assert not actions.do_toggle_reaction(bob, resource, "thanks")
    assert not ResourceReaction.objects.exists()


def test_a_file_resource_is_found_by_its_text(alice: User, guides: Collection) -> None:
    upload = SimpleUploadedFile("notes.txt", b"Quinoa harvest schedule", "text/plain")
    resource = actions.do_add_file(alice, guides, upload=upload, title="Harvest")
    assert resource.content_type == "text/plain"
    note = actions.do_add_note(alice, guides, title="Plain", note="Le **vélo** cargo")
    assert "<strong>vélo</strong>" in note.note_html
    assert [h.title for h in search(alice, "vélo")[0]] == ["Plain"]


def test_a_file_is_checked_by_its_content(alice: User, guides: Collection) -> None:
    upload = SimpleUploadedFile("page.txt", b"<svg onload=alert(1)>\0", "text/plain")
    with pytest.raises(ActionRefused):
        actions.do_add_file(alice, guides, upload=upload)


def test_the_pages_show_the_resource_with_comments_and_reactions(
    alice: User, bob: User, guides: Collection
) -> None:
    resource = actions.do_add_link(
        alice, guides, url="https://example.org/a", title="A guide", excerpt="Read chapter 2"
    )
    client = _client(bob)
    response = client.post(
        f"/c/cargo/resources/{resource.pk}/comment/", {"body": "Very helpful"}, follow=True
    )
    assert "Very helpful" in response.content.decode()
    client.post(f"/c/cargo/resources/{resource.pk}/react/", {"kind": "helpful"})
    page = client.get(resource.get_absolute_url()).content.decode()
    assert "Read chapter 2" in page
    assert 'aria-pressed="true"' in page


def test_a_member_adds_a_link_through_the_page(bob: User, guides: Collection) -> None:
    response = _client(bob).post(
        f"{guides.get_absolute_url()}link/",
        {"url": "https://example.org/manual", "title": "", "excerpt": "Good"},
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert resource.title == "https://example.org/manual"
    assert resource.added_by == bob


def test_the_fetch_button_refuses_a_private_address_and_keeps_the_form(
    bob: User, guides: Collection
) -> None:
    response = _client(bob).post(
        f"{guides.get_absolute_url()}link/",
        {"url": "http://169.254.169.254/latest/", "title": "", "excerpt": "", "fetch": "1"},
    )
    assert response.status_code == 200
    assert "not on the public internet" in response.content.decode()
    assert not Resource.objects.exists()


def test_the_collection_page_keeps_its_query_count(
    alice: User, guides: Collection, django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        actions.do_add_link(alice, guides, url=f"https://example.org/{number}", title=f"R{number}")
    client = _client(alice)
    client.get(guides.get_absolute_url())
    with django_assert_max_num_queries(25):
        assert client.get(guides.get_absolute_url()).status_code == 200


# --- Reordering -----------------------------------------------------------------------------


def test_move_up_and_down_reorder_resources(alice: User, guides: Collection) -> None:
    first, second, third = (
        actions.do_add_link(alice, guides, url=f"https://example.org/{n}", title=n)
        for n in ("one", "two", "three")
    )
    client = _client(alice)
    client.post(f"/c/cargo/resources/{third.pk}/move/", {"direction": "up"})
    assert [r.title for r in guides.resources.all()] == ["one", "three", "two"]
    actions.do_move_resource(alice, first, "down")
    assert [r.title for r in guides.resources.all()] == ["three", "one", "two"]
    actions.do_move_resource(alice, first, "down")
    actions.do_move_resource(alice, first, "down")  # already last: nothing changes
    assert [r.title for r in guides.resources.all()] == ["three", "two", "one"]
    second.refresh_from_db()
    assert second.position == 1


def test_only_the_author_or_a_coordinator_reorders(
    alice: User, bob: User, claire: User, guides: Collection
) -> None:
    resource = actions.do_add_link(alice, guides, url="https://example.org/1", title="1")
    actions.do_add_link(alice, guides, url="https://example.org/2", title="2")
    with pytest.raises(ActionRefused):
        actions.do_move_resource(bob, resource, "down")
    actions.do_move_resource(claire, resource, "down")
    assert [r.title for r in guides.resources.all()] == ["2", "1"]


def test_sub_collections_follow_their_parent_space_and_reorder(
    alice: User, guides: Collection, board: Space
) -> None:
    a = actions.do_create_collection(alice, board, title="A", parent=guides)
    b = actions.do_create_collection(alice, board, title="B", parent=guides)
    assert a.space_id == guides.space_id
    _client(alice).post(f"/c/cargo/library/{b.slug}/move/", {"direction": "up"})
    assert [c.title for c in guides.children.all()] == ["B", "A"]


# --- Bookmarks import -----------------------------------------------------------------------


def test_it_parses_a_bookmarks_file_exported_by_chromium() -> None:
    # Written by Chromium 156's "Export bookmarks" (tests/fixtures/export_chromium_bookmarks.py).
    root = parse_bookmarks((FIXTURES / "chromium_bookmarks.html").read_text("utf-8"))

    def shape(entry: BookmarkFolder | BookmarkLink) -> Any:
        if isinstance(entry, BookmarkLink):
            return entry.title
        return {entry.title: [shape(child) for child in entry.children]}

    assert shape(root) == {
        "": [
            {
                "Bookmarks bar": [
                    "The Chromium Projects",
                    "Show title",
                    {
                        "Vélos cargo": [
                            "Vélo cargo — Wikipédia",
                            "",
                            "Vélo cargo (again)",
                            {"日本語 & 中文": ["自転車 - Wikipedia"]},
                            {"Empty folder": []},
                        ]
                    },
                    "Settings",
                    'Quotes "and" <tags>',
                ]
            },
            # "Other bookmarks": Chromium writes their content at the top level.
            "The World Wide Web project",
            {
                "Référentiels": [
                    "Référentiel général d\u2019écoconception de services numériques",
                    "Local file",
                ]
            },
        ]
    }
    bar = root.children[0]
    assert isinstance(bar, BookmarkFolder)
    link = bar.children[0]
    assert isinstance(link, BookmarkLink)
    assert link.url == "https://www.chromium.org/Home/"
    assert link.add_date == 1795606980
    quotes = bar.children[-1]
    assert isinstance(quotes, BookmarkLink)
    # Chromium leaves "&" raw in HREF; it must not be read as a character reference.
    assert quotes.url == "https://example.com/search?q=a&b=c"


def test_addresses_keep_raw_ampersands_that_look_like_entities() -> None:
    html = '<DL><p><DT><A HREF="https://x.org/?a=1&not=2&copy=3&amp;b=4&#38;c=5">t &amp; u</A>'
    link = parse_bookmarks(html).children[0]
    assert isinstance(link, BookmarkLink)
    assert link.url == "https://x.org/?a=1&not=2&copy=3&b=4&c=5"
    assert link.title == "t & u"


def test_it_imports_chromium_bookmarks_into_a_collection_tree(
    alice: User, guides: Collection
) -> None:
    html = (FIXTURES / "chromium_bookmarks.html").read_text("utf-8")
    report = actions.do_import_bookmarks(alice, guides, html)
    assert [c.title for c in report.collections] == [
        "Bookmarks bar",
        "Vélos cargo",
        "日本語 & 中文",
        "Empty folder",
        "Référentiels",
    ]
    bar, references = guides.children.all()
    velos = bar.children.get()
    assert [r.url for r in bar.resources.all()] == [
        "https://www.chromium.org/Home/",
        "https://example.com/search?q=a&b=c",
    ]
    assert [r.title for r in velos.resources.all()] == [
        "Vélo cargo — Wikipédia",
        "https://example.org/longtail",  # an empty title takes the address
    ]
    cjk, empty = velos.children.all()
    assert cjk.resources.get().title == "自転車 - Wikipedia"
    assert not empty.resources.exists()
    assert guides.resources.get().title == "The World Wide Web project"
    assert [r.title for r in references.resources.all()] == [
        "Référentiel général d\u2019écoconception de services numériques"
    ]
    assert report.resources == 7
    reasons = {s.title: s.reason for s in report.skipped}
    assert set(reasons) == {"Show title", "Settings", "Vélo cargo (again)", "Local file"}
    assert "http" in reasons["Show title"]
    assert "http" in reasons["Local file"]
    assert "Already" in reasons["Vélo cargo (again)"]


def nested(depth: int, link: str = '<DT><A HREF="https://x.org/">x</A>') -> str:
    """A bookmarks file whose folders nest `depth` levels deep, a link at the bottom."""
    return "<DL><p>" + "<DT><H3>f</H3><DL><p>" * depth + link + "</DL><p>" * depth + "</DL><p>"


def flat(folders: int = 0, links: int = 0) -> str:
    """A bookmarks file of `folders` empty folders and `links` links, side by side."""
    entries = "<DT><H3>Empty</H3>\n" * folders
    entries += "".join(f'<DT><A HREF="https://x.org/{n}">{n}</A>\n' for n in range(links))
    return f"<DL><p>\n{entries}</DL><p>"


def nothing_written(alice: User) -> bool:
    """Only the fixture's collection exists, no resource, and no event of the import."""
    return (
        list(Collection.objects.values_list("title", flat=True)) == ["Guides"]
        and not Resource.objects.exists()
        and not ActivityEvent.objects.filter(actor=alice, verb__startswith="resource").exists()
        and ActivityEvent.objects.filter(actor=alice, verb__startswith="collection").count() == 1
    )


def test_folders_nested_deeper_than_collections_go_are_refused_whole(
    alice: User, guides: Collection
) -> None:
    # Guides is a top collection: its sub-collections may nest MAX_DEPTH - 1 levels.
    allowed = actions.MAX_DEPTH - 1
    with pytest.raises(ActionRefused) as refused:
        actions.do_import_bookmarks(alice, guides, nested(allowed + 1))
    assert refused.value.message == (
        f"This file's folders nest too deep: in this collection, {allowed} levels at most."
    )
    assert nothing_written(alice)
    report = actions.do_import_bookmarks(alice, guides, nested(allowed))
    assert (len(report.collections), report.resources) == (allowed, 1)


def test_a_collection_as_deep_as_collections_go_takes_links_but_no_folder(
    alice: User, guides: Collection
) -> None:
    deepest = guides
    for level in range(actions.MAX_DEPTH - 1):
        deepest = actions.do_create_collection(
            alice, guides.space, title=f"Level {level}", parent=deepest
        )
    with pytest.raises(ActionRefused, match="as deep as collections go"):
        actions.do_import_bookmarks(alice, deepest, flat(folders=1, links=1))
    assert not Resource.objects.exists()
    assert actions.do_import_bookmarks(alice, deepest, flat(links=1)).resources == 1


def test_a_file_of_thousands_of_empty_folders_is_refused_with_nothing_written(
    alice: User, guides: Collection
) -> None:
    # The probe's file: 2,000 empty folders in 63 KB made 2,000 collections.
    html = flat(folders=2000)
    assert len(html) < 64_000
    with pytest.raises(ActionRefused) as refused:
        actions.do_import_bookmarks(alice, guides, html)
    assert refused.value.message == (
        f"This file holds more than {actions.MAX_BOOKMARK_FOLDERS} folders: import fewer at a time."
    )
    assert nothing_written(alice)


def test_folders_up_to_the_limit_are_imported(
    alice: User, guides: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(actions, "MAX_BOOKMARK_FOLDERS", 3)
    with pytest.raises(ActionRefused, match="more than 3 folders"):
        actions.do_import_bookmarks(alice, guides, flat(folders=4))
    assert nothing_written(alice)
    assert len(actions.do_import_bookmarks(alice, guides, flat(folders=3)).collections) == 3


def test_a_file_of_too_many_links_is_refused_with_nothing_written(
    alice: User, guides: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ActionRefused) as refused:
        actions.do_import_bookmarks(alice, guides, flat(links=actions.MAX_BOOKMARKS + 1))
    assert refused.value.message == (
        f"This file holds more than {actions.MAX_BOOKMARKS:d} links: import fewer at a time."
    )
    assert nothing_written(alice)
    monkeypatch.setattr(actions, "MAX_BOOKMARKS", 3)
    assert actions.do_import_bookmarks(alice, guides, flat(links=3)).resources == 3


def test_a_file_too_large_is_refused_by_the_action_and_the_page(
    alice: User, guides: Collection
) -> None:
    html = flat(links=1) + "<!--" + "x" * actions.MAX_BOOKMARKS_FILE + "-->"
    with pytest.raises(ActionRefused) as refused:
        actions.do_import_bookmarks(alice, guides, html)
    assert refused.value.message == "This bookmarks file is too large: 10 MB at most."
    upload = SimpleUploadedFile("bookmarks.html", html.encode(), "text/html")
    response = _client(alice).post(
        f"{guides.get_absolute_url()}import/", {"upload": upload}, follow=True
    )
    assert "This bookmarks file is too large: 10 MB at most." in response.content.decode()
    assert nothing_written(alice)


def test_the_import_page_reports_what_was_left_out(alice: User, guides: Collection) -> None:
    upload = SimpleUploadedFile(
        "bookmarks.html", (FIXTURES / "chromium_bookmarks.html").read_bytes(), "text/html"
    )
    response = _client(alice).post(f"{guides.get_absolute_url()}import/", {"upload": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Show title" in page
    assert "Local file" in page
    assert Resource.objects.count() == 7


# --- Export ---------------------------------------------------------------------------------


def test_a_collection_exports_as_a_zip_of_markdown(
    alice: User, bob: User, guides: Collection, board: Space
) -> None:
    actions.do_add_link(alice, guides, url="https://example.org/a", title='A: "quoted"')
    sub = actions.do_create_collection(alice, guides.space, title="Tools", parent=guides)
    actions.do_add_note(alice, sub, title="Pump", note="Inflate to **3 bar**")
    response = _client(bob).get(f"{guides.get_absolute_url()}export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    names = sorted(archive.namelist())
    assert names == [
        "guides/a-quoted.md",
        "guides/index.md",
        "guides/tools/index.md",
        "guides/tools/pump.md",
    ]
    link = archive.read("guides/a-quoted.md").decode()
    assert link.startswith(
        '---\ntitle: "A: \\"quoted\\""\nkind: "link"\nurl: "https://example.org/a"'
    )
    assert "Inflate to **3 bar**" in archive.read("guides/tools/pump.md").decode()
    assert "[Tools](tools/index.md)" in archive.read("guides/index.md").decode()


def test_the_creator_or_a_coordinator_edits_a_collection(
    alice: User, bob: User, claire: User, guides: Collection
) -> None:
    _client(alice).post(
        f"{guides.get_absolute_url()}edit/", {"edit-title": "Manuals", "edit-description": "All"}
    )
    guides.refresh_from_db()
    assert (guides.title, guides.description) == ("Manuals", "All")
    with pytest.raises(ActionRefused):
        actions.do_edit_collection(bob, guides, title="Mine")
    actions.do_edit_collection(claire, guides, title="Guides")
    guides.refresh_from_db()
    assert guides.title == "Guides"


def test_a_member_creates_a_sub_collection_from_the_page(bob: User, guides: Collection) -> None:
    _client(bob).post("/c/cargo/library/new/", {"parent": guides.slug, "new-title": "Repairs"})
    assert [c.title for c in guides.children.all()] == ["Repairs"]


def test_the_library_page_keeps_its_query_count(
    alice: User, general: Space, django_assert_max_num_queries: Any
) -> None:
    for number in range(5):
        parent = actions.do_create_collection(alice, general, title=f"C{number}")
        actions.do_create_collection(alice, general, title=f"S{number}", parent=parent)
    client = _client(alice)
    client.get("/c/cargo/library/")
    with django_assert_max_num_queries(20):
        page = client.get("/c/cargo/library/").content.decode()
    assert "S4" in page
