"""Driving a database outage against a running TARSy and recording what its clients saw."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import yaml
from psycopg.rows import dict_row

from tests.faults.counting_model import CountingModel
from tests.support.pg import StoppablePostgres
from tests.support.server import RunningTarsy, write_config

KEY_ENV = "FAULTS_TEST_API_KEY"
KEY = "faults-key-123"
PROVIDER = "fake-openai"
ENDED = {"completed", "failed", "cancelled", "timed_out"}
AGENTS = ("Collector", "Analyst", "ExecSummaryAgent")

CHAIN: dict[str, Any] = {
    "agents": {
        "Collector": {"custom_instructions": "Collect facts."},
        "Analyst": {"custom_instructions": "Explain the root cause."},
    },
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "collect", "agent": "Collector"}, {"name": "analyse", "agent": "Analyst"}],
        }
    },
}


def fault_config(directory: Path, model: CountingModel, *, queue: dict[str, Any] | None = None) -> Path:
    """Two stages and the executive summary, every agent on the counting model."""
    tarsy = {
        **CHAIN,
        "defaults": {"llm_provider": PROVIDER},
        "system": {"sse_ping_interval": "2s", "database": {"pool_timeout": "2s"}},
    }
    write_config(
        directory, script={}, tarsy=tarsy, queue={"worker_count": 4, "max_concurrent_sessions": 8, **(queue or {})}
    )
    provider = {
        "type": "openai",
        "model": "gpt-fault",
        "base_url": f"{model.base_url}/v1",
        "api_key_env": KEY_ENV,
        "max_retries": 0,
        "timeout": "30s",
    }
    (directory / "llm-providers.yaml").write_text(yaml.safe_dump({"llm_providers": {PROVIDER: provider}}))
    return directory


@asynccontextmanager
async def worker_processes(config: Path, database_url: str, count: int) -> AsyncIterator[list[subprocess.Popen[bytes]]]:
    """``tarsy worker`` replicas (two worker tasks each), stopped with SIGTERM at the end."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TARSY_CONFIG_DIR": str(config),
        "TARSY_WORKERS": "2",
        "TARSY_LOG_LEVEL": "WARNING",
        KEY_ENV: KEY,
    }
    procs = [subprocess.Popen([sys.executable, "-m", "tarsy.cli", "worker"], env=env) for _ in range(count)]
    try:
        yield procs
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass
class OutageLog:
    """What clients got while the database was away."""

    health: list[int] = field(default_factory=list)  # status codes; 0 = no answer within the client timeout
    health_bodies: list[dict[str, Any]] = field(default_factory=list)
    api: list[httpx.Response] = field(default_factory=list)


async def probe_health(client: httpx.AsyncClient, log: OutageLog, until: asyncio.Event) -> None:
    while not until.is_set():
        try:
            resp = await client.get("/health", timeout=2.0)
            log.health.append(resp.status_code)
            log.health_bodies.append(resp.json())
        except httpx.TimeoutException:
            log.health.append(0)
        await asyncio.sleep(0.25)


async def probe_api(client: httpx.AsyncClient, log: OutageLog, session_id: str) -> None:
    alert = {"alert_type": "kubernetes", "data": {"pod": "pod-99", "reason": "OOMKilled"}}
    log.api.append(await client.post("/api/v1/alerts", json=alert, timeout=10))
    log.api.append(await client.get(f"/api/v1/sessions/{session_id}", timeout=10))


async def database_outage(pg: StoppablePostgres, api: RunningTarsy, seconds: float, session_id: str) -> OutageLog:
    """Stop the database for ``seconds`` while probing health and the API, then start it again."""
    log = OutageLog()
    await asyncio.to_thread(pg.stop_server)
    done = asyncio.Event()
    health = asyncio.create_task(probe_health(api.client, log, done))
    try:
        await probe_api(api.client, log, session_id)
        await asyncio.sleep(max(0.0, seconds - 2.0))
    finally:
        done.set()
        await health
    await asyncio.to_thread(pg.start_server)
    return log


async def wait_in_flight(model: CountingModel, calls: int, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while sum(model.calls.values()) < calls:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"only {sum(model.calls.values())} model calls started: {model.calls}")
        await asyncio.sleep(0.05)


async def wait_ended(client: httpx.AsyncClient, session_ids: list[str], timeout: float = 150) -> list[dict[str, Any]]:
    """Poll until every session ended; 503s right after the outage are retried like any client would."""
    deadline = asyncio.get_running_loop().time() + timeout
    ended: dict[str, dict[str, Any]] = {}
    while len(ended) < len(session_ids):
        for session_id in session_ids:
            if session_id in ended:
                continue
            resp = await client.get(f"/api/v1/sessions/{session_id}", timeout=10)
            if resp.status_code == 200 and resp.json()["status"] in ENDED:
                ended[session_id] = resp.json()
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"sessions not ended after {timeout}s: {set(session_ids) - set(ended)}")
        await asyncio.sleep(0.2)
    return [ended[s] for s in session_ids]


async def wait_chat_ended(client: httpx.AsyncClient, session_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        resp = await client.get(f"/api/v1/sessions/{session_id}/chat", timeout=10)
        if resp.status_code == 200:
            chat: dict[str, Any] = resp.json()
            if chat["messages"] and chat["messages"][-1]["status"] in ENDED:
                return chat
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the chat answer did not end within {timeout}s")
        await asyncio.sleep(0.2)


async def stored_events(database_url: str, session_ids: list[str]) -> list[dict[str, Any]]:
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        cur = await conn.execute(
            "SELECT id, session_id::text AS session_id, event_type, payload FROM events"
            " WHERE session_id::text = ANY(%s) ORDER BY id",
            (session_ids,),
        )
        return list(await cur.fetchall())
