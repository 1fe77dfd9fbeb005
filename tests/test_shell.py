"""The UI shell: home, language, headers, error pages, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cercle.accounts.models import User
from cercle.conversations import actions
from cercle.membership import actions as community_actions
from cercle.people import actions as people_actions
from tests.communities import community
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def test_home_greets_visitors_with_how_to_join(client: Client) -> None:
    page = client.get("/").content.decode()
    assert 'href="/accounts/signup/"' in page
    assert 'class="skip-link" href="#main"' in page
    for landmark in ["<header", "<main", "<footer", "<nav"]:
        assert landmark in page


def test_home_greets_a_member_by_name(alice_client: Client) -> None:
    page = alice_client.get("/").content.decode()
    assert "Welcome, Alice" in page
    assert 'href="/accounts/signup/"' not in page


def test_security_headers_are_sent(client: Client) -> None:
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response


def test_hsts_is_sent_behind_https(settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_language_follows_the_browser(client: Client) -> None:
    response = client.get("/", headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert client.get("/", headers={"accept-language": "en"})["Content-Language"] == "en"


def test_switching_language_is_remembered_by_cookie_for_visitors(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "fr", "next": "/language/"})
    assert response.status_code == 302
    assert response["Location"] == "/language/"
    assert client.cookies["django_language"].value == "fr"
    assert client.get("/", headers={"accept-language": "en"})["Content-Language"] == "fr"


def test_switching_language_is_remembered_on_the_account(alice: User, alice_client: Client) -> None:
    alice_client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "fr"
    # On another device, with an English browser and no cookie, French still wins.
    other_device = Client(headers={"accept-language": "en"})
    other_device.force_login(alice)
    response = other_device.get("/")
    assert response["Content-Language"] == "fr"
    assert response.cookies["django_language"].value == "fr"


def test_switching_to_an_unknown_language_changes_nothing(
    alice: User, alice_client: Client
) -> None:
    alice_client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == ""


def test_language_page_refuses_to_redirect_elsewhere(client: Client) -> None:
    page = client.get("/language/?next=https://evil.example/").content.decode()
    assert 'name="next" value="/"' in page
    assert 'value="https://evil.example' not in page


def test_unknown_pages_get_the_styled_404(client: Client) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'class="site-header"' in response.content.decode()


def test_health_check_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.parametrize("size", [1, 15])
def test_home_query_count_does_not_grow_with_the_data(
    size: int, django_assert_max_num_queries: Any
) -> None:
    member = make_person("member@example.org", "Member")
    for number in range(size):
        author = make_person(f"person{number}@example.org", f"Person {number}")
        place = community(author, slug=f"c{number}")
        community_actions.do_join(member, place)
        space = place.spaces.get()
        for title in ("First question", "Second idea"):
            topic = actions.do_start_topic(
                author, space, kind="question", title=title, body="Body", tags=[]
            )
            actions.do_reply(member, topic, body="An answer")
        actions.do_start_topic(member, space, kind="question", title="Mine", body="Help!")
        people_actions.do_follow(member, space)
    client = Client()
    client.force_login(member)
    with django_assert_max_num_queries(14):
        page = client.get("/").content.decode()
    assert "What you follow" in page
    assert "Your open questions" in page
    assert page.count('class="home-topic"') >= min(size * 2, 12)
    with django_assert_max_num_queries(2):
        visitor = Client().get("/").content.decode()
    assert "Communities you can join" in visitor


def test_static_files_collect_with_the_production_storage(tmp_path: Any, settings: Any) -> None:
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "css/cercle.css" in manifest
    assert "vendor/htmx/htmx.min.js" in manifest
    assert list(tmp_path.glob("css/cercle.*.css.gz"))


def test_home_offers_unanswered_questions_matching_declared_expertise() -> None:
    author = make_person("author@example.org", "Author")
    expert = make_person("expert@example.org", "Expert")
    place = community(author, slug="cargo")
    community_actions.do_join(expert, place)
    brakes = actions.do_create_tag(author, place, name="Brakes")
    actions.do_create_tag(author, place, name="Tyres")
    space = place.spaces.get()
    actions.do_start_topic(
        author, space, kind="question", title="Squealing discs?", body="Help", tags=["brakes"]
    )
    actions.do_start_topic(
        author, space, kind="question", title="Winter tyres?", body="Help", tags=["tyres"]
    )
    people_actions.do_declare_expertise(expert, brakes, 3)
    client = Client()
    client.force_login(expert)
    page = client.get("/").content.decode()
    answer_section = page.split("Questions you could answer")[1].split("</section>")[0]
    assert "Squealing discs?" in answer_section
    assert "Winter tyres?" not in answer_section
