"""The documented scale-out layout: API replicas and worker replicas as separate processes on one
PostgreSQL. Sessions run exactly once, cancels cross processes, a killed worker's session resumes
on the other, and an SSE client that moves between API replicas loses and doubles nothing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.support.server import free_port, read_sse, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCRIPT = {
    "agents": {
        "Collector": [{"sleep_s": 0.2, "text": "Facts: pod api-1 restarted 12 times, exit code 137."}],
        "Analyst": [{"sleep_s": 4, "text": "Root cause: OOMKilled (exit code 137)."}],
        "Sleeper": [{"sleep_s": 120, "text": "never reached"}],
        "*": [{"text": "Summary: OOMKilled."}],
    }
}
CHAINS: dict[str, Any] = {
    "agents": {"Collector": {}, "Analyst": {}, "Sleeper": {}},
    "agent_chains": {
        "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "collect", "agent": "Collector"}]},
        "two-stage": {
            "alert_types": ["two-stage"],
            "stages": [{"name": "collect", "agent": "Collector"}, {"name": "analyse", "agent": "Analyst"}],
        },
        "slow": {"alert_types": ["slow"], "stages": [{"name": "wait", "agent": "Sleeper"}]},
    },
}


@dataclass
class Replica:
    name: str
    proc: subprocess.Popen[bytes]
    url: str | None = None


@dataclass
class Cluster:
    apis: list[Replica]
    workers: list[Replica]
    database_url: str

    def client(self, index: int) -> httpx.AsyncClient:
        url = self.apis[index].url
        assert url is not None
        return httpx.AsyncClient(base_url=url, timeout=30)


def _env(config: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TARSY_CONFIG_DIR": str(config),
        "DATABASE_URL": database_url,
        "TARSY_LOG_LEVEL": "WARNING",
        **extra,
    }


async def _ready(replica: Replica, log: Path) -> None:
    assert replica.url is not None
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            if replica.proc.poll() is not None:
                raise AssertionError(f"{replica.name} exited: {log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(f"{replica.url}/health", timeout=2)).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{replica.name} never became healthy: {log.read_text()[-3000:]}")


@contextlib.contextmanager
def _stopping(replicas: list[Replica]) -> Iterator[None]:
    try:
        yield
    finally:
        for replica in replicas:
            if replica.proc.poll() is None:
                replica.proc.terminate()
        for replica in replicas:
            try:
                replica.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                replica.proc.kill()
                replica.proc.wait()


@contextlib.asynccontextmanager
async def cluster(tmp_path: Path, database_url: str, *, apis: int, workers: int) -> AsyncIterator[Cluster]:
    config = write_config(tmp_path / "cfg", script=SCRIPT, tarsy=CHAINS, queue={"max_concurrent_sessions": 10})
    replicas: list[Replica] = []
    with _stopping(replicas):
        for index in range(apis):
            port = free_port()
            log = tmp_path / f"api-{index}.log"
            env = _env(config, database_url, TARSY_PORT=str(port), TARSY_WORKERS="0")
            proc = subprocess.Popen(
                [sys.executable, "-m", "tarsy.cli", "serve"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
            )
            replicas.append(Replica(f"api-{index}", proc, f"http://127.0.0.1:{port}"))
            await _ready(replicas[-1], log)
        for index in range(workers):
            log = tmp_path / f"worker-{index}.log"
            env = _env(config, database_url, TARSY_WORKERS="2")
            proc = subprocess.Popen(
                [sys.executable, "-m", "tarsy.cli", "worker"], env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT
            )
            replicas.append(Replica(f"worker-{index}", proc))
        yield Cluster(replicas[:apis], replicas[apis:], database_url)


async def _submit(client: httpx.AsyncClient, alert_type: str = "kubernetes") -> str:
    resp = await client.post("/api/v1/alerts", json={"alert_type": alert_type, "data": {"pod": "api-1"}})
    assert resp.status_code == 202, resp.text
    session_id: str = resp.json()["session_id"]
    return session_id


async def _wait(client: httpx.AsyncClient, session_id: str, statuses: set[str], timeout: float = 90) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body: dict[str, Any] = (await client.get(f"/api/v1/sessions/{session_id}")).json()
        if body["status"] in statuses:
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"session {session_id} still {body['status']} after {timeout}s")
        await asyncio.sleep(0.1)


async def _rows(database_url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(sql.encode(), params)
        return await cur.fetchall()


async def test_thirty_sessions_run_exactly_once_and_cancel_crosses_processes(tmp_path: Path, database_url: str) -> None:
    async with cluster(tmp_path, database_url, apis=1, workers=2) as c, c.client(0) as api:
        ids = await asyncio.gather(*(_submit(api) for _ in range(30)))
        slow = await _submit(api, "slow")
        for session_id in ids:
            assert (await _wait(api, session_id, {"completed", "failed"}))["status"] == "completed"
        await _wait(api, slow, {"in_progress"})
        resp = await api.post(f"/api/v1/sessions/{slow}/cancel")
        assert resp.status_code in (200, 202), resp.text
        assert (await _wait(api, slow, {"cancelled", "completed", "failed"}, timeout=60))["status"] == "cancelled"

    rows = await _rows(
        database_url,
        "SELECT s.id::text, s.attempts, s.worker_id, count(l.id) FROM alert_sessions s"
        " LEFT JOIN llm_interactions l ON l.session_id = s.id WHERE s.alert_type = 'kubernetes'"
        " GROUP BY s.id",
    )
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert {r[1] for r in rows} == {1}, "every session was claimed exactly once"
    assert {r[3] for r in rows} == {2}, "one investigation call and one executive summary per session"
    owners = {w.name for r in rows for w in c.workers if f"-{w.proc.pid}-" in str(r[2])}  # ids name the pid
    assert owners == {"worker-0", "worker-1"}, "both workers took sessions"


async def test_killed_worker_resumes_elsewhere_and_sse_moves_between_api_replicas(
    tmp_path: Path, database_url: str
) -> None:
    async with cluster(tmp_path, database_url, apis=2, workers=2) as c, c.client(0) as first, c.client(1) as second:
        session_id = await _submit(first, "two-stage")
        early = await read_sse(first, f"/api/v1/sessions/{session_id}/events", limit=3)
        body = await _wait(first, session_id, {"in_progress"})
        for _ in range(600):
            body = (await first.get(f"/api/v1/sessions/{session_id}")).json()
            if any(s["stage_index"] == 1 and s["status"] == "active" for s in body["stages"]):
                break
            await asyncio.sleep(0.05)
        ((owner,),) = await _rows(database_url, "SELECT worker_id FROM alert_sessions WHERE id = %s", session_id)
        victim = next(w for w in c.workers if f"-{w.proc.pid}-" in str(owner))
        victim.proc.send_signal(signal.SIGKILL)
        victim.proc.wait(timeout=10)

        rest = await read_sse(second, f"/api/v1/sessions/{session_id}/events", last_event_id=early[-1]["id"])
        session = await _wait(second, session_id, {"completed", "failed"}, timeout=90)
        full = await read_sse(second, f"/api/v1/sessions/{session_id}/events")
        timeline = (await second.get(f"/api/v1/sessions/{session_id}/timeline")).json()

    assert session["status"] == "completed", session
    assert session["final_analysis"] == "Root cause: OOMKilled (exit code 137)."
    ((attempts, final_owner),) = await _rows(
        database_url, "SELECT attempts, worker_id FROM alert_sessions WHERE id = %s", session_id
    )
    assert attempts == 2 and final_owner != owner, "resumed by the other worker"
    responses = [e["content"] for e in timeline if e["event_type"] == "llm_response" and e["status"] == "completed"]
    assert responses.count("Facts: pod api-1 restarted 12 times, exit code 137.") == 1, "stage 1 not redone"
    followed = [e["id"] for e in early + rest if "id" in e]
    assert followed == [e["id"] for e in full if "id" in e], "nothing lost or doubled across the replica switch"
    assert len(set(followed)) == len(followed)
