"""Sessions: a person sees where they are signed in and ends any session; staff end
all of a person's sessions (docs/two-factor.md, "Sessions")."""

from __future__ import annotations

from datetime import timedelta

from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.sso.sessions_actions import end_all_sessions
from cercle.sso.sessions_devices import describe
from tests.communities import PASSWORD, client_for, html, staff_person

FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def signed_in(person: User, user_agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("account_preferences")).status_code == 200


def test_devices_are_read_from_the_user_agent() -> None:
    laptop = describe(FIREFOX_LINUX)
    assert (laptop.label, laptop.kind) == ("Firefox 133 · Linux", "computer")
    phone = describe(SAFARI_IPHONE)
    assert (phone.label, phone.kind) == ("Safari 17 · iPhone", "phone")
    chrome = describe(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    )
    assert chrome.label == "Edge 131 · Windows"
    assert describe("curl/8.5").label == "curl/8.5"


def test_the_list_shows_both_sessions_and_this_device(alice: User) -> None:
    laptop = signed_in(alice, FIREFOX_LINUX)
    signed_in(alice, SAFARI_IPHONE)
    assert UserSession.objects.filter(user=alice).count() == 2
    page = html(laptop, reverse("usersessions_list"))
    assert page.count('class="card session') == 2
    assert "Firefox 133 · Linux" in page
    assert "Safari 17 · iPhone" in page
    assert page.count("This device") == 1
    assert "IP address 127.0.0.1" in page


def test_ending_one_session_signs_that_client_out_at_its_next_request(alice: User) -> None:
    laptop = signed_in(alice, FIREFOX_LINUX)
    phone = signed_in(alice, SAFARI_IPHONE)
    phone_session = UserSession.objects.get(user=alice, user_agent=SAFARI_IPHONE)
    response = laptop.post(reverse("sessions_end", kwargs={"session_id": phone_session.pk}))
    assert response.status_code == 302
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    event = SecurityEvent.objects.get(kind=SecurityKind.SESSIONS_ENDED)
    assert (event.actor, event.subject, event.detail) == (
        alice,
        alice,
        {"count": 1, "scope": "one"},
    )


def test_no_one_ends_another_persons_session_from_their_own_list(alice: User, bob: User) -> None:
    signed_in(alice, FIREFOX_LINUX)
    bobs = signed_in(bob, SAFARI_IPHONE)
    alices_session = UserSession.objects.get(user=alice)
    bobs.post(reverse("sessions_end", kwargs={"session_id": alices_session.pk}))
    assert UserSession.objects.filter(pk=alices_session.pk).exists()
    assert not SecurityEvent.objects.filter(kind=SecurityKind.SESSIONS_ENDED).exists()


def test_sign_out_everywhere_else_keeps_this_device(alice: User) -> None:
    laptop = signed_in(alice, FIREFOX_LINUX)
    phone = signed_in(alice, SAFARI_IPHONE)
    tablet = signed_in(alice, SAFARI_IPHONE.replace("iPhone;", "iPad;"))
    assert laptop.post(reverse("usersessions_list")).status_code == 302
    assert is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not is_signed_in(tablet)
    event = SecurityEvent.objects.get(kind=SecurityKind.SESSIONS_ENDED)
    assert event.detail == {"count": 2, "scope": "others"}


def test_an_expired_session_is_not_listed_and_the_list_costs_the_same_at_any_size(
    alice: User,
) -> None:
    laptop = signed_in(alice, FIREFOX_LINUX)
    counts = []
    for number in range(4):
        signed_in(alice, f"{SAFARI_IPHONE} n{number}")
        with CaptureQueriesContext(connection) as queries:
            html(laptop, reverse("usersessions_list"))
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
    stale = UserSession.objects.filter(user=alice).exclude(user_agent=FIREFOX_LINUX).first()
    assert stale is not None
    Session.objects.filter(session_key=stale.session_key).update(
        expire_date=timezone.now() - timedelta(minutes=1)
    )
    page = html(laptop, reverse("usersessions_list"))
    assert page.count('class="card session') == 4
    assert UserSession.objects.filter(pk=stale.pk).exists()  # a GET writes nothing


def test_staff_end_all_sessions_of_a_person(alice: User) -> None:
    laptop = signed_in(alice, FIREFOX_LINUX)
    phone = signed_in(alice, SAFARI_IPHONE)
    operator = staff_person()
    staff = client_for(operator)
    found = staff.get(reverse("sessions_staff_search"), {"q": alice.email})
    assert found["Location"] == reverse("sessions_staff", kwargs={"handle": alice.handle})
    page = html(staff, found["Location"])
    assert page.count('class="card session') == 2
    response = staff.post(found["Location"])
    assert response.status_code == 302
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert not UserSession.objects.filter(user=alice).exists()
    event = SecurityEvent.objects.get(kind=SecurityKind.SESSIONS_ENDED)
    assert (event.actor, event.subject) == (operator, alice)
    assert event.detail == {"count": 2, "scope": "all", "reason": "staff"}
    assert is_signed_in(staff)


def test_a_member_cannot_reach_the_staff_sessions_pages(alice: User, bob: User) -> None:
    signed_in(bob, FIREFOX_LINUX)
    member = client_for(alice)
    url = reverse("sessions_staff", kwargs={"handle": bob.handle})
    assert member.get(url).status_code == 404
    assert member.post(url).status_code == 404
    assert member.get(reverse("sessions_staff_search")).status_code == 404
    assert UserSession.objects.filter(user=bob).exists()


def test_end_all_sessions_serves_deprovisioning_without_an_actor(alice: User) -> None:
    phone = signed_in(alice, SAFARI_IPHONE)
    assert end_all_sessions(alice, by=None, reason="deprovisioned") == 1
    assert not is_signed_in(phone)
    event = SecurityEvent.objects.get(kind=SecurityKind.SESSIONS_ENDED)
    assert event.actor is None
    assert event.detail["reason"] == "deprovisioned"


def test_the_staff_page_queries_do_not_grow_with_sessions(
    alice: User, django_assert_max_num_queries: object
) -> None:
    for number in range(6):
        signed_in(alice, f"{FIREFOX_LINUX} n{number}")
    staff = client_for(staff_person())
    url = reverse("sessions_staff", kwargs={"handle": alice.handle})
    with django_assert_max_num_queries(8):  # type: ignore[operator]
        html(staff, url)
