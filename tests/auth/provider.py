"""A local Bot Framework identity provider: OpenID metadata, signing keys (JWKS), and a token endpoint.

Inbound, it stands for the Bot Connector's token service: `token()` signs what Teams would send in the
Authorization header, and the bot checks it against `metadata_url()`. Outbound, it stands for Microsoft
Entra ID: the bot asks `login_url` for the token it sends to the Bot Connector.

It is a threaded HTTPS server rather than an aiohttp one on the test's event loop: botbuilder fetches
the metadata and keys with blocking `requests` calls on the event loop (an aiohttp server on that loop
would never answer), and msal accepts only an https authority. Clients trust it through
REQUESTS_CA_BUNDLE=`ca_file`.
"""

from __future__ import annotations

import ipaddress
import json
import ssl
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwt.algorithms import RSAAlgorithm

CHANNEL_ISSUER = "https://api.botframework.com"
TRUSTED_KID = "cme-test-trusted"
UNTRUSTED_KID = "cme-test-untrusted"


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _self_signed_certificate(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


class IdentityProvider:
    def __init__(self, directory: Path) -> None:
        self.trusted_key = _rsa_key()
        self.untrusted_key = _rsa_key()  # never published: what an attacker could sign with
        self.endorsements = ["msteams"]
        self.outbound_token = f"outbound-{uuid.uuid4().hex}"
        self.token_requests: list[dict[str, str]] = []  # the bot's requests for an outbound token

        tls_key = _rsa_key()
        self.ca_file = str(directory / "provider-cert.pem")
        key_file = directory / "provider-key.pem"
        Path(self.ca_file).write_bytes(_self_signed_certificate(tls_key).public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(tls_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.base_url = f"https://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="identity-provider", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # What the bot is configured with

    def metadata_url(self) -> str:
        """A URL of its own for each bot: botbuilder caches the keys per metadata URL, process-wide."""
        return f"{self.base_url}/{uuid.uuid4().hex}/.well-known/openid-configuration"

    @property
    def login_url(self) -> str:
        # msal skips its instance discovery (on login.microsoftonline.com) for an ADFS authority only.
        return f"{self.base_url}/adfs"

    # What Teams would send

    def token(self, audience: str, service_url: str, *, key: str = "trusted", kid: str | None = None,
              issuer: str = CHANNEL_ISSUER, expires_in: int = 3600, **claims) -> str:
        now = int(time.time())
        payload = {"iss": issuer, "aud": audience, "serviceurl": service_url,
                   "nbf": now - 60, "iat": now - 60, "exp": now + expires_in, **claims}
        private = self.trusted_key if key == "trusted" else self.untrusted_key
        kid = kid or (TRUSTED_KID if key == "trusted" else UNTRUSTED_KID)
        return jwt.encode(payload, private, algorithm="RS256", headers={"kid": kid})

    def _jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.trusted_key.public_key()))
        return {"keys": [{**jwk, "kid": TRUSTED_KID, "use": "sig", "alg": "RS256",
                          "endorsements": self.endorsements}]}

    def _answer(self, method: str, path: str, form: dict[str, str]) -> dict | None:
        if method == "GET" and path == "/adfs/.well-known/openid-configuration":
            return {"issuer": f"{self.base_url}/adfs", "authorization_endpoint": f"{self.base_url}/adfs/oauth2/authorize",
                    "token_endpoint": f"{self.base_url}/adfs/oauth2/token"}
        if method == "POST" and path == "/adfs/oauth2/token":
            self.token_requests.append(form)
            return {"token_type": "Bearer", "expires_in": 3600, "ext_expires_in": 3600,
                    "access_token": self.outbound_token}
        scope, _, rest = path.strip("/").partition("/")
        if method == "GET" and rest == ".well-known/openid-configuration":
            return {"issuer": CHANNEL_ISSUER, "jwks_uri": f"{self.base_url}/{scope}/keys",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["private_key_jwt"]}
        if method == "GET" and rest == "keys":
            return self._jwks()
        return None


def _handler(provider: IdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = {name: values[0] for name, values in parse_qs(body).items()}
            answer = provider._answer(method, self.path.split("?")[0], form)
            data = json.dumps(answer if answer is not None else {"error": "not_found"}).encode()
            self.send_response(200 if answer is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - silence the access log
            return None

    return Handler
