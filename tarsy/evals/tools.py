"""How an evaluated chain reaches the replay server: a child process over stdio, or in this process.

Either way the chain's tools go through TARSy's real ``McpToolExecutor`` (argument checks against
the served schemas, masking, summarization, recording), so an evaluation measures what production
runs. ``stdio`` (``tarsy eval``) starts ``python -m tarsy.evals.replay`` in place of the configured
``kubernetes-server``; ``memory`` (the offline tests) connects the same replay server over
in-memory streams, which saves a process start per scenario.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

import anyio
from langchain_mcp_adapters.sessions import Connection
from mcp import ClientSession
from mcp.server.lowlevel import Server
from mcp.shared.memory import create_client_server_memory_streams

from tarsy.config import TarsyConfig
from tarsy.config.mcp import StdioTransport
from tarsy.contracts import ModelProvider, Recorder
from tarsy.evals.errors import EvalSetupError
from tarsy.evals.replay import ReplayedCall, read_calls, replay_server
from tarsy.evals.scenario import Scenario
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.manager import McpManager
from tarsy.tools.server_session import ServerSession
from tarsy.tools.sessions import McpSessions

REPLAYED_SERVER = "kubernetes-server"
"""The MCP server entry the replay server stands in for (the built-in chain's)."""

Transport = Literal["stdio", "memory"]


def with_replay_server(config: TarsyConfig, scenario: Scenario, calls: Path) -> TarsyConfig:
    """``config`` with ``kubernetes-server`` served by the replay server for ``scenario``.

    The entry keeps its masking, summarization and instructions: those are what is evaluated.
    """
    entry = config.mcp_servers.get(REPLAYED_SERVER)
    if entry is None:
        raise EvalSetupError(
            f"the configuration has no MCP server '{REPLAYED_SERVER}' for the replay server to replace"
        )
    transport = StdioTransport(
        type="stdio",
        command=sys.executable,
        args=["-m", "tarsy.evals.replay", "--scenario", str(scenario.directory), "--calls", str(calls)],
    )
    servers = {**config.mcp_servers, REPLAYED_SERVER: entry.model_copy(update={"transport": transport})}
    return config.model_copy(update={"mcp_servers": servers})


class _MemorySession(ServerSession):
    """A ``ServerSession`` whose server runs in this process, over in-memory streams."""

    mcp_server: Server[Any, Any]

    async def _own(self, connection: Connection) -> None:
        try:
            async with create_client_server_memory_streams() as (client, served), anyio.create_task_group() as tg:
                server = self.mcp_server
                tg.start_soon(lambda: server.run(served[0], served[1], server.create_initialization_options()))
                try:
                    async with ClientSession(client[0], client[1], logging_callback=self._on_log) as session:
                        self.info = await session.initialize()
                        self._client = session
                        self._ready.set()
                        await self._close_requested.wait()
                finally:
                    tg.cancel_scope.cancel()
        except Exception as exc:  # as ServerSession._own: the session's failure, seen by its callers
            self._error = exc
        finally:
            self._client = None
            self._closed.set()
            self._ready.set()


class _MemorySessions(McpSessions):
    def __init__(self, config: TarsyConfig, server: Server[Any, Any]) -> None:
        super().__init__(config, env={})
        self._server = server

    async def _open(self, server: str) -> ServerSession:
        if server != REPLAYED_SERVER:
            return await super()._open(server)
        session_class: type[_MemorySession] = type("ReplaySession", (_MemorySession,), {"mcp_server": self._server})
        # The connection is never used: _MemorySession._own connects to mcp_server itself.
        opened: ServerSession = await session_class.open(
            server,
            lambda _on_log: {"transport": "stdio", "command": "in-memory", "args": []},
            open_timeout=self.settings.open_timeout,
            close_timeout=self.settings.close_timeout,
        )
        return opened


class ReplayTools:
    """The tool executor of one scenario run, and the calls the replay server saw."""

    def __init__(self, scenario: Scenario, transport: Transport, calls_file: Path) -> None:
        self.scenario = scenario
        self.transport = transport
        self.calls_file = calls_file
        self._memory_calls: list[ReplayedCall] = []

    @property
    def calls(self) -> list[ReplayedCall]:
        return list(self._memory_calls) if self.transport == "memory" else read_calls(self.calls_file)

    @asynccontextmanager
    async def executor(
        self, config: TarsyConfig, recorder: Recorder, models: ModelProvider, context: str
    ) -> AsyncIterator[McpToolExecutor]:
        if self.transport == "stdio":
            async with McpManager(config, models).executor(recorder, context=context) as tools:
                yield tools
            return
        server = replay_server(self.scenario, self._memory_calls.append)
        async with _MemorySessions(config, server) as sessions:
            yield McpToolExecutor(config, sessions, recorder, models, context=context)
