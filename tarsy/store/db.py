"""Connection pools shared by the API, the workers and the checkpointer, and what an outage looks like.

Every database failure that means "the server is not there" (refused or lost connections, no pooled
connection within the pool timeout, a server shutting down) leaves ``connection()`` as one type,
:class:`~tarsy.errors.StoreUnavailableError`, whatever query raised it. Callers tell an outage from
a bad query, a model failure or a tool failure by that type, never by the words of a message.
"""

from __future__ import annotations

import asyncio
import logging
import select
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import AsyncConnection
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool, PoolClosed, PoolTimeout
from psycopg_pool.base import AttemptWithBackoff

from tarsy.errors import StoreUnavailableError

log = logging.getLogger(__name__)

Pool = AsyncConnectionPool[AsyncConnection[DictRow]]
Row = dict[str, Any]

# SQLSTATEs of a server that is going away or refuses connections: admin_shutdown, crash_shutdown,
# cannot_connect_now, too_many_connections. Class 08 (connection exceptions) counts as well.
_UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


@dataclass(frozen=True)
class PoolSettings:
    """How patient a pool is; short by default so an outage is noticed in seconds, not minutes."""

    min_size: int = 2
    max_size: int = 20
    connect_timeout: float = 5.0
    """Seconds one connection attempt may take (libpq ``connect_timeout``; at least 2)."""
    pool_timeout: float = 5.0
    """Seconds a caller waits for a pooled connection before the database counts as unavailable."""
    reconnect_backoff_max: float = 2.0
    """Upper bound of the pause between reconnection attempts, so recovery follows the server closely."""
    open_timeout: float = 30.0
    """Seconds start-up waits for the first connections."""


async def ping(pool: Pool) -> None:
    """One round trip; raises :class:`~tarsy.errors.StoreUnavailableError` while the database is away."""
    async with pool.connection() as conn:
        await conn.execute("SELECT 1")


def is_unavailable(exc: BaseException) -> bool:
    """Does ``exc`` say the database is unreachable (rather than that a query was wrong)?"""
    if isinstance(exc, StoreUnavailableError | PoolTimeout | PoolClosed):
        return True
    if isinstance(exc, psycopg.OperationalError):
        state = exc.sqlstate
        return state is None or state.startswith("08") or state in _UNAVAILABLE_STATES
    return False


def unavailable(exc: BaseException) -> StoreUnavailableError:
    """The store error for an outage; the cause's type is named, its text stays in the log."""
    if isinstance(exc, StoreUnavailableError):
        return exc
    return StoreUnavailableError(f"the database is unavailable ({type(exc).__name__})")


class RoundTrips:
    """How many times this process waited on the server: every statement, commit, check and sync.

    Counted where psycopg waits for the network (``AsyncConnection.wait``), so the checkpointer's
    queries count as well as ours. A benchmark reads ``count`` before and after what it measures.
    """

    def __init__(self) -> None:
        self.count = 0


class CountingConnection(AsyncConnection[DictRow]):
    """A connection that adds each network wait to its pool's :class:`RoundTrips`."""

    round_trips: RoundTrips | None = None

    async def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        if self.round_trips is not None:
            gen = _counted(gen, self.round_trips)
        return await super().wait(gen, interval, timeout)


def _counted(gen: Any, counter: RoundTrips) -> Any:
    """``gen``, counted once if it touches the network (a no-op commit in autocommit does not)."""
    try:
        state = next(gen)
    except StopIteration as stop:
        return stop.value
    counter.count += 1
    while True:
        ready = yield state
        try:
            state = gen.send(ready)
        except StopIteration as stop:
            return stop.value


class _CappedAttempt(AttemptWithBackoff):
    """psycopg_pool's reconnection back-off (1 s doubling up to the reconnect timeout), capped."""

    def __init__(self, *, timeout: float, cap: float) -> None:
        super().__init__(timeout=timeout)
        self._cap = cap

    def update_delay(self, now: float) -> None:
        super().update_delay(now)
        self.delay = min(self.delay, self._cap)


