"""Alert submission."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.schemas import AlertAccepted, AlertRequest, AlertTypesResponse
from tarsy.runtime.alertmanager import AMWebhook, plan
from tarsy.runtime.alerts import AlertSubmission, ensure_queue_room, submit_alert

router = APIRouter(prefix="/api/v1", tags=["alerts"])


@router.post(
    "/alerts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AlertAccepted,
    responses={k: ERROR_RESPONSES[k] for k in (400, 413, 422, 429)},
)
async def post_alert(body: AlertRequest, services: ServicesDep, author: AuthorDep) -> AlertAccepted:
    """Queue an investigation; the session runs on a worker and streams on its SSE endpoint."""
    await ensure_queue_room(services.pool, services.config)
    if body.runbook is not None:
        services.runbooks.validate_url(str(body.runbook))
    selection = None
    if body.mcp:
        selection = services.mcp.validate_override(body.mcp, alert_type=body.alert_type).model_dump(mode="json")
    submitted = await submit_alert(
        pool=services.pool,
        publisher=services.publisher,
        config=services.config,
        submission=AlertSubmission(
            alert_type=body.alert_type,
            data=body.data,
            runbook=str(body.runbook) if body.runbook else None,
            author=author,
            slack_message_fingerprint=body.slack_message_fingerprint,
            mcp_selection=selection,
        ),
        mask=services.mask_alert,
    )
    services.workers.nudge()
    services.metrics.sessions_submitted.labels(str(submitted.session["alert_type"])).inc()
    return AlertAccepted(session_id=str(submitted.session["id"]))


@router.get("/alert-types", response_model=AlertTypesResponse)
async def alert_types(services: ServicesDep) -> dict[str, Any]:
    return {"alert_types": services.config.alert_types(), "default": services.config.defaults.alert_type}


class AlertmanagerResult(BaseModel):
    fingerprint: str | None
    session_id: str | None
    status: Literal["queued", "duplicate", "skipped"]
    reason: str | None = None


class AlertmanagerResponse(BaseModel):
    sessions: list[AlertmanagerResult]


@router.post(
    "/alerts/alertmanager",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AlertmanagerResponse,
    responses={k: ERROR_RESPONSES[k] for k in (400, 413, 422, 429)},
)
async def post_alertmanager(body: AMWebhook, services: ServicesDep) -> AlertmanagerResponse:
    """Alertmanager webhook receiver: one session per firing alert, deduplicated by fingerprint."""
    await ensure_queue_room(services.pool, services.config)  # full queue: Alertmanager retries later
    results: list[AlertmanagerResult] = []
    for planned in plan(body, services.config):
        if planned.alert_type is None:
            results.append(
                AlertmanagerResult(
                    fingerprint=planned.fingerprint, session_id=None, status="skipped", reason=planned.skipped
                )
            )
            continue
        submitted = await submit_alert(
            pool=services.pool,
            publisher=services.publisher,
            config=services.config,
            submission=AlertSubmission(
                alert_type=planned.alert_type,
                data=planned.data,
                runbook=planned.runbook,
                author="alertmanager",
                fingerprint=planned.fingerprint,
            ),
            mask=services.mask_alert,
        )
        if not submitted.duplicate:
            services.metrics.sessions_submitted.labels(planned.alert_type).inc()
        results.append(
            AlertmanagerResult(
                fingerprint=planned.fingerprint,
                session_id=str(submitted.session["id"]),
                status="duplicate" if submitted.duplicate else "queued",
            )
        )
    services.workers.nudge()
    return AlertmanagerResponse(sessions=results)
