"""Session score rows (``session_scores``): every scoring run kept, the latest one shown."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from psycopg import errors

from tarsy.store.db import Pool, Row

_ENDED = "('completed', 'failed', 'timed_out', 'cancelled')"


@dataclass(frozen=True)
class ScoreResult:
    score: int
    outcome: str
    analysis: str
    failure_tags: list[str]
    dropped_tags: list[str]
    tool_report: str


_ABANDON = (
    "UPDATE session_scores SET status = 'failed', error = 'abandoned: its process ended', scored_at = now()"
    " WHERE status = 'scoring' AND created_at < now() - make_interval(secs => %s)"
)


async def start_score(
    pool: Pool, session_id: str, *, provider: str, requested_by: str, abandoned_after: float
) -> Row | None:
    """A new ``scoring`` row for an ended session; None while another run of it is ``scoring``
    or when the session has not ended (the caller tells the two apart with ``get_session``).
    A run ``scoring`` for longer than ``abandoned_after`` seconds lost its process: it fails first."""
    try:
        async with pool.connection() as conn:
            await conn.execute(_ABANDON + " AND session_id = %s", (abandoned_after, session_id))
            cur = await conn.execute(
                "INSERT INTO session_scores (id, session_id, status, provider, requested_by)"
                " SELECT %s, s.id, 'scoring', %s, %s FROM alert_sessions s"
                f" WHERE s.id = %s AND s.status IN {_ENDED} RETURNING *",
                (str(uuid.uuid4()), provider, requested_by, session_id),
            )
            return await cur.fetchone()
    except errors.UniqueViolation:
        return None


async def abandon_runs(pool: Pool, abandoned_after: float) -> list[Row]:
    """Fail every run ``scoring`` for longer than ``abandoned_after`` seconds; the rows, now failed.
    One statement: of several processes starting at once, each row goes to exactly one."""
    async with pool.connection() as conn:
        cur = await conn.execute(_ABANDON + " RETURNING *", (abandoned_after,))
        return await cur.fetchall()


async def complete_score(pool: Pool, score_id: str, result: ScoreResult) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE session_scores SET status = 'completed', score = %s, outcome = %s, analysis = %s,"
            " failure_tags = %s::jsonb, dropped_tags = %s::jsonb, tool_report = %s, scored_at = now()"
            " WHERE id = %s AND status = 'scoring' RETURNING *",
            (
                result.score,
                result.outcome,
                result.analysis,
                json.dumps(result.failure_tags),
                json.dumps(result.dropped_tags),
                result.tool_report,
                score_id,
            ),
        )
        return await cur.fetchone()


async def fail_score(pool: Pool, score_id: str, error: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE session_scores SET status = 'failed', error = %s, scored_at = now()"
            " WHERE id = %s AND status = 'scoring' RETURNING *",
            (error, score_id),
        )
        return await cur.fetchone()


async def latest_score(pool: Pool, session_id: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM session_scores WHERE session_id = %s ORDER BY created_at DESC, id LIMIT 1",
            (session_id,),
        )
        return await cur.fetchone()


async def score_history(pool: Pool, session_id: str) -> list[Row]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM session_scores WHERE session_id = %s ORDER BY created_at, id",
            (session_id,),
        )
        return await cur.fetchall()
