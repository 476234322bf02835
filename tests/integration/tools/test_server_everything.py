"""The tool layer against the reference MCP server ``@modelcontextprotocol/server-everything`` (stdio).

The package is installed by npm into a cache directory outside the repository on first use
(``$TARSY_TEST_CACHE``, default ``~/.cache/tarsy-tests``). The test is skipped only when npm itself
is missing; a failed install fails it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tarsy.config import TarsyConfig
from tarsy.nodes.context import ToolRequest
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.sessions import McpSessions
from tests.unit.tools.factories import Lines, make_agent, make_config, scope

pytestmark = [pytest.mark.integration]

PACKAGE = "@modelcontextprotocol/server-everything"
VERSION = "2026.8.31"


def _install() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed")
    cache = Path(os.environ.get("TARSY_TEST_CACHE") or Path.home() / ".cache" / "tarsy-tests")
    prefix = cache / "npm" / f"server-everything-{VERSION}"
    entry = prefix / "node_modules" / PACKAGE / "dist" / "index.js"
    if not entry.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), f"{PACKAGE}@{VERSION}"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return entry


@pytest.fixture(scope="module")
def config() -> TarsyConfig:
    entry = _install()
    node = shutil.which("node") or "node"
    return make_config({"everything": {"transport": {"type": "stdio", "command": node, "args": [str(entry), "stdio"]}}})


@pytest.fixture(scope="module")
async def tools(config: TarsyConfig) -> AsyncIterator[McpToolExecutor]:
    async with McpSessions(config) as sessions:
        yield McpToolExecutor(config, sessions, MemoryRecorder(), models=None)  # type: ignore[arg-type]


def _agent(config: TarsyConfig):  # type: ignore[no-untyped-def]
    return make_agent(config, servers=("everything",))


async def test_tools_are_listed(tools: McpToolExecutor, config: TarsyConfig) -> None:
    names = {spec.name for spec in await tools.list_tools(_agent(config))}
    assert {"everything.echo", "everything.get-sum", "everything.trigger-long-running-operation"} <= names


async def test_echo(tools: McpToolExecutor, config: TarsyConfig) -> None:
    outcome = await tools.execute(_agent(config), ToolRequest("everything.echo", {"message": "hello"}, "c"), scope())
    assert (outcome.content, outcome.is_error) == ("Echo: hello", False)
    wrong = await tools.execute(_agent(config), ToolRequest("everything.get-sum", {"a": "2", "b": 3}, "c"), scope())
    assert wrong.is_error and "- a: '2' is not of type 'number'" in wrong.content


async def test_a_long_running_operation_reports_progress(tools: McpToolExecutor, config: TarsyConfig) -> None:
    lines = Lines()
    request = ToolRequest("everything.trigger-long-running-operation", {"duration": 1, "steps": 4}, "c")
    outcome = await tools.execute(_agent(config), request, scope(lines))
    assert outcome.content == "Long running operation completed. Duration: 1 seconds, Steps: 4."
    assert [line for line in lines.lines if line.startswith("[progress")] == [
        f"[progress {step}/4]\n" for step in range(1, 5)
    ]