class TarsyPool(Pool):
    """A pool whose connections are checked when taken and whose outages raise one error type."""

    def __init__(self, url: str, settings: PoolSettings, *, name: str) -> None:
        super().__init__(
            url,
            min_size=settings.min_size,
            max_size=settings.max_size,
            kwargs={
                "autocommit": True,
                "prepare_threshold": 0,
                "row_factory": dict_row,
                "connect_timeout": max(2, round(settings.connect_timeout)),
            },
            open=False,
            connection_class=CountingConnection,
            configure=self._count_round_trips,
            timeout=settings.pool_timeout,
            name=name,
        )
        self.settings = settings
        self.round_trips = RoundTrips()

    async def _count_round_trips(self, conn: AsyncConnection[DictRow]) -> None:
        if isinstance(conn, CountingConnection):
            conn.round_trips = self.round_trips

    async def _add_connection(self, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
        if attempt is None:
            attempt = _CappedAttempt(timeout=self.reconnect_timeout, cap=self.settings.reconnect_backoff_max)
        await super()._add_connection(attempt, growing)

    @asynccontextmanager
    async def connection(self, timeout: float | None = None) -> AsyncIterator[AsyncConnection[DictRow]]:
        # Both handlers below only translate: a database that cannot be reached becomes
        # StoreUnavailableError (callers wait it out or answer 503); anything else propagates as is.
        try:
            conn = await self._checked(self.timeout if timeout is None else timeout)
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise
        try:
            async with conn:  # commits or rolls back an open transaction like the pool's own manager
                yield conn
        except Exception as exc:
            if is_unavailable(exc):
                raise unavailable(exc) from exc
            raise
        finally:
            await self.putconn(conn)

    async def _checked(self, timeout: float) -> AsyncConnection[DictRow]:
        """A pooled connection that answers; dead ones (a restarted server's) are dropped at once.

        An idle connection with nothing to read is taken as it is: a server that ends a connection
        (shutdown, restart, a terminated backend) first sends its error or closes the socket, which
        makes the socket readable. Only such a connection is asked with an empty query, which
        reads what waits and fails if the server is gone; so the common case costs no round trip.
        psycopg_pool's own ``check`` sleeps with back-off between failed checks, which after a
        restart costs seconds per stale connection; here a stale one is discarded and the next taken.
        """
        deadline = time.monotonic() + timeout
        while True:
            conn = await self.getconn(max(0.0, deadline - time.monotonic()))
            try:
                if not is_quiet(conn):
                    await conn.execute("")
                return conn
            except psycopg.OperationalError:
                await self.putconn(conn)  # broken: the pool closes it and refills in the background
                if time.monotonic() >= deadline:
                    raise
                await asyncio.sleep(0)
            except BaseException:
                await self.putconn(conn)
                raise


def is_quiet(conn: AsyncConnection[Any]) -> bool:
    """Whether an idle connection is open with nothing from the server waiting on its socket."""
    if conn.closed or conn.broken or conn.pgconn.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        readable, _, _ = select.select([conn.pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.OperationalError):
        return False
    return not readable


async def open_pool(
    url: str,
    *,
    min_size: int = 2,
    max_size: int = 20,
    settings: PoolSettings | None = None,
    name: str = "tarsy",
) -> Pool:
    """Open a pool whose connections suit both our queries and LangGraph's checkpointer.

    ``AsyncPostgresSaver`` needs autocommit, dict rows and no server-side prepared statements
    (``prepare_threshold=0``); using the same settings everywhere lets both share one pool.
    """
    chosen = settings or PoolSettings(min_size=min_size, max_size=max_size)
    pool = TarsyPool(url, chosen, name=name)
    await pool.open(wait=chosen.min_size > 0, timeout=chosen.open_timeout)
    return pool


async def max_connections(pool: Pool) -> int:
    """The server's ``max_connections`` (every client of every replica shares it)."""
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT current_setting('max_connections')::int AS n")
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"])
