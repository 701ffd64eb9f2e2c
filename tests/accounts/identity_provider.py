"""A loopback OpenID Connect provider for the single sign-on tests: real HTTP on 127.0.0.1, an
RSA key made for the test run, and the three endpoints a code flow calls (token, user info, keys).

The test plays the user's browser at the provider: ``authorize`` reads the address heapprivacy
sent the browser to and returns the code the provider would send it back with.
"""

from __future__ import annotations

import json
import secrets
import time
from base64 import urlsafe_b64encode
from dataclasses import dataclass
from hashlib import sha256
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.support.loopback import LoopbackServer

CLIENT_ID = "heapprivacy"
CLIENT_SECRET = "secret-of-the-heapprivacy-client"
KEY_ID = "key-1"


@dataclass
class Grant:
    nonce: str
    challenge: str
    redirect_uri: str
    claims: dict[str, Any]


class LoopbackProvider:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        # What signs the ID tokens: the provider's own key unless a test swaps in a forger's.
        self.signing_key = self.key
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, dict[str, Any]] = {}
        self.received: list[str] = []
        self._server = LoopbackServer(_Handler, self)

    @property
    def url(self) -> str:
        return self._server.url

    def settings(self) -> dict[str, str]:
        return {
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
        }

    def start(self) -> LoopbackProvider:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def reset(self) -> None:
        self.signing_key = self.key
        self.grants.clear()
        self.access.clear()
        self.received.clear()

    def authorize(self, location: str, claims: dict[str, Any]) -> str:
        """The user signed in at the provider, which vouches for these claims: the code."""
        query = {name: values[0] for name, values in parse_qs(urlsplit(location).query).items()}
        assert query["client_id"] == CLIENT_ID
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            query["nonce"], query["code_challenge"], query["redirect_uri"], claims
        )
        return code

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        grant = self.grants.pop(form.get("code", ""), None)
        if grant is None or not self._client_proven(form, grant):
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.access[access_token] = grant.claims
        now = int(time.time())
        id_claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": grant.claims["sub"],
            "nonce": grant.nonce,
            "iat": now,
            "exp": now + 300,
        }
        headers = {"kid": KEY_ID}
        id_token = jwt.encode(id_claims, self.signing_key, algorithm="RS256", headers=headers)
        return 200, {"access_token": access_token, "id_token": id_token, "token_type": "Bearer"}

    def userinfo(self, authorization: str) -> tuple[int, dict[str, Any]]:
        claims = self.access.get(authorization.removeprefix("Bearer "))
        return (200, claims) if claims is not None else (401, {"error": "invalid_token"})

    def jwks(self) -> tuple[int, dict[str, Any]]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return 200, {"keys": [{**public, "kid": KEY_ID, "alg": "RS256", "use": "sig"}]}

    def _client_proven(self, form: dict[str, str], grant: Grant) -> bool:
        """The client's secret, the address the code was sent to, and PKCE's verifier."""
        verifier = form.get("code_verifier", "").encode()
        challenge = urlsafe_b64encode(sha256(verifier).digest()).decode().rstrip("=")
        return (
            form.get("client_id") == CLIENT_ID
            and form.get("client_secret") == CLIENT_SECRET
            and form.get("redirect_uri") == grant.redirect_uri
            and challenge == grant.challenge
        )


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        provider: LoopbackProvider = self.server.owner  # type: ignore[attr-defined]
        provider.received.append(f"GET {self.path}")
        if self.path == "/jwks":
            self._reply(*provider.jwks())
        elif self.path == "/userinfo":
            self._reply(*provider.userinfo(self.headers.get("Authorization", "")))
        else:
            self._reply(404, {"error": "not_found"})

    def do_POST(self) -> None:
        provider: LoopbackProvider = self.server.owner  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        form = {name: values[0] for name, values in parse_qs(body).items()}
        provider.received.append(f"POST {self.path}")
        if self.path == "/token":
            self._reply(*provider.token(form))
        else:
            self._reply(404, {"error": "not_found"})

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the tests read what the provider granted instead."""

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
