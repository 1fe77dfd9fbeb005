"""SAML 2.0 sign-in: the operator's configuration, the metadata Cercle serves, and the
answers Cercle refuses (unsigned, signed by another key, expired, replayed).

Responses are made by pysaml2 in this process (tests/idp_saml.py) and POSTed to the
assertion consumer service as a browser would; the browser journeys through the real
IdP process are in tests/e2e/test_sso_saml.py.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants

from cercle.accounts.models import User
from cercle.audit.models import SecurityEvent, SecurityKind
from cercle.sso.saml import CLOCK_SKEW_SECONDS, attribute_values, form_action_origins, saml_apps
from tests.idp_saml import KeyPair, forged_response, make_keypair, person, running_idp

# python3-saml refuses single-label hosts such as "testserver"; "localhost" it accepts.
SP = "http://localhost/accounts/saml/acme"
IDP = "https://idp.example.org/metadata"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


def entry(keys: KeyPair, **extra: Any) -> dict[str, Any]:
    return {
        "id": "acme",
        "name": "Acme",
        "entity_id": IDP,
        "sso_url": "https://idp.example.org/sso",
        "x509cert_file": str(keys.cert),
        "organisation": True,
        "attributes": {"uid": "urn:oid:0.9.2342.19200300.100.1.1"},
        **extra,
    }


def parse(value: Any) -> list[dict[str, Any]]:
    return saml_apps({"CERCLE_SAML_PROVIDERS": json.dumps(value)})


@pytest.fixture
def client() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def idp_keys(tmp_path: Path) -> KeyPair:
    return make_keypair(tmp_path / "idp")


@pytest.fixture
def saml_provider(settings: Any, idp_keys: KeyPair) -> KeyPair:
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": parse([entry(idp_keys)])}}
    return idp_keys


def post_response(client: Client, saml_response: str) -> Any:
    return client.post(f"{SP}/acs/", {"SAMLResponse": saml_response}, follow=True)


def response(keys: KeyPair, **options: Any) -> str:
    return forged_response(
        keys,
        issuer=IDP,
        sp_entity_id=f"{SP}/metadata/",
        acs_url=f"{SP}/acs/",
        identity=person("u-42", "lea@acme.example", "Léa Martin", ["cop-agile-leads"]),
        uid="u-42",
        **options,
    )


def refusals() -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=SecurityKind.SSO_REFUSED))


def assert_refused(page: Any, client: Client, reason: str, *, first: bool = True) -> None:
    assert page.status_code == 403
    text = page.content.decode()
    assert "Sign-in refused" in text
    assert "Nobody has been signed in." in text
    assert f'data-reason="{reason}"' in text
    assert "_auth_user_id" not in client.session
    assert User.objects.filter(email="lea@acme.example").exists() is not first
    [event] = refusals()
    assert event.detail["reason"] == reason
    assert event.detail["provider"] == "saml:acme"


# --- Configuration ----------------------------------------------------------------------------


def test_no_variable_no_provider() -> None:
    assert saml_apps({}) == []


def test_an_entry_becomes_an_allauth_app_with_signed_assertions_required(idp_keys: KeyPair) -> None:
    [app] = parse([entry(idp_keys)])
    assert app["client_id"] == "acme"
    settings = app["settings"]
    assert settings["organisation"] is True
    assert settings["idp"]["entity_id"] == IDP
    assert settings["idp"]["x509cert"] in idp_keys.cert_pem.replace("\n", "")
    assert settings["advanced"]["want_assertion_signed"] is True
    assert settings["advanced"]["strict"] is True
    assert settings["advanced"]["reject_idp_initiated_sso"] is False
    assert settings["attribute_mapping"]["uid"] == ["urn:oid:0.9.2342.19200300.100.1.1"]
    assert "groups" in settings["attribute_mapping"]["groups"]


def test_the_documented_clock_skew_is_python3_saml_s() -> None:
    assert OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT == CLOCK_SKEW_SECONDS == 300
    # docs/sso.md, "SAML 2.0".
    docs = "".join(p.read_text() for p in (Path(__file__).parent.parent / "docs").glob("sso*.md"))
    assert "Clock skew: 300 seconds" in docs


def test_metadata_file_is_read_at_start(tmp_path: Path, idp_keys: KeyPair) -> None:
    cert = "".join(idp_keys.cert_pem.strip().splitlines()[1:-1])
    metadata = tmp_path / "idp.xml"
    metadata.write_text(
        f'<md:EntityDescriptor xmlns:md="{MD}" entityID="{IDP}">'
        '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
        '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
        f"<ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data>"
        "</ds:KeyInfo></md:KeyDescriptor>"
        '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
        'Location="https://idp.example.org/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
    )
    [app] = parse([{"id": "acme", "metadata_file": str(metadata)}])
    assert app["settings"]["idp"] == {
        "entity_id": IDP,
        "sso_url": "https://idp.example.org/sso",
        "x509cert": cert,
    }
    assert app["settings"]["organisation"] is False


def test_metadata_url_is_left_to_allauth_to_fetch() -> None:
    [app] = parse([{"id": "acme", "metadata_url": "https://idp.example.org/md"}])
    assert app["settings"]["idp"]["metadata_url"] == "https://idp.example.org/md"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[{", "is not valid JSON"),
        ('{"id": "x"}', "must be a JSON list"),
        ([{"name": "x"}], '"id" is missing'),
        ([{"id": "Bad Id", "metadata_url": "https://x.org"}], '"id" must be'),
        ([{"id": "a"}], "give exactly one of"),
        ([{"id": "a", "metadata_url": "ftp://x"}], '"metadata_url" must be an http'),
        ([{"id": "a", "metadata_file": "/nonexistent.xml"}], '"metadata_file"'),
        ([{"id": "a", "sso_url": "https://x.org/sso"}], '"entity_id" is missing'),
        ([{"id": "a", "entity_id": "e", "sso_url": "https://x.org/sso"}], '"x509cert"'),
        ([{"id": "a", "metadata_url": "https://x.org", "organisation": "yes"}], '"organisation"'),
        ([{"id": "a", "metadata_url": "https://x.org", "colour": 1}], "unknown field(s) colour"),
        ([{"id": "a", "metadata_url": "https://x.org", "attributes": {"shoe": "s"}}], "shoe"),
        ([{"id": "a", "metadata_url": "https://x.org", "sp_key_file": "k"}], '"sp_key_file"'),
        (
            [
                {"id": "a", "metadata_url": "https://x.org"},
                {"id": "a", "metadata_url": "https://y"},
            ],
            "given twice",
        ),
    ],
)
def test_a_bad_entry_stops_start_up_naming_the_field(value: Any, message: str) -> None:
    raw = value if isinstance(value, str) else json.dumps(value)
    with pytest.raises(ImproperlyConfigured) as error:
        saml_apps({"CERCLE_SAML_PROVIDERS": raw})
    assert "CERCLE_SAML_PROVIDERS" in str(error.value)
    assert message in str(error.value)


def test_sp_signing_key_signs_requests(tmp_path: Path, idp_keys: KeyPair) -> None:
    sp = make_keypair(tmp_path / "sp", "sp")
    [app] = parse([entry(idp_keys, sp_key_file=str(sp.key), sp_cert_file=str(sp.cert))])
    advanced = app["settings"]["advanced"]
    assert advanced["authn_request_signed"] is True
    assert advanced["x509cert"] in sp.cert_pem.replace("\n", "")


def test_attribute_values_reads_every_group() -> None:
    [app] = parse(
        [{"id": "a", "metadata_url": "https://x.org", "attributes": {"groups": "memberOf"}}]
    )
    raw = {"memberOf": ["cop-a", "cop-b"], "department": ["R&D"]}
    assert attribute_values(app["settings"], raw, "groups") == ["cop-a", "cop-b"]
    assert attribute_values(app["settings"], raw, "department") == ["R&D"]
    assert attribute_values(app["settings"], raw, "email") == []


# --- Metadata ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cercle_serves_its_sp_metadata_with_the_acs_url(
    client: Client, saml_provider: KeyPair
) -> None:
    answer = client.get(f"{SP}/metadata/")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/xml")
    root = etree.fromstring(answer.content)
    assert root.get("entityID") == f"{SP}/metadata/"
    [descriptor] = root.findall(f"{{{MD}}}SPSSODescriptor")
    assert descriptor.get("WantAssertionsSigned") == "true"
    [acs] = descriptor.findall(f"{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == f"{SP}/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


@pytest.mark.django_db
def test_an_unknown_provider_has_no_metadata(client: Client, saml_provider: KeyPair) -> None:
    assert client.get("/accounts/saml/other/metadata/").status_code == 404


# --- Sign-in and refusals --------------------------------------------------------------------


@pytest.mark.django_db
def test_a_signed_assertion_signs_in(client: Client, saml_provider: KeyPair) -> None:
    page = post_response(client, response(saml_provider))
    assert page.status_code == 200
    user = User.objects.get(email="lea@acme.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    account = SocialAccount.objects.get(user=user)
    assert account.uid == "u-42"
    assert account.extra_data["groups"] == ["cop-agile-leads"]
    assert refusals() == []


@pytest.mark.django_db
def test_an_unsigned_assertion_is_refused(client: Client, saml_provider: KeyPair) -> None:
    assert_refused(post_response(client, response(saml_provider, sign=False)), client, "unsigned")


@pytest.mark.django_db
def test_an_assertion_signed_by_another_key_is_refused(
    client: Client, saml_provider: KeyPair, tmp_path: Path
) -> None:
    forger = make_keypair(tmp_path / "forger", "forger")
    page = post_response(client, response(forger))
    assert_refused(page, client, "bad_signature")


@pytest.mark.django_db
def test_an_assertion_signed_with_sha1_is_refused(client: Client, saml_provider: KeyPair) -> None:
    sha1 = response(
        saml_provider,
        sign_alg="http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        digest_alg="http://www.w3.org/2000/09/xmldsig#sha1",
    )
    assert_refused(post_response(client, sha1), client, "bad_signature")


@pytest.mark.django_db
def test_an_altered_assertion_is_refused(client: Client, saml_provider: KeyPair) -> None:
    xml = base64.b64decode(response(saml_provider)).decode()
    altered = xml.replace("cop-agile-leads", "staff-admins")
    assert altered != xml
    page = post_response(client, base64.b64encode(altered.encode()).decode())
    assert_refused(page, client, "bad_signature")


@pytest.mark.django_db
def test_an_expired_assertion_is_refused(client: Client, saml_provider: KeyPair) -> None:
    # Made 20 minutes ago, valid 5 minutes: expired 15 minutes ago, past the 5 of skew.
    with time_machine.travel(datetime.now(UTC) - timedelta(minutes=20)):
        old = response(saml_provider, lifetime_minutes=5)
    assert_refused(post_response(client, old), client, "expired")


@pytest.mark.django_db
def test_an_assertion_from_a_clock_a_little_ahead_is_accepted(
    client: Client, saml_provider: KeyPair
) -> None:
    # The IdP's clock is 2 minutes ahead: its NotBefore is in our future, within the skew.
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=2)):
        early = response(saml_provider)
    page = post_response(client, early)
    assert page.status_code == 200
    assert refusals() == []


@pytest.mark.django_db
def test_a_replayed_assertion_is_refused(client: Client, saml_provider: KeyPair) -> None:
    once = response(saml_provider)
    assert post_response(client, once).status_code == 200
    attacker = Client(HTTP_HOST="localhost")
    assert_refused(post_response(attacker, once), attacker, "replayed", first=False)
    assert User.objects.filter(email="lea@acme.example").count() == 1


@pytest.mark.django_db
def test_a_response_without_a_saml_response_is_refused(
    client: Client, saml_provider: KeyPair
) -> None:
    page = client.post(f"{SP}/acs/", {"Other": "x"}, follow=True)
    assert page.status_code == 403
    assert "_auth_user_id" not in client.session
    assert [event.detail["reason"] for event in refusals()] == ["missing"]


@pytest.mark.django_db
def test_the_refusal_page_is_in_french(client: Client, saml_provider: KeyPair) -> None:
    client.cookies["django_language"] = "fr"
    page = post_response(client, response(saml_provider, sign=False))
    text = page.content.decode()
    assert "Connexion refusée" in text
    assert "Personne n\u2019a été connecté." in text


@pytest.mark.django_db
def test_sp_keys_sign_requests_and_appear_in_the_metadata(
    client: Client, settings: Any, idp_keys: KeyPair, tmp_path: Path
) -> None:
    sp = make_keypair(tmp_path / "sp", "sp")
    apps = parse([entry(idp_keys, sp_key_file=str(sp.key), sp_cert_file=str(sp.cert))])
    settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": apps}}
    root = etree.fromstring(client.get(f"{SP}/metadata/").content)
    [descriptor] = root.findall(f"{{{MD}}}SPSSODescriptor")
    assert descriptor.get("AuthnRequestsSigned") == "true"
    [key] = descriptor.findall(f"{{{MD}}}KeyDescriptor[@use='signing']")
    assert "".join(sp.cert_pem.strip().splitlines()[1:-1]) in etree.tostring(key).decode()
    # The AuthnRequest sent to the IdP (HTTP-Redirect) carries its signature.
    answer = client.post(f"{SP}/login/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("https://idp.example.org/sso?SAMLRequest=")
    assert "&Signature=" in answer["Location"]
    assert (
        "SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256"
        in (answer["Location"])
    )


@pytest.mark.django_db
def test_the_idp_metadata_url_is_fetched_from_the_running_idp(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    with running_idp(tmp_path / "idp", f"{SP}/metadata/") as idp:
        apps = parse([{"id": "acme", "metadata_url": f"{idp.url}/metadata"}])
        settings.SOCIALACCOUNT_PROVIDERS = {"saml": {"APPS": apps}}
        answer = client.post(f"{SP}/login/")
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{idp.sso_url}?SAMLRequest=")
    assert form_action_origins(apps) == [idp.url]


@pytest.mark.django_db
def test_an_answer_to_a_request_this_browser_never_sent_is_refused(
    client: Client, saml_provider: KeyPair
) -> None:
    page = post_response(client, response(saml_provider, in_response_to="id-never-sent"))
    assert page.status_code == 403
    assert "_auth_user_id" not in client.session
    [event] = refusals()
    assert event.detail["reason"] == "invalid"
    assert event.detail["error"] == "no request of this browser"
    assert not User.objects.filter(email="lea@acme.example").exists()


@pytest.mark.django_db
def test_an_assertion_for_another_service_is_refused(
    client: Client, saml_provider: KeyPair
) -> None:
    elsewhere = forged_response(
        saml_provider,
        issuer=IDP,
        sp_entity_id="https://other.example.org/saml/metadata",
        acs_url=f"{SP}/acs/",
        identity=person("u-42", "lea@acme.example", "Léa Martin", []),
        uid="u-42",
    )
    assert_refused(post_response(client, elsewhere), client, "invalid")
    assert "audience" in refusals()[0].detail["error"].lower()
