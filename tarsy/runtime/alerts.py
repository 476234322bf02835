"""Accepting an alert: validate, mask (fail-open), store a pending session, wake a worker.

Nothing else happens in the request: the investigation runs on a worker.
"""

from __future__ import annotations

import functools
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from psycopg.errors import UniqueViolation

from tarsy.config import TarsyConfig
from tarsy.errors import ConflictError, InvalidInputError, PayloadTooLargeError, QueueFullError
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher, build_payload
from tarsy.jsonsafe import check_storable
from tarsy.masking import Masker, MaskingPolicy, build_policy, mask_alert_data, mask_text
from tarsy.observability.metrics import Metrics
from tarsy.store import events as store_events
from tarsy.store import sessions as repo
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)

# (data) -> (masked data, masking error or None); masking is fail-open for alerts.
AlertMasker = Callable[[Any], tuple[Any, str | None]]


_MEMO_ENTRIES = 8192
_MEMO_MAX_CHARS = 512


def alert_masker(config: TarsyConfig, metrics: Metrics | None = None, *, masker: Masker | None = None) -> AlertMasker:
    """The alert-payload masker from ``defaults.alert_masking`` (``masker`` replaces the pattern
    masker, for tests).

    Fail-open (the alert is kept unmasked and the error returned for the session row), but never
    silent: every failure is logged and counted in ``tarsy_alert_masking_failures_total``.
    """
    settings = config.defaults.alert_masking
    if not settings.enabled:
        return lambda data: (data, None)
    policy = build_policy(groups=[settings.pattern_group])

    # Alerts repeat most of their short strings (label values, summaries, group labels): an
    # Alertmanager group masks each distinct one once. Bounded: short texts, a fixed number of them.
    @functools.lru_cache(maxsize=_MEMO_ENTRIES)
    def mask_short(text: str) -> str:
        return mask_text(text, policy)

    def memo_masker(text: str, given: MaskingPolicy, /) -> str:
        return mask_short(text) if len(text) <= _MEMO_MAX_CHARS and given is policy else mask_text(text, given)

    def mask(data: Any) -> tuple[Any, str | None]:
        masked, error = mask_alert_data(data, policy, masker=masker or memo_masker)
        if error is not None:
            log.error("%s", error)
            if metrics is not None:
                metrics.alert_masking_failures.inc()
        return masked, error

    return mask


@dataclass(frozen=True)
class AlertSubmission:
    alert_type: str | None
    data: dict[str, Any] | str
    runbook: str | None
    author: str
    fingerprint: str | None = None  # deduplicates while a session for it is open (Alertmanager)
    slack_message_fingerprint: str | None = None
    mcp_selection: dict[str, Any] | None = None  # validated per-alert MCP override
    session_id: str | None = None  # a LangGraph run's thread id (tarsy/api/routes/langgraph)


@dataclass(frozen=True)
class Submitted:
    session: Row
    duplicate: bool = False  # an open session for the same fingerprint already existed


def payload_size(data: dict[str, Any] | str) -> int:
    if isinstance(data, str):
        return len(data.encode())
    return len(json.dumps(data, separators=(",", ":")).encode())


def queue_full(config: TarsyConfig) -> QueueFullError:
    cap = config.queue.max_pending
    return QueueFullError(
        f"the queue is full: {cap} sessions are waiting (queue.max_pending); retry later",
        retry_after=max(1, round(config.queue.retry_after)),
    )


async def ensure_queue_room(pool: Pool, config: TarsyConfig) -> None:
    """Refuse new work (429) while ``queue.max_pending`` sessions wait; concurrent requests may pass
    the check together, so the cap can be exceeded by as many as arrive at the same moment."""
    cap = config.queue.max_pending
    if cap is not None and await repo.pending_at_least(pool, cap):
        raise queue_full(config)


