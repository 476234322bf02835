"""The worker pool: claim jobs from PostgreSQL, run them, heartbeat, honour cancels.

Jobs are investigation sessions and follow-up chat messages; sessions are claimed first. Every
replica runs the same pool against the same database, the only thing they share. A cancel request
reaches the owning replica through NOTIFY (see ``EventHub.on_cancel``), and each worker also
notices a ``cancelling`` status at its next heartbeat in case a notification was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from tarsy.config import DatabaseConfig, QueueConfig
from tarsy.errors import StoreUnavailableError
from tarsy.runtime.chat_runner import ChatRunner
from tarsy.runtime.outage import wait_for_database
from tarsy.runtime.runner import SessionRunner
from tarsy.store import chats
from tarsy.store import sessions as repo
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)

Beat = Callable[[Pool, str, str], Awaitable[str | None]]


def make_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class _Waker:
    """Wakes idle workers one at a time, so a queued job costs one claim attempt, not one per worker.

    A wake that finds no worker waiting is kept (up to the number of workers) and taken by the next
    worker about to wait, which then looks again at once: no job is left to the poll interval
    because its wake came while every worker was busy claiming. A claim that found nothing drops
    the wakes kept from before it began (``found_nothing``): it looked after them, so they would
    only send idle workers to look again (with 200 workers, two more claims per session).
    """

    def __init__(self, limit: int) -> None:
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._kept = 0
        self._limit = max(1, limit)
        self._issued = 0  # wakes kept so far, ever: tells which kept wakes a claim came after

    @property
    def mark(self) -> int:
        """Taken before a claim; give it to ``found_nothing`` if the claim finds no job."""
        return self._issued

    def found_nothing(self, mark: int) -> None:
        """A claim begun at ``mark`` found no job: keep only the wakes that came after it began."""
        self._kept = min(self._kept, self._issued - mark)

    def one(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._kept = min(self._kept + 1, self._limit)
        self._issued += 1

    def all(self) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
        self._kept = self._limit
        self._issued += self._limit

    async def wait(self, timeout: float) -> None:
        """Until woken or ``timeout`` seconds have passed; at once if a wake was kept."""
        if self._kept:
            self._kept -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout=timeout)
        except TimeoutError:
            pass
        finally:
            if not waiter.done():
                waiter.cancel()
            with contextlib.suppress(ValueError):
                self._waiting.remove(waiter)


@dataclass
class _Running:
    job_id: str
    session_id: str
    cancel: asyncio.Event


class WorkerPool:
    def __init__(
        self,
        *,
        pool: Pool,
        runner: SessionRunner,
        chat_runner: ChatRunner,
        queue: QueueConfig,
        worker_count: int,
        database: DatabaseConfig | None = None,
    ) -> None:
        self._pool = pool
        self._runner = runner
        self._chat_runner = chat_runner
        self._queue = queue
        self._database = database or DatabaseConfig()
        self._count = worker_count
        self.replica_id = make_worker_id()
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, _Running] = {}
        self._stopping = asyncio.Event()
        self._wake = _Waker(worker_count)

    @property
    def worker_count(self) -> int:
        return self._count

    @property
    def busy(self) -> int:
        return len(self._running)

    def healthy(self) -> bool:
        return all(not t.done() for t in self._tasks)

    def start(self) -> None:
        for n in range(self._count):
            self._tasks.append(asyncio.create_task(self._loop(f"{self.replica_id}-w{n}"), name=f"tarsy-worker-{n}"))

    def nudge(self) -> None:
        """Wake an idle worker now (a job was just queued) instead of at its next poll.

        A worker that claims a session while others are pending (or a chat message) wakes the
        next one, so a batch queued with one nudge is taken by as many workers as it has jobs, and
        a claim that finds nothing wakes nobody.
        """
        self._wake.one()

    async def stop(self, grace_s: float) -> None:
        self._stopping.set()
        self._wake.all()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def cancel_local(self, target_id: str) -> None:
        """Stop every job here that is, or belongs to, ``target_id`` (a session or chat message id)."""
        for running in list(self._running.values()):
            if target_id in (running.job_id, running.session_id):
                running.cancel.set()

    async def _loop(self, worker_id: str) -> None:
        stale = float(self._queue.orphan_threshold)
        while not self._stopping.is_set():
            try:
                mark = self._wake.mark
                row = await repo.claim_next(
                    self._pool,
                    worker_id=worker_id,
                    max_concurrent=self._queue.max_concurrent_sessions,
                    stale_after_s=stale,
                )
                if row is not None:
                    if row.pop("more_pending", True):
                        self._wake.one()  # the next idle worker takes the next one
                    await self._run(row, str(row["id"]), worker_id, repo.heartbeat, self._runner.run)
                    continue
                message = await chats.claim_next(self._pool, worker_id=worker_id, stale_after_s=stale)
                if message is not None:
                    self._wake.one()
                    await self._run(
                        message, str(message["session_id"]), worker_id, chats.heartbeat, self._chat_runner.run
                    )
                    continue
                self._wake.found_nothing(mark)
            except StoreUnavailableError as exc:
                log.warning("cannot claim jobs: %s", exc)
                await self._after_outage()
                continue
            except Exception:
                # A database hiccup must not kill the worker: log it and poll again.
                log.exception("claiming or running a job failed")
            await self._idle()

    async def _after_outage(self) -> None:
        """Wait for the database, then give the owners of running jobs time to heartbeat again.

        Every heartbeat went stale during a long outage; claiming at once would take running jobs
        (paused, waiting to resume) away from their live workers. Only jobs whose owner stays silent
        through the grace period are orphans.
        """
        if not await wait_for_database(self._pool, cancel=self._stopping, retry_max=self._database.outage_retry_max):
            return
        grace = 2 * float(self._queue.heartbeat_interval) + float(self._database.reconnect_backoff_max)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=grace)

    async def _idle(self) -> None:
        delay = float(self._queue.poll_interval) + random.uniform(0, float(self._queue.poll_interval_jitter))
        await self._wake.wait(delay)

    async def _run(
        self,
        row: Row,
        session_id: str,
        worker_id: str,
        beat: Beat,
        run: Callable[[Row, str, asyncio.Event], Awaitable[object]],
    ) -> None:
        job_id = str(row["id"])
        running = _Running(job_id, session_id, asyncio.Event())
        self._running[job_id] = running
        heart = asyncio.create_task(self._heartbeat(beat, job_id, worker_id, running.cancel))
        try:
            await run(row, worker_id, running.cancel)
        finally:
            heart.cancel()
            await asyncio.gather(heart, return_exceptions=True)
            self._running.pop(job_id, None)  # this worker claims again next: freed capacity is used at once

    async def _heartbeat(self, beat: Beat, job_id: str, worker_id: str, cancel: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(float(self._queue.heartbeat_interval))
            try:
                status = await beat(self._pool, job_id, worker_id)
            except Exception as exc:
                # A missed heartbeat is survivable (the orphan threshold spans several); keep beating.
                log.warning("heartbeat for job %s failed: %s", job_id, type(exc).__name__)
                continue
            if status is None or status == "cancelling":
                cancel.set()
                if status is None:
                    return
