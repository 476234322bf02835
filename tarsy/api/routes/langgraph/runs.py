"""Runs on a thread: create, wait, stream, join, cancel (a run is an investigation or a chat turn)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response, status
from sse_starlette import EventSourceResponse

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.routes.langgraph import service
from tarsy.api.routes.langgraph.schemas import RunCreate
from tarsy.api.routes.langgraph.stream import drain, modes_of, run_stream
from tarsy.api.sse import counted
from tarsy.errors import ConflictError
from tarsy.runtime.alerts import cancel_session
from tarsy.runtime.chat_requests import cancel_chat
from tarsy.runtime.service import Services

router = APIRouter(prefix="/langgraph/threads/{thread_id}/runs", tags=["langgraph"])
CREATE_ERRORS: dict[int | str, dict[str, Any]] = {k: ERROR_RESPONSES[k] for k in (400, 404, 409, 413, 422, 429)}


def _location(response: Response, run: dict[str, Any]) -> None:
    response.headers["Content-Location"] = f"/threads/{run['thread_id']}/runs/{run['run_id']}"


async def _create(services: Services, thread_id: str, body: RunCreate, author: str) -> tuple[dict[str, Any], int]:
    thread_id = service.check_id(thread_id, "thread")
    created = await service.create_run(services, thread_id, body, author)
    start_after = int(created.pop("start_after"))
    return created, start_after


@router.post("", responses=CREATE_ERRORS)
async def create_run(
    thread_id: str, body: RunCreate, services: ServicesDep, author: AuthorDep, response: Response
) -> dict[str, Any]:
    """Start a run in the background (the session is queued like ``POST /api/v1/alerts``)."""
    run, _ = await _create(services, thread_id, body, author)
    _location(response, run)
    return run


@router.post("/wait", responses=CREATE_ERRORS)
async def wait_run(
    thread_id: str, body: RunCreate, services: ServicesDep, author: AuthorDep, response: Response
) -> dict[str, Any]:
    """Start a run and answer with its output when it ends."""
    run, start_after = await _create(services, thread_id, body, author)
    _location(response, run)
    return await drain(services, run, start_after)


@router.post(
    "/stream",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-sent events"}, **CREATE_ERRORS},
)
async def stream_run(thread_id: str, body: RunCreate, services: ServicesDep, author: AuthorDep) -> EventSourceResponse:
    """Start a run and stream it in the requested ``stream_mode`` s (docs/langgraph.md has the mapping)."""
    modes = modes_of(body.stream_mode)
    run, start_after = await _create(services, thread_id, body, author)
    return EventSourceResponse(
        counted(run_stream(services, run, modes, start_after), services),
        ping=int(services.config.system.sse_ping_interval),
        headers={"Content-Location": f"/threads/{run['thread_id']}/runs/{run['run_id']}"},
    )


@router.get("/{run_id}", responses={404: ERROR_RESPONSES[404]})
async def get_run(thread_id: str, run_id: str, services: ServicesDep) -> dict[str, Any]:
    return await service.get_run(services, thread_id, run_id)


@router.get("/{run_id}/join", responses={404: ERROR_RESPONSES[404]})
async def join_run(thread_id: str, run_id: str, services: ServicesDep) -> dict[str, Any]:
    """Wait for the run to end; its output (the thread's values, or the chat turn's answer)."""
    run = await service.get_run(services, thread_id, run_id)
    return await drain(services, run, 0)


@router.post(
    "/{run_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    responses={k: ERROR_RESPONSES[k] for k in (404, 409)},
)
async def cancel_run(thread_id: str, run_id: str, services: ServicesDep, author: AuthorDep) -> dict[str, Any]:
    """Cancel the run wherever it runs, as ``POST /api/v1/sessions/{id}/cancel`` does."""
    run = await service.get_run(services, thread_id, run_id)
    sid = run["thread_id"]
    if run["assistant_id"] == service.CHAT_ASSISTANT:
        message = await cancel_chat(pool=services.pool, publisher=services.publisher, session_id=sid, by=author)
        if message is None or str(message["id"]) != run["run_id"]:
            raise ConflictError(f"run {run_id} has already ended")
        await services.workers.cancel_local(str(message["id"]))
    else:
        new_status = await cancel_session(pool=services.pool, publisher=services.publisher, session_id=sid, by=author)
        if new_status is None:
            raise ConflictError(f"run {run_id} has already ended")
        if new_status == "cancelling":
            await services.workers.cancel_local(sid)
    return await service.get_run(services, thread_id, run_id)
