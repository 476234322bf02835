"""The replay log (``events``) and PostgreSQL's NOTIFY/LISTEN, as typed functions.

What an event means and how it is fanned out is ``tarsy.events``'s business; here is only how it
is stored and announced. The channel names are the caller's (``tarsy.events.types``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow, dict_row

from tarsy.store.db import Pool

Conn = AsyncConnection[DictRow]


# A timeline event's stored payload may leave its content to the timeline row (``tarsy.store.records``
# stores each text once); reading the log puts it back. Event types: ``tarsy.events.types``.
READ_PAYLOADS = (
    "SELECT e.id, e.event_type, CASE WHEN t.id IS NULL THEN e.payload"
    " ELSE e.payload || jsonb_build_object('content', t.content) END AS payload FROM events e"
    " LEFT JOIN timeline_events t ON e.event_type IN ('timeline_event.created', 'timeline_event.completed')"
    " AND NOT e.payload ? 'content' AND t.id = (e.payload ->> 'event_id')::uuid"
)


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, default=str)


async def insert_and_notify(
    conn: Conn, channel: str, max_bytes: int, session_id: str, event_type: str, payload: dict[str, Any]
) -> int:
    """Append one event and NOTIFY it (or, past ``max_bytes``, a pointer to it) in one statement; its id.

    In the caller's transaction, if any; the notification is delivered at commit.
    """
    text = json.dumps(payload, default=str, separators=(",", ":"))
    cur = await conn.execute(
        "WITH e AS (INSERT INTO events (session_id, event_type, payload) VALUES (%(s)s, %(t)s, %(p)s::jsonb)"
        " RETURNING id), m AS (SELECT e.id, json_build_object('id', e.id, 'session_id', %(s)s::text,"
        " 'type', %(t)s::text, 'data', %(p)s::json)::text AS t FROM e)"
        " SELECT m.id, pg_notify(%(c)s, CASE WHEN octet_length(m.t) <= %(max)s THEN m.t"
        " ELSE json_build_object('id', m.id, 'session_id', %(s)s::text, 'type', %(t)s::text,"
        " 'truncated', true)::text END) AS notified FROM m",
        {"s": session_id, "t": event_type, "p": text, "c": channel, "max": max_bytes},
    )
    row = await cur.fetchone()
    assert row is not None
    return int(row["id"])


async def insert_first_events(conn: Conn, events: Sequence[tuple[str, str, dict[str, Any]]]) -> dict[str, int]:
    """Append one event per new session (``(session_id, event_type, payload)``) in one statement,
    in order; session id → event id."""
    cur = await conn.execute(
        "INSERT INTO events (session_id, event_type, payload)"
        " SELECT s, t, p::jsonb FROM unnest(%s::uuid[], %s::text[], %s::text[]) WITH ORDINALITY AS u(s, t, p, n)"
        " ORDER BY n RETURNING id, session_id",
        (
            [session_id for session_id, _, _ in events],
            [event_type for _, event_type, _ in events],
            [_json(payload) for _, _, payload in events],
        ),
    )
    return {str(row["session_id"]): int(row["id"]) for row in await cur.fetchall()}


async def event_payload(pool: Pool, event_id: int) -> dict[str, Any] | None:
    """The stored payload of one event (a notification too big for NOTIFY carries only the id)."""
    async with pool.connection() as conn:
        conn.row_factory = dict_row
        cur = await conn.execute(f"{READ_PAYLOADS} WHERE e.id = %s".encode(), (event_id,))  # fixed SQL
        row = await cur.fetchone()
    return dict(row["payload"]) if row else None


async def notify(conn: AsyncConnection[Any], channel: str, message: str) -> None:
    """NOTIFY ``channel``; inside a transaction it is delivered at commit, and only then."""
    await conn.execute("SELECT pg_notify(%s, %s)", (channel, message))


async def notify_many(conn: AsyncConnection[Any], channel: str, messages: Sequence[str]) -> None:
    """NOTIFY ``channel`` once per message, in order, in one statement."""
    await conn.execute("SELECT pg_notify(%s, e) FROM unnest(%s::text[]) AS e", (channel, list(messages)))


async def listen(conn: AsyncConnection[Any], channels: Sequence[str]) -> None:
    """LISTEN on each channel (an autocommit connection that then reads ``conn.notifies()``)."""
    for channel in channels:
        await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
