"""The security log: what allauth does is written with where it came from; staff read,
filter and export it; rows past their time are deleted."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cercle.accounts.models import User
from cercle.audit import receivers
from cercle.audit.log import record_security_event
from cercle.audit.models import SecurityEvent, SecurityKind
from tests.communities import staff_person
from tests.conftest import PASSWORD, make_person

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HOME_IP = "203.0.113.7"
LOG_URL = "/staff/security/"
CSV_URL = "/staff/security/export.csv"


@pytest.fixture
def operator(db: None) -> User:
    return staff_person("op@example.org", "Olivia Operator")


@pytest.fixture
def operator_client(operator: User) -> Client:
    client = Client()
    client.force_login(operator)
    return client


def browser(ip: str = HOME_IP) -> Client:
    return Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=FIREFOX)


def rows(kind: SecurityKind) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


def happened(event: SecurityEvent, *, days_ago: float) -> SecurityEvent:
    SecurityEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=days_ago))
    event.refresh_from_db()
    return event


# --- What allauth does, written down ---------------------------------------------------------


def test_a_password_sign_in_is_written_with_its_method_address_and_device(alice: User) -> None:
    client = browser()
    response = client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    assert response.status_code == 302

    [row] = rows(SecurityKind.SIGN_IN)
    assert (row.actor, row.subject, row.subject_label) == (alice, alice, alice.email)
    assert row.ip_address == HOME_IP
    assert row.user_agent == FIREFOX
    assert row.detail == {"method": "password"}


def test_a_failed_sign_in_names_the_address_typed_and_never_the_password(alice: User) -> None:
    client = browser("198.51.100.23")
    typed = "  Alice@Example.org "
    client.post(reverse("account_login"), {"login": typed, "password": "s3cret-Guess!"})
    client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "s3cret-Guess!"}
    )

    known, unknown = rows(SecurityKind.SIGN_IN_FAILED)
    assert known.subject == alice
    assert known.subject_label == "alice@example.org"  # as allauth normalised it
    assert known.ip_address == "198.51.100.23"
    assert known.actor is None
    assert unknown.subject is None
    assert unknown.subject_label == "nobody@example.org"
    every_field = json.dumps(
        list(SecurityEvent.objects.values("subject_label", "user_agent", "detail"))
    )
    assert "s3cret" not in every_field
    assert not rows(SecurityKind.SIGN_IN)


def test_signing_out_and_changing_the_password_are_written(alice: User) -> None:
    client = browser()
    client.post(reverse("account_login"), {"login": alice.email, "password": PASSWORD})
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "a-New-passw0rd-2026",
            "password2": "a-New-passw0rd-2026",
        },
    )
    assert response.status_code == 302
    client.post(reverse("account_logout"))

    [changed] = rows(SecurityKind.PASSWORD_CHANGED)
    [signed_out] = rows(SecurityKind.SIGN_OUT)
    for row in (changed, signed_out):
        assert (row.actor, row.subject, row.ip_address) == (alice, alice, HOME_IP)


def test_adding_and_removing_an_address_are_written(alice: User) -> None:
    client = browser()
    client.force_login(alice)
    client.post(reverse("account_email"), {"action_add": "", "email": "alice@work.example"})
    client.post(reverse("account_email"), {"action_remove": "", "email": "alice@work.example"})

    [added] = rows(SecurityKind.EMAIL_ADDED)
    [removed] = rows(SecurityKind.EMAIL_REMOVED)
    assert added.detail == removed.detail == {"address": "alice@work.example"}
    assert added.subject == removed.subject == alice


def test_a_sign_in_through_an_identity_provider_is_left_to_the_sso_app(alice: User) -> None:
    """allauth's signal with a `sociallogin` is written by cercle.sso, as SSO_SIGN_IN
    (tests/test_sso_signin.py): the security log's own receiver writes nothing for it."""

    request = RequestFactory().get("/")
    request.user = alice
    request.session = SessionStore()
    receivers.signed_in(sender=User, request=request, user=alice, sociallogin=object())
    assert not rows(SecurityKind.SIGN_IN)
    receivers.signed_in(sender=User, request=request, user=alice)
    assert len(rows(SecurityKind.SIGN_IN)) == 1


# --- The staff page ---------------------------------------------------------------------------


