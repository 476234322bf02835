"""The tool layer over streamable HTTP and SSE, against the tiny server on a loopback port."""

from __future__ import annotations

from typing import Any

import pytest

from tarsy.config import TarsyConfig
from tarsy.nodes.context import ToolOutcome, ToolRequest
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.health import McpHealth
from tarsy.tools.limits import McpSettings
from tarsy.tools.sessions import McpSessions
from tests.integration.tools.http_server import free_port, tiny_http_server
from tests.unit.tools.factories import Lines, eventually, make_agent, make_config, scope

pytestmark = [pytest.mark.integration]

SETTINGS = McpSettings(open_timeout=15.0, close_timeout=2.0, health_interval=0.2, health_max_backoff=0.4)


def _config(url: str, transport: str = "http", **extra: Any) -> TarsyConfig:
    return make_config({"web": {"transport": {"type": transport, "url": url, "timeout": 5, **extra}}})


async def _execute(
    tools: McpToolExecutor, config: TarsyConfig, tool: str, lines: Lines | None = None, **args: Any
) -> ToolOutcome:
    return await tools.execute(
        make_agent(config, servers=("web",)), ToolRequest(f"web.{tool}", args, "c"), scope(lines)
    )


async def test_calls_and_live_output_over_streamable_http(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_MCP_TOKEN", "not-checked-by-the-tiny-server")
    with tiny_http_server("http") as server:
        config = _config(server.url, bearer_token_env="WEB_MCP_TOKEN", headers={"X-Team": "sre"})
        recorder, lines = MemoryRecorder(), Lines()
        async with McpSessions(config, settings=SETTINGS) as sessions:
            tools = McpToolExecutor(config, sessions, recorder, models=None)  # type: ignore[arg-type]
            specs = await tools.list_tools(make_agent(config, servers=("web",)))
            echo = await _execute(tools, config, "echo", text="over http")
            pids = {(await _execute(tools, config, "pid")).content for _ in range(3)}
            slow = await _execute(tools, config, "slow", lines, seconds=0.3)
    assert "web.echo" in {spec.name for spec in specs}
    assert echo.content == "over http"
    assert pids == {str(server.process.pid)}
    assert slow.content == "slow done"
    assert "[progress 3/3] step 3\n" in lines.lines and "[info] working on step 3\n" in lines.lines


async def test_a_restarted_http_server_is_reconnected_on_the_next_call() -> None:
    port = free_port()
    recorder = MemoryRecorder()
    with tiny_http_server("http", port) as first:
        config = _config(first.url)
        sessions = McpSessions(config, settings=SETTINGS)
        tools = McpToolExecutor(config, sessions, recorder, models=None)  # type: ignore[arg-type]
        before = await _execute(tools, config, "pid")
    down = await _execute(tools, config, "pid")
    with tiny_http_server("http", port) as second:
        after = await _execute(tools, config, "pid")
        await sessions.aclose()
    assert before.content == str(first.process.pid)
    assert down.is_error and down.content.startswith("Error: ")
    assert after.content == str(second.process.pid), "a fresh session to the new process"


async def test_calls_over_sse() -> None:
    with tiny_http_server("sse") as server:
        config = _config(server.url, transport="sse")
        async with McpSessions(config, settings=SETTINGS) as sessions:
            tools = McpToolExecutor(config, sessions, MemoryRecorder(), models=None)  # type: ignore[arg-type]
            outcome = await _execute(tools, config, "echo", text="over sse", times=2)
    assert outcome.content == "over sse over sse"


async def test_health_recovers_when_the_http_server_comes_up() -> None:
    port = free_port()
    health = McpHealth(_config(f"http://127.0.0.1:{port}/mcp"), settings=SETTINGS)
    await health.start()
    try:
        await eventually(lambda: health.status()["web"].status == "unhealthy")
        assert [w.server for w in health.warnings().active()] == ["web"]
        with tiny_http_server("http", port):
            await eventually(lambda: health.status()["web"].status == "healthy")
            assert health.warnings().active() == []
            assert health.status()["web"].transport == "http"
    finally:
        await health.stop()
