"""Prometheus scrape endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST

from tarsy.api.deps import ServicesDep
from tarsy.store import sessions as repo

router = APIRouter(tags=["system"])


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
async def metrics(services: ServicesDep) -> Response:
    """Process metrics; shared-state gauges are refreshed from the database at scrape time."""
    m = services.metrics
    figures = await repo.queue_figures(services.pool)
    m.sessions_active.set(int(figures["active"]))
    m.sessions_queued.set(int(figures["pending"]))
    m.workers_total.set(services.workers.worker_count)
    m.workers_busy.set(services.workers.busy)
    for server, healthy in services.mcp_health_flags().items():
        m.mcp_health.labels(server).set(1 if healthy else 0)
    return Response(m.render(), media_type=CONTENT_TYPE_LATEST)
