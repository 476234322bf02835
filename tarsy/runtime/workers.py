"""The worker pool: claim sessions from PostgreSQL, run them, heartbeat, honour cancels.

Every replica runs the same pool against the same database; the database is the only thing they
share. A cancel request reaches the owning replica through NOTIFY (see ``EventHub.on_cancel``),
and each worker also notices a ``cancelling`` status at its next heartbeat in case a notification
was missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from dataclasses import dataclass

from tarsy.config import QueueConfig
from tarsy.runtime.runner import SessionRunner
from tarsy.store import sessions as repo
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)


def make_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


@dataclass
class _Running:
    session_id: str
    cancel: asyncio.Event


class WorkerPool:
    def __init__(self, *, pool: Pool, runner: SessionRunner, queue: QueueConfig, worker_count: int) -> None:
        self._pool = pool
        self._runner = runner
        self._queue = queue
        self._count = worker_count
        self.replica_id = make_worker_id()
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, _Running] = {}
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()

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
        """Wake idle workers now (a session was just queued) instead of at their next poll."""
        self._wake.set()

    async def stop(self, grace_s: float) -> None:
        self._stopping.set()
        self._wake.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def cancel_local(self, session_id: str) -> None:
        """Stop the session if this replica runs it (called for every replica's cancel NOTIFY)."""
        running = self._running.get(session_id)
        if running is not None:
            running.cancel.set()

    async def _loop(self, worker_id: str) -> None:
        while not self._stopping.is_set():
            try:
                row = await repo.claim_next(
                    self._pool,
                    worker_id=worker_id,
                    max_concurrent=self._queue.max_concurrent_sessions,
                    stale_after_s=float(self._queue.orphan_threshold),
                )
            except Exception:
                # A database hiccup must not kill the worker: log it and poll again.
                log.exception("claiming a session failed")
                row = None
            if row is None:
                await self._idle()
                continue
            await self._run(row, worker_id)

    async def _idle(self) -> None:
        delay = float(self._queue.poll_interval) + random.uniform(0, float(self._queue.poll_interval_jitter))
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _run(self, row: Row, worker_id: str) -> None:
        session_id = str(row["id"])
        running = _Running(session_id, asyncio.Event())
        self._running[session_id] = running
        beat = asyncio.create_task(self._heartbeat(session_id, worker_id, running.cancel))
        try:
            await self._runner.run(row, worker_id, running.cancel)
        except Exception:
            # The runner records outcomes itself; reaching here means even that failed.
            log.exception("running session %s failed unexpectedly", session_id)
        finally:
            beat.cancel()
            await asyncio.gather(beat, return_exceptions=True)
            self._running.pop(session_id, None)
            self._wake.set()  # capacity freed: let idle workers look again

    async def _heartbeat(self, session_id: str, worker_id: str, cancel: asyncio.Event) -> None:
        while True:
            await asyncio.sleep(float(self._queue.heartbeat_interval))
            try:
                status = await repo.heartbeat(self._pool, session_id, worker_id)
            except Exception:
                # A missed heartbeat is survivable (the threshold spans several); keep beating.
                log.warning("heartbeat for session %s failed", session_id, exc_info=True)
                continue
            if status is None or status == "cancelling":
                cancel.set()
                if status is None:
                    return
