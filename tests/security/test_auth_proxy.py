"""``system.auth.mode: proxy`` and ``none`` over real HTTP: forwarded identity only from trusted peers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.conftest import auth_config
from tests.support.server import read_sse, running_tarsy

pytestmark = [pytest.mark.e2e]

ALICE = {"X-Forwarded-User": "alice"}


async def test_proxy_mode_trusts_the_sidecar(tmp_path: Path, database_url: str) -> None:
    # The test client is the loopback peer, i.e. the oauth2-proxy sidecar of the default layout.
    auth = {"mode": "proxy", "proxy_role": "viewer", "roles": {"alice": "operator", "root@example.com": "admin"}}
    async with running_tarsy(auth_config(tmp_path, auth=auth), database_url) as tarsy:
        nobody = await tarsy.client.get("/api/v1/sessions")
        assert nobody.status_code == 401
        assert "X-Forwarded-User" in nobody.json()["error"]["message"]
        assert "WWW-Authenticate" not in nobody.headers
        who = await tarsy.client.get("/api/v1/whoami", headers={"X-Forwarded-Email": "root@example.com"})
        assert who.json() == {"name": "root@example.com", "role": "admin", "mode": "proxy"}
        bob = {"X-Forwarded-User": "bob"}
        refused = await tarsy.client.post("/api/v1/alerts", json={"data": {"pod": "x"}}, headers=bob)
        assert refused.status_code == 403
        assert "needs the operator role; bob has viewer" in refused.json()["error"]["message"]
        submitted = await tarsy.client.post("/api/v1/alerts", json={"data": {"pod": "x"}}, headers=ALICE)
        assert submitted.status_code == 202, submitted.text
        session_id = submitted.json()["session_id"]
        tarsy.client.headers.update(bob)
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        assert events[-1]["data"]["status"] == "completed"
        session = await tarsy.wait_status(session_id, {"completed"})
    assert session["author"] == "alice"


async def test_forged_identity_from_an_untrusted_peer_is_ignored(tmp_path: Path, database_url: str) -> None:
    # Only 10.0.0.0/8 is the proxy: the loopback test client is just a client sending headers.
    auth = {"mode": "proxy", "trusted_proxies": ["10.0.0.0/8"], "proxy_role": "admin"}
    async with running_tarsy(auth_config(tmp_path, auth=auth), database_url, workers=0) as tarsy:
        forged = {"X-Forwarded-User": "admin", "X-Forwarded-Email": "admin@example.com"}
        for method, path in [
            ("GET", "/api/v1/sessions"),
            ("GET", "/api/v1/whoami"),
            ("GET", "/api/v1/sessions/events"),
            ("POST", "/api/v1/alerts"),
        ]:
            resp = await tarsy.client.request(method, path, headers=forged, json={"data": {"a": 1}})
            assert resp.status_code == 401, (method, path, resp.status_code)
            assert resp.json()["error"]["code"] == "unauthenticated"
        assert (await tarsy.client.get("/health", headers=forged)).status_code == 200


async def test_none_mode_does_not_take_the_author_from_any_client(tmp_path: Path, database_url: str) -> None:
    auth = {"mode": "none", "trusted_proxies": ["10.0.0.0/8"]}
    async with running_tarsy(auth_config(tmp_path, auth=auth), database_url, workers=0) as tarsy:
        submitted = await tarsy.client.post(
            "/api/v1/alerts", json={"data": {"pod": "x"}}, headers={"X-Forwarded-User": "mallory"}
        )
        assert submitted.status_code == 202
        session = (await tarsy.client.get(f"/api/v1/sessions/{submitted.json()['session_id']}")).json()
        who = (await tarsy.client.get("/api/v1/whoami", headers={"X-Forwarded-User": "mallory"})).json()
    assert session["author"] == "api-client"
    assert who == {"name": "api-client", "role": "admin", "mode": "none"}


async def test_none_mode_takes_the_author_from_a_trusted_proxy(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(auth_config(tmp_path), database_url, workers=0) as tarsy:
        submitted = await tarsy.client.post("/api/v1/alerts", json={"data": {"pod": "x"}}, headers=ALICE)
        session = (await tarsy.client.get(f"/api/v1/sessions/{submitted.json()['session_id']}")).json()
        who = (await tarsy.client.get("/api/v1/whoami", headers=ALICE)).json()
    assert session["author"] == "alice"
    assert who == {"name": "alice", "role": "admin", "mode": "none"}
