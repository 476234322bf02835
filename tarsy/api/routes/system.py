"""Health."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from tarsy.api.deps import ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.schemas import HealthResponse
from tarsy.config import resolve_agent, stage_agent_count
from tarsy.errors import InvalidInputError
from tarsy.store import sessions as repo

router = APIRouter(tags=["system"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def health(services: ServicesDep) -> JSONResponse:
    """Database and workers; 503 when either is down. Demo mode is reported in ``mode``."""
    checks: dict[str, Any] = {}
    healthy = True
    try:
        # Answer within system.database.health_timeout whatever the database does.
        async with asyncio.timeout(services.config.system.database.health_timeout):
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
        error = "timed out" if isinstance(exc, TimeoutError) else type(exc).__name__
        checks["database"] = {"status": "error", "error": error}
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


class ToolOut(BaseModel):
    name: str
    description: str


class McpServerOut(BaseModel):
    id: str
    status: Literal["healthy", "unhealthy", "unknown"]
    last_error: str | None
    last_checked: datetime | None
    required: bool
    transport: str
    tools: list[ToolOut]


class WarningOut(BaseModel):
    id: str
    category: str
    message: str
    server: str | None
    created_at: datetime


class DefaultServerTools(BaseModel):
    name: str
    tools: list[ToolOut]


class DefaultTools(BaseModel):
    alert_type: str
    chain_id: str
    servers: list[DefaultServerTools]
    native_tools: dict[str, bool]


@router.get("/api/v1/system/mcp-servers", response_model=list[McpServerOut])
async def mcp_servers(services: ServicesDep) -> list[McpServerOut]:
    """Every configured MCP server with its health, last error and tool list."""
    return [
        McpServerOut(
            id=s.server,
            status=s.status,
            last_error=s.last_error,
            last_checked=s.last_checked,
            required=s.required,
            transport=s.transport,
            tools=[ToolOut(name=t.name, description=t.description) for t in s.tools],
        )
        for s in sorted(services.mcp.health.status().values(), key=lambda s: s.server)
    ]


@router.get("/api/v1/system/warnings", response_model=list[WarningOut])
async def system_warnings(services: ServicesDep) -> list[WarningOut]:
    """Active system warnings (e.g. an MCP server that does not answer)."""
    return [
        WarningOut(id=w.id, category=w.category, message=w.message, server=w.server, created_at=w.created_at)
        for w in services.mcp.health.warnings().active()
    ]


@router.get("/api/v1/system/default-tools", response_model=DefaultTools, responses={400: ERROR_RESPONSES[400]})
async def default_tools(services: ServicesDep, alert_type: str | None = None) -> DefaultTools:
    """The MCP servers and tools an alert of this type gets without an ``mcp`` override."""
    config = services.config
    kind = alert_type or config.defaults.alert_type
    try:
        chain_id, chain = config.chain_for_alert_type(kind)
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc
    servers: dict[str, None] = {}
    for index, stage in enumerate(chain.stages):
        for agent_index in range(stage_agent_count(stage)):
            servers.update(dict.fromkeys(resolve_agent(config, chain_id, index, agent_index).mcp_servers))
    status = services.mcp.health.status()
    native = getattr(config.provider(config.defaults.llm_provider), "native_tools", None)
    return DefaultTools(
        alert_type=kind,
        chain_id=chain_id,
        servers=[
            DefaultServerTools(
                name=name,
                tools=[ToolOut(name=t.name, description=t.description) for t in status[name].tools]
                if name in status
                else [],
            )
            for name in servers
        ],
        native_tools=native.model_dump() if native is not None else {},
    )
