"""The trace of a session: every LLM and MCP interaction, grouped by stage and execution, and the
full record of any single one."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from tarsy.actions import records as approval_records
from tarsy.api.deps import ServicesDep
from tarsy.api.history_schemas import LLMInteractionDetail, MCPInteractionDetail, SessionTrace, error_responses
from tarsy.api.routes.sessions import load_session
from tarsy.errors import NotFoundError
from tarsy.store import approvals
from tarsy.store import sessions as repo
from tarsy.store import trace as store
from tarsy.store.db import Row

router = APIRouter(prefix="/api/v1/sessions", tags=["trace"])


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _llm_item(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "kind": "llm",
        "created_at": row["created_at"],
        "interaction_type": row["interaction_type"],
        "provider": row["provider"],
        "model": row["model"],
        "server": None,
        "tool": None,
        "input_tokens": row["input_tokens"],
        "output_tokens": row["output_tokens"],
        "cost_usd": row["cost_usd"],
        "cost_estimated": row["cost_estimated"],
        "cost_note": row["cost_note"],
        "duration_ms": row["duration_ms"],
        "error": row["error"],
        "is_error": row["error"] is not None,
    }


def _mcp_item(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "kind": "mcp",
        "created_at": row["created_at"],
        "interaction_type": row["interaction_type"],
        "provider": None,
        "model": None,
        "server": row["server"],
        "tool": row["tool"],
        "input_tokens": None,
        "output_tokens": None,
        "duration_ms": row["duration_ms"],
        "error": row["error"],
        "is_error": bool(row["is_error"]) or row["error"] is not None,
    }


@router.get("/{session_id}/trace", response_model=SessionTrace, responses=error_responses(404, 422))
async def session_trace(session_id: str, services: ServicesDep) -> dict[str, Any]:
    """Interactions in time order within each execution; stages by index, executions by agent index."""
    session = await load_session(services.pool, session_id)
    sid = str(session["id"])
    stages = await repo.list_stages(services.pool, sid)
    llm, mcp = await store.list_interactions(services.pool, sid)
    items = sorted(
        [(row, _llm_item(row)) for row in llm] + [(row, _mcp_item(row)) for row in mcp],
        key=lambda pair: (pair[1]["created_at"], pair[1]["id"]),
    )
    by_execution: dict[str, list[dict[str, Any]]] = {}
    loose: list[dict[str, Any]] = []
    for row, item in items:
        if row["execution_id"] is None:
            loose.append(item)
        else:
            by_execution.setdefault(str(row["execution_id"]), []).append(item)
    return {
        "session_id": sid,
        "stages": [
            {
                "stage_id": str(stage["id"]),
                "stage_index": stage["stage_index"],
                "name": stage["name"],
                "stage_type": stage["stage_type"],
                "executions": [
                    {
                        "execution_id": str(e["id"]),
                        "agent_name": e["agent_name"],
                        "agent_index": e["agent_index"],
                        "parent_execution_id": _str(e.get("parent_execution_id")),
                        "task": e.get("task"),
                        "interactions": by_execution.get(str(e["id"]), []),
                    }
                    for e in stage["executions"]
                ],
            }
            for stage in stages
        ],
        "session_interactions": loose,
        "approvals": [
            approval_records.public(a, services.runner.masking) for a in await approvals.for_session(services.pool, sid)
        ],
    }


def _interaction_id(kind: str, interaction_id: str, session_id: str) -> str:
    try:
        return str(uuid.UUID(interaction_id))
    except ValueError:
        raise NotFoundError(
            f"{kind} interaction '{interaction_id}' not found in session {session_id} (not an interaction id)"
        ) from None


@router.get(
    "/{session_id}/trace/llm/{interaction_id}", response_model=LLMInteractionDetail, responses=error_responses(404, 422)
)
async def llm_interaction(session_id: str, interaction_id: str, services: ServicesDep) -> dict[str, Any]:
    """One model call with the full conversation it sent, rebuilt from its execution's stored deltas."""
    session = await load_session(services.pool, session_id)
    sid = str(session["id"])
    row = await store.get_llm_interaction(services.pool, sid, _interaction_id("LLM", interaction_id, sid))
    if row is None:
        raise NotFoundError(f"LLM interaction '{interaction_id}' not found in session {sid}")
    earlier = await store.earlier_calls(services.pool, row)
    return {
        **{k: row[k] for k in LLMInteractionDetail.model_fields if k in row},
        "id": str(row["id"]),
        "session_id": sid,
        "stage_id": _str(row["stage_id"]),
        "execution_id": _str(row["execution_id"]),
        "messages": store.rebuild_conversation(earlier, row),
    }


@router.get(
    "/{session_id}/trace/mcp/{interaction_id}", response_model=MCPInteractionDetail, responses=error_responses(404, 422)
)
async def mcp_interaction(session_id: str, interaction_id: str, services: ServicesDep) -> dict[str, Any]:
    """One MCP call: arguments, the (masked) result and, for listings, the tools the server offered."""
    session = await load_session(services.pool, session_id)
    sid = str(session["id"])
    row = await store.get_mcp_interaction(services.pool, sid, _interaction_id("MCP", interaction_id, sid))
    if row is None:
        raise NotFoundError(f"MCP interaction '{interaction_id}' not found in session {sid}")
    return {
        **row,
        "id": str(row["id"]),
        "stage_id": _str(row["stage_id"]),
        "execution_id": _str(row["execution_id"]),
    }
