"""Memory rows (``memories``) and the record of their use by sessions (``session_memories``).

Vectors cross as pgvector text literals (``'[0.1,0.2,...]'::vector``); they are written, compared
in SQL and never read back. Texts arrive masked (``tarsy.memory.service``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow

from tarsy.store.db import Pool, Row

Conn = AsyncConnection[DictRow]
UseKind = Literal["injected", "recalled", "created", "reinforced", "deprecated"]

MAX_QUERY_WORDS: Final = 32
COLUMNS: Final = (
    "m.id, m.project, m.alert_type, m.chain_id, m.category, m.content, m.confidence, m.status,"
    " m.deprecated_reason, m.embedding_model, m.reinforcement_count, m.source_session_id,"
    " m.created_at, m.updated_at, m.updated_by, m.last_used_at"
)


def vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{float(x):.7g}" for x in vector) + "]"


def keyword_query(text: str) -> str | None:
    """A ``to_tsquery`` input that matches any of the words of ``text`` (None: no words)."""
    words = list(dict.fromkeys(w.lower() for w in re.findall(r"\w+", text)))[:MAX_QUERY_WORDS]
    return " | ".join(f"'{w}'" for w in words) or None


@dataclass(frozen=True)
class Scope:
    """Which memories a recall may see: one project, one embedding model, and an alert type's own
    memories plus those for any type (``alert_type`` null); None here: every alert type."""

    project: str
    embedding_model: str
    alert_type: str | None


async def candidates(pool: Pool, scope: Scope, vector: Sequence[float], text: str, limit: int) -> list[Row]:
    """The ``limit`` active memories nearest to ``vector`` (HNSW), with similarity, keyword rank, age."""
    query = sql.SQL(
        "WITH near AS (SELECT m.id, m.embedding <=> %(v)s::vector AS distance FROM memories m"
        " WHERE m.project = %(project)s AND m.status = 'active' AND m.embedding_model = %(model)s"
        " AND (%(alert_type)s::text IS NULL OR m.alert_type IS NULL OR m.alert_type = %(alert_type)s)"
        " ORDER BY m.embedding <=> %(v)s::vector LIMIT %(limit)s)"
        " SELECT " + COLUMNS + ", 1 - near.distance AS similarity,"
        " CASE WHEN %(q)s::text IS NULL THEN 0"
        " ELSE ts_rank(m.search_vector, to_tsquery('english', %(q)s::text)) END AS keyword_rank,"
        " extract(epoch FROM now() - m.updated_at) / 86400.0 AS age_days"
        " FROM near JOIN memories m ON m.id = near.id ORDER BY near.distance, m.id"
    )
    params = {
        "v": vector_literal(vector),
        "project": scope.project,
        "model": scope.embedding_model,
        "alert_type": scope.alert_type,
        "limit": limit,
        "q": keyword_query(text),
    }
    async with pool.connection() as conn, conn.transaction():
        # With filters, an HNSW scan may stop before it has found `limit` rows; let it go on.
        await conn.execute("SET LOCAL hnsw.iterative_scan = relaxed_order")
        cur = await conn.execute(query, params)
        return await cur.fetchall()


@dataclass(frozen=True)
class NewMemory:
    project: str
    alert_type: str | None
    chain_id: str | None
    category: str
    content: str
    confidence: float
    vector: Sequence[float]
    embedding_model: str
    source_session_id: str | None
    created_by: str


async def insert_memory(conn: Conn, memory: NewMemory) -> Row:
    cur = await conn.execute(
        "INSERT INTO memories AS m (id, project, alert_type, chain_id, category, content, confidence, embedding,"
        " embedding_model, source_session_id, updated_by)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::vector, %s, %s, %s) RETURNING " + COLUMNS,
        (
            str(uuid.uuid4()),
            memory.project,
            memory.alert_type,
            memory.chain_id,
            memory.category,
            memory.content,
            memory.confidence,
            vector_literal(memory.vector),
            memory.embedding_model,
            memory.source_session_id,
            memory.created_by,
        ),
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def reinforce(conn: Conn, memory_id: str, project: str, step: float, actor: str) -> bool:
    cur = await conn.execute(
        "UPDATE memories SET confidence = least(1.0, confidence + %s), reinforcement_count = reinforcement_count + 1,"
        " updated_at = now(), updated_by = %s WHERE id = %s AND project = %s AND status = 'active'",
        (step, actor, memory_id, project),
    )
    return cur.rowcount > 0


async def deprecate(conn: Conn, memory_id: str, project: str, reason: str, actor: str) -> bool:
    cur = await conn.execute(
        "UPDATE memories SET status = 'deprecated', deprecated_reason = %s, updated_at = now(), updated_by = %s"
        " WHERE id = %s AND project = %s AND status = 'active'",
        (reason, actor, memory_id, project),
    )
    return cur.rowcount > 0


@dataclass(frozen=True)
class Use:
    memory_id: str
    kind: UseKind
    similarity: float | None = None
    score: float | None = None


async def record_uses(conn: Conn, session_id: str, uses: Sequence[Use]) -> None:
    """``session_memories`` rows; an injected or recalled memory's ``last_used_at`` moves to now."""
    if not uses:
        return
    async with conn.cursor() as cur:
        await cur.executemany(
            "INSERT INTO session_memories (session_id, memory_id, kind, similarity, score) VALUES (%s, %s, %s, %s, %s)",
            [(session_id, u.memory_id, u.kind, u.similarity, u.score) for u in uses],
        )
    used = [u.memory_id for u in uses if u.kind in ("injected", "recalled")]
    if used:
        await conn.execute("UPDATE memories SET last_used_at = now() WHERE id = ANY(%s::uuid[])", (used,))


async def record_uses_now(pool: Pool, session_id: str, uses: Sequence[Use]) -> None:
    async with pool.connection() as conn, conn.transaction():
        await record_uses(conn, session_id, uses)


def is_memory_id(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def injected(pool: Pool, session_id: str) -> list[Row]:
    """The memories injected into a session, in the order they were ranked (a resumed run and the
    session's chat get the same ones)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT " + COLUMNS + ", sm.similarity, sm.score FROM session_memories sm"
            " JOIN memories m ON m.id = sm.memory_id WHERE sm.session_id = %s AND sm.kind = 'injected'"
            " ORDER BY sm.id",
            (session_id,),
        )
        return await cur.fetchall()
