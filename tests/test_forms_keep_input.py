"""Refused forms keep what was typed and say what is wrong next to the field; the only
possible choice is made already; required fields are marked (issue 14, point 7)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from cercle.accounts.models import User
from cercle.communities.models import Community, Space
from cercle.knowledge import actions as knowledge_actions
from cercle.knowledge.models import Collection
from tests.communities import client_for, html

pytestmark = pytest.mark.django_db


def _tag(page: str, element_id: str) -> str:
    """The opening tag of the element with `element_id`."""
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{element_id}"[^>]*>', page)
    assert match, f"no control #{element_id}"
    return match.group(0)


def _selected(page: str, select_id: str) -> list[str]:
    body = page.split(f'id="{select_id}"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', body) if v]


def test_a_refused_new_collection_keeps_its_title_and_description_and_marks_the_space(
    alice: User, general: Space, lab: Space
) -> None:
    """Without a space, the library sent the person back to an empty form with a
    message at the top: what they typed was gone and nothing pointed at the field."""
    response = client_for(alice).post(
        reverse("knowledge:new_collection", kwargs={"slug": "cargo"}),
        {"title": "Repair guides", "description": "Step by step, with photos.", "space": ""},
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert 'value="Repair guides"' in _tag(page, "id_title")
    assert "Step by step, with photos.</textarea>" in page
    space = _tag(page, "id_space")
    assert 'aria-invalid="true"' in space
    assert "id_space_errors" in space
    errors = page.split('id="id_space_errors"', 1)[1].split("</ul>", 1)[0]
    assert "This field is required." in errors
    # The title, which was fine, is not marked.
    assert "aria-invalid" not in _tag(page, "id_title")
    # A summary at the top leads to the field.
    assert 'href="#id_space"' in page
    assert not Collection.objects.exists()


def test_a_refused_sub_collection_keeps_its_description_on_the_collection_page(
    alice: User, general: Space
) -> None:
    guides = knowledge_actions.do_create_collection(alice, general, title="Guides")
    response = client_for(alice).post(
        reverse("knowledge:new_collection", kwargs={"slug": "cargo"}),
        {"parent": guides.slug, "new-title": "", "new-description": "Wheels and tyres"},
    )
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Wheels and tyres</textarea>" in page
    assert 'aria-invalid="true"' in _tag(page, "id_new-title")
    assert Collection.objects.count() == 1


def test_the_only_space_one_may_write_in_is_chosen_already(
    bob: User, alice: User, general: Space, lab: Space
) -> None:
    """Bob reads one space (the lab is private to Alice): the library's space select
    offers only that one, and has it selected; Alice, with two, chooses herself."""
    page = html(client_for(bob), reverse("knowledge:library", kwargs={"slug": "cargo"}))
    assert _selected(page, "id_space") == [str(general.pk)]
    page = html(client_for(alice), reverse("knowledge:library", kwargs={"slug": "cargo"}))
    assert _selected(page, "id_space") == []


def test_required_fields_are_marked_and_required(alice: User, cargo: Community) -> None:
    page = html(client_for(alice), reverse("knowledge:library", kwargs={"slug": "cargo"}))
    title = _tag(page, "id_title")
    assert " required" in title
    assert " required" not in _tag(page, "id_description")
    assert '<label for="id_title" class="field__required">Title</label>' in page
    assert '<label for="id_description">Description</label>' in page
    assert "Fields marked * are required." in page


@pytest.mark.parametrize(
    ("url_name", "post"),
    [
        ("topic_new", {"kind": "discussion", "title": "", "body": "Kept body"}),
        ("activities:new_poll", {"title": "", "description": "Kept body", "choices": "A\nB"}),
        ("wiki_new", {"title": "", "body": "Kept body"}),
    ],
)
def test_other_refused_forms_keep_input_and_mark_the_field(
    coordinator: User, general: Space, url_name: str, post: dict[str, str]
) -> None:
    url = _url(url_name, general)
    response = client_for(coordinator).post(url, {**post, "space": str(general.pk)})
    # The form again (some pages answer a refused form with 400 Bad Request).
    assert response.status_code in {200, 400}, url
    page = unescape(response.content.decode())
    assert "Kept body" in page
    assert 'aria-invalid="true"' in _tag(page, "id_title")
    assert 'aria-describedby="id_title_errors"' in _tag(page, "id_title")


def _url(url_name: str, general: Space) -> str:
    if url_name == "topic_new":
        return reverse(url_name, kwargs={"slug": "cargo", "space": general.slug})
    if url_name == "wiki_new":
        return reverse(url_name, kwargs={"slug": "cargo", "space": general.slug})
    return reverse(url_name, kwargs={"slug": "cargo"})
