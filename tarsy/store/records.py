"""The SQL of a run's records (stages, executions, timeline, interactions) and of their events.

A record write and the event that announces it are one statement: the write's row feeds the
``events`` insert and the ``pg_notify`` in common table expressions. A step of the agent loop
queues its statements and sends them together as one simple query, which PostgreSQL runs as one
implicit transaction in one round trip (:func:`run_batch`). Stage and execution rows, written a
few times per agent run, are single statements that return their row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.rows import DictRow

from tarsy.store.db import Row

_STEP_IDS = uuid.UUID("6f1d7c8e-3b0a-4f55-9a51-2f6f3c0e7a10")


@dataclass(frozen=True)
class Statement:
    """One write of a batch: SQL with named parameters."""

    sql: str
    params: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """Where events are announced: the NOTIFY channel and the largest payload it takes."""

    channel: str
    max_bytes: int


def step_event_id(execution_id: str, event_type: str, step: str) -> str:
    """The id of a timeline event of one agent step, the same when the step is run again."""
    return str(uuid.uuid5(_STEP_IDS, f"{execution_id}:{event_type}:{step}"))


def _announce(
    notice: Notice, payload_sql: str, source: str, live_data: str = "e.payload", *, with_row: bool = False
) -> str:
    """Tail of a statement: store the event built from ``source`` and NOTIFY it (or a pointer to it).

    ``live_data`` is what the notification carries as the event's data: the stored payload, or
    (timeline events) the stored payload with the content that the stored one leaves to the row.
    ``with_row``: the statement returns ``source``'s row (``r``, a single row) beside the NOTIFY.
    """
    envelope = (
        "json_build_object('id', e.id, 'session_id', %(session_id)s::text, 'type', %(event_type_)s::text,"
        f" 'data', {live_data})::text"
    )
    pointer = (
        "json_build_object('id', m.id, 'session_id', %(session_id)s::text, 'type', %(event_type_)s::text,"
        " 'truncated', true)::text"
    )
    row_columns, row_source = (", r.*", ", r") if with_row else ("", "")
    return (
        f", e AS (INSERT INTO events (session_id, event_type, payload) SELECT %(session_id)s, %(event_type_)s,"
        f" {payload_sql} FROM {source} RETURNING id, payload)"
        f" SELECT pg_notify('{notice.channel}', CASE WHEN octet_length(m.t) <= {int(notice.max_bytes)} THEN m.t"
        f" ELSE {pointer} END) AS notified{row_columns} FROM (SELECT e.id, {envelope} AS t FROM e) m{row_source}"
    )


def _params(session_id: str, event_type: str, payload: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "session_id": session_id, "event_type_": event_type, "payload": _json(payload)}


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


def _content_by_row(payload: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """A timeline event's payload to store, and the envelope data that puts its content back.

    The content is kept once, in the timeline row: a stored ``timeline_event.*`` payload without a
    ``content`` key takes the row's (``tarsy.store.events``, when the replay log is read). An empty
    content (a streaming start) stays in the payload: the row's would be the later, final text.
    """
    if not payload.get("content"):
        return payload, "e.payload"
    stored = {k: v for k, v in payload.items() if k != "content"}
    return stored, "e.payload || jsonb_build_object('content', %(content)s::text)"


def timeline_upsert(notice: Notice, session_id: str, payload: dict[str, Any], row: dict[str, Any]) -> Statement:
    """Insert a timeline event (or, for a step run again, reset it) and announce it with its sequence."""
    stored, live = _content_by_row(payload)
    sql = (
        "WITH r AS (INSERT INTO timeline_events (id, session_id, stage_id, execution_id, event_type, status, content,"
        " metadata) VALUES (%(id)s, %(session_id)s, %(stage_id)s, %(execution_id)s, %(type)s, %(status)s,"
        " %(content)s, %(metadata)s::jsonb) ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status,"
        " content = EXCLUDED.content, metadata = timeline_events.metadata || EXCLUDED.metadata, updated_at = now()"
        " RETURNING seq)"
    ) + _announce(notice, "%(payload)s::jsonb || jsonb_build_object('sequence', r.seq)", "r", live)
    values = {**row, "metadata": _json(row["metadata"])}
    return Statement(sql, _params(session_id, payload["type"], stored, values))


def timeline_complete(notice: Notice, session_id: str, payload: dict[str, Any], row: dict[str, Any]) -> Statement:
    stored, live = _content_by_row(payload)
    sql = (
        "WITH r AS (UPDATE timeline_events SET content = %(content)s, status = %(status)s,"
        " metadata = metadata || %(metadata)s::jsonb, updated_at = now() WHERE id = %(id)s"
        " RETURNING event_type, stage_id, execution_id, metadata)"
    ) + _announce(
        notice,
        "%(payload)s::jsonb || jsonb_build_object('stage_id', r.stage_id, 'execution_id', r.execution_id,"
        " 'event_type', r.event_type, 'metadata', r.metadata)",
        "r",
        live,
    )
    values = {**row, "metadata": _json(row["metadata"])}
    return Statement(sql, _params(session_id, payload["type"], stored, values))


_LLM_COLUMNS = (
    "id, session_id, stage_id, execution_id, interaction_type, provider, model, conversation_offset,"
    " request_messages, tools, response, thinking, input_tokens, output_tokens, thinking_tokens, total_tokens,"
    " duration_ms, error, cached_tokens, cost_usd, cost_estimated, cost_note"
)
_MCP_COLUMNS = (
    "id, session_id, stage_id, execution_id, timeline_event_id, interaction_type, server, tool, arguments, result,"
    " is_error, error, available_tools, duration_ms"
)


def _insert(notice: Notice, table: str, columns: str, session_id: str, payload: dict[str, Any], row: Row) -> str:
    names = [c.strip() for c in columns.split(",")]
    values = ", ".join(f"%({n})s" for n in names)
    # clock_timestamp(): rows of one batch share its transaction's now(), yet are read back in time order
    insert = f"INSERT INTO {table} ({columns}, created_at) VALUES ({values}, clock_timestamp())"
    return f"WITH r AS ({insert} RETURNING id)" + _announce(notice, "%(payload)s::jsonb", "r")


def llm_interaction(notice: Notice, session_id: str, payload: dict[str, Any], row: Row) -> list[Statement]:
    """The interaction and its event; its tokens and cost are added to its execution's totals."""
    sql = _insert(notice, "llm_interactions", _LLM_COLUMNS, session_id, payload, row)
    statements = [Statement(sql, _params(session_id, payload["type"], payload, dict(row)))]
    if row["execution_id"] is not None and (row["total_tokens"] or row["error"] is None):
        statements.append(Statement(_ADD_TO_EXECUTION, dict(row)))
    return statements


