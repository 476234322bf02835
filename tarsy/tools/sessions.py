"""The MCP sessions of one investigation: one per server, opened on first use, closed together.

Every investigation (and every follow-up chat run) gets its own ``McpSessions``, so two concurrent
investigations never share a server process or an HTTP session, and a server's state (a selected
kube context, say) cannot leak between them. A stdio server is spawned once per investigation and
reused by every call; a broken session is replaced by ``recreate``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from types import TracebackType

from tarsy.config import StdioTransport, TarsyConfig
from tarsy.tools.connections import connection_for
from tarsy.tools.errors import McpServerUnavailableError
from tarsy.tools.server_session import ServerSession
from tarsy.tools.settings import McpSettings


class McpSessions:
    def __init__(
        self,
        config: TarsyConfig,
        *,
        settings: McpSettings | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._config = config
        self._settings = settings or McpSettings()
        self._env = os.environ if env is None else env
        self._live: dict[str, ServerSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._closed = False

    async def __aenter__(self) -> McpSessions:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    @property
    def settings(self) -> McpSettings:
        return self._settings

    async def session(self, server: str) -> ServerSession:
        """The live session to ``server``, opening it if needed; raises ``McpServerUnavailableError``."""
        current = self._live.get(server)
        if current is not None and current.alive:
            return current
        async with self._lock(server):
            current = self._live.get(server)
            if current is not None and current.alive:
                return current
            if current is not None:
                del self._live[server]
                await current.aclose(self._settings.close_timeout)
            opened = await self._open(server)
            if self._closed:
                await opened.aclose(self._settings.close_timeout)
                raise McpServerUnavailableError(server, "the investigation has ended")
            self._live[server] = opened
            return opened

    async def recreate(self, server: str, broken: ServerSession) -> ServerSession:
        """Close ``broken`` (if it is still the current session) and open a fresh one."""
        await self.discard(server, broken)
        return await self.session(server)

    async def discard(self, server: str, session: ServerSession | None = None) -> None:
        """Close the current session to ``server`` (only if it is ``session``, when given)."""
        async with self._lock(server):
            current = self._live.get(server)
            if current is None or (session is not None and current is not session):
                current = None
            else:
                del self._live[server]
        for stale in {s for s in (current, session) if s is not None}:
            await stale.aclose(self._settings.close_timeout)

    async def aclose(self) -> None:
        """Close every session (stdio servers exit); later ``session`` calls fail."""
        self._closed = True
        sessions = list(self._live.values())
        self._live.clear()
        await asyncio.gather(*(s.aclose(self._settings.close_timeout) for s in sessions))

    async def _open(self, server: str) -> ServerSession:
        if self._closed:
            raise McpServerUnavailableError(server, "the investigation has ended")
        config = self._config.mcp_servers.get(server)
        if config is None:
            raise McpServerUnavailableError(server, "no such server in mcp_servers")
        try:
            return await ServerSession.open(
                server,
                lambda on_log: connection_for(server, config, env=self._env, logging_callback=on_log),
                open_timeout=self._settings.open_timeout,
                close_timeout=self._settings.close_timeout,
            )
        except McpServerUnavailableError as exc:
            if isinstance(config.transport, StdioTransport) and "Connection closed" in exc.reason:
                reason = f"{exc.reason} (the process exited during start-up; its stderr is in TARSy's log)"
                raise McpServerUnavailableError(server, reason) from None
            raise

    def _lock(self, server: str) -> asyncio.Lock:
        return self._locks.setdefault(server, asyncio.Lock())
