"""Reading, cancelling and scoring sessions."""

from __future__ import annotations

import uuid
from typing import Any, cast

from fastapi import APIRouter

from tarsy.actions import lifecycle, records
from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.schemas import CancelResponse, ScoreOut, SessionOut, TimelineEventOut
from tarsy.contracts import SessionStatus
from tarsy.errors import ConflictError, NotFoundError
from tarsy.runtime.alerts import cancel_session
from tarsy.runtime.chat_requests import cancel_chat
from tarsy.runtime.scoring import public_score
from tarsy.store import approvals as approval_rows
from tarsy.store import forks as fork_rows
from tarsy.store import reviews as review_rows
from tarsy.store import scores as score_rows
from tarsy.store import sessions as repo
from tarsy.store.db import Pool, Row

router = APIRouter(prefix="/api/v1/sessions", tags=["sessions"])


def _check_id(session_id: str) -> str:
    try:
        return str(uuid.UUID(session_id))
    except ValueError:
        raise NotFoundError(f"session '{session_id}' not found (not a session id)") from None


async def load_session(pool: Pool, session_id: str) -> Row:
    row = await repo.get_session(pool, _check_id(session_id))
    if row is None:
        raise NotFoundError(f"session '{session_id}' not found")
    return row


def _ids_to_str(row: Row) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}


@router.get("/{session_id}", response_model=SessionOut, responses={404: ERROR_RESPONSES[404]})
async def get_session(session_id: str, services: ServicesDep) -> dict[str, Any]:
    row = await load_session(services.pool, session_id)
    stages = await repo.list_stages(services.pool, str(row["id"]))
    duration = None
    if row["started_at"] and row["completed_at"]:
        duration = int((row["completed_at"] - row["started_at"]).total_seconds() * 1000)
    stage_out = [
        {
            **_ids_to_str(s),
            **_token_sum(s["executions"]),
            "executions": [{**_ids_to_str(e), **_token_sum([e])} for e in s["executions"]],
        }
        for s in stages
    ]
    masking = services.runner.masking
    approvals = [records.public(a, masking) for a in await approval_rows.for_session(services.pool, str(row["id"]))]
    return {
        **_ids_to_str(row),
        **_token_sum(stage_out),
        "duration_ms": duration,
        "stages": stage_out,
        "approvals": approvals,
        "pending_approvals": [a for a in approvals if a["status"] == "pending"],
        "forked_from": _origin(row),
        "forks": [_fork(f) for f in await fork_rows.forks_of(services.pool, str(row["id"]))],
        "review_events": await review_rows.review_events(services.pool, str(row["id"])),
        "score": public_score(await score_rows.latest_score(services.pool, str(row["id"]))),
    }


def _origin(row: Row) -> dict[str, Any] | None:
    if row.get("forked_from") is None:
        return None
    return {
        "session_id": str(row["forked_from"]),
        "checkpoint_id": row["fork_checkpoint"],
        "llm_provider": row["llm_provider"],
        "instructions": row["instructions"],
    }


def _fork(row: Row) -> dict[str, Any]:
    return {
        "session_id": str(row["id"]),
        "status": row["status"],
        "checkpoint_id": row["fork_checkpoint"],
        "llm_provider": row["llm_provider"],
        "author": row["author"],
        "created_at": row["created_at"],
    }


_TOKEN_KEYS = ("input_tokens", "output_tokens", "thinking_tokens", "total_tokens", "cached_tokens", "unpriced_calls")


def _token_sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Token and cost totals of ``rows``; the cost is null when nothing was priced but some call was not."""
    totals: dict[str, Any] = {key: sum(int(r.get(key) or 0) for r in rows) for key in _TOKEN_KEYS}
    cost = sum(float(r.get("cost_usd") or 0) for r in rows)
    totals["cost_usd"] = None if totals["unpriced_calls"] and not cost else cost
    totals["cost_estimated"] = any(bool(r.get("cost_estimated")) for r in rows)
    return totals


@router.get("/{session_id}/timeline", response_model=list[TimelineEventOut], responses={404: ERROR_RESPONSES[404]})
async def get_timeline(session_id: str, services: ServicesDep) -> list[dict[str, Any]]:
    row = await load_session(services.pool, session_id)
    events = await repo.list_timeline(services.pool, str(row["id"]))
    return [{**_ids_to_str(e), "sequence": e["seq"]} for e in events]


@router.post(
    "/{session_id}/cancel",
    response_model=CancelResponse,
    responses={k: ERROR_RESPONSES[k] for k in (404, 409)},
)
async def cancel(session_id: str, services: ServicesDep, author: AuthorDep) -> CancelResponse:
    """Cancel a queued or running session, wherever it runs (the owner hears it via NOTIFY)."""
    row = await load_session(services.pool, session_id)
    sid = str(row["id"])
    if await lifecycle.cancel_waiting(services.pool, services.publisher, services.runner.masking, sid, author):
        final = await repo.get_session(services.pool, sid)
        if final is not None:
            await services.slack.session_finished(final)
        return CancelResponse(session_id=sid, status="cancelled")
    new_status = await cancel_session(pool=services.pool, publisher=services.publisher, session_id=sid, by=author)
    if new_status is None:
        message = await cancel_chat(pool=services.pool, publisher=services.publisher, session_id=sid, by=author)
        if message is None:
            raise ConflictError(f"session {session_id} already ended with status '{row['status']}'")
        await services.workers.cancel_local(str(message["id"]))
        return CancelResponse(session_id=str(row["id"]), status=cast(SessionStatus, row["status"]))
    if new_status == "cancelled":
        final = await repo.get_session(services.pool, str(row["id"]))
        if final is not None:
            await services.slack.session_finished(final)
    if new_status == "cancelling":
        await services.workers.cancel_local(str(row["id"]))
    return CancelResponse(session_id=str(row["id"]), status=cast(SessionStatus, new_status))


@router.post(
    "/{session_id}/score",
    response_model=ScoreOut,
    status_code=202,
    responses={k: ERROR_RESPONSES[k] for k in (404, 409)},
)
async def score(session_id: str, services: ServicesDep, author: AuthorDep) -> dict[str, Any]:
    """Score an ended session (again): a new run in the background, kept next to the earlier ones.

    409 while a run of the session is in flight or the session has not ended.
    """
    row = await load_session(services.pool, session_id)
    started = await services.runner.scoring.request(str(row["id"]), str(row["chain_id"]), author)
    out = public_score(started)
    assert out is not None
    return out


@router.get("/{session_id}/scores", response_model=list[ScoreOut], responses={404: ERROR_RESPONSES[404]})
async def score_history(session_id: str, services: ServicesDep) -> list[dict[str, Any]]:
    """Every scoring run of the session, oldest first (the latest is also the detail's `score`)."""
    row = await load_session(services.pool, session_id)
    rows = await score_rows.score_history(services.pool, str(row["id"]))
    return [out for out in map(public_score, rows) if out is not None]