# An answered call without a price counts as unpriced; a failed one (no usage) does not.
_ADD_TO_EXECUTION = (
    "UPDATE agent_executions SET input_tokens = input_tokens + %(input_tokens)s,"
    " output_tokens = output_tokens + %(output_tokens)s, thinking_tokens = thinking_tokens + %(thinking_tokens)s,"
    " total_tokens = total_tokens + %(total_tokens)s, cached_tokens = cached_tokens + %(cached_tokens)s,"
    " cost_usd = cost_usd + coalesce(%(cost_usd)s::float8, 0),"
    " cost_estimated = cost_estimated OR %(cost_estimated)s,"
    " unpriced_calls = unpriced_calls + CASE WHEN %(cost_usd)s::float8 IS NULL AND %(error)s::text IS NULL"
    " THEN 1 ELSE 0 END WHERE id = %(execution_id)s"
)


def mcp_interaction(notice: Notice, session_id: str, payload: dict[str, Any], row: Row) -> Statement:
    sql = _insert(notice, "mcp_interactions", _MCP_COLUMNS, session_id, payload, row)
    return Statement(sql, _params(session_id, payload["type"], payload, dict(row)))


def event(notice: Notice, session_id: str, payload: dict[str, Any]) -> Statement:
    """A persisted event of its own (no row written with it): stored and announced."""
    sql = "WITH r AS (SELECT 1)" + _announce(notice, "%(payload)s::jsonb", "r")
    return Statement(sql, _params(session_id, payload["type"], payload, {}))


