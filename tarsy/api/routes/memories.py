"""Investigation memory: browse, read, edit and delete memories, and a session's memories
(docs/memory.md, docs/api.md "Memory"). Reads need ``viewer``, changes ``operator``."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic.json_schema import SkipJsonSchema

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.history_schemas import error_responses
from tarsy.api.memory_schemas import MemoryDetail, MemoryOut, MemoryPage, MemoryPatch, SessionMemoryOut
from tarsy.api.routes.sessions import load_session
from tarsy.config.memory import MemoryCategory, MemoryStatus
from tarsy.errors import ConflictError, InvalidInputError, NotFoundError
from tarsy.memory.service import ContentEdit
from tarsy.runtime.service import Services
from tarsy.store import memory_admin as admin
from tarsy.store.db import Row
from tarsy.store.memory_admin import MemoryEdit, MemoryFilters

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api/v1", tags=["memory"])

OptionalStr = str | SkipJsonSchema[None]
MAX_FILTER_CHARS = 200


def _plain(row: Row, services: Services) -> dict[str, Any]:
    """A row as the API shows it: ids as text, texts masked once more on the way out."""
    out = {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}
    mask = services.runner.masking
    out["content"] = mask.text(str(row["content"]))
    out["deprecated_reason"] = mask.optional(row.get("deprecated_reason"))
    return out


def _filter(name: str, value: str | None) -> str | None:
    if value is not None and (len(value) > MAX_FILTER_CHARS or "\x00" in value):
        raise InvalidInputError(f"{name}: at most {MAX_FILTER_CHARS} characters and no NUL character")
    return value


@router.get("/memories", response_model=MemoryPage, responses=error_responses(400, 422))
async def list_memories(
    services: ServicesDep,
    project: Annotated[OptionalStr, Query(description="Exact project (default: every project)")] = None,
    alert_type: Annotated[OptionalStr, Query(description="Exact alert type (memories for any type have none)")] = None,
    status: Annotated[MemoryStatus | SkipJsonSchema[None], Query()] = None,
    category: Annotated[MemoryCategory | SkipJsonSchema[None], Query()] = None,
    q: Annotated[OptionalStr, Query(description="Full-text: memories holding any of these words")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    """Memories, most recently changed first."""
    max_q = services.config.memory.limits.max_query_chars
    if q is not None and (len(q) > max_q or "\x00" in q):
        raise InvalidInputError(f"q: at most {max_q} characters (memory.limits.max_query_chars) and no NUL character")
    filters = MemoryFilters(
        project=_filter("project", project),
        alert_type=_filter("alert_type", alert_type),
        status=status,
        category=category,
        text=q,
    )
    rows, total = await admin.list_memories(services.pool, filters, limit=limit, offset=offset)
    return {"items": [_plain(r, services) for r in rows], "total": total, "limit": limit, "offset": offset}


async def _load(services: Services, memory_id: str) -> Row:
    row = await admin.get_memory(services.pool, memory_id)
    if row is None:
        raise NotFoundError(f"memory '{memory_id}' not found")
    return row


@router.get("/memories/{memory_id}", response_model=MemoryDetail, responses=error_responses(404))
async def get_memory(memory_id: str, services: ServicesDep) -> dict[str, Any]:
    """A memory with every session that produced or used it."""
    row = await _load(services, memory_id)
    uses = await admin.uses_of(services.pool, str(row["id"]))
    sessions = [
        {
            "session_id": str(u["session_id"]),
            "kind": u["kind"],
            "similarity": u["similarity"],
            "score": u["score"],
            "at": u["created_at"],
            "alert_type": u["alert_type"],
            "status": u["status"],
        }
        for u in uses
    ]
    return {**_plain(row, services), "sessions": sessions}


@router.patch("/memories/{memory_id}", response_model=MemoryOut, responses=error_responses(400, 404, 409, 422, 502))
async def patch_memory(memory_id: str, body: MemoryPatch, services: ServicesDep, author: AuthorDep) -> dict[str, Any]:
    """Change a memory's content (masked and embedded again), category, confidence or status; the
    caller and the time are recorded as `updated_by` / `updated_at`."""
    if body.empty():
        raise InvalidInputError("give at least one of content, category, confidence, status")
    limit = services.config.memory.limits.max_content_chars
    if body.content is not None and len(body.content) > limit:
        raise InvalidInputError(f"content: at most {limit} characters (memory.limits.max_content_chars)")
    await _load(services, memory_id)
    change = ContentEdit(body.content, body.category, body.confidence, body.status)
    if body.content is not None:
        if services.memory is None:
            raise ConflictError("memory is off (memory.enabled): new content cannot be embedded")
        row = await services.memory.edit(memory_id, change, author)
    else:
        edit = MemoryEdit(actor=author, category=body.category, confidence=body.confidence, status=body.status)
        row = await admin.update_memory(services.pool, memory_id, edit)
    if row is None:
        raise NotFoundError(f"memory '{memory_id}' not found")
    return _plain(row, services)


@router.delete("/memories/{memory_id}", status_code=204, responses=error_responses(404))
async def delete_memory(memory_id: str, services: ServicesDep, author: AuthorDep) -> Response:
    """Delete a memory for good (its use records go with it); deprecating keeps it for the record."""
    if not await admin.delete_memory(services.pool, memory_id):
        raise NotFoundError(f"memory '{memory_id}' not found")
    log.info("memory %s deleted by %s", memory_id, author)
    return Response(status_code=204)


@router.get("/sessions/{session_id}/memories", response_model=list[SessionMemoryOut], responses=error_responses(404))
async def session_memories(session_id: str, services: ServicesDep) -> list[dict[str, Any]]:
    """The memories the session was given (`injected`), recalled by tool, created, reinforced or
    deprecated, in that order; a memory may appear once per kind."""
    row = await load_session(services.pool, session_id)
    return [_plain(r, services) for r in await admin.session_uses(services.pool, str(row["id"]))]
