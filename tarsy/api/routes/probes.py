"""Kubernetes-style probes: ``/health/live`` (the process answers) and ``/health/ready`` (it can work).

Both are public (no auth): an orchestrator calls them without credentials. ``/health`` (routes/system.py)
stays the detailed operator view.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tarsy.api.deps import ServicesDep
from tarsy.runtime.service import Services
from tarsy.store.migrate import applied_versions, bundled_migrations

router = APIRouter(tags=["system"])


class LiveResponse(BaseModel):
    status: str


class ReadyResponse(BaseModel):
    status: str
    failing: list[str]
    checks: dict[str, Any]


@router.get("/health/live", response_model=LiveResponse)
async def live() -> LiveResponse:
    """The process is up and its event loop answers; touches nothing else (a database outage must not
    make the orchestrator restart every replica)."""
    return LiveResponse(status="alive")


@router.get("/health/ready", response_model=ReadyResponse, responses={503: {"model": ReadyResponse}})
async def ready(services: ServicesDep) -> JSONResponse:
    """Ready for traffic: the database answers, every bundled migration is applied, and the workers
    this replica is configured to run are running. 503 names each failing check."""
    checks: dict[str, Any] = {"database": await _database(services)}
    checks["workers"] = _workers(services)
    failing = [name for name, check in checks.items() if check["status"] != "ok"]
    body = ReadyResponse(status="not_ready" if failing else "ready", failing=failing, checks=checks)
    return JSONResponse(body.model_dump(), status_code=503 if failing else 200)


async def _database(services: Services) -> dict[str, Any]:
    timeout = services.config.system.readiness_timeout
    try:
        async with asyncio.timeout(timeout):
            applied = await applied_versions(services.pool)
    except TimeoutError:
        return {"status": "error", "error": f"no answer within {timeout:g}s (system.readiness_timeout)"}
    except Exception as exc:  # the failure is the answer; its type says enough (messages may carry hosts)
        return {"status": "error", "error": type(exc).__name__}
    pending = sorted(m.version for m in bundled_migrations() if m.version not in applied)
    if pending:
        return {"status": "error", "error": "migrations not applied (run `tarsy migrate`)", "pending": pending}
    return {"status": "ok", "migrations": max(applied, default=0)}


def _workers(services: Services) -> dict[str, Any]:
    count = services.workers.worker_count
    if count == 0:
        return {"status": "ok", "count": 0, "note": "API-only replica (TARSY_WORKERS=0)"}
    if not services.workers.healthy():
        return {"status": "error", "count": count, "error": "a worker task has stopped"}
    return {"status": "ok", "count": count}
