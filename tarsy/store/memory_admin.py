"""Browsing, editing and deleting memories (the API), and the confidence changes of human review."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from tarsy.store.db import Pool, Row
from tarsy.store.memories import COLUMNS, Conn, is_memory_id, keyword_query, vector_literal


@dataclass(frozen=True)
class MemoryFilters:
    project: str | None = None
    alert_type: str | None = None
    status: str | None = None
    category: str | None = None
    text: str | None = None
    """Full-text: any of its words (the same matching as recall's keyword part)."""


def _where(filters: MemoryFilters) -> tuple[sql.Composable, dict[str, Any]]:
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {}
    for column in ("project", "alert_type", "status", "category"):
        value = getattr(filters, column)
        if value is not None:
            clauses.append(sql.SQL("m.{} = %({})s").format(sql.Identifier(column), sql.SQL(column)))
            params[column] = value
    query = keyword_query(filters.text) if filters.text else None
    if query is not None:
        clauses.append(sql.SQL("m.search_vector @@ to_tsquery('english', %(q)s)"))
        params["q"] = query
    return sql.SQL(" AND ").join(clauses), params


async def list_memories(pool: Pool, filters: MemoryFilters, *, limit: int, offset: int) -> tuple[list[Row], int]:
    """One page, most recently changed first, and the number that match."""
    where, params = _where(filters)
    page = sql.SQL(
        "SELECT " + COLUMNS + " FROM memories m WHERE {where}"
        " ORDER BY m.updated_at DESC, m.id LIMIT %(limit)s OFFSET %(offset)s"
    ).format(where=where)
    count = sql.SQL("SELECT count(*) AS n FROM memories m WHERE {where}").format(where=where)
    async with pool.connection() as conn:
        cur = await conn.execute(count, params)
        counted = await cur.fetchone()
        cur = await conn.execute(page, {**params, "limit": limit, "offset": offset})
        rows = await cur.fetchall()
    assert counted is not None
    return rows, int(counted["n"])


async def get_memory(pool: Pool, memory_id: str) -> Row | None:
    if not is_memory_id(memory_id):
        return None
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT " + COLUMNS + " FROM memories m WHERE m.id = %s", (memory_id,))
        return await cur.fetchone()


async def uses_of(pool: Pool, memory_id: str) -> list[Row]:
    """Every session that produced or used the memory, oldest first."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT sm.session_id, sm.kind, sm.similarity, sm.score, sm.created_at, s.alert_type, s.status"
            " FROM session_memories sm JOIN alert_sessions s ON s.id = sm.session_id"
            " WHERE sm.memory_id = %s ORDER BY sm.id",
            (memory_id,),
        )
        return await cur.fetchall()


async def session_uses(pool: Pool, session_id: str) -> list[Row]:
    """The memories a session was given, recalled, created, reinforced or deprecated, in that order."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT " + COLUMNS + ", sm.kind, sm.similarity, sm.score, sm.created_at AS used_at"
            " FROM session_memories sm JOIN memories m ON m.id = sm.memory_id"
            " WHERE sm.session_id = %s ORDER BY sm.id",
            (session_id,),
        )
        return await cur.fetchall()


@dataclass(frozen=True)
class MemoryEdit:
    """The fields a person changes; None leaves a field as it is. A new ``content`` comes with its vector."""

    actor: str
    content: str | None = None
    vector: Sequence[float] | None = None
    embedding_model: str | None = None
    category: str | None = None
    confidence: float | None = None
    status: str | None = None


def _assignments(edit: MemoryEdit) -> tuple[list[sql.Composable], dict[str, Any]]:
    sets: list[sql.Composable] = [sql.SQL("updated_at = now()"), sql.SQL("updated_by = %(actor)s")]
    params: dict[str, Any] = {"actor": edit.actor}
    for column in ("content", "embedding_model", "category", "confidence", "status"):
        value = getattr(edit, column)
        if value is not None:
            sets.append(sql.SQL("{} = %({})s").format(sql.Identifier(column), sql.SQL(column)))
            params[column] = value
    if edit.vector is not None:
        sets.append(sql.SQL("embedding = %(vector)s::vector"))
        params["vector"] = vector_literal(edit.vector)
    if edit.status == "active":
        sets.append(sql.SQL("deprecated_reason = NULL"))
    elif edit.status == "deprecated":
        sets.append(sql.SQL("deprecated_reason = coalesce(deprecated_reason, 'deprecated by ' || %(actor)s)"))
    return sets, params


async def update_memory(pool: Pool, memory_id: str, edit: MemoryEdit) -> Row | None:
    if not is_memory_id(memory_id):
        return None
    sets, params = _assignments(edit)
    query = sql.SQL("UPDATE memories m SET {sets} WHERE m.id = %(id)s RETURNING " + COLUMNS).format(
        sets=sql.SQL(", ").join(sets)
    )
    async with pool.connection() as conn:
        cur = await conn.execute(query, {**params, "id": memory_id})
        return await cur.fetchone()


async def delete_memory(pool: Pool, memory_id: str) -> bool:
    if not is_memory_id(memory_id):
        return False
    async with pool.connection() as conn:
        cur = await conn.execute("DELETE FROM memories WHERE id = %s", (memory_id,))
        return cur.rowcount > 0


@dataclass(frozen=True)
class ReviewDeltas:
    """Confidence changes for one review action (docs/memory.md "Feedback")."""

    produced: float
    """Memories the session created or reinforced."""
    used: float
    """Memories it was given or recalled (and did not produce)."""
    floor: float
    """Below this confidence a memory is deprecated."""
    actor: str


async def adjust_for_review(conn: Conn, session_id: str, deltas: ReviewDeltas) -> list[Row]:
    """Move the confidence of the session's memories (clamped to 0..1); those that fall below the
    floor are deprecated. Returns ``{id, confidence, status}`` of every memory changed."""
    cur = await conn.execute(
        "WITH touched AS (SELECT memory_id,"
        " bool_or(kind IN ('created', 'reinforced')) AS produced,"
        " bool_or(kind IN ('injected', 'recalled')) AS used"
        " FROM session_memories WHERE session_id = %(sid)s GROUP BY memory_id),"
        " moved AS (SELECT m.id, greatest(0.0, least(1.0, m.confidence"
        " + CASE WHEN t.produced THEN %(produced)s ELSE %(used)s END)) AS confidence"
        " FROM memories m JOIN touched t ON t.memory_id = m.id WHERE m.status = 'active')"
        " UPDATE memories m SET confidence = moved.confidence, updated_at = now(), updated_by = %(actor)s,"
        " status = CASE WHEN moved.confidence < %(floor)s THEN 'deprecated' ELSE m.status END,"
        " deprecated_reason = CASE WHEN moved.confidence < %(floor)s"
        " THEN 'confidence fell below the floor after review' ELSE m.deprecated_reason END"
        " FROM moved WHERE m.id = moved.id AND moved.confidence <> m.confidence"
        " RETURNING m.id, m.confidence, m.status",
        {
            "sid": session_id,
            "produced": deltas.produced,
            "used": deltas.used,
            "floor": deltas.floor,
            "actor": deltas.actor,
        },
    )
    return await cur.fetchall()
