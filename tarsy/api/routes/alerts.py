"""Alert submission."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.schemas import AlertAccepted, AlertRequest, AlertTypesResponse
from tarsy.runtime.alerts import AlertSubmission, submit_alert

router = APIRouter(prefix="/api/v1", tags=["alerts"])


@router.post(
    "/alerts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AlertAccepted,
    responses={k: ERROR_RESPONSES[k] for k in (400, 413, 422)},
)
async def post_alert(body: AlertRequest, services: ServicesDep, author: AuthorDep) -> AlertAccepted:
    """Queue an investigation; the session runs on a worker and streams on its SSE endpoint."""
    row = await submit_alert(
        pool=services.pool,
        publisher=services.publisher,
        config=services.config,
        submission=AlertSubmission(
            alert_type=body.alert_type,
            data=body.data,
            runbook=str(body.runbook) if body.runbook else None,
            author=author,
        ),
        mask=services.mask_alert,
    )
    services.workers.nudge()
    return AlertAccepted(session_id=str(row["id"]))


@router.get("/alert-types", response_model=AlertTypesResponse)
async def alert_types(services: ServicesDep) -> dict[str, Any]:
    return {"alert_types": services.config.alert_types(), "default": services.config.defaults.alert_type}
