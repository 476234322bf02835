"""Health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from tarsy.api.deps import ServicesDep
from tarsy.api.schemas import HealthResponse
from tarsy.store import sessions as repo

router = APIRouter(tags=["system"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def health(services: ServicesDep) -> JSONResponse:
    """Database and workers; 503 when either is down. Demo mode is reported in ``mode``."""
    checks: dict[str, Any] = {}
    healthy = True
    try:
        figures = await repo.queue_figures(services.pool)
        checks["database"] = {"status": "ok"}
        checks["queue"] = {
            "pending": int(figures["pending"]),
            "active": int(figures["active"]),
            "oldest_pending_s": float(figures["oldest_pending_s"] or 0.0),
        }
    except Exception as exc:
        # Health must answer even when the database is down; the failure is the answer.
        healthy = False
        checks["database"] = {"status": "error", "error": type(exc).__name__}
    workers_ok = services.workers.healthy()
    healthy = healthy and workers_ok
    checks["workers"] = {
        "status": "ok" if workers_ok else "error",
        "count": services.workers.worker_count,
        "busy": services.workers.busy,
    }
    if services.demo:
        checks["llm"] = {"status": "demo", "message": "scripted demo model: no LLM credentials configured"}
    body = HealthResponse(
        status="healthy" if healthy else "unhealthy", mode="demo" if services.demo else "live", checks=checks
    )
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)
