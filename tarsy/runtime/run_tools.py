"""Where a run gets its tools: MCP sessions of its own (over pooled stdio processes), or a fixed executor."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from tarsy.nodes.context import Recorder, ToolExecutor
from tarsy.tools.manager import McpManager
from tarsy.tools.selection import McpOverride


class RunTools(Protocol):
    def open(
        self, recorder: Recorder, *, override: dict[str, Any] | None, context: str | None
    ) -> AbstractAsyncContextManager[ToolExecutor]: ...


class FixedTools:
    """Every run shares one executor (``StaticToolExecutor`` in tests, Studio and embedding apps)."""

    def __init__(self, executor: ToolExecutor) -> None:
        self._executor = executor

    @asynccontextmanager
    async def open(
        self, recorder: Recorder, *, override: dict[str, Any] | None, context: str | None
    ) -> AsyncIterator[ToolExecutor]:
        yield self._executor


class McpTools:
    """MCP sessions per run: opened on first use (stdio: a warm process borrowed from its pool),
    ended with the run (the process goes back to the pool)."""

    def __init__(self, manager: McpManager) -> None:
        self._manager = manager

    @asynccontextmanager
    async def open(
        self, recorder: Recorder, *, override: dict[str, Any] | None, context: str | None
    ) -> AsyncIterator[ToolExecutor]:
        selection = McpOverride.model_validate(override) if override else None
        async with self._manager.executor(recorder, override=selection, context=context) as executor:
            yield executor


def alert_context(alert_type: str, data: Any) -> str:
    """A short description of the investigation for tool-result summaries."""
    body = data if isinstance(data, str) else json.dumps(data, sort_keys=True)
    return f"Investigating a {alert_type} alert: {body[:2000]}"
