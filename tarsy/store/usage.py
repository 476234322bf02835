"""Token and cost totals of model calls over a time range, grouped (``GET /api/v1/usage/summary``)."""

from __future__ import annotations

from datetime import datetime
from typing import Final, Literal

from tarsy.store.db import Pool, Row

GroupBy = Literal["day", "chain", "model", "author"]

MAX_GROUPS: Final = 1000
"""Groups returned at most (a day group spans at most the 366 days a range may cover)."""

# The key of each grouping; calls without a session row cannot exist (ON DELETE CASCADE).
_KEYS: Final[dict[GroupBy, str]] = {
    "day": "to_char(l.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
    "chain": "s.chain_id",
    "model": "l.model",
    "author": "s.author",
}
_ORDER: Final[dict[GroupBy, str]] = {
    "day": "key",
    "chain": "cost_usd DESC, key",
    "model": "cost_usd DESC, key",
    "author": "cost_usd DESC, key",
}
_TOTALS: Final = (
    "count(*) AS calls, count(DISTINCT l.session_id) AS sessions,"
    " coalesce(sum(l.input_tokens), 0)::bigint AS input_tokens,"
    " coalesce(sum(l.output_tokens), 0)::bigint AS output_tokens,"
    " coalesce(sum(l.thinking_tokens), 0)::bigint AS thinking_tokens,"
    " coalesce(sum(l.cached_tokens), 0)::bigint AS cached_tokens,"
    " coalesce(sum(l.cost_usd), 0)::float8 AS cost_usd,"
    " count(*) FILTER (WHERE l.cost_estimated) AS estimated_calls,"
    " count(*) FILTER (WHERE l.cost_usd IS NULL AND l.error IS NULL) AS unpriced_calls"
)
_FROM: Final = (
    " FROM llm_interactions l JOIN alert_sessions s ON s.id = l.session_id"
    " WHERE l.created_at >= %(start)s AND l.created_at < %(end)s"
)


async def usage_summary(pool: Pool, start: datetime, end: datetime, group_by: GroupBy) -> tuple[Row, list[Row]]:
    """The totals of calls made in [start, end), and the same totals per group."""
    params = {"start": start, "end": end, "limit": MAX_GROUPS}
    grouped = (
        f"SELECT {_KEYS[group_by]} AS key, {_TOTALS}{_FROM} GROUP BY 1 ORDER BY {_ORDER[group_by]} LIMIT %(limit)s"
    )
    async with pool.connection() as conn:
        cur = await conn.execute(f"SELECT {_TOTALS}{_FROM}", params)
        totals = await cur.fetchone()
        cur = await conn.execute(grouped, params)
        groups = await cur.fetchall()
    assert totals is not None  # an aggregate without GROUP BY always has a row
    return totals, groups