def notify(notice: Notice, envelope: str) -> Statement:
    """A transient event (a streamed delta): NOTIFY only."""
    return Statement(f"SELECT pg_notify('{notice.channel}', %(envelope)s)", {"envelope": envelope})


async def run_batch(conn: AsyncConnection[DictRow], statements: list[Statement]) -> Row | None:
    """Send ``statements`` as one simple query: one round trip, one implicit transaction (all or none).

    Returns the first row of the last statement's result, if it has one.
    """
    if not statements:
        return None
    cursor = AsyncClientCursor(conn)  # client-side binding: sent as a simple query, several statements allowed
    text = ";\n".join(cursor.mogrify(s.sql, s.params) for s in statements)
    await cursor.execute(text.encode())  # bound by psycopg above; no parameters left
    while cursor.nextset():
        pass
    return await cursor.fetchone() if cursor.description is not None else None


def _announced(
    notice: Notice, write_sql: str, payload_sql: str, session_id: str, payload: Row, values: Row
) -> Statement:
    """One row written (``write_sql`` ``RETURNING`` it) and announced by an event whose payload is
    ``payload`` completed from that row (``r`` in ``payload_sql``); the statement returns the row."""
    sql = f"WITH r AS ({write_sql})" + _announce(notice, payload_sql, "r", with_row=True)
    return Statement(sql, _params(session_id, payload["type"], payload, values))


def stage_started(notice: Notice, session_id: str, payload: Row, row: Row) -> Statement:
    """Insert the stage (or reopen it, run again) and announce it with its id."""
    write = (
        "INSERT INTO stages (id, session_id, stage_index, name, stage_type, parallel_type, expected_agents,"
        " success_policy, referenced_stage_id, status) VALUES (%(id)s, %(session_id)s, %(stage_index)s, %(name)s,"
        " %(stage_type)s, %(parallel_type)s, %(expected_agents)s, %(success_policy)s, %(referenced_stage_id)s,"
        " 'active') ON CONFLICT (session_id, stage_index) DO UPDATE SET status = 'active', started_at = now(),"
        " completed_at = NULL, error_message = NULL RETURNING id"
    )
    return _announced(
        notice, write, "%(payload)s::jsonb || jsonb_build_object('stage_id', r.id)", session_id, payload, row
    )


def stage_finished(notice: Notice, session_id: str, payload: Row, row: Row) -> Statement:
    write = (
        "UPDATE stages SET status = %(status)s, error_message = %(error)s, completed_at = now() WHERE id = %(id)s"
        " RETURNING stage_index, name, stage_type"
    )
    payload_sql = (
        "%(payload)s::jsonb || jsonb_build_object('stage_index', r.stage_index, 'stage_name', r.name,"
        " 'stage_type', r.stage_type)"
    )
    return _announced(notice, write, payload_sql, session_id, payload, row)


def execution_started(notice: Notice, session_id: str, payload: Row, row: Row) -> Statement:
    """Insert the execution (or reopen it, run again) and announce it; ``inserted`` tells which."""
    write = (
        "INSERT INTO agent_executions (id, session_id, stage_id, agent_name, agent_index, strategy, llm_provider,"
        " model, status, parent_execution_id, task, dispatch_index) VALUES (%(id)s, %(session_id)s, %(stage_id)s,"
        " %(agent_name)s, %(agent_index)s, %(strategy)s, %(llm_provider)s, %(model)s, 'active',"
        " %(parent_execution_id)s, %(task)s, %(dispatch_index)s)"
        " ON CONFLICT (stage_id, agent_index, dispatch_index) DO UPDATE SET"
        " status = 'active', started_at = now(), completed_at = NULL, error_message = NULL"
        " RETURNING id, xmax = 0 AS inserted"
    )
    payload_sql = "%(payload)s::jsonb || jsonb_build_object('execution_id', r.id)"
    return _announced(notice, write, payload_sql, session_id, payload, row)


