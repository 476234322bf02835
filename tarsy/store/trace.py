"""The trace: a session's LLM and MCP interactions, and the full conversation of one LLM call.

An LLM interaction stores only the messages added since the previous call of its execution,
starting at ``conversation_offset`` (see ``002_interactions.sql``). The conversation a call sent is
rebuilt from the execution's earlier calls: each call's messages land at its offset and its
response follows them, which is where the next call's delta begins. Placing by offset rather than
appending also copes with a call that was repeated after a worker crash: the repeat overwrites the
abandoned attempt from the same offset on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tarsy.store.db import Pool, Row

_LLM_LIST_COLUMNS = (
    "id, stage_id, execution_id, created_at, interaction_type, provider, model, input_tokens, output_tokens,"
    " cost_usd, cost_estimated, cost_note, duration_ms, error"
)
_MCP_LIST_COLUMNS = (
    "id, stage_id, execution_id, created_at, interaction_type, server, tool, duration_ms, error, is_error"
)


async def list_interactions(pool: Pool, session_id: str) -> tuple[list[Row], list[Row]]:
    """The session's LLM and MCP interactions (without their bodies), each in time order."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            f"SELECT {_LLM_LIST_COLUMNS} FROM llm_interactions WHERE session_id = %s ORDER BY created_at, id",
            (session_id,),
        )
        llm = await cur.fetchall()
        cur = await conn.execute(
            f"SELECT {_MCP_LIST_COLUMNS} FROM mcp_interactions WHERE session_id = %s ORDER BY created_at, id",
            (session_id,),
        )
        mcp = await cur.fetchall()
    return llm, mcp


async def get_llm_interaction(pool: Pool, session_id: str, interaction_id: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM llm_interactions WHERE id = %s AND session_id = %s", (interaction_id, session_id)
        )
        return await cur.fetchone()


async def get_mcp_interaction(pool: Pool, session_id: str, interaction_id: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM mcp_interactions WHERE id = %s AND session_id = %s", (interaction_id, session_id)
        )
        return await cur.fetchone()


async def earlier_calls(pool: Pool, call: Row) -> list[Row]:
    """The calls of the same execution made before ``call``, oldest first (none without an execution)."""
    if call["execution_id"] is None:
        return []
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT id, conversation_offset, request_messages, response FROM llm_interactions"
            " WHERE execution_id = %s AND (created_at, id) < (%s, %s) ORDER BY created_at, id",
            (call["execution_id"], call["created_at"], call["id"]),
        )
        return await cur.fetchall()


def rebuild_conversation(earlier: Sequence[Row], call: Row) -> list[dict[str, Any]]:
    """Every message ``call`` sent to the model, in order (its response not included)."""
    conversation: list[dict[str, Any]] = []
    for previous in earlier:
        _place(conversation, int(previous["conversation_offset"]), list(previous["request_messages"]))
        if previous["response"] is not None:
            conversation.append(dict(previous["response"]))
    _place(conversation, int(call["conversation_offset"]), list(call["request_messages"]))
    return conversation


def _place(conversation: list[dict[str, Any]], offset: int, messages: list[dict[str, Any]]) -> None:
    del conversation[offset:]
    conversation.extend(messages)
