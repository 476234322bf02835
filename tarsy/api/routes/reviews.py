"""Triage and review of ended sessions (docs/review.md): the review action on one or many sessions
and the triage lists."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.history_schemas import SessionPage, error_responses
from tarsy.api.review_schemas import ReviewRequest, ReviewResponse, TriageGroup
from tarsy.errors import ConflictError, InvalidInputError, NotFoundError
from tarsy.runtime.review_rules import ReviewAsk
from tarsy.runtime.reviews import ReviewOutcome, apply_review, unique_ids
from tarsy.store import queries
from tarsy.store.db import Row
from tarsy.store.queries import SessionFilters

router = APIRouter(prefix="/api/v1/sessions", tags=["review"])


@router.patch("/review", response_model=ReviewResponse, responses=error_responses(400, 404, 409, 422))
async def review(body: ReviewRequest, services: ServicesDep, author: AuthorDep) -> dict[str, Any]:
    """Claim, unclaim, complete, reopen, acknowledge or comment on (feedback) one or many ended sessions.

    Each session is changed in its own transaction: an invalid transition leaves that session as it
    was and the others are still applied (200, with per-session results). A request for a single
    session that fails answers its error instead: 404 for an unknown session, 409 for a refused
    transition.
    """
    problem = body.mismatch()
    if problem is not None:
        raise InvalidInputError(problem)
    masking = services.runner.masking
    ask = ReviewAsk(body.action, author, body.quality_rating, masking.optional(body.assignee))
    floor = services.config.memory.retrieval.confidence_floor
    comment = masking.optional(body.comment)
    outcomes = await apply_review(
        services.pool, services.publisher, body.session_ids, ask, comment, confidence_floor=floor
    )
    if len(unique_ids(body.session_ids)) == 1 and not outcomes[0].ok:
        failed = outcomes[0]
        error = NotFoundError if failed.error == "not_found" else ConflictError
        raise error(failed.message or "the review action was refused")
    results = [_result(o) for o in outcomes]
    applied = sum(1 for o in outcomes if o.ok)
    return {"results": results, "applied": applied, "failed": len(outcomes) - applied}


def _result(outcome: ReviewOutcome) -> dict[str, Any]:
    state = outcome.state
    return {
        "session_id": outcome.session_id,
        "ok": outcome.ok,
        "review_status": None if state is None else state.review_status,
        "assignee": None if state is None else state.assignee,
        "quality_rating": None if state is None else state.quality_rating,
        "reviewed_at": None if state is None else state.reviewed_at,
        "error": None if outcome.ok else {"code": outcome.error, "message": outcome.message},
    }


@router.get("/triage/{group}", response_model=SessionPage, responses=error_responses(422))
async def triage(
    group: TriageGroup,
    services: ServicesDep,
    author: AuthorDep,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=100, description="Sessions per page")] = 20,
) -> dict[str, Any]:
    """Ended sessions in one triage group, newest first: `needs_review`, `in_progress` (claimed),
    `reviewed`, or `mine` (claimed by the caller)."""
    if group == "mine":
        filters = SessionFilters(review_statuses=["in_progress"], assignee=author)
    else:
        filters = SessionFilters(review_statuses=[group])
    rows, total = await queries.list_sessions(
        services.pool, filters, sort_by="created_at", sort_order="desc", page=page, page_size=page_size
    )
    return {"items": [_plain(r) for r in rows], "total": total, "page": page, "page_size": page_size}


def _plain(row: Row) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}
