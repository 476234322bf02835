"""Applying a review action to one or many sessions (docs/review.md): each session in its own
transaction, so one invalid transition never undoes the others; every applied one is audited and
announced as ``session.review_updated``. A rating (``complete``) or ``feedback`` also moves the
confidence of the memories the session produced or used, in the same transaction (docs/memory.md)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from tarsy.errors import ConflictError
from tarsy.events.publisher import EventPublisher
from tarsy.events.types import SESSION_REVIEW_UPDATED
from tarsy.memory.feedback import review_deltas
from tarsy.runtime.review_rules import ReviewAsk, transition
from tarsy.store import memory_admin
from tarsy.store import reviews as store
from tarsy.store.db import Pool
from tarsy.store.reviews import ReviewState, ReviewWrite


@dataclass(frozen=True)
class ReviewOutcome:
    """What happened to one session (its id as the caller wrote it): its state after the request,
    or why nothing changed."""

    session_id: str
    state: ReviewState | None
    error: Literal["not_found", "conflict"] | None = None
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def unique_ids(session_ids: list[str]) -> list[str]:
    """The ids once each, in the order given (a repeated id would otherwise conflict with itself)."""
    return list(dict.fromkeys(session_ids))


async def apply_review(
    pool: Pool,
    publisher: EventPublisher,
    session_ids: list[str],
    ask: ReviewAsk,
    comment: str | None,
    *,
    confidence_floor: float | None = None,
) -> list[ReviewOutcome]:
    """``ask`` on every session (``comment`` already masked); one outcome per distinct id, in order.
    ``confidence_floor``: memories are adjusted by the review, and deprecated below it (None: untouched)."""
    return [await _apply_one(pool, publisher, sid, ask, comment, confidence_floor) for sid in unique_ids(session_ids)]


def _canonical(session_id: str) -> str | None:
    try:
        return str(uuid.UUID(session_id))
    except ValueError:
        return None


async def _apply_one(
    pool: Pool, publisher: EventPublisher, session_id: str, ask: ReviewAsk, comment: str | None, floor: float | None
) -> ReviewOutcome:
    sid = _canonical(session_id)
    if sid is None:
        return ReviewOutcome(session_id, None, "not_found", f"session '{session_id}' not found (not a session id)")
    async with publisher.lock(sid), pool.connection() as conn, conn.transaction():
        current = await store.lock_review(conn, sid)
        if current is None:
            return ReviewOutcome(session_id, None, "not_found", f"session '{session_id}' not found")
        try:
            new = transition(current, ask, datetime.now(UTC))
        except ConflictError as exc:  # a rule refused it: nothing written for this session
            return ReviewOutcome(session_id, current, "conflict", str(exc))
        write = ReviewWrite(ask.action, ask.actor, current.review_status, new, comment)
        audit = await store.write_review(conn, sid, write)
        deltas = review_deltas(ask.action, ask.quality_rating)
        if deltas is not None and floor is not None:
            await memory_admin.adjust_for_review(conn, sid, memory_admin.ReviewDeltas(*deltas, floor, ask.actor))
        state = current if new is None else new
        await publisher.publish(sid, SESSION_REVIEW_UPDATED, _event(state, audit), conn=conn)
    return ReviewOutcome(session_id, state)


def _event(state: ReviewState, audit: dict[str, Any]) -> dict[str, Any]:
    return {
        "action": audit["action"],
        "actor": audit["actor"],
        "review_status": state.review_status,
        "assignee": state.assignee,
        "quality_rating": state.quality_rating,
        "reviewed_at": None if state.reviewed_at is None else state.reviewed_at.isoformat(),
    }
