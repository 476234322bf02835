"""Running one alert through a real TARSy whose default provider is a real SDK pointed at a fake.

The config dir holds a single provider of the vendor's real ``type`` with ``base_url`` set to the
fake; the API key comes from an environment variable given to the app only. Tools are a
``StaticToolExecutor`` serving a canned ``kubernetes-server.pods_list``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from langchain_core.tools import tool

from tarsy.tools.static import StaticToolExecutor
from tests.support.server import running_tarsy
from tests.wire.fake_vendor import FakeVendor

PROVIDER = "wire-provider"
KEY_ENV = "WIRE_TEST_API_KEY"
KEY = "wire-secret-key-123"
TOOL_WIRE_NAME = "kubernetes-server__pods_list"
POD_LISTING = (
    "NAME   READY  STATUS            RESTARTS  LAST TERMINATION\n"
    "api-1  0/1    CrashLoopBackOff  14        OOMKilled (limit 256Mi)"
)

_QUEUE = {
    "worker_count": 1,
    "poll_interval": "100ms",
    "poll_interval_jitter": "50ms",
    "heartbeat_interval": "500ms",
    "orphan_threshold": "3s",
    "graceful_shutdown_timeout": "5s",
}


STREAM_WINDOW = 64
"""``system.masking.stream_window_chars``: streamed text is held back this far (masking's look-ahead)."""


def write_config(
    directory: Path, provider: dict[str, Any], *, agents: dict[str, Any] | None = None, llm_attempts: int = 1
) -> Path:
    """A config dir whose only and default provider is ``provider`` (``api_key_env`` filled in),
    with ``agents`` replacing built-in agents of the same name. ``llm_attempts`` is TARSy's own
    ``defaults.llm_retry.max_attempts``: 1 by default, so a test counts exactly the vendor SDK's
    retries (``max_retries``) on the wire."""
    directory.mkdir(parents=True, exist_ok=True)
    entry = {"api_key_env": KEY_ENV, "max_retries": 0, "timeout": "20s", **provider}
    # The smallest masking window, so that live deltas stay close to the pieces the vendor streamed.
    system = {"masking": {"stream_window_chars": STREAM_WINDOW}}
    retry = {"max_attempts": llm_attempts, "initial_interval": "100ms"}
    tarsy: dict[str, Any] = {
        "defaults": {"llm_provider": PROVIDER, "llm_retry": retry},
        "queue": _QUEUE,
        "system": system,
    }
    if agents:
        tarsy["agents"] = agents
    (directory / "tarsy.yaml").write_text(yaml.safe_dump(tarsy))
    (directory / "llm-providers.yaml").write_text(yaml.safe_dump({"llm_providers": {PROVIDER: entry}}))
    return directory


@tool
def pods_list(namespace: str, label_selector: str = "") -> str:
    """List the pods of a namespace with their status, restarts and last termination reason."""
    return POD_LISTING


def kubernetes_tools() -> StaticToolExecutor:
    return StaticToolExecutor({"kubernetes-server": [pods_list]})


def no_tools() -> StaticToolExecutor:
    return StaticToolExecutor()


@dataclass
class WireRun:
    session: dict[str, Any]
    events: list[dict[str, Any]]  # persisted events and live ``stream.chunk`` deltas, in arrival order
    interactions: list[dict[str, Any]]  # llm_interactions rows, oldest first

    def completed(self, event_type: str) -> list[dict[str, Any]]:
        """``timeline_event.completed`` payloads of one timeline event type, in order."""
        return [
            e["data"]
            for e in self.events
            if e["event"] == "timeline_event.completed" and e["data"]["event_type"] == event_type
        ]

    def created(self, event_type: str) -> list[dict[str, Any]]:
        return [
            e["data"]
            for e in self.events
            if e["event"] == "timeline_event.created" and e["data"]["event_type"] == event_type
        ]

    def deltas(self, event_id: str) -> list[str]:
        return [
            e["data"]["delta"]
            for e in self.events
            if e["event"] == "stream.chunk" and e["data"]["event_id"] == event_id
        ]


async def run_alert(
    config_dir: Path,
    database_url: str,
    fake: FakeVendor,
    *,
    tools: StaticToolExecutor | None = None,
    alert: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
) -> WireRun:
    """Submit the default alert, follow its SSE stream to the end, and read back what was stored.

    The fake answers nothing until the SSE reader is subscribed, so no live delta can be missed.
    """
    gate = asyncio.Event()
    fake.hold_until(gate)
    env = {KEY_ENV: KEY, **(env or {})}
    async with running_tarsy(config_dir, database_url, env=env, tools=tools or kubernetes_tools()) as tarsy:
        session_id = await tarsy.submit(**(alert or {}))
        events = await follow(tarsy.client, f"/api/v1/sessions/{session_id}/events", on_open=gate.set)
        session: dict[str, Any] = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT * FROM llm_interactions WHERE session_id = %s ORDER BY created_at", (session_id,)
            )
            interactions = [dict(row) for row in await cur.fetchall()]
    return WireRun(session, events, interactions)


async def follow(client: httpx.AsyncClient, path: str, *, on_open: Callable[[], None]) -> list[dict[str, Any]]:
    """Read a session's SSE stream to its terminal status; ``on_open`` runs at the first event.

    The server subscribes to live events before it replays stored ones, so the first event
    arriving proves the subscription exists.
    """
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async with client.stream("GET", path, timeout=60) as resp:
        assert resp.status_code == 200, await resp.aread()
        async for line in resp.aiter_lines():
            if line.startswith(":"):
                continue
            if line:
                field, _, value = line.partition(":")
                current[field] = current.get(field, "") + value.removeprefix(" ")
                continue
            block, current = current, {}
            if "event" not in block:
                continue
            event = {"event": block["event"], "data": json.loads(block.get("data", "null"))}
            if "id" in block:
                event["id"] = int(block["id"])
            events.append(event)
            if len(events) == 1:
                on_open()
    return events
