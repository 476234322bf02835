"""The MCP sessions of one investigation: one per server, opened on first use, closed together.

Every investigation (and every follow-up chat run) gets its own ``McpSessions``, so two concurrent
investigations never share a server process or an HTTP session. A stdio server with a pool
(``McpPools``) lends the investigation a warm process for its whole run and takes it back at the
end; without one (no pools given, or a server no chain uses) a process is spawned for the run and
stopped after it. Every call of the run reuses that session; a broken one is replaced by ``recreate``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import TracebackType

from tarsy.config import TarsyConfig
from tarsy.settings import process_environment
from tarsy.tools.errors import McpServerUnavailableError
from tarsy.tools.limits import McpSettings
from tarsy.tools.pool import ServerPool
from tarsy.tools.pools import McpPools, open_server
from tarsy.tools.server_session import ServerSession


class McpSessions:
    def __init__(
        self,
        config: TarsyConfig,
        *,
        settings: McpSettings | None = None,
        env: Mapping[str, str] | None = None,
        pools: McpPools | None = None,
    ) -> None:
        self._config = config
        self._settings = settings or (pools.settings if pools is not None else McpSettings())
        self._env = process_environment() if env is None else env
        self._pools = pools
        self._lent: dict[ServerSession, ServerPool] = {}
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
                await self._end(current, broken=True)
            opened = await self._open(server)
            if self._closed:
                await self._end(opened)
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
            await self._end(stale, broken=True)

    async def aclose(self) -> None:
        """Close every session (stdio servers exit); later ``session`` calls fail."""
        self._closed = True
        sessions = list(self._live.values())
        self._live.clear()
        await asyncio.gather(*(self._end(s) for s in sessions))

    async def _open(self, server: str) -> ServerSession:
        if self._closed:
            raise McpServerUnavailableError(server, "the investigation has ended")
        pool = self._pools.get(server) if self._pools is not None else None
        if pool is None:
            return await open_server(server, self._config, self._settings, self._env)
        session = await pool.acquire()
        self._lent[session] = pool
        return session

    async def _end(self, session: ServerSession, *, broken: bool = False) -> None:
        """Give a lent process back to its pool (``broken``: to be stopped), or close the session."""
        pool = self._lent.pop(session, None)
        if pool is not None:
            pool.release(session, broken=broken)
        else:
            await session.aclose(self._settings.close_timeout)

    def _lock(self, server: str) -> asyncio.Lock:
        return self._locks.setdefault(server, asyncio.Lock())
