"""The replay server, as a real MCP client sees it over stdio (``python -m tarsy.evals.replay``):
kubernetes-mcp-server 0.0.67's exact tools, recorded answers, "not found" for the rest, and every
call appended to the calls file."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import TextContent

from tarsy.evals.replay import read_calls
from tarsy.evals.scenario import TOOLS_FILE, load_scenario

from .conftest import ROOT, SCENARIOS

POD = "payments-api-6d8f7c9b5d-x2k4q"


@asynccontextmanager
async def replay_client(tmp_path: Path) -> AsyncIterator[tuple[ClientSession, Path]]:
    """A real MCP client over stdio (entered and left in the test's own task, as anyio requires)."""
    calls = tmp_path / "calls.jsonl"
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "tarsy.evals.replay", "--scenario", str(SCENARIOS / "oomkilled-basic"), "--calls", str(calls)],
    )
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        yield session, calls


def _text(result: object) -> str:
    content = result.content  # type: ignore[attr-defined]
    assert isinstance(content[0], TextContent)
    return content[0].text


async def test_serves_the_recorded_tools_verbatim(tmp_path: Path) -> None:
    async with replay_client(tmp_path) as (session, _):
        served = (await session.list_tools()).tools
    recorded = json.loads((ROOT / "tarsy" / "evals" / TOOLS_FILE).read_text("utf-8"))

    assert [t.name for t in served] == [t["name"] for t in recorded]
    for tool, spec in zip(served, recorded, strict=True):
        assert tool.description == spec["description"]
        assert tool.inputSchema == spec["inputSchema"]


async def test_answers_recorded_and_unrecorded_calls_and_records_them(tmp_path: Path) -> None:
    scenario = load_scenario(SCENARIOS / "oomkilled-basic")

    async with replay_client(tmp_path) as (session, calls):
        log = await session.call_tool("pods_log", {"namespace": "payments", "name": POD, "previous": True, "tail": 50})
        missing = await session.call_tool("pods_get", {"namespace": "payments", "name": "payments-api-x"})
        deployment = await session.call_tool(
            "resources_get", {"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "payments", "name": "nope"}
        )
        events = await session.call_tool("events_list", {"namespace": "kube-system"})
        unknown = await session.call_tool("pods_delete", {"name": POD})

    assert not log.isError and _text(log) == scenario.answers[2].text  # the previous log, tail ignored
    assert missing.isError
    assert _text(missing) == 'failed to get pod payments-api-x in namespace payments: pods "payments-api-x" not found'
    assert _text(deployment) == 'failed to get resource: deployments.apps "nope" not found'
    assert not events.isError and _text(events) == "# No events found"
    assert unknown.isError
    recorded = read_calls(calls)
    assert [(c.tool, c.recording, c.is_error) for c in recorded] == [
        ("pods_log", 2, False),
        ("pods_get", None, True),
        ("resources_get", None, True),
        ("events_list", None, False),
        ("pods_delete", None, True),
    ]
    assert recorded[0].args == {"namespace": "payments", "name": POD, "previous": True, "tail": 50}


async def test_refuses_arguments_outside_the_schema(tmp_path: Path) -> None:
    async with replay_client(tmp_path) as (session, calls):
        result = await session.call_tool("pods_get", {"namespace": "payments"})

    assert result.isError
    assert "name" in _text(result)
    assert read_calls(calls) == []  # refused before it reached the scenario
