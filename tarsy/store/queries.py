"""Read-side queries behind the session list, the active view, filter options and the summary.

The search expressions mirror the GIN indexes of ``003_search.sql`` character for character; a
test asks the planner to use them, so a drift between the two fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal

from psycopg import sql

from tarsy.store.db import Pool, Row
from tarsy.store.jobs import ACTIVE

SortBy = Literal["created_at", "status", "alert_type", "author", "duration", "score"]
SortOrder = Literal["asc", "desc"]

SESSION_VECTOR: Final = (
    "(jsonb_to_tsvector('english', s.alert_data, '[\"string\", \"numeric\"]')"
    " || to_tsvector('english', coalesce(s.final_analysis, '')))"
)
TIMELINE_VECTOR: Final = "to_tsvector('english', t.content)"
LATEST_SCORE: Final = (
    "(SELECT ss.score FROM session_scores ss WHERE ss.session_id = s.id AND ss.status = 'completed'"
    " ORDER BY ss.created_at DESC, ss.id LIMIT 1)"
)
"""The session's latest completed score (null: never scored)."""
MAX_SEARCH_TERMS: Final = 16

_SORT_COLUMNS: Final[dict[str, str]] = {
    "created_at": "s.created_at",
    "status": "s.status",
    "alert_type": "s.alert_type",
    "author": "s.author",
    "duration": "(s.completed_at - s.started_at)",
    "score": LATEST_SCORE,
}

# The columns of a SessionSummary; ``s`` is the session, ``tok`` and ``sc`` the lateral aggregates.
_SUMMARY_COLUMNS: Final = (
    "s.id, s.alert_type, s.chain_id, s.status, s.author, s.created_at, s.started_at, s.completed_at,"
    " floor(extract(epoch FROM s.completed_at - s.started_at) * 1000)::bigint AS duration_ms,"
    " s.executive_summary, s.error_message, s.forked_from,"
    " s.review_status, s.assignee, s.quality_rating, s.reviewed_at,"
    " tok.input_tokens, tok.output_tokens, tok.total_tokens, tok.cost_estimated, tok.unpriced_calls,"
    " CASE WHEN tok.unpriced_calls > 0 AND tok.cost_usd = 0 THEN NULL ELSE tok.cost_usd END AS cost_usd,"
    " sc.stage_count, " + LATEST_SCORE + " AS score"
)
_SUMMARY_JOINS: Final = (
    " LEFT JOIN LATERAL (SELECT coalesce(sum(e.input_tokens), 0)::bigint AS input_tokens,"
    " coalesce(sum(e.output_tokens), 0)::bigint AS output_tokens,"
    " coalesce(sum(e.total_tokens), 0)::bigint AS total_tokens,"
    " coalesce(sum(e.cost_usd), 0)::float8 AS cost_usd, coalesce(bool_or(e.cost_estimated), false) AS cost_estimated,"
    " coalesce(sum(e.unpriced_calls), 0)::bigint AS unpriced_calls"
    " FROM agent_executions e WHERE e.session_id = s.id) tok ON true"
    " LEFT JOIN LATERAL (SELECT count(*) AS stage_count FROM stages st"
    " WHERE st.session_id = s.id AND st.stage_type IN ('investigation', 'synthesis')) sc ON true"
)
_PAGE_COLUMNS: Final = (
    "s.id, s.alert_type, s.chain_id, s.status, s.author, s.created_at, s.started_at, s.completed_at,"
    " s.executive_summary, s.error_message, s.forked_from,"
    " s.review_status, s.assignee, s.quality_rating, s.reviewed_at"
)


_TOKEN: Final = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_EDGE: Final = re.compile(r"^\W+|\W+$")


def search_query(text: str) -> str | None:
    """A ``to_tsquery`` input from what a person types in the search box, or None when it has no words.

    - a plain word matches as a prefix (``crashloop`` finds ``CrashLoopBackOff`` while typing);
    - an identifier with inner punctuation (``web-1``, ``10.0.0.12``, ``node-1.example.com``,
      ``nginx:1.25``) matches exactly, as PostgreSQL's parser split it in the document (``web-1``
      is the phrase ``web <-> -1``), so ``web-1`` finds neither ``web-10`` nor ``web-2``;
    - ``"a quoted phrase"`` matches those words in that order;
    - a leading ``-`` excludes a word, identifier or phrase.

    Every term reaches the query as a quoted lexeme with quotes and backslashes removed, so no
    input can make ``to_tsquery`` fail.
    """
    parts: list[str] = []
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if phrase is None:
            negated = "-" if bare.startswith("-") and len(bare) > 1 else ""
            phrase = _EDGE.sub("", bare[1:] if negated else bare)
            prefix = re.fullmatch(r"\w+", phrase) is not None
        else:
            prefix = False
        words = phrase.replace("'", " ").replace("\\", " ").strip()
        if not re.search(r"\w", words):
            continue
        term = f"'{words}'" + (":*" if prefix and not negated else "")
        parts.append(f"!({term})" if negated else term)
        if len(parts) == MAX_SEARCH_TERMS:
            break
    return " & ".join(parts) or None


@dataclass(frozen=True)
class SessionFilters:
    statuses: Sequence[str] = ()
    alert_type: str | None = None
    chain_id: str | None = None
    author: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    search: str | None = None  # a ``search_query`` result
    review_statuses: Sequence[str] = ()  # the triage groups (docs/review.md)
    assignee: str | None = None


