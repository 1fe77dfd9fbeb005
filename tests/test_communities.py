"""Membership actions: what they change, what they record, what they refuse."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.signals import email_confirmed
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cercle.accounts.models import User
from cercle.activity.models import ActivityEvent
from cercle.communities.models import (
    Audience,
    Community,
    Entry,
    Invitation,
    Membership,
    Role,
    Space,
    SpaceMember,
    Status,
    Visibility,
)
from cercle.errors import ActionRefused
from cercle.membership import actions
from tests.communities import NAVIGATION_QUERIES, community, internal_domain, staff_person
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator() -> User:
    return make_person("coord@example.org", "Claire Coord")


@pytest.fixture
def charlie() -> User:
    return make_person("charlie@example.org", "Charlie Outsider")


def membership(person: User, where: Community) -> Membership:
    return Membership.objects.get(person=person, community=where)


def snapshot() -> tuple[int, int, int, int]:
    return (
        Membership.objects.count(),
        Invitation.objects.count(),
        ActivityEvent.objects.count(),
        SpaceMember.objects.count(),
    )


# --- Creating -------------------------------------------------------------------------------


def test_a_new_community_has_a_default_space_and_its_creator_as_coordinator(
    coordinator: User,
) -> None:
    created = community(coordinator)
    [space] = created.spaces.all()
    assert space.is_default
    assert not space.is_private
    assert membership(coordinator, created).role == Role.COORDINATOR
    assert list(ActivityEvent.objects.values_list("verb", flat=True)) == ["community.created"]


def test_only_staff_create_communities_by_default(charlie: User, settings: Any) -> None:
    with pytest.raises(ActionRefused):
        actions.do_create_community(charlie, name="X", domain="x", purpose="x", language="en")
    settings.COMMUNITY_CREATION = "members"
    created = actions.do_create_community(
        charlie, name="Open Source Gardens", domain="gardens", purpose="Grow together"
    )
    assert created.slug == "open-source-gardens"


def test_a_community_with_a_taken_address_is_refused_and_nothing_is_written(
    coordinator: User,
) -> None:
    community(coordinator, slug="cargo")
    before = (Community.objects.count(), Space.objects.count(), snapshot())
    with pytest.raises(ActionRefused, match="Address already exists"):
        community(coordinator, slug="cargo")
    assert (Community.objects.count(), Space.objects.count(), snapshot()) == before


def test_the_charter_is_rendered_as_safe_html(coordinator: User) -> None:
    created = community(coordinator, charter="**Be kind** <script>alert(1)</script>")
    assert "<strong>Be kind</strong>" in created.charter_html
    assert "<script" not in created.charter_html


# --- Joining --------------------------------------------------------------------------------


def test_joining_an_open_community_is_immediate_and_recorded(
    coordinator: User, charlie: User
) -> None:
    cargo = community(coordinator)
    actions.do_join(charlie, cargo)
    assert membership(charlie, cargo).status == Status.ACTIVE
    event = ActivityEvent.objects.filter(verb="membership.joined").get()
    assert (event.actor, event.community, event.level) == (charlie, cargo, None)


def test_joining_twice_is_refused_with_a_clear_message(coordinator: User, charlie: User) -> None:
    cargo = community(coordinator)
    actions.do_join(charlie, cargo)
    before = snapshot()
    with pytest.raises(ActionRefused, match="already a member"):
        actions.do_join(charlie, cargo)
    assert snapshot() == before


def test_a_request_waits_for_a_decision_and_the_person_hears_of_it(
    coordinator: User, charlie: User, mailoutbox: list[Any], settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    guild = community(coordinator, entry=Entry.REQUEST)
    actions.do_join(charlie, guild, message="I build cargo bikes.")
    pending = membership(charlie, guild)
    assert (pending.status, pending.request_message) == (Status.REQUESTED, "I build cargo bikes.")
    with pytest.raises(ActionRefused, match="already asked"):
        actions.do_join(charlie, guild)

    with transaction.atomic():
        actions.do_decide_request(coordinator, pending, approve=True, message="Welcome aboard!")
    assert membership(charlie, guild).status == Status.ACTIVE
    with pytest.raises(ActionRefused, match="already been answered"):
        actions.do_decide_request(coordinator, pending, approve=False)


def test_a_declined_request_tells_the_person_why(coordinator: User, charlie: User) -> None:
    guild = community(coordinator, entry=Entry.REQUEST)
    actions.do_join(charlie, guild)
    actions.do_decide_request(
        coordinator, membership(charlie, guild), approve=False, message="Members only from Lyon."
    )
    declined = membership(charlie, guild)
    assert (declined.status, declined.decision_message) == (Status.LEFT, "Members only from Lyon.")
    # A declined person may ask again later.
    actions.do_join(charlie, guild)
    assert membership(charlie, guild).status == Status.REQUESTED


def test_a_plain_member_cannot_decide_requests(coordinator: User, charlie: User) -> None:
    guild = community(coordinator, entry=Entry.REQUEST)
    member = make_person("m@example.org", "Mo Member")
    Membership.objects.create(
        person=member, community=guild, status=Status.ACTIVE, joined_at=timezone.now()
    )
    actions.do_join(charlie, guild)
    with pytest.raises(ActionRefused):
        actions.do_decide_request(member, membership(charlie, guild), approve=True)
    assert membership(charlie, guild).status == Status.REQUESTED


def test_an_invitation_only_community_cannot_be_joined_without_one(
    coordinator: User, charlie: User
) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    with pytest.raises(ActionRefused, match="invitation only"):
        actions.do_join(charlie, circle)
    assert not Membership.objects.filter(person=charlie).exists()


def test_an_outsider_cannot_join_an_internal_community(coordinator: User, charlie: User) -> None:
    internal_domain()
    inside = community(coordinator, audience=Audience.INTERNAL)
    with pytest.raises(ActionRefused) as refusal:
        actions.do_join(charlie, inside)
    assert refusal.value.not_found
    insider = make_person("dana@inside.example", "Dana Inside")
    actions.do_join(insider, inside)
    assert membership(insider, inside).is_active


def test_a_banned_person_trying_again_is_refused(coordinator: User, charlie: User) -> None:
    cargo = community(coordinator)
    actions.do_join(charlie, cargo)
    actions.do_ban(coordinator, membership(charlie, cargo))
    before = snapshot()
    with pytest.raises(ActionRefused, match="may not join"):
        actions.do_join(charlie, cargo)
    assert snapshot() == before


# --- Invitations ----------------------------------------------------------------------------


def test_inviting_many_reports_what_was_not_sent(coordinator: User, charlie: User) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    addresses = actions.parse_addresses(
        "ana@example.org, Ben <ben@example.org>\nnot-an-address\ncoord@example.org;ana@example.org"
    )
    assert addresses == ["ana@example.org", "ben@example.org", "coord@example.org"]
    report = actions.do_invite(coordinator, circle, [*addresses, "bad@@example"])
    assert report.sent == ["ana@example.org", "ben@example.org"]
    assert dict(report.skipped) == {
        "coord@example.org": "already a member",
        "bad@@example": "not a valid email address",
    }
    again = actions.do_invite(coordinator, circle, ["ana@example.org"])
    assert again.skipped == [("ana@example.org", "already invited")]
    assert Invitation.objects.filter(community=circle).count() == 2


def test_an_internal_community_invites_internal_addresses_only() -> None:
    internal_domain()
    insider = make_person("boss@inside.example", "Internal Boss")
    inside = community(insider, audience=Audience.INTERNAL, entry=Entry.INVITATION)
    report = actions.do_invite(insider, inside, ["x@outside.example", "y@inside.example"])
    assert report.sent == ["y@inside.example"]
    assert report.skipped[0][0] == "x@outside.example"


def test_an_invitation_is_single_use(coordinator: User, charlie: User) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    actions.do_invite(coordinator, circle, [charlie.email])
    assert membership(charlie, circle).status == Status.INVITED
    token = Invitation.objects.get().token
    actions.do_accept_invitation(charlie, token)
    assert membership(charlie, circle).is_active
    other = make_person("other@example.org", "Other")
    with pytest.raises(ActionRefused, match="already been used"):
        actions.do_accept_invitation(other, token)
    assert not Membership.objects.filter(person=other).exists()


def test_wrong_expired_and_revoked_invitations_are_refused(
    coordinator: User, charlie: User
) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    with pytest.raises(ActionRefused, match="not valid") as wrong:
        actions.do_accept_invitation(charlie, "no-such-token")
    assert wrong.value.not_found

    actions.do_invite(coordinator, circle, ["late@example.org", "gone@example.org"])
    late = Invitation.objects.get(email="late@example.org")
    late.expires_at = timezone.now() - timedelta(minutes=1)
    late.save()
    with pytest.raises(ActionRefused, match="expired"):
        actions.do_accept_invitation(charlie, late.token)

    gone = Invitation.objects.get(email="gone@example.org")
    actions.do_revoke_invitation(coordinator, gone)
    with pytest.raises(ActionRefused, match="not valid"):
        actions.do_accept_invitation(charlie, gone.token)
    assert not Membership.objects.filter(person=charlie).exists()


def test_invitation_pages_say_what_is_wrong(coordinator: User, client: Client) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    actions.do_invite(coordinator, circle, ["late@example.org"])
    late = Invitation.objects.get()
    assert client.get(reverse("invitation", args=[late.token])).status_code == 200
    late.expires_at = timezone.now() - timedelta(days=1)
    late.save()
    expired = client.get(reverse("invitation", args=[late.token]))
    assert expired.status_code == 410
    assert "has expired" in expired.content.decode()
    assert client.get(reverse("invitation", args=["nope"])).status_code == 404


# --- Leaving, roles, bans -------------------------------------------------------------------


def test_the_last_coordinator_can_neither_leave_nor_be_demoted(coordinator: User) -> None:
    cargo = community(coordinator)
    before = snapshot()
    with pytest.raises(ActionRefused, match="at least one coordinator"):
        actions.do_leave(coordinator, cargo)
    with pytest.raises(ActionRefused, match="at least one coordinator"):
        actions.do_change_role(coordinator, membership(coordinator, cargo), Role.MEMBER)
    assert snapshot() == before
    assert membership(coordinator, cargo).role == Role.COORDINATOR


def test_a_coordinator_can_leave_once_another_is_appointed(
    coordinator: User, charlie: User
) -> None:
    cargo = community(coordinator)
    actions.do_join(charlie, cargo)
    actions.do_change_role(coordinator, membership(charlie, cargo), Role.COORDINATOR)
    actions.do_leave(coordinator, cargo)
    assert membership(coordinator, cargo).status == Status.LEFT
    verbs = list(ActivityEvent.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs[-2:] == ["membership.role_changed", "membership.left"]


def test_banning_removes_private_space_listings_and_pending_invitations(
    coordinator: User, charlie: User
) -> None:
    cargo = community(coordinator)
    actions.do_join(charlie, cargo)
    lab = actions.do_create_space(coordinator, cargo, name="Lab", is_private=True)
    actions.do_list_in_space(coordinator, lab, charlie)
    actions.do_ban(coordinator, membership(charlie, cargo), message="Spam.")
    assert membership(charlie, cargo).status == Status.BANNED
    assert not SpaceMember.objects.filter(person=charlie).exists()
    actions.do_unban(coordinator, membership(charlie, cargo))
    assert membership(charlie, cargo).status == Status.LEFT


def test_only_active_members_are_listed_in_a_private_space(
    coordinator: User, charlie: User
) -> None:
    cargo = community(coordinator)
    lab = actions.do_create_space(coordinator, cargo, name="Lab", is_private=True)
    with pytest.raises(ActionRefused, match="Only active members"):
        actions.do_list_in_space(coordinator, lab, charlie)


def test_staff_may_manage_a_community_but_not_read_its_private_spaces(coordinator: User) -> None:
    cargo = community(coordinator, visibility=Visibility.MEMBERS)
    lab = actions.do_create_space(coordinator, cargo, name="Lab", is_private=True)
    operator = staff_person()
    client = Client()
    client.force_login(operator)
    assert client.get(reverse("community_manage", args=[cargo.slug])).status_code == 200
    assert client.get(lab.get_absolute_url()).status_code == 404
    with pytest.raises(ActionRefused):
        actions.do_list_in_space(operator, lab, coordinator)


# --- Pages ----------------------------------------------------------------------------------


def test_the_on_request_flow_over_http(coordinator: User, charlie: User) -> None:
    guild = community(coordinator, entry=Entry.REQUEST, visibility=Visibility.MEMBERS)
    asker = Client()
    asker.force_login(charlie)
    general = guild.spaces.get().get_absolute_url()
    assert asker.get(general).status_code == 404
    response = asker.post(reverse("community_join", args=[guild.slug]), {"message": "Hello!"})
    assert response.status_code == 302
    pending = membership(charlie, guild)
    boss = Client()
    boss.force_login(coordinator)
    page = boss.get(reverse("community_members", args=[guild.slug])).content.decode()
    assert "Hello!" in page
    boss.post(
        reverse("community_member_operation", args=[guild.slug, pending.pk, "approve"]),
        {"message": "Welcome"},
    )
    assert asker.get(general).status_code == 200


def test_a_refused_action_shows_its_message_on_the_page(coordinator: User) -> None:
    cargo = community(coordinator)
    boss = Client()
    boss.force_login(coordinator)
    landing = reverse("community", args=[cargo.slug])
    response = boss.post(
        reverse("community_leave", args=[cargo.slug]),
        headers={"referer": "http://testserver" + landing},
    )
    assert response["Location"] == landing
    assert "at least one coordinator" in boss.get(landing).content.decode()


def test_inviting_from_the_members_page_reports_every_address(coordinator: User) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    boss = Client()
    boss.force_login(coordinator)
    page = boss.post(
        reverse("community_members", args=[circle.slug]),
        {"addresses": "ana@example.org\nbroken@\ncoord@example.org", "message": ""},
    ).content.decode()
    assert "1 invitation sent." in page
    assert "coord@example.org: already a member" in page
    assert Invitation.objects.filter(email="ana@example.org").exists()


@pytest.mark.parametrize("count", [2, 25])
def test_directory_and_landing_query_counts_do_not_grow_with_the_data(
    count: int, coordinator: User, django_assert_max_num_queries: Any
) -> None:
    for number in range(count):
        created = community(coordinator, slug=f"c{number}")
        for person_number in range(3):
            person = make_person(f"p{number}-{person_number}@example.org", f"P {person_number}")
            actions.do_join(person, created)
    visitor = Client()
    with django_assert_max_num_queries(4):
        assert visitor.get(reverse("community_directory")).status_code == 200
    member = Client()
    member.force_login(coordinator)
    # The community's home for its coordinator: its exact count is pinned, and proved
    # not to grow with the topics, in tests/test_page_queries.py (HOME_QUERIES).
    # Every page inside a community adds its navigation (cercle/ui/navigation.py).
    with django_assert_max_num_queries(22 + NAVIGATION_QUERIES):
        assert member.get(reverse("community", args=["c0"])).status_code == 200
    with django_assert_max_num_queries(8):
        assert member.get(reverse("community_directory")).status_code == 200
    with django_assert_max_num_queries(8 + NAVIGATION_QUERIES):
        assert member.get(reverse("community_members", args=["c0"])).status_code == 200
    # The space page also remembers the visit ("new since your last visit").
    with django_assert_max_num_queries(13 + NAVIGATION_QUERIES):
        assert member.get(reverse("space", args=["c0", "general"])).status_code == 200
    with django_assert_max_num_queries(5):
        assert member.get(reverse("my_communities")).status_code == 200


def _png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 93, 107)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_logo_is_uploaded_and_shown_only_where_the_community_is_seen(
    coordinator: User, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    internal_domain()
    insider = make_person("boss@inside.example", "Internal Boss")
    inside = community(insider, audience=Audience.INTERNAL)
    boss = Client()
    boss.force_login(insider)
    form = {
        "name": inside.name, "slug": inside.slug, "domain": inside.domain,
        "purpose": inside.purpose, "language": "en", "audience": "internal",
        "entry": "open", "visibility": "public", "benefits": "", "charter": "",
    }  # fmt: skip
    logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    response = boss.post(reverse("community_manage", args=[inside.slug]), {**form, "logo": logo})
    assert response.status_code == 302
    inside.refresh_from_db()
    assert inside.logo.name.startswith(f"communities/{inside.slug}/logo-")
    image_url = reverse("community_image", args=[inside.slug, "logo"])
    shown = boss.get(image_url)
    assert shown.status_code == 200
    assert shown["X-Content-Type-Options"] == "nosniff"
    outsider = Client()
    outsider.force_login(coordinator)
    assert outsider.get(image_url).status_code == 404
    assert Client().get(image_url).status_code == 404


def test_a_logo_that_is_not_an_image_or_too_large_is_refused(
    coordinator: User, tmp_path: Any, settings: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.IMAGE_MAX_MB = 1
    cargo = community(coordinator)
    boss = Client()
    boss.force_login(coordinator)
    form = {
        "name": cargo.name, "slug": cargo.slug, "domain": cargo.domain,
        "purpose": cargo.purpose, "language": "en", "audience": "external",
        "entry": "open", "visibility": "public", "benefits": "", "charter": "",
    }  # fmt: skip
    fake = SimpleUploadedFile("logo.png", b"<script>alert(1)</script>", content_type="image/png")
    page = boss.post(reverse("community_manage", args=[cargo.slug]), {**form, "logo": fake})
    assert page.status_code == 200
    assert "Upload a valid image" in page.content.decode()
    huge = SimpleUploadedFile("big.png", _png((2000, 2000)) + b"\0" * 1_100_000, "image/png")
    page = boss.post(reverse("community_manage", args=[cargo.slug]), {**form, "logo": huge})
    assert "too large" in page.content.decode()
    cargo.refresh_from_db()
    assert not cargo.logo
    assert list(tmp_path.iterdir()) == []


def test_an_invitation_sent_before_sign_up_is_waiting_once_the_address_is_verified(
    coordinator: User,
) -> None:
    circle = community(coordinator, entry=Entry.INVITATION)
    actions.do_invite(coordinator, circle, ["newcomer@example.org"])
    newcomer = make_person("newcomer@example.org", "New Comer", verified=False)
    assert not Membership.objects.filter(person=newcomer).exists()
    address = newcomer.emailaddress_set.get()  # type: ignore[attr-defined]
    address.set_verified(commit=True)
    email_confirmed.send(sender=type(address), request=None, email_address=address)
    assert membership(newcomer, circle).status == Status.INVITED
    client = Client()
    client.force_login(newcomer)
    assert "Accept the invitation" in client.get(circle.get_absolute_url()).content.decode()
