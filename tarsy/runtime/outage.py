"""Waiting out a database outage instead of failing the job that met it.

A job (session or chat message) whose graph stops on :class:`StoreUnavailableError` keeps its claim:
the worker probes the database with a capped back-off and, once it answers, runs the graph again
from its last checkpoint. Only a job that cannot make progress before its deadline ends, failed, with
an error that names the database. The other ways a job ends (done, cancelled, timed out) pass through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tarsy.errors import StoreUnavailableError
from tarsy.runtime.supervise import Supervised
from tarsy.store.db import Pool, is_unavailable, ping

log = logging.getLogger(__name__)

T = TypeVar("T")
Attempt = Callable[[float], Awaitable[Supervised[T]]]
"""One run of the job's graph, given the seconds left; resumes from the checkpoint when there is one."""

FIRST_PROBE_S = 0.25


async def wait_for_database(pool: Pool, *, cancel: asyncio.Event, retry_max: float) -> bool:
    """Probe until the database answers (True), or until ``cancel`` is set (False)."""
    delay = FIRST_PROBE_S
    while not cancel.is_set():
        try:
            await ping(pool)
            return True
        except StoreUnavailableError:
            pass
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(cancel.wait(), timeout=delay)
        delay = min(delay * 2, retry_max)
    return False


async def _reclaim(
    pool: Pool, *, cancel: asyncio.Event, retry_max: float, still_owned: Callable[[], Awaitable[bool]]
) -> bool:
    """Wait for the database, then confirm the job is still ours (False: cancelled or taken over)."""
    while await wait_for_database(pool, cancel=cancel, retry_max=retry_max):
        try:
            return await still_owned()
        except StoreUnavailableError:
            continue  # gone again between the probe and the heartbeat
    return False


async def run_through_outages(
    attempt: Attempt[T],
    *,
    pool: Pool,
    cancel: asyncio.Event,
    timeout_s: float,
    retry_max: float,
    label: str,
    gave_up: str,
    still_owned: Callable[[], Awaitable[bool]],
) -> Supervised[T]:
    """Run ``attempt`` until it ends for a reason other than an unreachable database.

    ``gave_up`` is the error of a job whose deadline passed while the database was away.
    ``still_owned`` refreshes the job's heartbeat once the database is back: a job that another
    worker took over meanwhile (its heartbeat went stale) is left to that worker, never run twice.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            outcome = await attempt(max(1.0, deadline - time.monotonic()))
        except StoreUnavailableError as exc:  # met before the graph ran (reading the checkpoint)
            outcome = Supervised("done", None, exc)
        if outcome.error is None or not is_unavailable(outcome.error):
            return outcome
        log.warning("%s paused: %s; it resumes from its checkpoint when the database is back", label, outcome.error)
        if not await _reclaim(pool, cancel=cancel, retry_max=retry_max, still_owned=still_owned):
            log.info("%s was cancelled or taken over by another worker during the outage", label)
            return Supervised("cancelled")
        if time.monotonic() >= deadline:
            return Supervised("done", None, StoreUnavailableError(gave_up))
        log.info("%s resumes: the database answers again", label)


async def stored(op: Callable[[], Awaitable[T]], *, pool: Pool, retry_max: float, label: str) -> T:
    """Run a database write until it is stored: an outage is waited out, never turned into a loss.

    ``op`` must be safe to repeat (the job writes check their worker still owns the job).
    """
    never = asyncio.Event()
    while True:
        try:
            return await op()
        except StoreUnavailableError as exc:
            log.warning("%s waits for the database: %s", label, exc)
            await wait_for_database(pool, cancel=never, retry_max=retry_max)
