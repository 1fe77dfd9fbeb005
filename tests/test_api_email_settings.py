"""/api/v1/me/email: a person reads and changes their email settings through the API as
on their settings page (the same actions), bad input changes nothing, and a bounced
address is told and resumed."""

from __future__ import annotations

import pytest

from cercle.accounts.models import User
from cercle.mail.bounces import record_bounce
from cercle.mail.models import Bounce
from cercle.notifications.models import EmailPreference, Kind
from cercle.notifications.queries import email_preferences, in_mailing_list_mode
from tests.api import ApiClient, api_get, api_patch, api_post, assert_problem, make_token

pytestmark = pytest.mark.django_db

PATH = "/me/email"


def test_the_settings_read_as_the_page_shows_them(alice: User) -> None:
    response = api_get(make_token(alice, ("read",)), PATH)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["preferences"] == {**email_preferences(alice), "mailing_list": "never"}
    assert body["preferences"]["digest"] == "weekly"
    assert body["choices"]["mailing_list"] == ["immediately", "never"]
    assert body["choices"]["digest"] == ["daily", "never", "weekly"]
    assert body["choices"][Kind.REPLY] == ["daily", "immediately", "never", "weekly"]
    assert body["stopped"] is None


def test_changing_some_keys_leaves_the_others(alice: User) -> None:
    before = email_preferences(alice)
    response = api_patch(
        make_token(alice),
        PATH,
        {"preferences": {"mailing_list": "immediately", "digest": "daily"}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["preferences"]["mailing_list"] == "immediately"
    assert in_mailing_list_mode(alice)
    after = email_preferences(alice)
    assert after["digest"] == "daily"
    assert {k: v for k, v in after.items() if k != "digest"} == {
        k: v for k, v in before.items() if k != "digest"
    }


def test_an_unknown_key_or_value_is_refused_by_name_and_nothing_is_written(alice: User) -> None:
    token = make_token(alice)
    response = api_patch(
        token,
        PATH,
        {"preferences": {"digest": "daily", "mailing_list": "weekly", "newsletter": "never"}},
    )
    body = assert_problem(response, 422)
    assert {error["location"] for error in body["errors"]} == {
        "body.preferences.mailing_list",
        "body.preferences.newsletter",
    }
    messages = " ".join(error["message"] for error in body["errors"])
    assert "“weekly” is not one of: immediately, never." in messages
    assert "No email setting is called “newsletter”." in messages
    assert not EmailPreference.objects.filter(person=alice).exists()
    french = ApiClient(token, language="fr").patch(PATH, {"preferences": {"digest": "hourly"}})
    assert "n\u2019est pas l\u2019une des valeurs" in str(assert_problem(french, 422)["errors"])


def test_a_read_only_token_reads_but_does_not_change(alice: User) -> None:
    token = make_token(alice, ("read",))
    assert api_get(token, PATH).status_code == 200
    assert_problem(api_patch(token, PATH, {"preferences": {"digest": "never"}}), 403)
    assert_problem(api_post(token, f"{PATH}/resume"), 403)
    assert not EmailPreference.objects.filter(person=alice).exists()


def test_a_stopped_address_is_told_and_resumed(alice: User, bob: User) -> None:
    record_bounce(alice.pk, alice.email, permanent=True, status="5.1.1", diagnostic="No such user")
    record_bounce(bob.pk, bob.email, permanent=True, status="5.1.1", diagnostic="No such user")
    token = make_token(alice)
    stopped = api_get(token, PATH).json()["stopped"]
    assert (stopped["address"], stopped["kind"], stopped["diagnostic"]) == (
        alice.email,
        "hard",
        "No such user",
    )
    resumed = api_post(token, f"{PATH}/resume")
    assert resumed.status_code == 200, resumed.content
    assert resumed.json() == {"resumed": 1}
    assert api_get(token, PATH).json()["stopped"] is None
    # Bob's stop is his own.
    assert Bounce.objects.get(person=bob).stopped
