"""Origin and Host checks over real HTTP: cross-site writes and DNS rebinding are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.api.origin import OriginPolicy
from tarsy.config import SystemConfig
from tests.security.conftest import auth_config
from tests.support.server import running_tarsy

pytestmark = [pytest.mark.e2e]

ALERT = {"data": {"pod": "api-1"}}


async def test_state_changes_from_another_origin_are_refused(tmp_path: Path, database_url: str) -> None:
    config = auth_config(tmp_path, allowed_origins=["https://ops.example.com"])
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        evil = await tarsy.client.post("/api/v1/alerts", json=ALERT, headers={"Origin": "https://evil.example"})
        assert evil.status_code == 403
        assert evil.json()["error"]["code"] == "origin_not_allowed"
        assert "system.allowed_origins" in evil.json()["error"]["message"]
        null = await tarsy.client.post("/api/v1/alerts", json=ALERT, headers={"Origin": "null"})
        assert null.status_code == 403
        for origin in (
            tarsy.base_url,
            "https://ops.example.com",
            "http://127.0.0.1:8080",
        ):  # served, listed, dashboard_url
            resp = await tarsy.client.post("/api/v1/alerts", json=ALERT, headers={"Origin": origin})
            assert resp.status_code == 202, (origin, resp.text)
        assert (await tarsy.client.post("/api/v1/alerts", json=ALERT)).status_code == 202  # not a browser
        # Reads are not state changes (and get no CORS headers, so another site cannot read them).
        read = await tarsy.client.get("/api/v1/sessions", headers={"Origin": "https://evil.example"})
        assert read.status_code == 200
        assert "access-control-allow-origin" not in read.headers


async def test_unknown_host_headers_are_refused(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(auth_config(tmp_path), database_url, workers=0) as tarsy:
        rebound = await tarsy.client.get("/api/v1/sessions", headers={"Host": "attacker.example:8080"})
        assert rebound.status_code == 400
        assert rebound.json()["error"]["code"] == "host_not_allowed"
        assert "system.allowed_hosts" in rebound.json()["error"]["message"]
        sse = await tarsy.client.get("/api/v1/sessions/events", headers={"Host": "attacker.example"})
        assert sse.status_code == 400
        for host in ("localhost:1234", "127.0.0.1", "[::1]:9"):
            assert (await tarsy.client.get("/api/v1/sessions", headers={"Host": host})).status_code == 200
        # Health probes come with whatever Host the prober uses.
        assert (await tarsy.client.get("/health", headers={"Host": "10.0.0.7:8080"})).status_code == 200


async def test_allowed_hosts_replaces_the_default(tmp_path: Path, database_url: str) -> None:
    config = auth_config(tmp_path, allowed_hosts=["tarsy.internal"])
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        assert (await tarsy.client.get("/api/v1/sessions")).status_code == 400
        ok = await tarsy.client.get("/api/v1/sessions", headers={"Host": "tarsy.internal:8080"})
        assert ok.status_code == 200


def test_default_hosts_follow_the_dashboard_url_and_the_bind_address() -> None:
    system = SystemConfig(dashboard_url="https://tarsy.example.com/")
    public = OriginPolicy.build(system, "0.0.0.0")
    assert public.hosts == frozenset({"tarsy.example.com"})
    assert public.origins == frozenset({"https://tarsy.example.com"})
    assert OriginPolicy.build(system, "10.0.0.5").hosts == frozenset({"tarsy.example.com", "10.0.0.5"})
    assert OriginPolicy.build(system, "127.0.0.1").hosts == frozenset(
        {"tarsy.example.com", "127.0.0.1", "localhost", "::1"}
    )
    assert OriginPolicy.build(SystemConfig(allowed_hosts=["*"]), "0.0.0.0").hosts is None
