"""The SAML identity provider of the tests (tests/idp/saml/idp.py, pysaml2's IdP) as
a process the tests start on a free port and stop, with keys made at test time.

Also the means to make responses the real IdP would never send (unsigned, signed by
another key, expired): pysaml2's own `Server` in this process, signing with the key
the test chooses.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_POST
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

IDP_PROGRAM = Path(__file__).parent / "idp" / "saml" / "idp.py"
PROVIDER_ID = "acme"


@dataclass
class KeyPair:
    key: Path
    cert: Path

    @property
    def cert_pem(self) -> str:
        return self.cert.read_text()


def make_keypair(folder: Path, name: str = "idp") -> KeyPair:
    """An RSA key and its self-signed certificate, written as PEM files."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Cercle test {name}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    pair = KeyPair(folder / f"{name}.key", folder / f"{name}.crt")
    pair.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    pair.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pair


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def person(
    uid: str, email: str, name: str, groups: list[str], department: str = ""
) -> dict[str, Any]:
    """A person of the IdP, by the attribute names it sends (pysaml2 gives `uid`,
    `mail` and `displayName` their urn:oid names; the others keep theirs)."""
    return {
        "uid": uid,
        "mail": email,
        "displayName": name,
        "groups": groups,
        "department": department,
        "email_verified": "true",
    }


@dataclass
class SamlIdP:
    """A running IdP: its URLs, its signing key, and the people it signs in."""

    url: str
    keys: KeyPair
    users_file: Path
    process: subprocess.Popen[bytes]
    people: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.url}/sso/redirect"

    def set_person(self, login: str, **attributes: Any) -> None:
        """Add or change a person; the IdP reads the file at each sign-in."""
        self.people[login] = attributes
        self.users_file.write_text(json.dumps(self.people))

    def idp_initiated_url(self, sp_entity_id: str) -> str:
        return f"{self.url}/idp-initiated?sp={urllib.parse.quote(sp_entity_id, safe='')}"

    def metadata(self) -> str:
        with urllib.request.urlopen(f"{self.url}/metadata", timeout=10) as answer:  # noqa: S310 - local
            return str(answer.read().decode())


@contextmanager
def running_idp(folder: Path, sp_metadata_url: str, lifetime_minutes: int = 5) -> Iterator[SamlIdP]:
    """Start the IdP process, wait until it answers, stop it at the end."""
    keys = make_keypair(folder)
    users = folder / "users.json"
    users.write_text("{}")
    port = free_port()
    log = (folder / "idp.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            str(IDP_PROGRAM),
            "--port",
            str(port),
            "--key",
            str(keys.key),
            "--cert",
            str(keys.cert),
            "--users",
            str(users),
            "--sp-metadata-url",
            sp_metadata_url,
            "--lifetime",
            str(lifetime_minutes),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    idp = SamlIdP(f"http://127.0.0.1:{port}", keys, users, process)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"{idp.url}/health", timeout=2):  # noqa: S310 - local
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the SAML IdP did not start: " + (folder / "idp.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield idp
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def provider_entry(idp_metadata_file: Path, *, organisation: bool = True) -> dict[str, Any]:
    """Cercle's CERCLE_SAML_PROVIDERS entry for the test IdP, read from its metadata."""
    return {
        "id": PROVIDER_ID,
        "name": "Acme IdP",
        "metadata_file": str(idp_metadata_file),
        "organisation": organisation,
        "attributes": {"uid": "urn:oid:0.9.2342.19200300.100.1.1"},
    }


# --- Responses the real IdP would not send ------------------------------------------------


def forged_response(
    keys: KeyPair,
    *,
    issuer: str,
    sp_entity_id: str,
    acs_url: str,
    identity: dict[str, Any],
    uid: str,
    sign: bool = True,
    in_response_to: str | None = None,
    lifetime_minutes: int = 5,
    sign_alg: str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    digest_alg: str = "http://www.w3.org/2001/04/xmlenc#sha256",
) -> str:
    """A base64 SAML Response made by pysaml2 in this process, its assertion signed
    with `keys` (or not signed at all), claiming to come from `issuer`."""
    # The SP as the real IdP knows it from Cercle's metadata: its entity ID and ACS.
    sp_metadata = keys.key.parent / "sp-metadata.xml"
    sp_metadata.write_text(
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
        f'entityID="{sp_entity_id}"><md:SPSSODescriptor protocolSupportEnumeration='
        '"urn:oasis:names:tc:SAML:2.0:protocol"><md:AssertionConsumerService Binding='
        f'"{BINDING_HTTP_POST}" Location="{acs_url}" index="1"/>'
        "</md:SPSSODescriptor></md:EntityDescriptor>"
    )
    conf = IdPConfig()
    conf.load(
        {
            "metadata": {"local": [str(sp_metadata)]},
            "entityid": issuer,
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(issuer, BINDING_HTTP_POST)]},
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
            "key_file": str(keys.key),
            "cert_file": str(keys.cert),
            "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
            "delete_tmpfiles": True,
        }
    )
    server = Server(config=conf)
    response = server.create_authn_response(
        {key: value if isinstance(value, list) else [value] for key, value in identity.items()},
        in_response_to=in_response_to,
        destination=acs_url,
        sp_entity_id=sp_entity_id,
        userid=uid,
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=uid),
        authn={"class_ref": PASSWORD, "authn_auth": issuer},
        sign_assertion=sign,
        sign_response=False,
        sign_alg=sign_alg,
        digest_alg=digest_alg,
    )
    return base64.b64encode(str(response).encode()).decode()
