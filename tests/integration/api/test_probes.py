"""/health/live, /health/ready (each failing check named) and the MCP section of /health."""

from __future__ import annotations

import asyncio
from pathlib import Path

import psycopg
import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

SCRIPT = {"agents": {"*": [{"text": "unused"}]}}


async def test_live_and_ready_when_everything_runs(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(write_config(tmp_path, script=SCRIPT), database_url, workers=1) as tarsy:
        live = await tarsy.client.get("/health/live")
        ready = await tarsy.client.get("/health/ready")
    assert live.status_code == 200 and live.json() == {"status": "alive"}
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["status"] == "ready" and body["failing"] == []
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["workers"] == {"status": "ok", "count": 1}


async def test_ready_names_missing_migrations(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(write_config(tmp_path, script=SCRIPT), database_url, workers=0) as tarsy:
        with psycopg.connect(database_url, autocommit=True) as conn:
            newest = conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
            assert newest is not None
            conn.execute("DELETE FROM schema_migrations WHERE version = %s", (newest[0],))
        ready = await tarsy.client.get("/health/ready")
        live = await tarsy.client.get("/health/live")
    assert ready.status_code == 503
    body = ready.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["pending"] == [newest[0]]
    assert "tarsy migrate" in body["checks"]["database"]["error"]
    assert live.status_code == 200  # liveness never depends on the database


async def test_ready_fails_when_the_database_is_gone_but_live_answers(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(write_config(tmp_path, script=SCRIPT), database_url, workers=0) as tarsy:
        await tarsy.services.pool.close()
        ready = await tarsy.client.get("/health/ready")
        live = await tarsy.client.get("/health/live")
    assert ready.status_code == 503
    assert ready.json()["failing"] == ["database"]
    assert live.status_code == 200


async def test_ready_fails_when_configured_workers_stopped(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(write_config(tmp_path, script=SCRIPT), database_url, workers=2) as tarsy:
        await tarsy.services.workers.stop(1.0)
        ready = await tarsy.client.get("/health/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["failing"] == ["workers"]
    assert body["checks"]["workers"]["count"] == 2


async def test_api_only_replica_is_ready_without_workers(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(write_config(tmp_path, script=SCRIPT), database_url, workers=0) as tarsy:
        ready = await tarsy.client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["workers"]["count"] == 0


async def test_health_reports_each_mcp_server_with_its_last_error(tmp_path: Path, database_url: str) -> None:
    broken = {
        "broken-server": {
            "transport": {"type": "stdio", "command": str(tmp_path / "no-such-binary")},
            "instructions": "never starts",
        }
    }
    uses_it = {  # a server no chain uses is never started, so never checked
        "mcp_servers": broken,
        "agents": {"BrokenAgent": {"mcp_servers": ["broken-server"]}},
        "agent_chains": {"broken": {"alert_types": ["broken"], "stages": [{"name": "look", "agent": "BrokenAgent"}]}},
    }
    config = write_config(tmp_path / "config", script=SCRIPT, tarsy=uses_it)
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        deadline = asyncio.get_running_loop().time() + 30
        while True:
            health = (await tarsy.client.get("/health")).json()
            servers = health["checks"]["mcp_servers"]
            if servers["broken-server"]["status"] == "unhealthy":
                break
            assert asyncio.get_running_loop().time() < deadline, servers
            await asyncio.sleep(0.2)
    assert set(servers) == {"kubernetes-server", "broken-server"}
    assert set(servers["broken-server"]) == {"status", "last_error"}
    assert servers["broken-server"]["last_error"]
    assert servers["kubernetes-server"]["last_error"] is None  # healthy, or not probed yet