def _where(filters: SessionFilters) -> tuple[sql.Composable, dict[str, Any]]:
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {}
    if filters.statuses:
        clauses.append(sql.SQL("s.status = ANY(%(statuses)s)"))
        params["statuses"] = list(filters.statuses)
    if filters.review_statuses:
        clauses.append(sql.SQL("s.review_status = ANY(%(review_statuses)s)"))
        params["review_statuses"] = list(filters.review_statuses)
    for column in ("alert_type", "chain_id", "author", "assignee"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(sql.SQL("s.{} = %({})s").format(sql.Identifier(column), sql.SQL(column)))
            params[column] = value
    if filters.start is not None:
        clauses.append(sql.SQL("s.created_at >= %(start)s"))
        params["start"] = filters.start
    if filters.end is not None:
        clauses.append(sql.SQL("s.created_at <= %(end)s"))
        params["end"] = filters.end
    if filters.search is not None:
        clauses.append(
            sql.SQL(
                "(" + SESSION_VECTOR + " @@ to_tsquery('english', %(search)s)"
                " OR s.id IN (SELECT t.session_id FROM timeline_events t"
                " WHERE " + TIMELINE_VECTOR + " @@ to_tsquery('english', %(search)s)))"
            )
        )
        params["search"] = filters.search
    return sql.SQL(" AND ").join(clauses), params


def _matched_in_timeline(filters: SessionFilters) -> sql.Composable:
    if filters.search is None:
        return sql.SQL("false")
    # Rows that pass the filter and miss the session's own text can only have matched in the timeline.
    return sql.SQL("NOT (" + SESSION_VECTOR + " @@ to_tsquery('english', %(search)s))")


async def list_sessions(
    pool: Pool,
    filters: SessionFilters,
    *,
    sort_by: SortBy,
    sort_order: SortOrder,
    page: int,
    page_size: int,
) -> tuple[list[Row], int]:
    """One page of session summaries and the number of sessions that match in total."""
    where, params = _where(filters)
    direction = sql.SQL("ASC" if sort_order == "asc" else "DESC")
    order = sql.SQL("{column} {dir} NULLS LAST, s.created_at {dir}, s.id {dir}").format(
        column=sql.SQL(_SORT_COLUMNS[sort_by]), dir=direction
    )
    page_query = sql.SQL(
        "SELECT " + _SUMMARY_COLUMNS + ", s.matched_in_timeline, s.sort_key FROM ("
        "SELECT " + _PAGE_COLUMNS + ", {matched} AS matched_in_timeline, {column} AS sort_key"
        " FROM alert_sessions s WHERE {where} ORDER BY {order} LIMIT %(limit)s OFFSET %(offset)s) s"
        + _SUMMARY_JOINS
        + " ORDER BY s.sort_key {dir} NULLS LAST, s.created_at {dir}, s.id {dir}"
    ).format(
        matched=_matched_in_timeline(filters),
        column=sql.SQL(_SORT_COLUMNS[sort_by]),
        where=where,
        order=order,
        dir=direction,
    )
    count_query = sql.SQL("SELECT count(*) AS n FROM alert_sessions s WHERE {where}").format(where=where)
    async with pool.connection() as conn:
        cur = await conn.execute(count_query, params)
        counted = await cur.fetchone()
        cur = await conn.execute(page_query, {**params, "limit": page_size, "offset": (page - 1) * page_size})
        rows = await cur.fetchall()
    assert counted is not None
    for row in rows:
        row.pop("sort_key")
    return rows, int(counted["n"])


async def active_and_queued(pool: Pool) -> tuple[list[Row], list[Row]]:
    """Running sessions (oldest start first) and pending ones in the order workers claim them."""
    query = sql.SQL(
        "SELECT " + _SUMMARY_COLUMNS + ", false AS matched_in_timeline"
        " FROM alert_sessions s" + _SUMMARY_JOINS + " WHERE s.status = ANY(%(statuses)s) ORDER BY {order}"
    )
    async with pool.connection() as conn:
        cur = await conn.execute(
            query.format(order=sql.SQL("s.started_at NULLS LAST, s.created_at, s.id")),
            {"statuses": [*ACTIVE, "awaiting_approval"]},  # waiting for a person is still under way
        )
        active = await cur.fetchall()
        cur = await conn.execute(query.format(order=sql.SQL("s.created_at, s.id")), {"statuses": ["pending"]})
        queued = await cur.fetchall()
    return active, queued


async def filter_options(pool: Pool) -> Row:
    """The distinct alert types, chains and authors that sessions have."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT array(SELECT DISTINCT alert_type FROM alert_sessions ORDER BY 1) AS alert_types,"
            " array(SELECT DISTINCT chain_id FROM alert_sessions ORDER BY 1) AS chains,"
            " array(SELECT DISTINCT author FROM alert_sessions ORDER BY 1) AS authors"
        )
        row = await cur.fetchone()
    assert row is not None
    return row


async def record_counts(pool: Pool, session_id: str) -> Row:
    """How many LLM calls, MCP calls and timeline events a session has."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT (SELECT count(*) FROM llm_interactions WHERE session_id = %(id)s) AS llm_calls,"
            " (SELECT count(*) FROM mcp_interactions WHERE session_id = %(id)s) AS mcp_calls,"
            " (SELECT count(*) FROM timeline_events WHERE session_id = %(id)s) AS timeline_events",
            {"id": session_id},
        )
        row = await cur.fetchone()
    assert row is not None
    return row


async def status_events_after(pool: Pool, event_types: Sequence[str], after: int, limit: int) -> list[Row]:
    """Events of the given types across all sessions, in id order (the session-list stream's replay)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT id, event_type, payload FROM events WHERE event_type = ANY(%s) AND id > %s ORDER BY id LIMIT %s",
            (list(event_types), after, limit),
        )
        return await cur.fetchall()


async def latest_event_id(pool: Pool) -> int:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT coalesce(max(id), 0) AS id FROM events")
        row = await cur.fetchone()
    assert row is not None
    return int(row["id"])
