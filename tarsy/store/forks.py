"""The SQL of forks: reading a session's records as resume points, and copying them into a fork.

A fork's records before its fork point are copies of the parent's: new ids, foreign keys remapped
through one old id → new id map, contents unchanged. The copy is done by the database (``INSERT ...
SELECT`` joined with the map), so transcripts never travel through the process. Which rows are
copied is decided by ``tarsy.runtime.checkpoints``; see docs/langgraph.md "Forking".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.store.db import Pool, Row

Conn = AsyncConnection[DictRow]

FORK_LIST_LIMIT = 100  # forks shown with a session (the newest)


@dataclass(frozen=True)
class SessionRecords:
    """A session's records in the small form resume points are derived from (no transcripts)."""

    stages: list[Row]
    executions: list[Row]
    calls: list[Row]  # llm_interactions: answered, reply preview, tool call names
    events: list[Row]  # timeline_events: type, seq, step
    tools: list[Row]  # mcp_interactions: timeline event, time


async def session_records(conn: Conn, session_id: str) -> SessionRecords:
    """Everything a resume point is made of, oldest first (chat stages are not part of it)."""
    stages = await _all(
        conn,
        "SELECT id, stage_index, name, stage_type, status, started_at, completed_at FROM stages"
        " WHERE session_id = %s AND stage_type <> 'chat' ORDER BY stage_index",
        session_id,
    )
    executions = await _all(
        conn,
        "SELECT id, stage_id, agent_name, agent_index, status, llm_provider, model, dispatch_index,"
        " parent_execution_id FROM agent_executions WHERE session_id = %s ORDER BY agent_index, dispatch_index",
        session_id,
    )
    calls = await _all(
        conn,
        "SELECT id, stage_id, execution_id, created_at, provider,"
        " (error IS NULL AND response IS NOT NULL AND interaction_type <> 'summarization') AS answered,"
        " left(coalesce(response->>'content', ''), 400) AS reply,"
        " coalesce(jsonb_path_query_array(response, '$.tool_calls[*].name'), '[]'::jsonb) AS tool_names"
        " FROM llm_interactions WHERE session_id = %s ORDER BY created_at, id",
        session_id,
    )
    events = await _all(
        conn,
        "SELECT id, stage_id, execution_id, event_type, seq, metadata->>'step' AS step FROM timeline_events"
        " WHERE session_id = %s ORDER BY seq",
        session_id,
    )
    tools = await _all(
        conn,
        "SELECT id, stage_id, execution_id, timeline_event_id, created_at FROM mcp_interactions"
        " WHERE session_id = %s ORDER BY created_at, id",
        session_id,
    )
    return SessionRecords(stages, executions, calls, events, tools)


async def _all(conn: Conn, query: str, session_id: str) -> list[Row]:
    cur = await conn.execute(query, (session_id,))
    return await cur.fetchall()


@dataclass(frozen=True)
class NewFork:
    """The fork's own session settings; everything else is the parent's."""

    session_id: str
    parent_id: str
    checkpoint_id: str
    author: str
    llm_provider: str | None
    instructions: str | None


async def insert_fork_session(conn: Conn, fork: NewFork, *, max_pending: int | None) -> Row | None:
    """A pending session with the parent's alert, chain, runbook and MCP selection; None while
    ``max_pending`` sessions already wait (nothing stored)."""
    cur = await conn.execute(
        "INSERT INTO alert_sessions (id, alert_type, chain_id, status, alert_data, alert_masking_error, runbook_url,"
        " author, mcp_selection, forked_from, fork_checkpoint, llm_provider, instructions)"
        " SELECT %(id)s, p.alert_type, p.chain_id, 'pending', p.alert_data, p.alert_masking_error, p.runbook_url,"
        " %(author)s, p.mcp_selection, p.id, %(checkpoint)s, %(provider)s, %(instructions)s"
        " FROM alert_sessions p WHERE p.id = %(parent)s AND (%(cap)s::int IS NULL OR (SELECT count(*) FROM"
        " (SELECT 1 FROM alert_sessions WHERE status = 'pending' LIMIT %(cap)s::int) AS q) < %(cap)s::int)"
        " RETURNING id, alert_type, chain_id, status, created_at",
        {
            "id": fork.session_id,
            "author": fork.author,
            "checkpoint": fork.checkpoint_id,
            "provider": fork.llm_provider,
            "instructions": fork.instructions,
            "parent": fork.parent_id,
            "cap": max_pending,
        },
    )
    return await cur.fetchone()


