from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from cercle.accounts.models import User
from cercle.communities.models import Entry, Invitation, Membership, Status, Visibility
from cercle.membership import actions
from tests.communities import community
from tests.conftest import make_person
from tests.e2e.conftest import BrowserErrors, assert_accessible, new_page
from tests.e2e.journeys import log_in, log_out


def test_on_request_a_person_asks_the_coordinator_approves_and_the_person_sees_the_spaces(
    page: Page, live_server: Any
) -> None:
    claire = make_person("claire@example.org", "Claire Coord")
    guild = community(
        claire,
        slug="cargo-guild",
        name="Cargo Guild",
        entry=Entry.REQUEST,
        visibility=Visibility.MEMBERS,
        benefits="Tested designs\nA friendly workshop",
    )
    actions.do_create_space(claire, guild, name="Workshop", description="Build nights.")
    make_person("dan@example.org", "Dan Rider")
    base = live_server.url

    log_in(page, base, "dan@example.org")
    page.goto(f"{base}/communities/")
    page.get_by_role("link", name="Cargo Guild").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cargo Guild")
    expect(page.get_by_role("link", name="Workshop")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("A word to the coordinators (optional)").fill("I weld frames.")
    page.get_by_role("button", name="Ask to join").click()
    expect(page.locator(".messages")).to_contain_text("Your request is sent")
    expect(page.get_by_role("button", name="Withdraw my request")).to_be_visible()
    log_out(page)

    log_in(page, base, "claire@example.org")
    page.goto(f"{base}/c/cargo-guild/manage/members/")
    expect(page.get_by_text("I weld frames.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Message to the person (optional)").fill("Welcome, Dan!")
    page.get_by_role("button", name="Approve Dan Rider").click()
    expect(page.locator(".messages")).to_contain_text("Dan Rider is now a member.")
    assert Membership.objects.get(person__email="dan@example.org").status == Status.ACTIVE
    log_out(page)

    log_in(page, base, "dan@example.org")
    page.goto(f"{base}/c/cargo-guild/")
    expect(page.get_by_text("You are a member of this community (member).")).to_be_visible()
    page.get_by_role("link", name="Workshop").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Workshop")
    # The header's switcher now lists the community.
    page.locator(".community-switcher summary").click()
    expect(
        page.locator(".community-switcher").get_by_role("link", name="Cargo Guild")
    ).to_be_visible()


@pytest.fixture
def typology(db: None) -> dict[str, User]:
    claire = make_person("claire@example.org", "Claire Coord")
    dan = make_person("dan@example.org", "Dan Rider")
    circle = community(
        claire,
        slug="circle",
        name="Animators' Circle",
        entry=Entry.INVITATION,
        charter="## Charter\n\n- Be kind\n- Share rituals",
    )
    lab = actions.do_create_space(claire, circle, name="Charter group", is_private=True)
    actions.do_invite(claire, circle, ["dan@example.org", "eve@example.org"])
    guild = community(claire, slug="guild", name="Guild", entry=Entry.REQUEST)
    actions.do_join(dan, guild, message="Hello")
    return {"claire": claire, "dan": dan, "lab_slug": lab.slug}  # type: ignore[dict-item]


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
@pytest.mark.parametrize(
    "viewport", [None, {"width": 375, "height": 740}], ids=["desktop", "phone"]
)
def test_community_pages_have_no_accessibility_violations(
    browser: Browser,
    browser_errors: BrowserErrors,
    live_server: Any,
    typology: dict[str, Any],
    locale: str,
    viewport: dict[str, int] | None,
) -> None:
    options: dict[str, Any] = {"locale": locale}
    if viewport:
        options["viewport"] = viewport
    page = new_page(browser, browser_errors, **options)
    base = live_server.url
    token = Invitation.objects.get(email="eve@example.org").token
    visitor_pages = [
        "/communities/",
        "/communities/?q=circle&entry=invitation",
        "/c/circle/",
        f"/invitations/{token}/",
    ]
    coordinator_pages = [
        "/communities/mine/",
        "/communities/new/",
        "/c/circle/",
        "/c/circle/s/general/",
        f"/c/circle/s/{typology['lab_slug']}/",
        "/c/circle/manage/",
        "/c/circle/manage/members/",
        "/c/circle/manage/spaces/",
        f"/c/circle/manage/spaces/{typology['lab_slug']}/",
        "/c/guild/manage/members/",
    ]
    for path in visitor_pages:
        page.goto(base + path)
        assert_accessible(page)
    log_in(page, base, "claire@example.org")
    for path in coordinator_pages:
        page.goto(base + path)
        expect(page.locator("main#main")).to_be_visible()
        assert_accessible(page)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
    log_out(page)
    log_in(page, base, "dan@example.org")
    for path in ["/communities/mine/", "/c/circle/", "/c/guild/"]:
        page.goto(base + path)
        assert_accessible(page)
    page.context.close()
    assert browser_errors.messages == []
