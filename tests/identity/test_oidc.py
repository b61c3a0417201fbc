"""OIDC single sign-on: ID tokens checked against a real local JWKS endpoint (no mocks)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine

from reimburse.core.settings import Settings
from tests.api_helpers import demo_api

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    state: dict[str, Any] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/.well-known/openid-configuration":
                body = {"issuer": state["url"], "jwks_uri": state["url"] + "/jwks"}
            elif self.path == "/jwks":
                body = {"keys": [jwk]}
            else:
                self.send_response(404)
                self.end_headers()
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["url"] = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state["url"]
    server.shutdown()


def token(
    iss: str, *, user: str = "alice", aud: str = "reimburse-web", exp: int = 300, key: Any = KEY
) -> str:
    now = int(time.time())
    claims = {
        "iss": iss,
        "aud": aud,
        "sub": f"id-{user}",
        "preferred_username": user,
        "iat": now,
        "exp": now + exp,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_id_tokens_of_the_issuer_sign_people_in_and_nothing_else_does(
    migrated_engine: Engine, settings: Settings, issuer: str
) -> None:
    sso = settings.model_copy(update={"oidc_issuer": issuer, "oidc_audience": "reimburse-web"})
    with demo_api(migrated_engine, sso) as (client, _):

        def me(tok: str) -> Any:
            return client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"})

        ok = me(token(issuer))
        assert ok.status_code == 200 and ok.json()["username"] == "alice"
        assert me(token(issuer, aud="another-app")).status_code == 401
        assert me(token(issuer, exp=-60)).status_code == 401
        assert me(token("https://evil.example")).status_code == 401
        assert me(token(issuer, key=OTHER)).status_code == 401  # signed by someone else
        assert me(token(issuer, user="nobody")).status_code == 401  # SSO does not create people
    with demo_api(migrated_engine, settings) as (client, _):  # without OIDC configured
        assert (
            client.get("/api/v1/me", headers={"Authorization": f"Bearer {token(issuer)}"}).status_code == 401
        )
