"""SCIM 2.0 provisioning: people and groups made, found, changed and deleted by the
organisation's directory; deprovisioning that signs a person out at once and
suspends their internal communities; the tokens and their staff page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.test import Client

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.communities.models import Audience, Membership, Role, Status, Visibility
from cercle.scim import actions
from cercle.scim.models import ScimGroup, ScimIdentity, ScimToken, SuspendedMembership
from cercle.sso.models import MappingRule
from tests.communities import PASSWORD, community, join, make_person, staff_person

pytestmark = pytest.mark.django_db

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Scim:
    """A directory speaking to /scim/v2/ with a bearer token."""

    def __init__(self, secret: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def call(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        response = getattr(self.client, method)(
            f"/scim/v2/{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/scim+json",
            **extra,
        )
        response.json_body = json.loads(response.content) if response.content else None
        return response

    def create_user(self, email: str, display: str = "Camille Martin", **more: Any) -> Any:
        body = {
            "schemas": [USER_SCHEMA],
            "userName": email,
            "displayName": display,
            "emails": [{"value": email, "primary": True, "type": "work"}],
            "active": True,
            **more,
        }
        return self.call("post", "Users", body)

    def patch(self, path: str, *operations: dict[str, Any]) -> Any:
        return self.call("patch", path, {"schemas": [PATCH_SCHEMA], "Operations": list(operations)})


@pytest.fixture
def operator() -> User:
    return staff_person()


@pytest.fixture
def scim(operator: User) -> Scim:
    _token, secret = actions.create_token(operator, name="Entra")
    return Scim(secret)


def provisioned(scim: Scim, email: str = "camille@corp.example", **more: Any) -> User:
    response = scim.create_user(email, **more)
    assert response.status_code == 201, response.json_body
    return User.objects.get(pk=int(response.json_body["id"]))


# -- Discovery and tokens ----------------------------------------------------------


def test_discovery_answers_in_scim_json(scim: Scim) -> None:
    config = Client().get("/scim/v2/ServiceProviderConfig")  # no token needed there
    assert config.status_code == 200
    assert config["Content-Type"] == "application/scim+json"
    body = json.loads(config.content)
    assert body["patch"]["supported"] is True
    assert body["bulk"]["supported"] is False
    assert body["filter"]["maxResults"] == 200
    schemas = scim.call("get", "Schemas").json_body
    user_schema = next(s for s in schemas["Resources"] if s["id"] == USER_SCHEMA)
    assert {a["name"] for a in user_schema["attributes"]} == {
        "userName",
        "name",
        "displayName",
        "emails",
        "active",
        "groups",
    }
    types = scim.call("get", "ResourceTypes").json_body
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}


def test_it_refuses_a_missing_wrong_or_revoked_token(operator: User, scim: Scim) -> None:
    assert Client().get("/scim/v2/Users").status_code == 401
    wrong = Scim("cercle_scim_not-a-token").call("get", "Users")
    assert wrong.status_code == 401
    assert wrong.json_body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    token, secret = actions.create_token(operator, name="Okta")
    assert Scim(secret).call("get", "Users").status_code == 200
    actions.revoke_token(operator, token)
    assert Scim(secret).call("get", "Users").status_code == 401
    assert Scim(secret).create_user("x@corp.example").status_code == 401
    assert not User.objects.filter(email="x@corp.example").exists()


def test_a_token_is_stored_hashed_and_its_use_noted(operator: User) -> None:
    token, secret = actions.create_token(operator, name="Entra")
    assert secret.startswith("cercle_scim_")
    assert len(secret) > 40
    assert secret not in token.secret_hash
    assert ScimToken.objects.filter(secret_hash=token.secret_hash).count() == 1
    assert Scim(secret).call("get", "Users").status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert SecurityEvent.objects.filter(kind=SecurityKind.TOKEN_CREATED, actor=operator).exists()


# -- People --------------------------------------------------------------------------


def test_creating_a_user_makes_an_internal_person_with_a_verified_address(scim: Scim) -> None:
    response = scim.create_user("camille@corp.example", display="Camille Martin", externalId="00u1")
    assert response.status_code == 201
    assert response["Content-Type"] == "application/scim+json"
    assert response["Location"].endswith(f"/scim/v2/Users/{response.json_body['id']}")
    person = User.objects.get(email="camille@corp.example")
    assert person.display_name == "Camille Martin"
    assert person.organisation_provider == "scim"
    assert not person.has_usable_password()
    assert EmailAddress.objects.filter(
        user=person, email="camille@corp.example", verified=True, primary=True
    ).exists()
    assert ScimIdentity.objects.get(person=person).external_id == "00u1"
    event = SecurityEvent.objects.get(kind=SecurityKind.PROVISIONED, subject=person)
    assert event.detail == {"operation": "create", "resource": "User"}
    got = scim.call("get", f"Users/{person.pk}").json_body
    assert got["userName"] == "camille@corp.example"
    assert got["externalId"] == "00u1"
    assert got["active"] is True


def test_a_user_name_that_is_an_address_needs_no_emails(scim: Scim) -> None:
    response = scim.call(
        "post", "Users", {"schemas": [USER_SCHEMA], "userName": "noe@corp.example"}
    )
    assert response.status_code == 201, response.json_body
    assert User.objects.get(pk=response.json_body["id"]).email == "noe@corp.example"
    refused = scim.call("post", "Users", {"schemas": [USER_SCHEMA], "userName": "noe2"})
    assert refused.status_code == 400


def test_a_name_without_display_name_names_the_person(scim: Scim) -> None:
    person = provisioned(
        scim,
        "lea@corp.example",
        displayName=None,
        name={"givenName": "Léa", "familyName": "Dubois"},
    )
    assert person.display_name == "Léa Dubois"


def test_bad_input_is_refused_with_nothing_written(scim: Scim) -> None:
    people = User.objects.count()
    no_name = scim.call("post", "Users", {"schemas": [USER_SCHEMA], "displayName": "No one"})
    assert no_name.status_code == 400
    assert no_name.json_body["scimType"] == "invalidValue"
    not_json = scim.client.post(
        "/scim/v2/Users", data="{nope", content_type="application/scim+json"
    )
    assert not_json.status_code == 400
    assert json.loads(not_json.content)["scimType"] == "invalidSyntax"
    bad_email = scim.create_user("not-an-address")
    assert bad_email.status_code == 400
    bad_patch = scim.patch(
        f"Users/{provisioned(scim).pk}", {"op": "explode", "path": "active", "value": False}
    )
    assert bad_patch.status_code == 400
    assert User.objects.count() == people + 1
    assert User.objects.filter(is_active=False).count() == 0
    assert scim.call("get", "Users/999999").status_code == 404


def test_a_taken_user_name_or_address_is_a_conflict(scim: Scim) -> None:
    provisioned(scim, "camille@corp.example")
    make_person("dominique@corp.example", "Dominique")
    twice = scim.create_user("CAMILLE@corp.example")
    assert twice.status_code == 409
    assert twice.json_body["scimType"] == "uniqueness"
    existing = scim.create_user("dominique@corp.example")
    assert existing.status_code == 409
    assert User.objects.filter(email__iexact="camille@corp.example").count() == 1
    assert SecurityEvent.objects.filter(kind=SecurityKind.PROVISIONED).count() == 1


def test_filters_find_people_and_pages_count_them(scim: Scim) -> None:
    camille = provisioned(scim, "camille@corp.example", externalId="e-1")
    provisioned(scim, "lea@corp.example", display="Léa Dubois")
    # A person who signed up before provisioning is found by their address.
    dominique = make_person("dominique@corp.example", "Dominique Petit")

    def ids(query: str) -> list[int]:
        response = scim.call("get", f"Users?{query}")
        assert response.status_code == 200, response.json_body
        return [int(r["id"]) for r in response.json_body["Resources"]]

    assert ids('filter=userName eq "Camille@corp.example"') == [camille.pk]
    assert ids('filter=externalId eq "e-1"') == [camille.pk]
    assert ids('filter=displayName eq "Dominique Petit"') == [dominique.pk]
    assert ids('filter=emails.value eq "dominique@corp.example"') == [dominique.pk]
    assert ids('filter=userName eq "dominique@corp.example"') == [dominique.pk]
    assert ids('filter=userName sw "lea"') == [User.objects.get(email="lea@corp.example").pk]
    assert ids('filter=userName eq "nobody@corp.example"') == []
    page = scim.call("get", "Users?startIndex=2&count=1").json_body
    assert page["totalResults"] == User.objects.filter(is_active=True).count()
    assert page["startIndex"] == 2
    assert page["itemsPerPage"] == 1
    assert scim.call("get", "Users?filter=userName eq").status_code == 400


def test_put_and_patch_change_the_person(scim: Scim) -> None:
    person = provisioned(scim, "camille@corp.example")
    replaced = scim.call(
        "put",
        f"Users/{person.pk}",
        {
            "schemas": [USER_SCHEMA],
            "userName": "camille@corp.example",
            "displayName": "Camille Martin-Roux",
            "emails": [{"value": "camille.roux@corp.example", "primary": True}],
        },
    )
    assert replaced.status_code == 200
    person.refresh_from_db()
    assert person.display_name == "Camille Martin-Roux"
    assert person.email == "camille.roux@corp.example"
    assert EmailAddress.objects.get(user=person, primary=True).email == "camille.roux@corp.example"
    patched = scim.patch(
        f"Users/{person.pk}", {"op": "replace", "path": "displayName", "value": "Camille R."}
    )
    assert patched.status_code == 200
    assert patched.json_body["displayName"] == "Camille R."
    person.refresh_from_db()
    assert person.display_name == "Camille R."


# -- Deprovisioning --------------------------------------------------------------------


@pytest.fixture
def inside(operator: User) -> Any:
    return community(
        operator, slug="inside", audience=Audience.INTERNAL, visibility=Visibility.MEMBERS
    )


def test_deactivation_ends_a_live_session_at_once(scim: Scim) -> None:
    person = provisioned(scim, "camille@corp.example")
    person.set_password(PASSWORD)
    person.save()
    browser = Client()
    signed_in = browser.post(
        "/accounts/login/", {"login": "camille@corp.example", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert browser.get("/accounts/email/").status_code == 200
    assert UserSession.objects.filter(user=person).exists()
    response = scim.patch(f"Users/{person.pk}", {"op": "replace", "path": "active", "value": False})
    assert response.status_code == 200
    assert response.json_body["active"] is False
    # The next request of the open browser is anonymous.
    after = browser.get("/accounts/email/")
    assert after.status_code == 302
    assert "/accounts/login/" in after["Location"]
    assert not UserSession.objects.filter(user=person).exists()
    assert not Session.objects.filter(session_key=browser.session.session_key).exists()
    person.refresh_from_db()
    assert not person.is_active
    event = SecurityEvent.objects.get(kind=SecurityKind.DEACTIVATED, subject=person)
    assert event.detail["sessions_ended"] == 1


def test_deactivation_suspends_internal_communities_and_reactivation_restores_them(
    scim: Scim, inside: Any, operator: User
) -> None:
    person = provisioned(scim, "camille@corp.example")
    outside = community(operator, slug="outside", members=[person])
    join(person, inside)
    space = inside.spaces.get(is_default=True)
    browser = Client()
    browser.force_login(person)
    assert browser.get(space.get_absolute_url()).status_code == 200

    scim.patch(f"Users/{person.pk}", {"op": "replace", "value": {"active": False}})
    membership = Membership.objects.get(person=person, community=inside)
    assert membership.status == Status.SUSPENDED
    assert SuspendedMembership.objects.get(membership=membership).previous_status == Status.ACTIVE
    # An external community is not the organisation's to suspend.
    assert Membership.objects.get(person=person, community=outside).status == Status.ACTIVE
    assert browser.get(space.get_absolute_url()).status_code in (302, 404)

    scim.patch(f"Users/{person.pk}", {"op": "replace", "path": "active", "value": True})
    membership.refresh_from_db()
    assert membership.status == Status.ACTIVE
    assert not SuspendedMembership.objects.exists()
    person.refresh_from_db()
    assert person.is_active
    browser.force_login(person)
    assert browser.get(space.get_absolute_url()).status_code == 200
    assert SecurityEvent.objects.get(kind=SecurityKind.REACTIVATED).detail["restored"] == ["inside"]


def test_delete_deactivates_and_detaches_the_person(scim: Scim, inside: Any) -> None:
    person = provisioned(scim, "camille@corp.example")
    join(person, inside)
    assert scim.call("delete", f"Users/{person.pk}").status_code == 204
    person.refresh_from_db()
    assert not person.is_active
    assert not ScimIdentity.objects.filter(person=person).exists()
    assert Membership.objects.get(person=person).status == Status.SUSPENDED
    assert scim.call("get", f"Users/{person.pk}").status_code == 404
    # Provisioned again later, the same account comes back with its communities.
    again = scim.create_user("camille@corp.example")
    assert again.status_code == 201
    assert int(again.json_body["id"]) == person.pk
    assert Membership.objects.get(person=person).status == Status.ACTIVE


# -- Groups -------------------------------------------------------------------------------


def test_groups_feed_the_mapping_rules(scim: Scim, inside: Any) -> None:
    camille = provisioned(scim, "camille@corp.example")
    lea = provisioned(scim, "lea@corp.example")
    MappingRule.objects.create(
        attribute="groups", value="cop-inside-leads", community=inside, role=Role.COORDINATOR
    )
    created = scim.call(
        "post",
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "cop-inside-leads",
            "externalId": "g-1",
            "members": [{"value": str(camille.pk)}],
        },
    )
    assert created.status_code == 201, created.json_body
    group = ScimGroup.objects.get(external_id="g-1")
    assert list(group.members.all()) == [camille]
    assert Membership.objects.get(person=camille, community=inside).role == Role.COORDINATOR
    found = scim.call("get", 'Groups?filter=displayName eq "cop-inside-leads"').json_body
    assert [r["id"] for r in found["Resources"]] == [str(group.pk)]
    user = scim.call("get", f"Users/{camille.pk}").json_body
    assert [g["display"] for g in user["groups"]] == ["cop-inside-leads"]

    scim.patch(
        f"Groups/{group.pk}",
        {"op": "add", "path": "members", "value": [{"value": str(lea.pk)}]},
        {"op": "remove", "path": f'members[value eq "{camille.pk}"]'},
    )
    assert list(group.members.all()) == [lea]
    assert Membership.objects.get(person=lea, community=inside).role == Role.COORDINATOR
    assert Membership.objects.get(person=camille, community=inside).role == Role.MEMBER
    unknown = scim.patch(
        f"Groups/{group.pk}", {"op": "add", "path": "members", "value": [{"value": "424242"}]}
    )
    assert unknown.status_code == 400
    assert list(group.members.all()) == [lea]
    assert scim.call("delete", f"Groups/{group.pk}").status_code == 204
    assert not ScimGroup.objects.exists()
    assert (
        SecurityEvent.objects.filter(
            kind=SecurityKind.PROVISIONED, detail__resource="Group"
        ).count()
        == 3
    )  # the refused change wrote nothing


# -- The staff page ------------------------------------------------------------------------


def test_staff_make_a_token_shown_once_and_revoke_it(operator: User) -> None:
    browser = Client()
    browser.force_login(operator)
    page = browser.get("/staff/scim/")
    assert page.status_code == 200
    assert "http://testserver/scim/v2/" in page.content.decode()
    made = browser.post("/staff/scim/", {"name": "Microsoft Entra ID"})
    assert made["Cache-Control"] == "no-store"
    token = ScimToken.objects.get(name="Microsoft Entra ID")
    secret = made.context["secret"]
    assert secret in made.content.decode()
    assert secret not in browser.get("/staff/scim/").content.decode()
    assert Scim(secret).call("get", "Users").status_code == 200
    browser.post(f"/staff/scim/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Scim(secret).call("get", "Users").status_code == 401
    assert SecurityEvent.objects.filter(kind=SecurityKind.TOKEN_REVOKED, actor=operator).exists()


def test_an_empty_token_name_is_refused(operator: User) -> None:
    browser = Client()
    browser.force_login(operator)
    refused = browser.post("/staff/scim/", {"name": ""})
    assert refused.status_code == 200
    assert not ScimToken.objects.exists()


def test_non_staff_cannot_reach_the_staff_page(alice_client: Client) -> None:
    assert alice_client.get("/staff/scim/").status_code == 403
    assert alice_client.post("/staff/scim/", {"name": "mine"}).status_code == 403
    assert not ScimToken.objects.exists()
    assert Client().get("/staff/scim/").status_code == 302


def test_the_user_list_has_a_bounded_query_count(
    scim: Scim, django_assert_max_num_queries: Any
) -> None:
    for number in range(8):
        provisioned(scim, f"person{number}@corp.example")
    with django_assert_max_num_queries(8):
        response = scim.call("get", "Users?count=50")
    assert len(response.json_body["Resources"]) >= 8


def test_entra_style_patches_are_understood(scim: Scim) -> None:
    """Microsoft Entra ID capitalises its operations and sends booleans as strings."""
    person = provisioned(scim, "camille@corp.example")
    lea = provisioned(scim, "lea@corp.example")
    response = scim.patch(
        f"Users/{person.pk}", {"op": "Replace", "path": "active", "value": "False"}
    )
    assert response.status_code == 200, response.json_body
    person.refresh_from_db()
    assert not person.is_active
    group = scim.call(
        "post",
        "Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "g", "members": [{"value": str(lea.pk)}]},
    ).json_body
    removed = scim.patch(
        f"Groups/{group['id']}",
        {"op": "Remove", "path": "members", "value": [{"value": str(lea.pk)}]},
    )
    assert removed.status_code == 200, removed.json_body
    assert not ScimGroup.objects.get(pk=group["id"]).members.exists()
