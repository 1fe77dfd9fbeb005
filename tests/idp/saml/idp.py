"""A SAML 2.0 identity provider for Cercle's tests: pysaml2's `Server` (not Cercle's
code) behind a tiny HTTP server. Test-only: it signs in whoever is named, without a
password.

    python tests/idp/saml/idp.py --port 8123 --key idp.key --cert idp.crt \\
        --users users.json --sp-metadata-url http://localhost:8000/accounts/saml/acme/metadata/

- GET  /metadata                      the IdP's metadata (entityID, SSO URL, signing cert)
- GET  /sso/redirect?SAMLRequest=...  SP-initiated: HTTP-Redirect AuthnRequest, then a
                                      sign-in form; the answer is an HTTP-POST Response
- GET  /idp-initiated?sp=<entityID>   IdP-initiated: the same form, then an unsolicited
                                      Response POSTed to the SP's ACS from its metadata
- POST /login                         the form's target: builds and signs the Response

The users file (JSON: {"alice": {"uid": ..., "mail": ..., "displayName": ...,
"groups": [...], "department": ..., "email_verified": "true"}}) is read at each
sign-in, so a test changes a person's groups between two sign-ins by rewriting it.
The assertion is signed with --key/--cert through the xmlsec1 program
(scripts/system-deps.sh installs it); the Response itself is not signed.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import sys
import tempfile
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256 as SHA256
from saml2.xmldsig import SIG_RSA_SHA256 as RSA_SHA256

FORM = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test IdP sign-in</title></head>
<body><h1>Test identity provider</h1>
<form method="post" action="/login">
<label for="user">User name</label> <input id="user" name="user" autofocus>
{hidden}
<button type="submit">Sign in</button>
</form></body></html>"""


def config(args: argparse.Namespace, sp_metadata: Path | None) -> IdPConfig:
    base = f"http://127.0.0.1:{args.port}"
    conf: dict[str, Any] = {
        "entityid": f"{base}/metadata",
        "service": {
            "idp": {
                "name": "Cercle test IdP",
                "endpoints": {
                    "single_sign_on_service": [(f"{base}/sso/redirect", BINDING_HTTP_REDIRECT)]
                },
                "policy": {
                    "default": {
                        "lifetime": {"minutes": args.lifetime},
                        "name_form": NAME_FORMAT_URI,
                    }
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": False,
            }
        },
        "key_file": args.key,
        "cert_file": args.cert,
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "delete_tmpfiles": True,
    }
    if sp_metadata is not None:
        conf["metadata"] = {"local": [str(sp_metadata)]}
    idp_config = IdPConfig()
    idp_config.load(conf)
    return idp_config


class IdP:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.folder = Path(tempfile.mkdtemp(prefix="cercle-saml-idp-"))
        self._server: Server | None = None

    def metadata(self) -> str:
        return str(create_metadata_string(None, config=config(self.args, None)).decode())

    def server(self) -> Server:
        # The SP's metadata is fetched at the first sign-in: the SP may start after us.
        if self._server is None:
            path = self.folder / "sp.xml"
            with urllib.request.urlopen(self.args.sp_metadata_url, timeout=10) as answer:  # noqa: S310
                path.write_bytes(answer.read())
            self._server = Server(config=config(self.args, path))
        return self._server

    def respond(self, user: str, saml_request: str, relay_state: str, sp: str) -> str:
        people = json.loads(Path(self.args.users).read_text(encoding="utf-8"))
        if user not in people:
            raise KeyError(user)
        person = people[user]
        identity = {
            key: value if isinstance(value, list) else [value] for key, value in person.items()
        }
        idp = self.server()
        if saml_request:
            request = idp.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
            response_args = idp.response_args(request.message, [BINDING_HTTP_POST])
            response_args.pop("binding", None)
        else:
            acs = idp.metadata.assertion_consumer_service(sp, binding=BINDING_HTTP_POST)
            response_args = {
                "in_response_to": None,
                "destination": acs[0]["location"],
                "sp_entity_id": sp,
            }
        response_args.pop("name_id_policy", None)
        response = idp.create_authn_response(
            identity,
            userid=user,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=str(person.get("uid", user))),
            authn={"class_ref": PASSWORD, "authn_auth": idp.config.entityid},
            sign_assertion=True,
            sign_response=False,
            sign_alg=RSA_SHA256,
            digest_alg=SHA256,
            **response_args,
        )
        http_args = idp.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            response_args["destination"],
            relay_state,
            response=True,
        )
        return str(http_args["data"])


def handler(idp: IdP) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def send(self, status: int, body: str, content_type: str = "text/html") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def form(self, fields: dict[str, str]) -> None:
            hidden = "".join(
                f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                for name, value in fields.items()
            )
            self.send(200, FORM.format(hidden=hidden))

        def do_GET(self) -> None:
            url = urlparse(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/metadata":
                self.send(200, idp.metadata(), "application/samlmetadata+xml")
            elif url.path == "/sso/redirect" and "SAMLRequest" in query:
                fields = {"SAMLRequest": query["SAMLRequest"]}
                fields["RelayState"] = query.get("RelayState", "")
                self.form(fields)
            elif url.path == "/idp-initiated" and "sp" in query:
                self.form({"sp": query["sp"], "RelayState": query.get("RelayState", "")})
            elif url.path == "/health":
                self.send(200, "ok", "text/plain")
            else:
                self.send(404, "not found", "text/plain")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            form = {key: values[0] for key, values in parse_qs(body).items()}
            if urlparse(self.path).path != "/login":
                self.send(404, "not found", "text/plain")
                return
            try:
                page = idp.respond(
                    form.get("user", ""),
                    form.get("SAMLRequest", ""),
                    form.get("RelayState", ""),
                    form.get("sp", ""),
                )
            except KeyError:
                self.send(403, "unknown user", "text/plain")
                return
            self.send(200, page)

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write("idp: " + (format % args) + "\n")

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True, help="PEM private key that signs assertions")
    parser.add_argument("--cert", required=True, help="PEM certificate of that key")
    parser.add_argument("--users", required=True, help="JSON file of the people, re-read")
    parser.add_argument("--sp-metadata-url", required=True, help="the SP's metadata URL")
    parser.add_argument("--lifetime", type=int, default=5, help="assertion minutes")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(IdP(args)))
    print(f"SAML IdP on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