def check_alert_data(data: dict[str, Any] | str, config: TarsyConfig) -> None:
    """Refuse alert data that is empty (400), that the checkpointer or database cannot hold (400), or
    that is over ``system.max_alert_data_bytes`` (413)."""
    if (isinstance(data, str) and not data.strip()) or (isinstance(data, dict) and not data):
        raise InvalidInputError("alert data is empty; send a non-empty JSON object or text in 'data'")
    check_storable(data, max_depth=config.system.max_json_depth, name="data")
    limit = config.system.max_alert_data_bytes
    size = payload_size(data)
    if size > limit:
        raise PayloadTooLargeError(
            f"alert data is {size} bytes; the limit is {limit} bytes (system.max_alert_data_bytes)"
        )


async def submit_alert(
    *,
    pool: Pool,
    config: TarsyConfig,
    submission: AlertSubmission,
    mask: AlertMasker,
) -> Submitted:
    """Validate, mask and queue one alert: the queue-room check (``queue.max_pending``, 429), the
    session row, its ``session.status`` event and the NOTIFY are one statement (one round trip)."""
    alert_type = submission.alert_type or config.defaults.alert_type
    try:
        chain_id, _ = config.chain_for_alert_type(alert_type)
    except LookupError as exc:  # UnknownAlertTypeError is a LookupError with a listing message
        raise InvalidInputError(str(exc)) from exc
    check_alert_data(submission.data, config)
    if submission.slack_message_fingerprint is not None:
        check_storable(submission.slack_message_fingerprint, max_depth=1, name="slack_message_fingerprint")
    masked, masking_error = mask(submission.data)
    new = repo.NewSession(
        alert_type=alert_type,
        chain_id=chain_id,
        alert_data=masked,
        runbook_url=submission.runbook,
        author=submission.author,
        alert_masking_error=masking_error,
        fingerprint=submission.fingerprint,
        slack_message_fingerprint=submission.slack_message_fingerprint,
        mcp_selection=submission.mcp_selection,
        session_id=submission.session_id,
    )
    session_id = submission.session_id or str(uuid.uuid4())
    payload = build_payload(
        session_id, ev.SESSION_STATUS, {"status": "pending", "alert_type": alert_type, "chain_id": chain_id}
    )
    event = repo.FirstEvent(ev.SESSION_STATUS, json.dumps(payload, default=str), ev.EVENTS_CHANNEL, ev.MAX_NOTIFY_BYTES)
    # A new session has no other events yet, so no per-session ordering lock is needed.
    async with pool.connection() as conn:
        try:
            row = await repo.insert_pending_session(conn, session_id, new, event, max_pending=config.queue.max_pending)
        except UniqueViolation:
            if submission.fingerprint is None:  # a caller-chosen id taken meanwhile (a LangGraph thread's run)
                raise ConflictError(f"session {submission.session_id} already exists") from None
            # Another session for this fingerprint is still open (the partial unique index says so).
            existing = await repo.open_session_for_fingerprint(conn, submission.fingerprint)
            if existing is None:  # it ended in between: try once more
                return await submit_alert(pool=pool, config=config, submission=submission, mask=mask)
            return Submitted(existing, duplicate=True)
    if row is None:
        raise queue_full(config)
    return Submitted(row)


async def cancel_session(*, pool: Pool, publisher: EventPublisher, session_id: str, by: str) -> str | None:
    """Returns the new status (``cancelled`` or ``cancelling``), or None when already terminal; ``by`` is recorded."""
    async with publisher.lock(session_id), pool.connection() as conn, conn.transaction():
        status = await repo.request_cancel(conn, session_id, by)
        if status == "cancelled":
            await publisher.publish(
                session_id,
                ev.SESSION_STATUS,
                {"status": "cancelled", "error": "cancelled before it started"},
                conn=conn,
            )
        elif status == "cancelling":
            await store_events.notify(conn, ev.CANCEL_CHANNEL, session_id)
    return status
