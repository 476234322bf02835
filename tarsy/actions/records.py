"""What an approval looks like outside the process (API, events, timeline, Slack): always masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.masking.outbound import OutputMasking
from tarsy.store import approvals as store
from tarsy.store.db import Row

REQUESTED_EVENT = "approval_requested"
DECIDED_EVENT = "approval_decided"
MAX_REASON_CHARS = 2000


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def public(row: Row, masking: OutputMasking) -> dict[str, Any]:
    """One approval as the API and events show it (arguments, reason and comment masked)."""
    return {
        "id": str(row["id"]),
        "status": row["status"],
        "tool": row["tool"],
        "arguments": masking.value(row["arguments"]),
        "agent": row["agent_name"],
        "stage": row["stage_name"],
        "stage_id": None if row["stage_id"] is None else str(row["stage_id"]),
        "execution_id": None if row["execution_id"] is None else str(row["execution_id"]),
        "reason": masking.text(str(row["reason"] or "")),
        "requested_at": _iso(row["requested_at"]),
        "expires_at": _iso(row["expires_at"]),
        "on_timeout": row["on_timeout"],
        "decided_at": _iso(row["decided_at"]),
        "decided_by": row["decided_by"],
        "comment": masking.optional(row["comment"]),
    }


def decision_text(row: Row) -> str:
    """One line for the timeline: who decided what."""
    verb = {"approved": "approved", "rejected": "rejected", "expired": "expired", "cancelled": "cancelled"}
    text = f"{row['tool']} {verb.get(str(row['status']), str(row['status']))}"
    if row["decided_by"]:
        text += f" by {row['decided_by']}"
    if row["comment"]:
        text += f": {row['comment']}"
    return text


async def timeline(
    conn: AsyncConnection[DictRow],
    publisher: EventPublisher,
    row: Row,
    event_type: str,
    content: str,
    masking: OutputMasking,
) -> None:
    """A completed timeline event about ``row`` in the caller's transaction (caller holds the lock)."""
    metadata = {"approval": public(row, masking)}
    content = masking.text(content)
    session_id = str(row["session_id"])
    stage_id = None if row["stage_id"] is None else str(row["stage_id"])
    execution_id = None if row["execution_id"] is None else str(row["execution_id"])
    created = await store.insert_timeline(
        conn,
        session_id=session_id,
        stage_id=stage_id,
        execution_id=execution_id,
        event_type=event_type,
        content=content,
        metadata=metadata,
    )
    await publisher.publish(
        session_id,
        ev.TIMELINE_CREATED,
        {
            "event_id": str(created["id"]),
            "sequence": created["seq"],
            "stage_id": stage_id,
            "execution_id": execution_id,
            "event_type": event_type,
            "status": "completed",
            "content": content,
            "metadata": metadata,
        },
        conn=conn,
    )
