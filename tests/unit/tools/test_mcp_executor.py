"""``McpToolExecutor`` against the tiny stdio server: naming, selection, validation, errors, records."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator

import pytest

from tarsy.config import TarsyConfig
from tarsy.nodes.context import ToolRequest
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.limits import McpSettings
from tarsy.tools.selection import McpOverride
from tarsy.tools.sessions import McpSessions
from tests.unit.tools.factories import Lines, make_agent, make_config, scope, stdio_server

SETTINGS = McpSettings(call_timeout=30.0)
"""Room for a retry, which spawns a new server, on a busy machine; the timeout test sets its own."""


@pytest.fixture(scope="module")
def config() -> TarsyConfig:
    return make_config({"tiny": stdio_server(), "other": stdio_server()})


@pytest.fixture(scope="module")
async def sessions(config: TarsyConfig) -> AsyncIterator[McpSessions]:
    """One investigation's sessions, shared by the tests of this module (they do not break them)."""
    async with McpSessions(config, settings=SETTINGS) as shared:
        yield shared


@pytest.fixture
def recorder() -> MemoryRecorder:
    return MemoryRecorder()


def executor(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder, override: McpOverride | None = None
) -> McpToolExecutor:
    return McpToolExecutor(config, sessions, recorder, models=None, override=override)  # type: ignore[arg-type]


def request(name: str, **arguments: object) -> ToolRequest:
    return ToolRequest(name=name, arguments=dict(arguments), call_id="call-1")


