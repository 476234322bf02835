"""A session's life while it waits for people: parked without a worker, woken by a decision, an
expiry or a cancel; resumed from its checkpoint by whichever worker claims it next."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Literal

from langgraph.types import Command, StateSnapshot

from tarsy.actions import records
from tarsy.errors import ConflictError, NotFoundError
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.integrations.slack import SlackNotifier
from tarsy.masking.outbound import OutputMasking
from tarsy.store import approvals as store
from tarsy.store import sessions
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)

WAITING = store.WAITING
RESUME_VALUE = "decided"  # only wakes the graph: the gate reads decisions from the store


def resume_input(snapshot: StateSnapshot) -> Command[Any] | None:
    """The input that resumes an interrupted graph (one value per pending interrupt), else None."""
    if not snapshot.interrupts:
        return None
    return Command(resume={i.id: RESUME_VALUE for i in snapshot.interrupts})


def interrupted(result: dict[str, Any]) -> bool:
    """Whether a graph run ended at an interrupt (``ainvoke`` returns the interrupts it stopped at)."""
    return bool(result.get("__interrupt__"))


async def park(
    pool: Pool, publisher: EventPublisher, masking: OutputMasking, session_id: str, worker_id: str
) -> str | None:
    """End this run of an interrupted session: it waits for people (or, decided meanwhile, is queued
    again; or, cancelled meanwhile, ends). The caller releases the job, its slots and MCP sessions."""
    async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
        status = await store.park(conn, session_id, worker_id)
        if status == "cancelling":
            await _cancel(conn, publisher, masking, session_id, None, status="cancelling")
            status = "cancelled"
        elif status is not None:
            await publisher.publish(session_id, ev.SESSION_STATUS, {"status": status}, conn=conn)
    if status == WAITING:
        log.info("session %s waits for approval", session_id)
    return status


async def notify(pool: Pool, slack: SlackNotifier | None, masking: OutputMasking, session_id: str) -> None:
    """Post each approval of the session that Slack has not been told about yet (once each)."""
    if slack is None or not slack.enabled:
        return
    session = await sessions.get_session(pool, session_id)
    if session is None:
        return
    for row in await store.unnotified(pool, session_id):
        await slack.approval_requested(session, records.public(row, masking))


async def decide(
    pool: Pool,
    publisher: EventPublisher,
    masking: OutputMasking,
    *,
    session_id: str,
    approval_id: str,
    decision: Literal["approve", "reject"],
    by: str,
    comment: str | None,
) -> tuple[Row, bool]:
    """Record a person's decision; the approval and whether the session was queued to resume."""
    status: store.ApprovalStatus = "approved" if decision == "approve" else "rejected"
    async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
        await store.lock_session(conn, session_id)  # the same order as park: session, then approval
        found = await store.get(conn, session_id, approval_id, lock=True)
        if found is None:
            raise NotFoundError(f"approval '{approval_id}' not found in session '{session_id}'")
        if found["status"] != "pending":
            decided = f" by {found['decided_by']}" if found["decided_by"] else ""
            raise ConflictError(f"approval '{approval_id}' is no longer pending: it was {found['status']}{decided}")
        row = await store.decide(conn, approval_id, status=status, by=by, comment=comment)
        assert row is not None
        woken = await _announce(conn, publisher, masking, row)
    return row, woken


async def _announce(conn: Any, publisher: EventPublisher, masking: OutputMasking, row: Row) -> bool:
    """Event, timeline entry and resume job for a decided approval (in the caller's transaction)."""
    session_id = str(row["session_id"])
    await publisher.publish(session_id, ev.APPROVAL_DECIDED, {"approval": records.public(row, masking)}, conn=conn)
    await records.timeline(conn, publisher, row, records.DECIDED_EVENT, records.decision_text(row), masking)
    woken = await store.wake(conn, session_id)
    if woken:
        await publisher.publish(session_id, ev.SESSION_STATUS, {"status": "pending", "resumed": True}, conn=conn)
    return woken


async def expire_due(pool: Pool, publisher: EventPublisher, masking: OutputMasking, limit: int = 100) -> int:
    """Resolve approvals past their deadline as their ``on_timeout`` says; how many were resolved."""
    async with pool.connection() as conn, conn.transaction():
        due = await store.expired(conn, limit)
    count = 0
    for row in due:
        session_id = str(row["session_id"])
        status: store.ApprovalStatus = "approved" if row["on_timeout"] == "approve" else "expired"
        async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
            await store.lock_session(conn, session_id)
            decided = await store.decide(conn, str(row["id"]), status=status, by="timeout", comment=None)
            if decided is None:
                continue  # decided by a person meanwhile
            await _announce(conn, publisher, masking, decided)
            count += 1
    if count:
        log.info("resolved %d expired approval(s)", count)
    return count


async def cancel_waiting(
    pool: Pool, publisher: EventPublisher, masking: OutputMasking, session_id: str, by: str
) -> bool:
    """Cancel a session that waits for people: no worker runs it, so it ends here. False: not waiting."""
    async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
        return await _cancel(conn, publisher, masking, session_id, by, status=WAITING)


async def _cancel(
    conn: Any, publisher: EventPublisher, masking: OutputMasking, session_id: str, by: str | None, *, status: str
) -> bool:
    """End a session that no run will continue as cancelled, its approvals and records with it."""
    session = await store.lock_session(conn, session_id)
    who = by or (str(session["cancelled_by"]) if session and session["cancelled_by"] else "system")
    if not await store.cancel_waiting(conn, session_id, who, status=status):
        return False
    for row in await store.cancel_pending(conn, session_id, who):
        await publisher.publish(session_id, ev.APPROVAL_DECIDED, {"approval": records.public(row, masking)}, conn=conn)
        await records.timeline(conn, publisher, row, records.DECIDED_EVENT, records.decision_text(row), masking)
    for stage in await store.close_open_records(conn, session_id, "cancelled"):
        data = {
            "stage_id": str(stage["id"]),
            "stage_index": stage["stage_index"],
            "stage_name": stage["name"],
            "stage_type": stage["stage_type"],
            "status": "cancelled",
        }
        await publisher.publish(session_id, ev.STAGE_STATUS, data, conn=conn)
    error = "cancelled while waiting for approval"
    await publisher.publish(session_id, ev.SESSION_STATUS, {"status": "cancelled", "error": error}, conn=conn)
    return True


class ExpirySweeper:
    """Resolves expired approvals every ``interval_s`` on every replica (rows are locked, so once)."""

    def __init__(self, pool: Pool, publisher: EventPublisher, masking: OutputMasking, interval_s: float) -> None:
        self._pool = pool
        self._publisher = publisher
        self._masking = masking
        self._interval = interval_s
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.on_resolved: list[Any] = []

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="tarsy-approval-expiry")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if await expire_due(self._pool, self._publisher, self._masking):
                    for callback in self.on_resolved:
                        callback()
            except Exception as exc:
                # A database hiccup must not stop the sweeps; the next one retries.
                log.warning("resolving expired approvals failed: %s", type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self._interval)
