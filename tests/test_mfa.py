"""Two-factor sign-in: TOTP set up and asked at log-in, recovery codes, the
requirements of staff and of communities, and the security log (docs/two-factor.md)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cercle import permissions
from cercle.accounts.models import SecurityPolicy, User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Community
from cercle.sso.policy import do_set_two_factor_requirement
from tests.communities import PASSWORD, client_for, community, html, staff_person


def totp_code(secret: str, shift: int = 0) -> str:
    """The code an authenticator app shows now (allauth's own computation)."""
    counter = next(iter(yield_hotp_counters_from_time())) + shift
    return str(format_hotp_value(hotp_value(secret, counter)))


def sign_in(client: Client, person: User) -> str:
    """Log in through the form; the address it sends the browser to."""
    response = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, response.content[:400]
    return str(response["Location"])


def reauthenticate(client: Client) -> None:
    """allauth asks for the password again before a factor changes."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


# allauth sends its signals once the transaction commits: tests run their requests
# inside `django_capture_on_commit_callbacks(execute=True)`.
OnCommit = Callable[..., AbstractContextManager[Any]]


def activate_totp(person: User, on_commit: OnCommit) -> tuple[Client, str]:
    """`person` signs in and turns the authenticator app on; their client and secret."""
    client = Client()
    sign_in(client, person)
    reauthenticate(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()
    with on_commit(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    return client, secret


def test_a_member_turns_on_an_authenticator_app_and_log_in_then_asks_for_its_code(
    alice: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client, secret = activate_totp(alice, django_capture_on_commit_callbacks)
    assert Authenticator.objects.filter(user=alice, type="totp").exists()
    assert Authenticator.objects.filter(user=alice, type="recovery_codes").exists()
    page = html(client, reverse("mfa_index"))
    assert "Two-factor sign-in is on for your account." in page

    fresh = Client()
    assert sign_in(fresh, alice) == reverse("mfa_authenticate")
    assert "_auth_user_id" not in fresh.session  # not signed in before the code
    step = html(fresh, reverse("mfa_authenticate"))
    assert "Type the six-digit code" in step
    assert "Use a security key" not in step  # Alice has no key
    refused = fresh.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert refused.status_code == 200
    assert "_auth_user_id" not in fresh.session
    cache.clear()  # the wrong code counted in the rate limit
    accepted = fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert accepted.status_code == 302
    assert fresh.session["_auth_user_id"] == str(alice.pk)


def test_a_recovery_code_signs_in_once(
    alice: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    activate_totp(alice, django_capture_on_commit_callbacks)
    codes = RecoveryCodes(Authenticator.objects.get(user=alice, type="recovery_codes"))
    code = codes.get_unused_codes()[0]

    first = Client()
    sign_in(first, alice)
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert first.session["_auth_user_id"] == str(alice.pk)

    second = Client()
    sign_in(second, alice)
    refused = second.post(reverse("mfa_authenticate"), {"code": code})
    assert refused.status_code == 200
    assert "_auth_user_id" not in second.session


def test_recovery_codes_are_shown_and_downloadable(
    alice: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client, _secret = activate_totp(alice, django_capture_on_commit_callbacks)
    codes = RecoveryCodes(Authenticator.objects.get(user=alice, type="recovery_codes"))
    page = html(client, reverse("mfa_view_recovery_codes"))
    for code in codes.get_unused_codes():
        assert f"<code>{code}</code>" in page
    download = client.get(reverse("mfa_download_recovery_codes"))
    assert download.status_code == 200
    assert codes.get_unused_codes()[0] in download.content.decode()


def test_factor_changes_are_in_the_security_log(
    alice: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    client, _secret = activate_totp(alice, django_capture_on_commit_callbacks)
    added = SecurityEvent.objects.get(kind=SecurityKind.FACTOR_ADDED, subject=alice)
    assert added.detail["what"] == "totp"
    assert SecurityEvent.objects.filter(
        kind=SecurityKind.RECOVERY_CODES, subject=alice, detail__how="first"
    ).exists()

    assert "The codes you have now will stop working." in html(
        client, reverse("mfa_generate_recovery_codes")
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_generate_recovery_codes")).status_code == 302
    assert SecurityEvent.objects.filter(
        kind=SecurityKind.RECOVERY_CODES, subject=alice, detail__how="new"
    ).exists()

    assert "Turn off the authenticator app" in html(client, reverse("mfa_deactivate_totp"))
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    removed = set(
        SecurityEvent.objects.filter(kind=SecurityKind.FACTOR_REMOVED, subject=alice).values_list(
            "detail__what", flat=True
        )
    )
    assert removed == {"totp", "recovery_codes"}
    assert not Authenticator.objects.filter(user=alice).exists()


# --- Requirements -------------------------------------------------------------------------------


def test_nothing_is_required_by_default(cargo: Community, coordinator: User, alice: User) -> None:
    assert not permissions.mfa.must_use_two_factor(coordinator)
    assert html(client_for(coordinator), cargo.get_absolute_url())


def test_the_staff_policy_sends_a_coordinator_without_a_factor_to_set_one_up(
    cargo: Community, coordinator: User, alice: User
) -> None:
    operator = staff_person()
    do_set_two_factor_requirement(operator, True)
    assert permissions.mfa.two_factor_reasons(coordinator) == ["coordinator"]
    assert permissions.mfa.two_factor_reasons(operator) == ["staff"]
    assert not permissions.mfa.must_use_two_factor(alice)

    claire = Client()
    sign_in(claire, coordinator)
    response = claire.get(cargo.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mfa_index")
    assert "Your role requires two-factor sign-in" in response.content.decode()
    # What adding a factor needs stays open.
    reauthenticate(claire)
    assert claire.get(reverse("mfa_activate_totp")).status_code == 200
    assert claire.post(reverse("account_logout")).status_code == 302

    # A plain member goes where they asked.
    member = Client()
    sign_in(member, alice)
    assert member.get(cargo.get_absolute_url()).status_code == 200


def test_a_coordinator_with_a_factor_is_let_through(
    cargo: Community, coordinator: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    _client, secret = activate_totp(coordinator, django_capture_on_commit_callbacks)
    do_set_two_factor_requirement(staff_person(), True)
    claire = Client()
    sign_in(claire, coordinator)
    claire.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert claire.get(cargo.get_absolute_url()).status_code == 200


def test_adding_a_factor_lifts_the_redirect_at_once(
    cargo: Community, coordinator: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    do_set_two_factor_requirement(staff_person(), True)
    claire = Client()
    sign_in(claire, coordinator)
    assert claire.get(cargo.get_absolute_url())["Location"] == reverse("mfa_index")
    reauthenticate(claire)
    secret = claire.get(reverse("mfa_activate_totp")).context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        claire.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert claire.get(cargo.get_absolute_url()).status_code == 200


def test_a_community_can_require_it_of_its_own_coordinators_only(
    cargo: Community, coordinator: User, alice: User, charlie: User
) -> None:
    other = community(charlie, slug="bees", name="Bees")
    page = client_for(coordinator).post(
        reverse("community_manage", kwargs={"slug": cargo.slug}),
        {
            "name": cargo.name,
            "slug": cargo.slug,
            "domain": cargo.domain,
            "purpose": cargo.purpose,
            "language": "en",
            "audience": cargo.audience,
            "entry": cargo.entry,
            "visibility": cargo.visibility,
            "coordinators_need_two_factor": "on",
        },
    )
    assert page.status_code == 302, page.content[:500]
    cargo.refresh_from_db()
    assert cargo.coordinators_need_two_factor
    assert permissions.mfa.two_factor_reasons(coordinator) == ["Cargo"]
    assert not permissions.mfa.must_use_two_factor(charlie)  # coordinates Bees only
    assert not permissions.mfa.must_use_two_factor(alice)
    assert not SecurityPolicy.load().staff_and_coordinators_need_two_factor
    event = SecurityEvent.objects.get(kind=SecurityKind.SETTING_CHANGED)
    assert event.actor == coordinator
    assert event.detail == {
        "setting": "coordinators_need_two_factor",
        "community": "cargo",
        "value": True,
    }

    claire = Client()
    sign_in(claire, coordinator)
    assert claire.get(cargo.get_absolute_url())["Location"] == reverse("mfa_index")
    bees = Client()
    sign_in(bees, charlie)
    assert bees.get(other.get_absolute_url()).status_code == 200


def test_only_staff_change_the_policy_and_it_is_recorded(alice: User) -> None:
    operator = staff_person()
    assert client_for(alice).get(reverse("mfa_policy")).status_code == 404
    assert client_for(alice).post(reverse("mfa_policy"), {"x": "on"}).status_code == 404
    assert not SecurityPolicy.load().staff_and_coordinators_need_two_factor

    assert reverse("staff_tools") not in html(client_for(alice), reverse("account_preferences"))
    staff = client_for(operator)
    # Staff find it from the account menu's staff tools.
    assert reverse("staff_tools") in html(staff, reverse("account_preferences"))
    assert reverse("mfa_policy") in html(staff, reverse("staff_tools"))
    page = html(staff, reverse("mfa_policy"))
    assert "Staff and coordinators without a second factor" in page
    response = staff.post(reverse("mfa_policy"), {"staff_and_coordinators_need_two_factor": "on"})
    assert response.status_code == 302
    assert SecurityPolicy.load().staff_and_coordinators_need_two_factor
    event = SecurityEvent.objects.get(kind=SecurityKind.SETTING_CHANGED)
    assert event.actor == operator
    assert event.detail == {"setting": "staff_and_coordinators_need_two_factor", "value": True}
    # The staff member who switched it on has no factor: they are sent to add one.
    assert staff.get(reverse("home"))["Location"] == reverse("mfa_index")


@pytest.mark.parametrize("path", ["/static/css/cercle.css", "/accounts/2fa/"])
def test_the_pages_that_add_a_factor_stay_open(
    path: str, coordinator: User, cargo: Community
) -> None:
    do_set_two_factor_requirement(staff_person(), True)
    claire = client_for(coordinator)
    assert claire.get(path).status_code in {200, 404}  # static files: not a redirect
