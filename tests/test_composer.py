"""The composer: the server's preview, drafts kept per person and topic, and files
dropped or pasted while writing (cercle/conversations/composer.py)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cercle.accounts.models import User
from cercle.communities.models import Space
from cercle.conversations import actions, composer
from cercle.conversations.models import Attachment, Draft, Kind, Topic
from cercle.membership import actions as community_actions
from tests.communities import client_for, html

pytestmark = pytest.mark.django_db


def start(author: User, space: Space, title: str = "Which cargo bike?") -> Topic:
    return actions.do_start_topic(
        author, space, kind=Kind.DISCUSSION, title=title, body="For the school run."
    )


def where(space: Space) -> dict[str, str]:
    return {"slug": space.community.slug, "space": space.slug}


def topic_url(topic: Topic, name: str = "topic") -> str:
    return reverse(name, kwargs={**where(topic.space), "topic_id": topic.pk})


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (11, 93, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


# --- Preview -------------------------------------------------------------------------------------


def test_the_preview_renders_markdown_as_a_post_would_and_keeps_no_script(
    general: Space, alice: User, bob: User
) -> None:
    response = client_for(alice).post(
        reverse("composer_preview", kwargs=where(general)),
        {"body": "**Bold** and @bob-leroy <script>alert(1)</script>"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>Bold</strong>" in page
    assert '<span class="mention" title="Bob Leroy">@bob-leroy</span>' in page
    assert "<script" not in page
    assert Draft.objects.count() == 0


def test_the_preview_is_refused_to_visitors_outsiders_and_those_who_cannot_read_the_space(
    general: Space, lab: Space, bob: User, charlie: User
) -> None:
    url = reverse("composer_preview", kwargs=where(general))
    anonymous = client_for(None).post(url, {"body": "**Hi**"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    # Charlie is in no community: he may not post here.
    assert client_for(charlie).post(url, {"body": "**Hi**"}).status_code == 404
    # Bob is a member, not listed in the private lab.
    lab_url = reverse("composer_preview", kwargs=where(lab))
    assert client_for(bob).post(lab_url, {"body": "**Hi**"}).status_code == 404
    # Reading a preview changes nothing: only POST is answered.
    assert client_for(bob).get(url).status_code == 405


def test_the_preview_button_without_javascript_shows_the_preview_and_keeps_the_text(
    general: Space, alice: User
) -> None:
    new = reverse("topic_new", kwargs=where(general))
    response = client_for(alice).post(
        new,
        {"kind": "discussion", "title": "Gears", "body": "Use **hub gears**.", "preview": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<strong>hub gears</strong>" in page
    assert "Use **hub gears**.</textarea>" in page
    assert 'value="Gears"' in page
    assert not Topic.objects.exists()


def test_the_reply_preview_without_javascript_publishes_nothing(
    general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    response = client_for(bob).post(
        topic_url(topic, "topic_reply"), {"body": "*Yes*, a longtail.", "preview": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<em>Yes</em>, a longtail." in page
    assert "*Yes*, a longtail.</textarea>" in page
    assert topic.posts.count() == 1


# --- Drafts --------------------------------------------------------------------------------------


def test_a_reply_draft_comes_back_on_reload_and_goes_when_the_reply_is_published(
    general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    bobs = client_for(bob)
    saved = bobs.post(topic_url(topic, "topic_draft"), {"body": "Half-written answer"})
    assert saved.json() == {"saved": True}
    # Saved again: still one draft, with the newest text.
    bobs.post(topic_url(topic, "topic_draft"), {"body": "Half-written answer, longer"})
    assert Draft.objects.filter(person=bob).count() == 1
    page = html(bobs, topic_url(topic))
    assert "Half-written answer, longer</textarea>" in page
    assert "Your draft is back" in page
    # Another device is another session of the same person: the same draft.
    assert "Half-written answer, longer</textarea>" in html(client_for(bob), topic_url(topic))

    published = bobs.post(topic_url(topic, "topic_reply"), {"body": "The full answer."})
    assert published.status_code == 302
    assert not Draft.objects.exists()
    assert "Half-written answer" not in html(bobs, topic_url(topic))


def test_a_new_topic_draft_keeps_title_and_text_per_space_and_goes_when_published(
    general: Space, alice: User
) -> None:
    alices = client_for(alice)
    alices.post(
        reverse("topic_new_draft", kwargs=where(general)),
        {"title": "Winter tyres", "body": "Which ones grip on ice?"},
    )
    page = html(alices, reverse("topic_new", kwargs=where(general)))
    assert 'value="Winter tyres"' in page
    assert "Which ones grip on ice?</textarea>" in page

    alices.post(
        reverse("topic_new", kwargs=where(general)),
        {"kind": "discussion", "title": "Winter tyres", "body": "Which ones grip on ice?"},
    )
    assert Topic.objects.filter(title="Winter tyres").exists()
    assert not Draft.objects.exists()


def test_another_person_never_sees_my_draft(general: Space, alice: User, bob: User) -> None:
    topic = start(alice, general)
    client_for(bob).post(topic_url(topic, "topic_draft"), {"body": "Bob's secret thoughts"})
    client_for(bob).post(
        reverse("topic_new_draft", kwargs=where(general)), {"title": "Bob's idea", "body": "x"}
    )
    assert "secret thoughts" not in html(client_for(alice), topic_url(topic))
    assert "Bob&#x27;s idea" not in html(
        client_for(alice), reverse("topic_new", kwargs=where(general))
    )
    assert "secret thoughts" not in html(client_for(None), topic_url(topic))


def test_a_draft_for_a_topic_i_may_no_longer_read_is_not_served(
    lab: Space, alice: User, coordinator: User
) -> None:
    topic = start(coordinator, lab, "Frame prototype")
    client_for(alice).post(topic_url(topic, "topic_draft"), {"body": "My lab notes"})
    assert composer.draft_for(alice, lab, topic) is not None
    community_actions.do_unlist_from_space(coordinator, lab, alice)
    assert composer.draft_for(alice, lab, topic) is None
    assert client_for(alice).get(topic_url(topic)).status_code == 404
    # Nor may she write it any more.
    refused = client_for(alice).post(topic_url(topic, "topic_draft"), {"body": "More notes"})
    assert refused.status_code == 404
    assert Draft.objects.get(person=alice).body == "My lab notes"


def test_an_empty_draft_is_deleted_and_drafts_are_refused_to_visitors(
    general: Space, alice: User, bob: User, charlie: User
) -> None:
    topic = start(alice, general)
    url = topic_url(topic, "topic_draft")
    client_for(bob).post(url, {"body": "Something"})
    assert client_for(bob).post(url, {"body": "   "}).json() == {"saved": False}
    assert not Draft.objects.exists()
    assert client_for(None).post(url, {"body": "x"}).status_code == 302
    assert client_for(charlie).post(url, {"body": "x"}).status_code == 404
    too_long = client_for(bob).post(url, {"body": "x" * 50_001})
    assert too_long.status_code == 400
    assert "too long" in too_long.json()["error"]
    assert not Draft.objects.exists()


def test_a_locked_topic_serves_no_draft(
    general: Space, alice: User, bob: User, coordinator: User
) -> None:
    topic = start(alice, general)
    client_for(bob).post(topic_url(topic, "topic_draft"), {"body": "Before the lock"})
    actions.do_set_locked(coordinator, topic, True)
    topic.refresh_from_db()
    assert "Before the lock" not in html(client_for(bob), topic_url(topic))


# --- Files dropped or pasted ---------------------------------------------------------------------


def test_a_dropped_image_is_stored_for_its_uploader_then_belongs_to_the_published_post(
    general: Space, alice: User, bob: User, charlie: User, media: Path
) -> None:
    topic = start(alice, general)
    answer = client_for(bob).post(
        reverse("composer_upload", kwargs=where(general)), {"file": file("bike.png", png())}
    )
    assert answer.status_code == 200
    stored = Attachment.objects.get()
    assert stored.post is None
    assert answer.json() == {
        "markdown": f"![bike.png]({stored.get_absolute_url()})",
        "name": "bike.png",
    }
    # Not published yet: its uploader's alone.
    assert client_for(bob).get(stored.get_absolute_url()).status_code == 200
    assert client_for(alice).get(stored.get_absolute_url()).status_code == 404

    client_for(bob).post(
        topic_url(topic, "topic_reply"), {"body": f"Mine: {answer.json()['markdown']}"}
    )
    published = Attachment.objects.select_related("post").get(pk=stored.pk).post
    assert published is not None
    assert published.topic_id == topic.pk
    assert client_for(alice).get(stored.get_absolute_url()).status_code == 200
    assert f'<img src="{stored.get_absolute_url()}" alt="bike.png">' in published.body_html


def test_someone_elses_upload_is_not_claimed_by_linking_to_it(
    general: Space, alice: User, bob: User, media: Path
) -> None:
    client_for(bob).post(
        reverse("composer_upload", kwargs=where(general)), {"file": file("bike.png", png())}
    )
    stored = Attachment.objects.get()
    topic = start(alice, general)
    actions.do_reply(alice, topic, body=f"![x]({stored.get_absolute_url()})")
    stored.refresh_from_db()
    assert stored.post is None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "page.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>",
            "cannot be attached",
        ),
        ("fake.png", b"MZ\x90\x00 not an image", "cannot be attached"),
        ("big.png", png() + b"\0" * (1024 * 1024), "big.png is too large: the limit is 1 MB."),
    ],
)
def test_a_refused_upload_says_why_and_stores_nothing(
    name: str, content: bytes, message: str, general: Space, bob: User, media: Path, settings: Any
) -> None:
    settings.ATTACHMENT_MAX_MB = 1
    refused = client_for(bob).post(
        reverse("composer_upload", kwargs=where(general)), {"file": file(name, content)}
    )
    assert refused.status_code == 400
    assert message in refused.json()["error"]
    assert not Attachment.objects.exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_uploads_are_refused_to_those_who_may_not_post_in_the_space(
    general: Space, lab: Space, bob: User, charlie: User, media: Path
) -> None:
    url = reverse("composer_upload", kwargs=where(general))
    assert client_for(None).post(url, {"file": file("a.png", png())}).status_code == 302
    assert client_for(charlie).post(url, {"file": file("a.png", png())}).status_code == 404
    lab_url = reverse("composer_upload", kwargs=where(lab))
    assert client_for(bob).post(lab_url, {"file": file("a.png", png())}).status_code == 404
    missing = client_for(bob).post(url, {})
    assert missing.status_code == 400
    assert not Attachment.objects.exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_files_waiting_in_unpublished_messages_are_bounded(
    general: Space, bob: User, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(composer, "MAX_PENDING_UPLOADS", 2)
    url = reverse("composer_upload", kwargs=where(general))
    for number in range(2):
        assert client_for(bob).post(url, {"file": file(f"{number}.png", png())}).status_code == 200
    refused = client_for(bob).post(url, {"file": file("third.png", png())})
    assert refused.status_code == 400
    assert "2 files waiting" in refused.json()["error"]
    assert Attachment.objects.count() == 2


# --- The page -------------------------------------------------------------------------------------


def test_the_composer_offers_a_toolbar_with_named_buttons_and_a_help_that_needs_no_script(
    general: Space, alice: User
) -> None:
    page = html(client_for(alice), reverse("topic_new", kwargs=where(general)))
    for name in (
        "Bold",
        "Italic",
        "Heading",
        "Link",
        "Quote",
        "Code",
        "Bulleted list",
        "Numbered list",
    ):
        assert f'aria-label="{name}"' in page
    assert "<summary>Formatting help</summary>" in page
    assert 'name="preview"' in page
    assert 'id="id_title"' in page
    assert 'data-draft-url="' + reverse("topic_new_draft", kwargs=where(general)) in page


def test_a_file_shown_in_the_text_is_not_listed_again_under_the_post(
    general: Space, alice: User, bob: User, media: Path
) -> None:
    topic = start(alice, general)
    url = reverse("composer_upload", kwargs=where(general))
    shown = client_for(bob).post(url, {"file": file("inline.png", png())}).json()
    client_for(bob).post(
        topic_url(topic, "topic_reply"),
        {"body": f"See {shown['markdown']}", "attachments": [file("listed.png", png())]},
    )
    page = html(client_for(alice), topic_url(topic))
    assert page.count('alt="inline.png"') == 1
    assert page.count('alt="listed.png"') == 1


def test_the_database_keeps_one_draft_per_person_and_topic_and_per_person_and_space(
    general: Space, alice: User, bob: User
) -> None:
    topic = start(alice, general)
    Draft.objects.create(person=bob, space=general, topic=topic, body="one")
    Draft.objects.create(person=bob, space=general, topic=None, body="new topic")
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.create(person=bob, space=general, topic=topic, body="two")
    with pytest.raises(IntegrityError), transaction.atomic():
        Draft.objects.create(person=bob, space=general, topic=None, body="another new topic")
    # Another person has their own.
    Draft.objects.create(person=alice, space=general, topic=topic, body="hers")
    assert Draft.objects.count() == 3


def test_files_never_published_are_forgotten_after_a_month_unless_a_draft_links_to_them(
    general: Space, alice: User, bob: User, media: Path
) -> None:
    url = reverse("composer_upload", kwargs=where(general))
    kept_by_draft = client_for(bob).post(url, {"file": file("draft.png", png())}).json()
    client_for(bob).post(url, {"file": file("dropped.png", png())})
    topic = start(alice, general)
    published = client_for(bob).post(url, {"file": file("posted.png", png())}).json()
    client_for(bob).post(topic_url(topic, "topic_reply"), {"body": published["markdown"]})
    client_for(bob).post(topic_url(topic, "topic_draft"), {"body": kept_by_draft["markdown"]})
    assert composer.forget_unpublished_uploads() == 0
    later = timezone.now() + timedelta(days=31)
    assert composer.forget_unpublished_uploads(now=later) == 1
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == [
        "draft.png",
        "posted.png",
    ]
    assert len([path for path in media.rglob("*") if path.is_file()]) == 2
    assert composer.forget_unpublished_uploads(now=later) == 0
