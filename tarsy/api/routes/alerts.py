"""Alert submission."""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from tarsy.api.deps import AuthorDep, ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.schemas import AlertAccepted, AlertRequest, AlertTypesResponse
from tarsy.runtime.alert_batch import BatchAlert, submit_batch
from tarsy.runtime.alertmanager import AMWebhook, plan
from tarsy.runtime.alerts import AlertSubmission, ensure_queue_room, submit_alert
from tarsy.runtime.service import Services
from tarsy.store.db import Row

router = APIRouter(prefix="/api/v1", tags=["alerts"])


@router.post(
    "/alerts",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AlertAccepted,
    responses={k: ERROR_RESPONSES[k] for k in (400, 413, 422, 429)},
)
async def post_alert(body: AlertRequest, services: ServicesDep, author: AuthorDep) -> AlertAccepted:
    """Queue an investigation; the session runs on a worker and streams on its SSE endpoint."""
    session = await queue_alert(services, body, author)
    return AlertAccepted(session_id=str(session["id"]))


async def queue_alert(services: Services, body: AlertRequest, author: str, *, session_id: str | None = None) -> Row:
    """The one intake of an alert request (this route and LangGraph SDK runs): checks, queue, nudge."""
    if body.runbook is not None:
        services.runbooks.validate_url(str(body.runbook))
    selection = None
    if body.mcp:
        selection = services.mcp.validate_override(body.mcp, alert_type=body.alert_type).model_dump(mode="json")
    submitted = await submit_alert(
        pool=services.pool,
        config=services.config,
        submission=AlertSubmission(
            alert_type=body.alert_type,
            data=body.data,
            runbook=str(body.runbook) if body.runbook else None,
            author=author,
            slack_message_fingerprint=body.slack_message_fingerprint,
            mcp_selection=selection,
            session_id=session_id,
        ),
        mask=services.mask_alert,
    )
    services.workers.nudge()
    services.metrics.sessions_submitted.labels(str(submitted.session["alert_type"])).inc()
    return submitted.session


@router.get("/alert-types", response_model=AlertTypesResponse)
async def alert_types(services: ServicesDep) -> dict[str, Any]:
    return {"alert_types": services.config.alert_types(), "default": services.config.defaults.alert_type}


class AlertmanagerResult(BaseModel):
    fingerprint: str = Field(description="Alertmanager's fingerprint, or the same hash of the sorted labels")
    session_id: str | None
    status: Literal["queued", "duplicate", "skipped"]
    reason: str | None = None


class AlertmanagerResponse(BaseModel):
    sessions: list[AlertmanagerResult]
    queued: int = Field(description="Sessions opened")
    duplicates: int = Field(description="Alerts whose fingerprint already had an open session")
    skipped: int = Field(description="Resolved alerts, and alerts whose data cannot be stored (see `reason`)")
    over_limit: int = Field(
        description="Firing alerts past system.alertmanager.max_alerts_per_request: counted, never opened"
    )
    max_alerts_per_request: int


@router.post(
    "/alerts/alertmanager",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=AlertmanagerResponse,
    responses={k: ERROR_RESPONSES[k] for k in (400, 413, 422, 429)},
)
async def post_alertmanager(body: AMWebhook, services: ServicesDep) -> AlertmanagerResponse:
    """Alertmanager webhook receiver: one session per firing alert up to the cap, deduplicated by fingerprint."""
    await ensure_queue_room(services.pool, services.config)  # full queue: Alertmanager retries later
    planned = plan(body, services.config)
    firing = [
        BatchAlert(p.fingerprint, p.alert_type, p.data, p.runbook) for p in planned.alerts if p.alert_type is not None
    ]
    outcomes = iter(
        await submit_batch(
            pool=services.pool,
            publisher=services.publisher,
            config=services.config,
            alerts=firing,
            author="alertmanager",
            mask=services.mask_alert,
        )
    )
    results: list[AlertmanagerResult] = []
    for p in planned.alerts:
        if p.alert_type is None:
            results.append(
                AlertmanagerResult(fingerprint=p.fingerprint, session_id=None, status="skipped", reason=p.skipped)
            )
            continue
        outcome = next(outcomes)
        if outcome.status == "queued":
            services.metrics.sessions_submitted.labels(p.alert_type).inc()
        results.append(
            AlertmanagerResult(
                fingerprint=outcome.fingerprint,
                session_id=outcome.session_id,
                status=outcome.status,
                reason=outcome.reason,
            )
        )
    if planned.over_limit:
        services.metrics.alertmanager_over_limit.inc(planned.over_limit)
    services.workers.nudge()
    counts = Counter(r.status for r in results)
    return AlertmanagerResponse(
        sessions=results,
        queued=counts["queued"],
        duplicates=counts["duplicate"],
        skipped=counts["skipped"],
        over_limit=planned.over_limit,
        max_alerts_per_request=services.config.system.alertmanager.max_alerts_per_request,
    )