async def test_tools_are_listed_with_canonical_names_and_schemas(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    tools = executor(config, sessions, recorder)
    specs = await tools.list_tools(make_agent(config))
    by_name = {spec.name: spec for spec in specs}
    assert set(by_name) == {f"tiny.{t}" for t in ("pid", "echo", "fail", "getenv", "slow", "secret", "big")}
    assert by_name["tiny.echo"].description == "Echo text, repeated."
    assert by_name["tiny.echo"].parameters["required"] == ["text"]
    assert by_name["tiny.echo"].parameters["properties"]["times"]["type"] == "integer"
    await tools.list_tools(make_agent(config))
    listings = [r for r in recorder.mcp_calls if r.interaction_type == "tool_list"]
    assert len(listings) == 1, "the listing is cached per investigation and recorded once"
    assert listings[0].server == "tiny"
    assert {"name": "pid", "description": "The server's process id."} in (listings[0].available_tools or [])


async def test_an_override_narrows_the_agents_servers_and_filters_tools(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    override = McpOverride.model_validate({"servers": [{"name": "other", "tools": ["echo", "pid"]}]})
    tools = executor(config, sessions, recorder, override)
    both = make_agent(config, servers=("tiny", "other"))
    specs = await tools.list_tools(both)
    assert sorted(spec.name for spec in specs) == ["other.echo", "other.pid"]
    refused = await tools.execute(both, request("tiny.echo", text="x"), scope())
    assert refused.is_error
    assert "server 'tiny' is not one of your MCP servers (other)" in refused.content
    # The override never adds a server the agent was not configured with.
    assert await tools.list_tools(make_agent(config, servers=("tiny",))) == []
    filtered = await tools.execute(both, request("other.fail", reason="x"), scope())
    assert filtered.is_error
    assert "unknown tool 'other.fail'. Tools of server 'other': other.echo, other.pid." in filtered.content
    # Agents that never use tools are not given the override's servers.
    assert await tools.list_tools(make_agent(config, servers=(), agent_type="synthesis")) == []


async def test_a_call_is_answered_and_recorded(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    outcome = await executor(config, sessions, recorder).execute(
        make_agent(config), request("tiny.echo", text="hello", times=2), scope()
    )
    assert outcome.content == "hello hello"
    assert not outcome.is_error and not outcome.summarized
    [record] = [r for r in recorder.mcp_calls if r.interaction_type == "tool_call"]
    assert (record.server, record.tool, record.arguments) == ("tiny", "echo", {"text": "hello", "times": 2})
    assert (record.result, record.is_error, record.error) == ("hello hello", False, None)
    assert (record.stage_id, record.execution_id, record.timeline_event_id) == ("stage-1", "exec-1", "event-1")
    assert record.duration_ms >= 0


async def test_arguments_that_do_not_match_the_schema_get_a_clear_message(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    outcome = await executor(config, sessions, recorder).execute(
        make_agent(config), request("tiny.echo", times="twice"), scope()
    )
    assert outcome.is_error
    assert outcome.content == (
        "Error: invalid arguments for tiny.echo:\n"
        "- 'text' is a required property\n"
        "- times: 'twice' is not of type 'integer'\n"
        "Expected parameters: text (string, required), times (integer).\n"
        "Call the tool again with arguments that match."
    )
    [record] = recorder.mcp_calls[-1:]
    assert record.is_error and record.result is None and record.error == outcome.content


async def test_a_tool_error_goes_back_to_the_model(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    outcome = await executor(config, sessions, recorder).execute(
        make_agent(config), request("tiny.fail", reason="disk full"), scope()
    )
    assert outcome.is_error
    assert "failed on purpose: disk full" in outcome.content
    assert recorder.mcp_calls[-1].is_error
    assert recorder.mcp_calls[-1].result == outcome.content


async def test_bad_names_and_unknown_tools_are_errors_not_exceptions(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    tools = executor(config, sessions, recorder)
    no_server = await tools.execute(make_agent(config), request("echo"), scope())
    assert no_server.is_error and "has no server" in no_server.content
    unknown = await tools.execute(make_agent(config), request("tiny.nope"), scope())
    assert unknown.is_error and unknown.content.startswith("Error: unknown tool 'tiny.nope'. Tools of server 'tiny':")


async def test_a_slow_call_times_out_and_the_session_stays_usable(
    config: TarsyConfig, recorder: MemoryRecorder
) -> None:
    async with McpSessions(config, settings=McpSettings(call_timeout=0.5)) as own:
        tools = executor(config, own, recorder)
        outcome = await tools.execute(make_agent(config), request("tiny.slow", seconds=30), scope())
        assert outcome.is_error
        assert outcome.content.startswith("Error: tiny.slow did not finish within 0.5s")
        assert recorder.mcp_calls[-1].error == "timed out after 0.5s"
        again = await tools.execute(make_agent(config), request("tiny.echo", text="still here"), scope())
        assert again.content == "still here"


async def test_progress_and_log_notifications_reach_on_progress(
    config: TarsyConfig, sessions: McpSessions, recorder: MemoryRecorder
) -> None:
    lines = Lines()
    outcome = await executor(config, sessions, recorder).execute(
        make_agent(config), request("tiny.slow", seconds=0.3), scope(lines)
    )
    assert outcome.content == "slow done"
    assert lines.lines == [
        "[progress 1/3] step 1\n",
        "[info] working on step 1\n",
        "[progress 2/3] step 2\n",
        "[info] working on step 2\n",
        "[progress 3/3] step 3\n",
        "[info] working on step 3\n",
    ]


async def test_a_killed_server_is_restarted_and_the_call_retried(config: TarsyConfig, recorder: MemoryRecorder) -> None:
    async with McpSessions(config, settings=SETTINGS) as own:
        tools = executor(config, own, recorder)
        first = await tools.execute(make_agent(config), request("tiny.pid"), scope())
        os.kill(int(first.content), signal.SIGKILL)
        second = await tools.execute(make_agent(config), request("tiny.pid"), scope())
        third = await tools.execute(make_agent(config), request("tiny.pid"), scope())
    assert not second.is_error
    assert second.content != first.content
    assert third.content == second.content, "the recreated session is kept"
    assert not recorder.mcp_calls[-2].is_error


async def test_an_unavailable_server_is_an_error_and_its_tools_are_left_out(recorder: MemoryRecorder) -> None:
    config = make_config({"tiny": stdio_server(), "ghost": {"transport": {"type": "stdio", "command": "/no/such"}}})
    async with McpSessions(config, settings=SETTINGS) as own:
        tools = executor(config, own, recorder)
        agent = make_agent(config, servers=("tiny", "ghost"))
        specs = await tools.list_tools(agent)
        assert specs and all(spec.server == "tiny" for spec in specs)
        outcome = await tools.execute(agent, request("ghost.anything"), scope())
    assert outcome.is_error
    assert outcome.content.startswith("Error: MCP server 'ghost' is unavailable:")
    failed = [r for r in recorder.mcp_calls if r.server == "ghost"]
    assert failed[0].interaction_type == "tool_list" and failed[0].is_error
    assert failed[-1].interaction_type == "tool_call" and failed[-1].is_error


async def test_a_server_that_dies_during_a_call_is_restarted_and_the_call_retried(
    config: TarsyConfig, recorder: MemoryRecorder
) -> None:
    async with McpSessions(config, settings=SETTINGS) as own:
        tools = executor(config, own, recorder)
        pid = int((await tools.execute(make_agent(config), request("tiny.pid"), scope())).content)
        call = asyncio.create_task(tools.execute(make_agent(config), request("tiny.slow", seconds=0.6), scope()))
        await asyncio.sleep(0.2)
        os.kill(pid, signal.SIGKILL)
        outcome = await call
        assert (outcome.content, outcome.is_error) == ("slow done", False)
        assert (await tools.execute(make_agent(config), request("tiny.pid"), scope())).content != str(pid)
