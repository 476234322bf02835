"""Test data for the MCP tool-layer tests: configs around the tiny fixture server, agents, scopes.

Everything is real: the tiny FastMCP server in ``tests/fixtures/mcp`` runs as a child process,
models come from ``ModelFactory`` with a scripted provider, and records land in a ``MemoryRecorder``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.config.base import AgentType
from tarsy.nodes.context import ToolScope

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mcp"
TINY_SERVER = FIXTURES / "tiny_server.py"
PROVIDER = "test-scripted"


def stdio_server(*, env: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    """An ``mcp_servers`` entry running the tiny server over stdio."""
    transport = {"type": "stdio", "command": sys.executable, "args": [str(TINY_SERVER)], "env": env or {}}
    return {"transport": transport, **extra}


def make_config(
    servers: dict[str, dict[str, Any]], *, script: str | None = None, **sections: dict[str, Any]
) -> TarsyConfig:
    """A config holding only ``servers`` (no built-ins), a scripted provider playing ``script`` and
    any other ``sections`` (``agents``, ``agent_chains``, ``defaults``)."""
    provider = {"type": "scripted", "script": script or "demo", "model": "scripted-test-model"}
    return TarsyConfig.model_validate({"mcp_servers": servers, "llm_providers": {PROVIDER: provider}, **sections})


def tool_chain_config(servers: dict[str, dict[str, Any]], **agent: Any) -> TarsyConfig:
    """``servers`` and a chain ``tools`` (the default alert type) whose ``ToolAgent`` has them all."""
    return make_config(
        servers,
        agents={"ToolAgent": {"mcp_servers": list(servers), **agent}},
        agent_chains={
            "tools": {
                "alert_types": ["tools"],
                "stages": [{"name": "look", "agent": "ToolAgent"}],
                "chat": {"enabled": False},
            }
        },
        defaults={"alert_type": "tools", "llm_provider": PROVIDER},
    )


def write_script(directory: Path, turns: list[dict[str, Any]], **agents: list[dict[str, Any]]) -> str:
    """A scripted-model script: ``turns`` for any agent, ``agents`` for the ones named."""
    path = directory / "script.json"
    path.write_text(json.dumps({"agents": {"*": turns, **agents}}), encoding="utf-8")
    return str(path)


def make_agent(
    config: TarsyConfig,
    servers: tuple[str, ...] = ("tiny",),
    agent_type: AgentType = "investigation",
    tools: tuple[str, ...] | None = None,
) -> ResolvedAgent:
    return ResolvedAgent(
        name="TestAgent",
        display_name="TestAgent",
        agent_type=agent_type,
        strategy="native-thinking",
        llm_provider=PROVIDER,
        provider=config.provider(PROVIDER),
        max_iterations=5,
        mcp_servers=servers,
        custom_instructions="",
        tools=tools,
    )


def scope(on_progress: Callable[[str], Awaitable[None]] | None = None) -> ToolScope:
    return ToolScope("stage-1", "exec-1", "event-1", on_progress)


class Lines:
    """An ``on_progress`` sink that keeps what it gets, as lines.

    Live output is masked over a window that spans notifications, so it arrives in groups of lines
    (``chunks``); ``lines`` splits what arrived back into lines.
    """

    def __init__(self) -> None:
        self.chunks: list[str] = []

    async def __call__(self, text: str) -> None:
        self.chunks.append(text)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines(keepends=True)

    @property
    def text(self) -> str:
        return "".join(self.chunks)


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll ``condition`` until it holds (background monitors have no event to wait on)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"condition still false after {timeout}s")


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        # A zombie (exited, not yet reaped) still answers kill(0); /proc says what it really is.
        return "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False


def descendants(pid: int | None = None) -> set[int]:
    """Every process below ``pid`` (default: this one), from ``/proc``."""
    found: set[int] = set()
    queue = [os.getpid() if pid is None else pid]
    while queue:
        current = queue.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except FileNotFoundError:
                continue
            for child in children:
                if child not in found and process_alive(child):
                    found.add(child)
                    queue.append(child)
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""