@dataclass(frozen=True)
class RecordCopy:
    """Which parent rows become the fork's, and under which new ids."""

    ids: dict[str, str]  # parent row id → fork row id, for every copied row of every table
    reopened: frozenset[str]  # parent stage/execution ids the fork runs again (copied as 'pending')


_MAP = "unnest(%(old)s::uuid[], %(new)s::uuid[]) AS m(old_id, new_id)"


def _remap(alias: str, column: str) -> str:
    """A join that gives ``<alias>.new_id``: the fork's id of the parent row ``column`` names (or NULL)."""
    return (
        f" LEFT JOIN unnest(%(old)s::uuid[], %(new)s::uuid[]) AS {alias}(old_id, new_id) ON {alias}.old_id = {column}"
    )


_COPY_STAGES = (
    "INSERT INTO stages (id, session_id, stage_index, name, stage_type, parallel_type, expected_agents,"
    " success_policy, referenced_stage_id, status, started_at, completed_at, error_message)"
    " SELECT m.new_id, %(sid)s, s.stage_index, s.name, s.stage_type, s.parallel_type, s.expected_agents,"
    " s.success_policy, rx.new_id, CASE WHEN s.id = ANY(%(reopen)s::uuid[]) THEN 'pending' ELSE s.status END,"
    " s.started_at, CASE WHEN s.id = ANY(%(reopen)s::uuid[]) THEN NULL ELSE s.completed_at END,"
    " CASE WHEN s.id = ANY(%(reopen)s::uuid[]) THEN NULL ELSE s.error_message END"
    f" FROM stages s JOIN {_MAP} ON m.old_id = s.id" + _remap("rx", "s.referenced_stage_id") + " ORDER BY s.stage_index"
)
_COPY_EXECUTIONS = (
    "INSERT INTO agent_executions (id, session_id, stage_id, agent_name, agent_index, strategy, llm_provider, model,"
    " status, started_at, completed_at, error_message, provider_fallbacks, parent_execution_id, task, dispatch_index)"
    " SELECT m.new_id, %(sid)s, sx.new_id, e.agent_name, e.agent_index, e.strategy, e.llm_provider, e.model,"
    " CASE WHEN e.id = ANY(%(reopen)s::uuid[]) THEN 'pending' ELSE e.status END, e.started_at,"
    " CASE WHEN e.id = ANY(%(reopen)s::uuid[]) THEN NULL ELSE e.completed_at END,"
    " CASE WHEN e.id = ANY(%(reopen)s::uuid[]) THEN NULL ELSE e.error_message END,"
    " e.provider_fallbacks, px.new_id, e.task, e.dispatch_index"
    f" FROM agent_executions e JOIN {_MAP} ON m.old_id = e.id"
    + _remap("sx", "e.stage_id")
    + _remap("px", "e.parent_execution_id")
)
# Sequence numbers are assigned in the parent's order. An interrupt count is dropped: the fork's
# thread never raised those interrupts, so replaying the call must not ask for their answers again.
_COPY_EVENTS = (
    "INSERT INTO timeline_events (id, session_id, stage_id, execution_id, event_type, status, content, metadata,"
    " created_at, updated_at)"
    " SELECT m.new_id, %(sid)s, sx.new_id, ex.new_id, t.event_type, t.status, t.content,"
    " (t.metadata - 'interrupts') || CASE WHEN tx.new_id IS NULL THEN '{}'::jsonb"
    " ELSE jsonb_build_object('tool_call_event_id', tx.new_id::text) END"
    " || CASE WHEN ux.new_id IS NULL THEN '{}'::jsonb"
    " ELSE jsonb_build_object('sub_execution_id', ux.new_id::text) END, t.created_at, t.updated_at"
    f" FROM timeline_events t JOIN {_MAP} ON m.old_id = t.id"
    + _remap("sx", "t.stage_id")
    + _remap("ex", "t.execution_id")
    + _remap("tx", "(CASE WHEN t.metadata ? 'tool_call_event_id' THEN (t.metadata->>'tool_call_event_id')::uuid END)")
    + _remap("ux", "(CASE WHEN t.metadata ? 'sub_execution_id' THEN (t.metadata->>'sub_execution_id')::uuid END)")
    + " ORDER BY t.seq"
)
_COPY_CALLS = (
    "INSERT INTO llm_interactions (id, session_id, stage_id, execution_id, interaction_type, provider, model,"
    " conversation_offset, request_messages, tools, response, thinking, input_tokens, output_tokens,"
    " thinking_tokens, total_tokens, duration_ms, error, cached_tokens, cost_usd, cost_estimated, cost_note,"
    " created_at)"
    " SELECT m.new_id, %(sid)s, sx.new_id, ex.new_id, l.interaction_type, l.provider, l.model,"
    " l.conversation_offset, l.request_messages, l.tools, l.response, l.thinking, l.input_tokens, l.output_tokens,"
    " l.thinking_tokens, l.total_tokens, l.duration_ms, l.error, l.cached_tokens, l.cost_usd, l.cost_estimated,"
    " l.cost_note, l.created_at"
    f" FROM llm_interactions l JOIN {_MAP} ON m.old_id = l.id"
    + _remap("sx", "l.stage_id")
    + _remap("ex", "l.execution_id")
)
_COPY_TOOLS = (
    "INSERT INTO mcp_interactions (id, session_id, stage_id, execution_id, timeline_event_id, interaction_type,"
    " server, tool, arguments, result, is_error, error, available_tools, duration_ms, created_at)"
    " SELECT m.new_id, %(sid)s, sx.new_id, ex.new_id, tx.new_id, c.interaction_type, c.server, c.tool, c.arguments,"
    " c.result, c.is_error, c.error, c.available_tools, c.duration_ms, c.created_at"
    f" FROM mcp_interactions c JOIN {_MAP} ON m.old_id = c.id"
    + _remap("sx", "c.stage_id")
    + _remap("ex", "c.execution_id")
    + _remap("tx", "c.timeline_event_id")
)
# An execution's token and cost totals are those of the calls it kept.
_TOKENS = (
    "UPDATE agent_executions a SET input_tokens = t.i, output_tokens = t.o, thinking_tokens = t.th,"
    " total_tokens = t.tt, cached_tokens = t.c, cost_usd = t.usd, cost_estimated = t.est, unpriced_calls = t.u"
    " FROM (SELECT execution_id, sum(input_tokens) AS i, sum(output_tokens) AS o,"
    " sum(thinking_tokens) AS th, sum(total_tokens) AS tt, sum(cached_tokens) AS c,"
    " coalesce(sum(cost_usd), 0) AS usd, bool_or(cost_estimated) AS est,"
    " count(*) FILTER (WHERE cost_usd IS NULL AND error IS NULL) AS u"
    " FROM llm_interactions WHERE session_id = %(sid)s"
    " AND execution_id IS NOT NULL GROUP BY execution_id) t WHERE a.id = t.execution_id"
)


async def copy_records(conn: Conn, session_id: str, copy: RecordCopy) -> None:
    """Copy the chosen rows into ``session_id`` in the caller's transaction (parents before children)."""
    params: dict[str, Any] = {
        "sid": session_id,
        "old": list(copy.ids),
        "new": list(copy.ids.values()),
        "reopen": sorted(copy.reopened),
    }
    for statement in (_COPY_STAGES, _COPY_EXECUTIONS, _COPY_EVENTS, _COPY_CALLS, _COPY_TOOLS, _TOKENS):
        await conn.execute(statement, params)


async def forks_of(pool: Pool, session_id: str) -> list[Row]:
    """The sessions forked from ``session_id``, oldest first (at most ``FORK_LIST_LIMIT``, the newest)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM (SELECT id, status, llm_provider, fork_checkpoint, author, created_at FROM alert_sessions"
            " WHERE forked_from = %s ORDER BY created_at DESC LIMIT %s) f ORDER BY created_at",
            (session_id, FORK_LIST_LIMIT),
        )
        return await cur.fetchall()
