"""Fork and replay: a session's resume points, and a new session started from one of them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, status

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.fork_schemas import CheckpointOut, ForkAccepted, ForkRequest
from tarsy.api.routes.sessions import load_session
from tarsy.runtime import forks

router = APIRouter(prefix="/api/v1/sessions", tags=["forks"])


@router.get("/{session_id}/checkpoints", response_model=list[CheckpointOut], responses={404: ERROR_RESPONSES[404]})
async def list_checkpoints(session_id: str, services: ServicesDep) -> list[dict[str, Any]]:
    """Every point the investigation can be forked from, in the order it passed them."""
    row = await load_session(services.pool, session_id)
    return [asdict(c) for c in await forks.list_checkpoints(services.pool, str(row["id"]))]


@router.post(
    "/{session_id}/fork",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ForkAccepted,
    responses={k: ERROR_RESPONSES[k] for k in (400, 404, 409, 422, 429)},
)
async def fork(session_id: str, body: ForkRequest, services: ServicesDep, author: AuthorDep) -> ForkAccepted:
    """Queue a new session that reuses the records before the checkpoint and runs the rest."""
    parent = await load_session(services.pool, session_id)
    forked = await forks.fork_session(
        pool=services.pool,
        publisher=services.publisher,
        config=services.config,
        masking=services.runner.masking,
        parent=parent,
        request=forks.ForkRequest(body.checkpoint_id, body.llm_provider, body.instructions),
        author=author,
    )
    services.workers.nudge()
    services.metrics.sessions_submitted.labels(str(forked.session["alert_type"])).inc()
    return ForkAccepted(
        session_id=str(forked.session["id"]), forked_from=str(parent["id"]), checkpoint_id=forked.checkpoint.id
    )
