"""``ServerPool``: warm processes of one stdio MCP server, each lent to one investigation at a time.

A stdio process serves exactly one MCP client session: the transport is its stdin and stdout, the
session starts with the one ``initialize`` the protocol allows and ends when stdin closes. Two
investigations therefore cannot hold sessions of their own on one process. What the pool keeps is
the expensive part, the process and its initialized session, and it lends each to one investigation
at a time, which uses it alone (no other investigation's calls, progress or log notifications on
it) and gives it back when it ends:

- ``size`` processes are started ahead (with TARSy) and kept running; a lent process that comes back
  alive waits idle for the next investigation; above ``size``, one idle for ``idle_timeout`` stops.
- With every process lent, an investigation gets a process started for it; up to ``max`` are kept,
  one started beyond ``max`` (overflow) is stopped when its investigation ends.
- ``reuse=False`` (``process: per_session``): a process is never lent twice; it stops when its
  investigation ends and a fresh one is started to take its place.
- A process on which a call was given up (a timeout: the server may still be working on it) is
  stopped rather than lent again, so nothing of one investigation reaches the next.
- A process that dies is forgotten and replaced (at once the first time, then backing off up to
  ``max_backoff`` while it keeps dying). A stdio child's death does not end its session by itself
  (the transport only notices at the next request), so an idle process is pinged before it is lent
  and at every maintenance tick; one that does not answer is stopped and replaced. An investigation
  whose process dies under it gets ``McpTransportError`` at once from its session, recreates it and
  retries once (see ``executor.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tarsy.config import McpPoolConfig
from tarsy.tools.errors import McpServerUnavailableError
from tarsy.tools.server_session import ServerSession

log = logging.getLogger(__name__)

_T = TypeVar("_T")

Opener = Callable[[], Awaitable[ServerSession]]
"""Starts a process and initializes its session; raises ``McpServerUnavailableError``."""


@dataclass
class _Idle:
    session: ServerSession
    since: float


@dataclass(frozen=True)
class PoolStats:
    idle: int
    lent: int
    starting: int
    started: int
    """Processes started since the pool was built."""


class ServerPool:
    def __init__(
        self,
        server: str,
        opener: Opener,
        config: McpPoolConfig,
        *,
        reuse: bool = True,
        close_timeout: float = 5.0,
        ping_timeout: float = 5.0,
        max_backoff: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.server = server
        self.config = config
        self.reuse = reuse
        self._opener = opener
        self._close_timeout = close_timeout
        self._ping_timeout = ping_timeout
        self._max_backoff = max_backoff
        self._clock = clock
        self._idle: list[_Idle] = []
        self._lent: set[ServerSession] = set()
        self._overflow: set[ServerSession] = set()
        self._retiring: set[ServerSession] = set()
        self._growing: set[asyncio.Task[None]] = set()
        self._starting_lent = 0
        self._waiters: deque[asyncio.Future[ServerSession]] = deque()
        self._tasks: set[asyncio.Task[None]] = set()
        self._failures = 0
        self._retry_at = 0.0
        self._started = 0
        self._closed = False
        self._maintenance: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start ``size`` processes (in the background) and the idle reaper."""
        if self._maintenance is None and not self._closed:
            self._maintenance = asyncio.create_task(self._maintain(), name=f"mcp-pool-{self.server}")
        self._refill()

    async def ready(self) -> None:
        """Until the processes being started have started (or failed)."""
        while self._growing:
            await asyncio.wait(set(self._growing))

    def stats(self) -> PoolStats:
        return PoolStats(len(self._idle), len(self._lent), len(self._growing) + self._starting_lent, self._started)

    async def acquire(self) -> ServerSession:
        """A process of the server, lent to the caller until :meth:`release`."""
        self._check_open()
        while self._idle:
            session = self._idle.pop().session  # the most recently used: the others may age out
            self._lent.add(session)
            try:
                answered = await self._answers(session)
            except BaseException:
                self.release(session)  # cancelled while pinging: given back (and stopped: abandoned)
                raise
            if answered:
                return session
            self._lent.discard(session)
        if len(self._growing) > len(self._waiters):
            return await self._wait_for_start()
        room = self._held() < self.config.max
        self._starting_lent += room  # only a process that will be kept counts against ``max``
        try:
            session = await self._open()
        finally:
            self._starting_lent -= room
        if self._closed:
            await session.aclose(self._close_timeout)
            self._check_open()
        if not room:
            self._overflow.add(session)
        self._lent.add(session)
        return session

    def release(self, session: ServerSession, *, broken: bool = False) -> None:
        """Take back a lent process: kept idle for the next investigation, or stopped."""
        self._lent.discard(session)
        overflow = session in self._overflow
        self._overflow.discard(session)
        keep = self.reuse and not broken and not overflow and session.alive and not session.abandoned
        keep = keep and not self._closed
        if not keep:  # (a process that is not overflow was counted within ``max`` when it was lent)
            self._retire(session)
            self._refill()
            return
        self._failures = 0
        self._hand_over(session)

    async def probe(self, check: Callable[[ServerSession], Awaitable[_T]], *, start: bool = True) -> _T | None:
        """Run ``check`` (a health check's ``tools/list``) on a running process. An idle process keeps
        its idle time, so checks do not keep it alive. With none running, one is started for the
        check only when ``start`` (else ``None``: a ``size: 0`` server starts on first use only)."""
        if self._idle:
            item = self._idle.pop()
            self._lent.add(item.session)
            try:
                result = await check(item.session)
            except BaseException:
                self.release(item.session, broken=True)
                raise
            self._lent.discard(item.session)
            if item.session.alive and not self._closed:
                self._idle.append(item)
            return result
        busy = next((s for s in self._lent if s.alive), None)
        if busy is not None:
            # Every process is lent: a read-only request beside its investigation's calls.
            return await check(busy)
        if not start:
            return None
        session = await self.acquire()
        try:
            result = await check(session)
        except BaseException:
            self.release(session, broken=True)
            raise
        self.release(session)
        return result

    async def aclose(self) -> None:
        """Stop every process (idle, lent or starting); later ``acquire`` calls fail."""
        self._closed = True
        if self._maintenance is not None:
            self._maintenance.cancel()
        for task in list(self._growing):
            task.cancel()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(McpServerUnavailableError(self.server, "TARSy is shutting down"))
        sessions = [item.session for item in self._idle] + list(self._lent)
        self._idle.clear()
        self._lent.clear()
        self._retiring.update(sessions)
        await asyncio.gather(*(s.aclose(self._close_timeout) for s in sessions))
        pending = [t for t in (*self._tasks, *self._growing, self._maintenance) if t is not None and not t.done()]
        if pending:
            # Bounded: a process that ignores its stdin closing and SIGTERM must not hang shutdown.
            _, stuck = await asyncio.wait(pending, timeout=self._close_timeout)
            for task in stuck:
                task.cancel()
            if stuck:
                log.warning(
                    "MCP server '%s': %d task(s) still stopping after %gs; cancelled",
                    self.server,
                    len(stuck),
                    self._close_timeout,
                )

    def _check_open(self) -> None:
        if self._closed:
            raise McpServerUnavailableError(self.server, "TARSy is shutting down")

    def _held(self) -> int:
        """Processes that count against ``max``: those kept (lent ones only when they come back)."""
        lent = len(self._lent - self._overflow) if self.reuse else 0
        return len(self._idle) + lent + len(self._growing) + self._starting_lent

    async def _open(self) -> ServerSession:
        session = await self._opener()
        self._started += 1
        self._track(self._watch(session))
        return session

    async def _wait_for_start(self) -> ServerSession:
        """Wait for a process being started ahead rather than start another one."""
        waiter: asyncio.Future[ServerSession] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release(waiter.result())
            raise
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _hand_over(self, session: ServerSession) -> None:
        """An available process: to the first caller waiting for one, else idle."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._lent.add(session)
                waiter.set_result(session)
                return
        self._idle.append(_Idle(session, self._clock()))

    def _refill(self) -> None:
        """Start processes until ``size`` are held (not while backing off after failures)."""
        if self._closed or self._clock() < self._retry_at:
            return
        for _ in range(self.config.size - self._held()):
            task = asyncio.create_task(self._grow(), name=f"mcp-pool-start-{self.server}")
            self._growing.add(task)
            task.add_done_callback(self._growing.discard)

    async def _grow(self) -> None:
        try:
            session = await self._open()
        except McpServerUnavailableError as exc:
            log.warning("MCP pool: %s", exc.message)
            self._failed()
            if self._waiters:
                waiter = self._waiters.popleft()
                if not waiter.done():
                    waiter.set_exception(exc)
            return
        if self._closed:
            self._retire(session)
            return
        self._hand_over(session)

    async def _watch(self, session: ServerSession) -> None:
        """Forget a process when it ends; one that ended by itself is replaced."""
        await session.wait_closed()
        self._idle = [item for item in self._idle if item.session is not session]
        lent = session in self._lent
        self._lent.discard(session)
        self._overflow.discard(session)
        if session in self._retiring or self._closed:
            self._retiring.discard(session)
            return
        log.warning(
            "MCP server '%s': a process exited by itself%s: %s",
            self.server,
            " while lent to an investigation" if lent else "",
            session.failure or "no reason given",
        )
        self._failed()
        self._refill()

    async def _answers(self, session: ServerSession) -> bool:
        """Whether the process answers a ``ping``; one that does not is stopped and replaced."""
        try:
            await session.ping(timeout=self._ping_timeout)
        except Exception as exc:
            # Whatever the failure (a dead child, a hung server), the process cannot be lent.
            self._idle = [item for item in self._idle if item.session is not session]
            self._lent.discard(session)
            if session not in self._retiring and not self._closed:
                log.warning("MCP server '%s': a process stopped answering (%s); replacing it", self.server, exc)
                self._retire(session)
                self._failed()
                self._refill()
            return False
        return True

    def _failed(self) -> None:
        """Back off before the next start: none after one failure, then 1 s, 2 s, ... up to ``max_backoff``."""
        self._failures += 1
        delay = 0.0 if self._failures == 1 else min(2.0 ** (self._failures - 2), self._max_backoff)
        self._retry_at = self._clock() + delay
        if delay:
            asyncio.get_running_loop().call_later(delay, self._refill)

    def _retire(self, session: ServerSession) -> None:
        self._retiring.add(session)
        self._track(session.aclose(self._close_timeout))

    async def _maintain(self) -> None:
        """Stop processes above ``size`` idle for ``idle_timeout``, ping the others, restart what is missing."""
        tick = max(0.05, min(self.config.idle_timeout / 4, 10.0))
        while True:
            await asyncio.sleep(tick)
            now = self._clock()
            for item in sorted(self._idle, key=lambda i: i.since):
                if self._held() <= self.config.size or now - item.since < self.config.idle_timeout:
                    break
                self._idle.remove(item)
                self._retire(item.session)
            await asyncio.gather(*(self._answers(item.session) for item in list(self._idle)))
            self._refill()

    def _track(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
