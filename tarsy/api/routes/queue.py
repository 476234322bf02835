"""Queue figures: the shared queue in the database and this replica's workers."""

from __future__ import annotations

from fastapi import APIRouter

from tarsy.api.deps import ServicesDep
from tarsy.api.history_schemas import QueueFigures
from tarsy.store import sessions as repo

router = APIRouter(prefix="/api/v1/system", tags=["system"])


@router.get("/queue", response_model=QueueFigures)
async def queue(services: ServicesDep) -> QueueFigures:
    """Pending and active counts and the oldest pending age cover every replica; workers are this replica's."""
    figures = await repo.queue_figures(services.pool)
    return QueueFigures(
        pending=int(figures["pending"]),
        active=int(figures["active"]),
        workers_total=services.workers.worker_count,
        workers_busy=services.workers.busy,
        oldest_pending_s=float(figures["oldest_pending_s"] or 0.0),
    )