def test_only_staff_see_the_log_others_get_a_404(alice: User, operator_client: Client) -> None:
    record_security_event(SecurityKind.SIGN_IN, actor=alice, subject=alice, method="password")
    member = Client()
    member.force_login(alice)
    assert member.get(LOG_URL).status_code == 404
    assert member.get(CSV_URL).status_code == 404
    anonymous = Client().get(LOG_URL)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))

    page = operator_client.get(LOG_URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Alice Martin" in text
    assert "Signed in" in text
    assert "How: password" in text  # details in words, not JSON
    assert "{&quot;method" not in text
    assert '{"method' not in text


def test_the_account_menu_links_to_the_log_for_staff_only(
    alice_client: Client, operator_client: Client
) -> None:
    assert LOG_URL in operator_client.get(reverse("home")).content.decode()
    assert LOG_URL not in alice_client.get(reverse("home")).content.decode()


def test_each_row_tells_when_what_who_about_whom_and_from_where(
    alice: User, bob: User, operator: User, operator_client: Client
) -> None:
    record_security_event(
        SecurityKind.ROLE_CHANGED,
        actor=operator,
        subject=bob,
        community="Pratiques agiles",
        role="coordinator",
    )
    SecurityEvent.objects.update(ip_address="192.0.2.44", user_agent=FIREFOX)
    text = operator_client.get(LOG_URL).content.decode()
    assert "Role changed" in text
    assert "Olivia Operator" in text
    assert "Bob Leroy" in text
    assert bob.email in text
    assert "Community: Pratiques agiles" in text
    assert "Role: Coordinator" in text  # the role's name, not its code
    assert "192.0.2.44" in text
    assert "Firefox on Linux" in text


def test_a_row_about_someone_without_an_account_shows_the_address_typed(
    operator_client: Client,
) -> None:
    record_security_event(SecurityKind.SIGN_IN_FAILED, subject_label="ghost@example.org")
    text = operator_client.get(LOG_URL).content.decode()
    assert "ghost@example.org" in text
    assert "no account" in text


def test_the_log_is_newest_first_and_filters_by_kind_person_date_and_address(
    alice: User, bob: User, operator_client: Client
) -> None:
    old = record_security_event(SecurityKind.SIGN_IN, actor=alice, subject=alice)
    happened(old, days_ago=10)
    failed = record_security_event(SecurityKind.SIGN_IN_FAILED, subject=bob)
    SecurityEvent.objects.filter(pk=failed.pk).update(ip_address="198.51.100.9")
    recent = record_security_event(SecurityKind.SIGN_IN, actor=bob, subject=bob)

    def listed(**query: str) -> list[int]:
        response = operator_client.get(LOG_URL, query)
        assert response.status_code == 200
        return [row.event.pk for row in response.context["log"].rows]

    assert listed() == [recent.pk, failed.pk, old.pk]
    assert listed(kind="sign_in") == [recent.pk, old.pk]
    assert listed(person="alice") == [old.pk]
    assert listed(person="Bob Ler") == [recent.pk, failed.pk]
    assert listed(ip="198.51.100.9") == [failed.pk]
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert listed(since=ten_days_ago, until=yesterday) == [old.pk]
    assert listed(since=timezone.localdate().isoformat()) == [recent.pk, failed.pk]


def test_a_filter_that_is_not_valid_is_named_and_lists_nothing(
    alice: User, operator_client: Client
) -> None:
    record_security_event(SecurityKind.SIGN_IN, actor=alice, subject=alice)
    response = operator_client.get(
        LOG_URL, {"ip": "not-an-address", "since": "2026-05-02", "until": "2026-05-01"}
    )
    assert response.status_code == 200
    assert response.context["log"] is None
    text = response.content.decode()
    assert "Enter a valid IPv4 or IPv6 address." in text
    assert "The end of the period comes before its start." in text
    assert "Alice Martin" not in text


def test_the_log_goes_a_page_at_a_time_older_and_back_newer(
    alice: User, operator_client: Client
) -> None:
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=SecurityKind.SIGN_IN, subject=alice, subject_label=alice.email)
        for _ in range(120)
    )
    every = list(SecurityEvent.objects.order_by("-at", "-pk").values_list("pk", flat=True))

    first = operator_client.get(LOG_URL).context["log"]
    assert [row.event.pk for row in first.rows] == every[:50]
    assert first.newer is None
    assert first.older == every[49]
    second = operator_client.get(LOG_URL, {"before": str(first.older)}).context["log"]
    assert [row.event.pk for row in second.rows] == every[50:100]
    third = operator_client.get(LOG_URL, {"before": str(second.older)}).context["log"]
    assert [row.event.pk for row in third.rows] == every[100:]
    assert third.older is None
    assert third.newer == every[100]
    back = operator_client.get(LOG_URL, {"after": str(third.newer)}).context["log"]
    assert [row.event.pk for row in back.rows] == every[50:100]
    assert back.newer == every[50]
    assert back.older == every[99]
    page = operator_client.get(LOG_URL, {"before": str(first.older)}).content.decode()
    assert f"after={every[50]}" in page
    assert f"before={every[99]}" in page


