"""A real TARSy (uvicorn on a free loopback port) inside the test's event loop."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import yaml
from fastapi import FastAPI
from opentelemetry.sdk.trace.export import SpanExporter

from tarsy.api.app import create_app
from tarsy.memory.embeddings import Embedder
from tarsy.nodes.context import ToolExecutor
from tarsy.runtime.service import Services
from tarsy.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def write_config(
    directory: Path,
    *,
    script: dict[str, Any],
    tarsy: dict[str, Any] | None = None,
    queue: dict[str, Any] | None = None,
) -> Path:
    """A config dir whose default provider is a scripted model playing ``script``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "script.json").write_text(json.dumps(script))
    providers = {
        "llm_providers": {
            "test-scripted": {
                "type": "scripted",
                "script": str(directory / "script.json"),
                "model": "test-model",
            }
        }
    }
    doc: dict[str, Any] = {
        "defaults": {"llm_provider": "test-scripted"},
        # The built-in kubernetes-server would be fetched with npx and needs a cluster: tests get the
        # simulated cluster of the demo MCP server under the same name instead.
        "mcp_servers": {
            "kubernetes-server": {
                "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
                "instructions": "A simulated cluster for tests.",
            }
        },
        # /health gives its database check system.database.health_timeout (1 s); a loaded test machine
        # can starve the event loop that long, and tests reading queue figures from /health must not flake.
        "system": {"database": {"health_timeout": "10s"}},
        "queue": {
            "worker_count": 2,
            "poll_interval": "100ms",
            "poll_interval_jitter": "50ms",
            "heartbeat_interval": "500ms",
            "orphan_threshold": "3s",
            "graceful_shutdown_timeout": "5s",
            **(queue or {}),
        },
    }
    for key, value in (tarsy or {}).items():
        doc[key] = {**doc[key], **value} if key == "mcp_servers" else value
    (directory / "tarsy.yaml").write_text(yaml.safe_dump(doc))
    (directory / "llm-providers.yaml").write_text(yaml.safe_dump(providers))
    return directory


@dataclass
class RunningTarsy:
    base_url: str
    app: FastAPI
    client: httpx.AsyncClient

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services

    async def submit(self, data: Any = None, **body: Any) -> str:
        payload = {"alert_type": "kubernetes", "data": data or {"pod": "api-1", "reason": "CrashLoopBackOff"}}
        payload.update(body)
        resp = await self.client.post("/api/v1/alerts", json=payload)
        assert resp.status_code == 202, resp.text
        session_id: str = resp.json()["session_id"]
        return session_id

    async def wait_status(self, session_id: str, statuses: set[str], timeout: float = 30) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            body: dict[str, Any] = (await self.client.get(f"/api/v1/sessions/{session_id}")).json()
            if body["status"] in statuses:
                return body
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"session {session_id} still {body['status']} after {timeout}s")
            await asyncio.sleep(0.05)


@asynccontextmanager
async def running_tarsy(
    config_dir: Path,
    database_url: str,
    *,
    workers: int | None = None,
    env: dict[str, str] | None = None,
    tools: ToolExecutor | None = None,
    span_exporter: SpanExporter | None = None,
    embedder: Embedder | None = None,
) -> AsyncIterator[RunningTarsy]:
    port = free_port()
    environ = {
        "TARSY_CONFIG_DIR": str(config_dir),
        "DATABASE_URL": database_url,
        "TARSY_PORT": str(port),
        **({"TARSY_WORKERS": str(workers)} if workers is not None else {}),
        **(env or {}),
    }
    settings = Settings.from_env(environ)
    app = create_app(settings, env=environ, tools=tools, span_exporter=span_exporter, embedder=embedder)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server stopped during start-up")
            await asyncio.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            yield RunningTarsy(base, app, client)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


async def read_sse(
    client: httpx.AsyncClient, path: str, *, last_event_id: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Read an SSE stream to its end (or ``limit`` events): [{id, event, data}]."""
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async with client.stream("GET", path, headers=headers, timeout=60) as resp:
        assert resp.status_code == 200, await resp.aread()
        async for line in resp.aiter_lines():
            if line.startswith(":"):
                continue
            if not line:
                if "event" in current:
                    current["data"] = json.loads(current.get("data", "null"))
                    events.append(current)
                    if limit is not None and len(events) >= limit:
                        break
                current = {}
                continue
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "id":
                current["id"] = int(value)
            elif field == "data":
                current["data"] = current.get("data", "") + value
            elif field == "event":
                current["event"] = value
    return events