def execution_finished(notice: Notice, session_id: str, payload: Row, row: Row) -> Statement:
    write = (
        "UPDATE agent_executions SET status = %(status)s, error_message = %(error)s, completed_at = now()"
        " WHERE id = %(id)s RETURNING stage_id, agent_name, agent_index"
    )
    payload_sql = (
        "%(payload)s::jsonb || jsonb_build_object('stage_id', r.stage_id, 'agent_name', r.agent_name,"
        " 'agent_index', r.agent_index)"
    )
    return _announced(notice, write, payload_sql, session_id, payload, row)


def execution_fallback(notice: Notice, session_id: str, payload: Row, row: Row) -> Statement:
    """Append a provider switch (``row["switch"]``, JSON) to the execution, move it to the new
    provider and model, and announce it."""
    write = (
        "UPDATE agent_executions SET provider_fallbacks = provider_fallbacks || jsonb_build_array(%(switch)s::jsonb),"
        " llm_provider = %(to_provider)s, model = %(to_model)s WHERE id = %(id)s"
        " RETURNING stage_id, agent_name, agent_index"
    )
    payload_sql = (
        "%(payload)s::jsonb || jsonb_build_object('stage_id', r.stage_id, 'agent_name', r.agent_name,"
        " 'agent_index', r.agent_index)"
    )
    return _announced(notice, write, payload_sql, session_id, payload, row)


async def close_open(conn: AsyncConnection[DictRow], session_id: str, status: str) -> list[Row]:
    """End the session's open timeline events, executions and stages; the stages closed are returned."""
    record_status = "completed" if status == "completed" else status
    timeline_status = "failed" if status == "completed" else status
    params = {"session_id": session_id, "record": record_status, "timeline": timeline_status}
    cursor = AsyncClientCursor(conn)  # the three updates as one simple query: one round trip
    sql = (
        "UPDATE timeline_events SET status = %(timeline)s, updated_at = now()"
        " WHERE session_id = %(session_id)s AND status = 'streaming';\n"
        "UPDATE agent_executions SET status = %(record)s, completed_at = now()"
        " WHERE session_id = %(session_id)s AND status IN ('pending', 'active');\n"
        "UPDATE stages SET status = %(record)s, completed_at = now()"
        " WHERE session_id = %(session_id)s AND status IN ('pending', 'active')"
        " RETURNING id, stage_index, name, stage_type"
    )
    await cursor.execute(cursor.mogrify(sql, params).encode())  # bound above; no parameters left
    while cursor.nextset():
        pass
    return await cursor.fetchall()


async def execution_history(conn: AsyncConnection[DictRow], execution_id: str) -> tuple[list[Row], list[Row]]:
    """An execution's answered model calls and its tool calls (by step), oldest first."""
    cur = await conn.execute(
        "SELECT conversation_offset, request_messages, response, provider FROM llm_interactions"
        " WHERE execution_id = %s AND error IS NULL AND response IS NOT NULL AND interaction_type <> 'summarization'"
        " ORDER BY created_at, id",
        (execution_id,),
    )
    calls = await cur.fetchall()
    cur = await conn.execute(
        "SELECT event_type, content, status, metadata FROM timeline_events WHERE execution_id = %s"
        " AND event_type IN ('llm_tool_call', 'sub_agent_result') AND metadata ? 'step' ORDER BY seq",
        (execution_id,),
    )
    return calls, await cur.fetchall()


async def set_runbook_error(conn: AsyncConnection[DictRow], session_id: str, error: str) -> None:
    """Why the session's runbook could not be fetched (the run goes on without it)."""
    await conn.execute("UPDATE alert_sessions SET runbook_error = %s WHERE id = %s", (error, session_id))
