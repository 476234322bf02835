"""TARSy's side of ``holmes_compare.py``: ``tarsy serve`` in a subprocess, driven through its HTTP API.

The server runs on an embedded PostgreSQL in a temporary folder, with a config of one chain, one
agent and the benchmark's stdio MCP server, and an ``openai`` provider pointed at the fake model.
Each investigation is timed from ``POST /api/v1/alerts`` until its terminal ``session.status``
event arrives on ``GET /api/v1/sessions/{id}/events`` (what the dashboard waits for); server
start-up is not timed.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import yaml

from tarsy.build_info import version

ROOT = Path(__file__).resolve().parents[1]
ALERT_TYPE, CHAIN, AGENT, SERVER = "BenchAlert", "bench", "BenchAgent", "bench"
ALERT = {"alertname": "KubePodCrashLooping", "namespace": "default", "pod": "api-1", "reason": "CrashLoopBackOff"}
TERMINAL = {"completed", "failed", "cancelled", "timed_out"}
KEY_ENV = "BENCH_FAKE_MODEL_KEY"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_config(directory: Path, model_base_url: str, mcp_command: list[str]) -> None:
    """tarsy.yaml and llm-providers.yaml: the fake model, one chain, one agent, one stdio server."""
    transport = {"type": "stdio", "command": mcp_command[0], "args": mcp_command[1:]}
    tarsy = {
        "defaults": {"llm_provider": "fake", "strategy": "native-thinking", "max_iterations": 10},
        # The built-in kubernetes-server would be started through npx for health checks although no
        # chain here uses it: it gets the benchmark's server too, so nothing reaches the network.
        "mcp_servers": {name: {"transport": transport} for name in (SERVER, "kubernetes-server")},
        "agents": {AGENT: {"description": "Investigates pods.", "mcp_servers": [SERVER]}},
        "agent_chains": {
            CHAIN: {
                "alert_types": [ALERT_TYPE],
                "stages": [{"name": "investigate", "agent": AGENT}],
                "chat": {"enabled": False},
            }
        },
        "queue": {"worker_count": 1},
    }
    providers = {
        "llm_providers": {
            "fake": {"type": "openai", "model": "fake", "base_url": model_base_url, "api_key_env": KEY_ENV}
        }
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "tarsy.yaml").write_text(yaml.safe_dump(tarsy), encoding="utf-8")
    (directory / "llm-providers.yaml").write_text(yaml.safe_dump(providers), encoding="utf-8")


def _server_env(workdir: Path, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TARSY_CONFIG_DIR": str(workdir / "config"),
            "TARSY_DATA_DIR": str(workdir / "data"),
            "TARSY_HOST": "127.0.0.1",
            "TARSY_PORT": str(port),
            "TARSY_DEMO": "0",
            "TARSY_LOG_LEVEL": "WARNING",
            KEY_ENV: "bench-fake-key",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        }
    )
    env.pop("DATABASE_URL", None)
    return env


def _open_log(log: Path) -> BinaryIO:
    return log.open("wb")


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-4000:]


async def _wait_ready(client: httpx.AsyncClient, proc: asyncio.subprocess.Process, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"tarsy serve exited with {proc.returncode}:\n{_tail(log)}")
        try:
            if (await client.get("/health/ready")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"tarsy serve was not ready after {timeout:.0f}s:\n{_tail(log)}")


@asynccontextmanager
async def tarsy_server(workdir: Path, *, start_timeout: float = 180.0) -> AsyncIterator[httpx.AsyncClient]:
    """``tarsy serve`` on a free loopback port; yields a client for it and stops it on exit."""
    port = _free_port()
    log = workdir / "tarsy.log"
    with _open_log(log) as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tarsy.cli",
            "serve",
            cwd=workdir,
            env=_server_env(workdir, port),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            await _wait_ready(client, proc, log, start_timeout)
            yield client
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), timeout=30)
            except TimeoutError:
                proc.kill()
                await proc.wait()


async def _terminal_status(client: httpx.AsyncClient, session_id: str) -> str:
    """Follow the session's event stream until its terminal ``session.status``; returns that status."""
    event = ""
    async with client.stream("GET", f"/api/v1/sessions/{session_id}/events") as resp:
        resp.raise_for_status()
        async for line in resp.aiter_lines():
            if line.startswith("event:"):
                event = line.partition(":")[2].strip()
            elif line.startswith("data:") and event == "session.status":
                status = str(json.loads(line.partition(":")[2]).get("status", ""))
                if status in TERMINAL:
                    return status
    raise RuntimeError(f"session {session_id}: the event stream ended without a terminal status")


async def investigate(client: httpx.AsyncClient) -> float:
    """One investigation through the API; seconds from the POST until the terminal status event."""
    start = time.perf_counter()
    resp = await client.post("/api/v1/alerts", json={"alert_type": ALERT_TYPE, "data": ALERT})
    if resp.status_code != 202:
        raise RuntimeError(f"POST /api/v1/alerts answered {resp.status_code}: {resp.text}")
    session_id = str(resp.json()["session_id"])
    status = await _terminal_status(client, session_id)
    elapsed = time.perf_counter() - start
    if status != "completed":
        body: dict[str, Any] = (await client.get(f"/api/v1/sessions/{session_id}")).json()
        raise RuntimeError(f"session {session_id} ended {status}: {body.get('error_message') or body}")
    return elapsed


class TarsyProcess:
    """A running ``tarsy serve``: one investigation per ``investigate()``, through the HTTP API."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.version = version()

    async def investigate(self) -> float:
        return await investigate(self.client)


@asynccontextmanager
async def tarsy_process(workdir: Path, model_base_url: str, mcp_command: list[str]) -> AsyncIterator[TarsyProcess]:
    """TARSy configured for the benchmark in ``workdir``, serving and ready; stopped on exit."""
    write_config(workdir / "config", model_base_url, mcp_command)
    async with tarsy_server(workdir) as client:
        yield TarsyProcess(client)
