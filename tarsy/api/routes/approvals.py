"""Deciding tool calls that wait for a person (docs/actions.md)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError

from tarsy.actions import lifecycle, records
from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.routes.sessions import load_session
from tarsy.api.schemas import DecisionRequest, DecisionResponse
from tarsy.contracts import SessionStatus
from tarsy.errors import NotFoundError
from tarsy.runtime.service import Services
from tarsy.store import sessions as repo

router = APIRouter(prefix="/api/v1/sessions", tags=["approvals"])


def _check_id(approval_id: str) -> str:
    try:
        return str(uuid.UUID(approval_id))
    except ValueError:
        raise NotFoundError(f"approval '{approval_id}' not found (not an approval id)") from None


@router.post(
    "/{session_id}/approvals/{approval_id}",
    response_model=DecisionResponse,
    responses={k: ERROR_RESPONSES[k] for k in (404, 409, 422)},
)
async def decide(
    session_id: str, approval_id: str, body: DecisionRequest, services: ServicesDep, author: AuthorDep
) -> dict[str, Any]:
    """Approve or reject a tool call; the session resumes from its checkpoint on any worker."""
    return await decide_approval(services, session_id, approval_id, body, author)


async def decide_approval(
    services: Services, session_id: str, approval_id: str, body: DecisionRequest, author: str
) -> dict[str, Any]:
    """Record ``author``'s decision and wake the session: this route and the LangGraph SDK's
    ``Command(resume=...)`` (``routes/langgraph/interrupts.py``) both decide through here."""
    limit = services.config.queue.max_approval_comment_chars
    if body.comment is not None and len(body.comment) > limit:
        message = f"comment is {len(body.comment)} characters; at most {limit} (queue.max_approval_comment_chars)"
        raise RequestValidationError([{"loc": ("body", "comment"), "msg": message, "type": "string_too_long"}])
    row = await load_session(services.pool, session_id)
    sid = str(row["id"])
    masking = services.runner.masking
    approval, woken = await lifecycle.decide(
        services.pool,
        services.publisher,
        masking,
        session_id=sid,
        approval_id=_check_id(approval_id),
        decision=body.decision,
        by=author,
        comment=masking.optional(body.comment),
    )
    if woken:
        services.workers.nudge()
    session = await repo.get_session(services.pool, sid)
    status = cast(SessionStatus, session["status"] if session else row["status"])
    return {"approval": records.public(approval, masking), "session_status": status}
