"""The tools each MCP server offers, listed once per investigation.

The first listing of a server opens its session and is stored as a ``tool_list`` interaction. A
server that cannot be reached is remembered as unavailable for a while, so that an agent asking for
its tools at every iteration does not wait for a dead server each time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from mcp import McpError
from mcp.types import Tool

from tarsy.contracts import MCPInteraction, Recorder
from tarsy.tools.errors import McpServerUnavailableError, McpTransportError, describe_exception
from tarsy.tools.sessions import McpSessions


class ToolCatalog:
    def __init__(
        self,
        sessions: McpSessions,
        recorder: Recorder,
        *,
        mask: Callable[[str, str], str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``mask(server, text)`` masks error texts before they are stored."""
        self._sessions = sessions
        self._recorder = recorder
        self._mask = mask
        self._clock = clock
        self._tools: dict[str, dict[str, Tool]] = {}
        self._failures: dict[str, tuple[float, str]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def tools(self, server: str) -> dict[str, Tool]:
        """The server's tools by name; raises ``McpServerUnavailableError`` if it cannot be listed."""
        listed = self._tools.get(server)
        if listed is not None:
            return listed
        async with self._locks.setdefault(server, asyncio.Lock()):
            listed = self._tools.get(server)
            if listed is not None:
                return listed
            self._raise_if_recently_failed(server)
            started = self._clock()
            try:
                tools = await self._list(server)
            except Exception as exc:
                # However listing fails (unreachable, broken session, protocol error, a malformed
                # answer), the server is unavailable to this run for a while; the reason is stored
                # and told to the model by the caller.
                reason = self._mask(server, _reason(exc))
                await self._record(server, started, error=reason)
                self._failures[server] = (self._clock(), reason)
                raise McpServerUnavailableError(server, reason) from None
            self._failures.pop(server, None)
            self._tools[server] = {tool.name: tool for tool in tools}
            await self._record(server, started, tools=tools)
            return self._tools[server]

    async def _list(self, server: str) -> list[Tool]:
        timeout = self._sessions.settings.list_timeout
        session = await self._sessions.session(server)
        try:
            return await session.list_tools(timeout=timeout)
        except McpTransportError:
            session = await self._sessions.recreate(server, session)
            return await session.list_tools(timeout=timeout)

    def _raise_if_recently_failed(self, server: str) -> None:
        failed = self._failures.get(server)
        if failed is None:
            return
        when, reason = failed
        if self._clock() - when < self._sessions.settings.unavailable_retry_after:
            raise McpServerUnavailableError(server, reason)

    async def _record(
        self, server: str, started: float, *, tools: list[Tool] | None = None, error: str | None = None
    ) -> None:
        await self._recorder.mcp_interaction(
            MCPInteraction(
                stage_id=None,
                execution_id=None,
                server=server,
                tool=None,
                arguments={},
                result=None,
                is_error=error is not None,
                error=error,
                duration_ms=int((self._clock() - started) * 1000),
                interaction_type="tool_list",
                available_tools=[{"name": t.name, "description": t.description or ""} for t in tools or ()],
            )
        )


def _reason(exc: Exception) -> str:
    if isinstance(exc, McpServerUnavailableError | McpTransportError):
        return exc.reason
    if isinstance(exc, McpError):
        return f"listing its tools failed: {exc.error.message}"
    if isinstance(exc, TimeoutError):
        return "listing its tools timed out"
    return f"listing its tools failed: {describe_exception(exc)}"
