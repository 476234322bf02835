"""Persistent per-investigation sessions over stdio: one process, reused, replaced when it dies."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from tarsy.tools.errors import McpServerUnavailableError, McpTransportError
from tarsy.tools.limits import McpSettings
from tarsy.tools.sessions import McpSessions
from tests.unit.tools.factories import make_config, process_alive, stdio_server


async def _pid(sessions: McpSessions) -> int:
    session = await sessions.session("tiny")
    result = await session.call_tool("pid", {}, None)
    return int(result.content[0].text)  # type: ignore[union-attr]


async def test_many_calls_spawn_the_server_once() -> None:
    async with McpSessions(make_config({"tiny": stdio_server()})) as sessions:
        pids = {await _pid(sessions) for _ in range(5)}
        concurrent = await asyncio.gather(*(_pid(sessions) for _ in range(10)))
    assert len(pids) == 1
    assert set(concurrent) == pids


async def test_closing_ends_the_process_and_later_use_fails() -> None:
    sessions = McpSessions(make_config({"tiny": stdio_server()}))
    pid = await _pid(sessions)
    await sessions.aclose()
    assert not process_alive(pid)
    with pytest.raises(McpServerUnavailableError, match="investigation has ended"):
        await sessions.session("tiny")


async def test_investigations_do_not_share_processes() -> None:
    config = make_config({"tiny": stdio_server()})
    async with McpSessions(config) as first, McpSessions(config) as second:
        assert await _pid(first) != await _pid(second)


async def test_open_call_and_close_may_happen_in_different_tasks() -> None:
    """The anyio contexts live in the owner task, so no task affinity leaks to callers."""
    sessions = McpSessions(make_config({"tiny": stdio_server()}))
    await asyncio.create_task(sessions.session("tiny"))
    pid = await asyncio.create_task(_pid(sessions))
    await asyncio.create_task(sessions.aclose())
    assert not process_alive(pid)


async def test_a_killed_server_breaks_the_session_and_recreate_replaces_it() -> None:
    async with McpSessions(make_config({"tiny": stdio_server()})) as sessions:
        session = await sessions.session("tiny")
        pid = await _pid(sessions)
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(McpTransportError, match="tiny"):
            await session.call_tool("pid", {}, None)
        fresh = await sessions.recreate("tiny", session)
        assert fresh is not session
        assert await _pid(sessions) != pid


async def test_environment_is_the_named_variables_and_the_configured_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TARSY_TEST_INHERITED", "from-service")
    monkeypatch.setenv("TARSY_TEST_NOT_NAMED", "stays-home")
    server = stdio_server(env={"TARSY_TEST_OWN": "from-config"})
    server["transport"]["inherit_env"] = ["TARSY_TEST_INHERITED"]
    config = make_config({"tiny": server})
    async with McpSessions(config) as sessions:
        session = await sessions.session("tiny")
        inherited = await session.call_tool("getenv", {"name": "TARSY_TEST_INHERITED"}, None)
        own = await session.call_tool("getenv", {"name": "TARSY_TEST_OWN"}, None)
        other = await session.call_tool("getenv", {"name": "TARSY_TEST_NOT_NAMED"}, None)
    assert inherited.content[0].text == "from-service"  # type: ignore[union-attr]
    assert own.content[0].text == "from-config"  # type: ignore[union-attr]
    assert other.content[0].text == "<unset>"  # type: ignore[union-attr]


async def test_a_missing_command_is_reported_as_unavailable() -> None:
    server = {"transport": {"type": "stdio", "command": "/nonexistent/mcp-server"}}
    async with McpSessions(make_config({"ghost": server})) as sessions:
        with pytest.raises(McpServerUnavailableError, match="'ghost' is unavailable"):
            await sessions.session("ghost")


async def test_a_server_that_exits_at_start_up_is_reported_as_unavailable(tmp_path: object) -> None:
    config = make_config({"tiny": stdio_server(env={"TINY_SERVER_GATE": "/nonexistent/gate"})})
    async with McpSessions(config) as sessions:
        with pytest.raises(McpServerUnavailableError, match="process exited during start-up"):
            await sessions.session("tiny")


async def test_a_server_that_does_not_start_in_time_is_given_up() -> None:
    # `sleep` never speaks MCP: initialize gets no answer.
    server = {"transport": {"type": "stdio", "command": "sleep", "args": ["30"]}}
    settings = McpSettings(open_timeout=0.5, close_timeout=0.5)
    async with McpSessions(make_config({"mute": server}), settings=settings) as sessions:
        with pytest.raises(McpServerUnavailableError, match=r"did not start within 0\.5s"):
            await sessions.session("mute")
