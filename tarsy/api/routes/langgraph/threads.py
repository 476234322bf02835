"""Threads: a thread is a TARSy session (same id) once its first run is created."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter

from tarsy.api.deps import ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.routes.langgraph import interrupts, service
from tarsy.api.routes.langgraph.schemas import HistoryRequest, Search, ThreadCreate
from tarsy.errors import ConflictError, NotFoundError
from tarsy.masking.outbound import OutputMasking
from tarsy.runtime.service import Services
from tarsy.store import langgraph as repo
from tarsy.store.db import Row

router = APIRouter(prefix="/langgraph", tags=["langgraph"])


def _iso(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).isoformat()


def _thread(thread_id: str, created: datetime, metadata: dict[str, Any], status: str | None) -> dict[str, Any]:
    return {
        "thread_id": thread_id,
        "created_at": _iso(created),
        "updated_at": _iso(created),
        "metadata": metadata,
        "status": "idle" if status is None else service.THREAD_STATUS.get(status, "idle"),
        "values": None,
        "interrupts": {},
    }


async def _load(services: Services, thread_id: str) -> tuple[dict[str, Any], Row | None]:
    thread_id = service.check_id(thread_id, "thread")
    row = await repo.get_thread(services.pool, thread_id)
    session = await service.session_or_none(services, thread_id)
    if row is None and session is None:
        raise NotFoundError(f"thread '{thread_id}' not found")
    created = row["created_at"] if row else session["created_at"]  # type: ignore[index]
    metadata = dict(row["metadata"]) if row else {}
    thread = _thread(thread_id, created, metadata, None if session is None else str(session["status"]))
    return thread, session


@router.post("/threads", responses={k: ERROR_RESPONSES[k] for k in (400, 409, 422)})
async def create_thread(body: ThreadCreate, services: ServicesDep) -> dict[str, Any]:
    thread_id = str(body.thread_id or uuid.uuid4())
    metadata = OutputMasking.from_config(services.config).value(body.metadata or {})
    row = await repo.create_thread(services.pool, thread_id, metadata, if_exists=body.if_exists or "raise")
    if row is None:
        raise ConflictError(f"thread {thread_id} already exists (if_exists='do_nothing' returns it)")
    return _thread(str(row["thread_id"]), row["created_at"], dict(row["metadata"]), None)


@router.post("/threads/search", responses={400: ERROR_RESPONSES[400]})
async def search_threads(body: Search, services: ServicesDep) -> list[dict[str, Any]]:
    rows = await repo.search_threads(services.pool, limit=body.limit, offset=body.offset)
    return [_thread(str(r["thread_id"]), r["created_at"], dict(r["metadata"]), r["session_status"]) for r in rows]


@router.get("/threads/{thread_id}", responses={404: ERROR_RESPONSES[404]})
async def get_thread(thread_id: str, services: ServicesDep) -> dict[str, Any]:
    """The thread; ``interrupted``, with its pending approvals by graph task, while it waits for one."""
    thread, session = await _load(services, thread_id)
    if session is not None:
        thread["values"], snapshot = await service.thread_values(services, session)
        if session["status"] == service.WAITING:
            thread["interrupts"] = interrupts.by_task(snapshot, await interrupts.pending(services, thread["thread_id"]))
    return thread


def _state(thread_id: str, values: dict[str, Any], checkpoint_id: str | None, created: str) -> dict[str, Any]:
    return {
        "values": values,
        "next": [],
        "tasks": [],
        "interrupts": [],
        "metadata": {},
        "created_at": created,
        "checkpoint": {"thread_id": thread_id, "checkpoint_ns": "", "checkpoint_id": checkpoint_id},
        "parent_checkpoint": None,
        "checkpoint_id": checkpoint_id,
        "parent_checkpoint_id": None,
    }


@router.get("/threads/{thread_id}/state", responses={404: ERROR_RESPONSES[404]})
async def get_thread_state(thread_id: str, services: ServicesDep) -> dict[str, Any]:
    """The latest values; while the session waits for approval, its pending approvals as interrupts."""
    thread, session = await _load(services, thread_id)
    if session is None:
        return _state(thread["thread_id"], {}, None, thread["created_at"])
    values, snapshot = await service.thread_values(services, session)
    checkpoint_id = snapshot.config["configurable"].get("checkpoint_id") if snapshot.values else None
    state = _state(thread["thread_id"], values, checkpoint_id, thread["updated_at"])
    if session["status"] == service.WAITING:
        waiting = await interrupts.pending(services, thread["thread_id"])
        state.update(interrupts=waiting, tasks=interrupts.tasks(snapshot, waiting), next=list(snapshot.next))
    return state


@router.post("/threads/{thread_id}/history", responses={k: ERROR_RESPONSES[k] for k in (400, 404)})
async def get_thread_history(thread_id: str, body: HistoryRequest, services: ServicesDep) -> list[dict[str, Any]]:
    """The session graph's checkpoints, newest first (masked)."""
    thread, session = await _load(services, thread_id)
    if session is None:
        return []
    graph = service.session_graph(services, str(session["chain_id"]))
    masking = OutputMasking.from_config(services.config)
    states: list[dict[str, Any]] = []
    async for snapshot in graph.aget_state_history(
        {"configurable": {"thread_id": thread["thread_id"]}}, limit=body.limit
    ):
        state = _state(
            thread["thread_id"],
            dict(masking.value(dict(snapshot.values)) or {}),
            snapshot.config["configurable"].get("checkpoint_id"),
            snapshot.created_at or thread["created_at"],
        )
        state["next"] = list(snapshot.next)
        state["metadata"] = {
            "step": (snapshot.metadata or {}).get("step"),
            "source": (snapshot.metadata or {}).get("source"),
        }
        states.append(state)
    return states