def test_the_page_reads_the_same_number_of_queries_for_three_rows_or_a_full_page(
    alice: User, bob: User, operator: User, operator_client: Client
) -> None:
    def queries_for_the_page() -> int:
        operator_client.get(LOG_URL)  # the session and caches settle first
        with CaptureQueriesContext(connection) as captured:
            response = operator_client.get(LOG_URL, {"person": "e"})
        assert response.status_code == 200
        return len(captured)

    for person in (alice, bob, operator):
        record_security_event(SecurityKind.ROLE_CHANGED, actor=operator, subject=person)
    few = queries_for_the_page()
    for index in range(80):
        other = make_person(f"person{index}@example.org", f"Person {index}")
        record_security_event(SecurityKind.SIGN_IN, actor=other, subject=other, method="code")
        record_security_event(SecurityKind.ROLE_CHANGED, actor=operator, subject=other)
    many = queries_for_the_page()
    assert few == many
    assert many <= 8


# --- The CSV export ---------------------------------------------------------------------------


def read_csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="security-log-')
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_export_is_the_filtered_log_with_formulas_escaped(
    alice: User, bob: User, operator: User, operator_client: Client
) -> None:
    mallory = make_person("mallory@example.org", '=HYPERLINK("http://evil.example","Mallory")')
    record_security_event(SecurityKind.SIGN_IN, actor=mallory, subject=mallory, method="password")
    record_security_event(SecurityKind.SIGN_IN, actor=alice, subject=alice, method="code")
    record_security_event(SecurityKind.SIGN_IN_FAILED, subject=bob, method="password")
    SecurityEvent.objects.update(ip_address="192.0.2.10", user_agent=FIREFOX)

    every = read_csv(operator_client.get(CSV_URL))
    header, *lines = every
    assert header[:4] == ["When (UTC)", "What", "Kind", "By"]
    assert len(lines) == 3

    only_sign_ins = read_csv(operator_client.get(CSV_URL, {"kind": "sign_in"}))[1:]
    assert [line[2] for line in only_sign_ins] == ["sign_in", "sign_in"]
    assert {line[4] for line in only_sign_ins} == {alice.email, mallory.email}
    line = next(line for line in only_sign_ins if line[4] == mallory.email)
    assert line[3] == "'" + mallory.display_name  # read as text, never run
    assert line[5] == "'" + mallory.display_name
    assert line[7:] == ["192.0.2.10", "Firefox on Linux", FIREFOX, "How: password"]
    alice_only = read_csv(operator_client.get(CSV_URL, {"person": "alice"}))[1:]
    assert [line[6] for line in alice_only] == [alice.email]


def test_an_export_is_itself_written_in_the_log(operator: User, operator_client: Client) -> None:
    read_csv(operator_client.get(CSV_URL, {"kind": "sign_in_failed"}))
    [exported] = rows(SecurityKind.LOG_EXPORTED)
    assert exported.actor == operator
    assert exported.detail == {"filter": {"kind": "sign_in_failed"}}
    text = operator_client.get(LOG_URL).content.decode()
    assert "Filter: what: Sign-in failed" in text


def test_an_export_with_a_filter_that_is_not_valid_goes_back_to_the_page(
    operator_client: Client,
) -> None:
    response = operator_client.get(CSV_URL, {"ip": "999.1.1.1"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOG_URL}?ip=999.1.1.1"
    assert not rows(SecurityKind.LOG_EXPORTED)


# --- Retention --------------------------------------------------------------------------------


def test_the_nightly_job_deletes_only_rows_older_than_the_retention(
    alice: User, settings: Any
) -> None:
    settings.SECURITY_LOG_DAYS = 30
    old = happened(record_security_event(SecurityKind.SIGN_IN, subject=alice), days_ago=31)
    kept = happened(record_security_event(SecurityKind.SIGN_IN, subject=alice), days_ago=29)
    fresh = record_security_event(SecurityKind.SIGN_IN_FAILED, subject=alice)
    out = io.StringIO()
    call_command("forget_security_events", stdout=out)
    assert "1 security log row(s) older than 30 days deleted." in out.getvalue()
    assert set(SecurityEvent.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}
    assert not SecurityEvent.objects.filter(pk=old.pk).exists()


def test_the_default_retention_is_a_year() -> None:
    assert django_settings.SECURITY_LOG_DAYS == 365
