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
from tarsy.errors import InvalidInputError
from tarsy.llm.factory import NATIVE_TOOLS
from tarsy.masking.outbound import OutputMasking
from tarsy.store import sessions as repo
from tarsy.tools.selection import chain_grants

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
    # Reported, not judged: a required server that fails stops start-up; an optional one is a warning.
    checks["mcp_servers"] = {
        s.server: {"status": s.status, "last_error": s.last_error} for s in services.mcp.health.status().values()
    }
    if services.demo:
        checks["llm"] = {"status": "demo", "message": f"scripted demo model: {services.demo_reason}"}
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


class SkillOut(BaseModel):
    name: str
    description: str
    source: str
    size_bytes: int
    used_by: list[str]
    required_by: list[str]
    body: str


@router.get("/api/v1/system/skills", response_model=list[SkillOut])
async def skills(services: ServicesDep) -> list[SkillOut]:
    """Every skill of the config directory, which agents may load it and which have it up front."""
    config = services.config
    masking = OutputMasking.from_config(config)
    out: list[SkillOut] = []
    for name, skill in sorted(config.skills.items()):
        allowed = [a for a, agent in sorted(config.agents.items()) if agent.skills is None or name in agent.skills]
        required = [a for a, agent in sorted(config.agents.items()) if name in agent.required_skills]
        out.append(
            SkillOut(
                name=name,
                description=masking.text(skill.description),
                source=skill.source,
                size_bytes=len(skill.body.encode()),
                used_by=allowed,
                required_by=required,
                body=masking.text(skill.body),
            )
        )
    return out


@router.get("/api/v1/system/warnings", response_model=list[WarningOut])
async def system_warnings(services: ServicesDep) -> list[WarningOut]:
    """Active system warnings (e.g. an MCP server that does not answer)."""
    return [
        WarningOut(id=w.id, category=w.category, message=w.message, server=w.server, created_at=w.created_at)
        for w in services.mcp.health.warnings().active()
    ]


@router.get("/api/v1/system/default-tools", response_model=DefaultTools, responses={400: ERROR_RESPONSES[400]})
async def default_tools(services: ServicesDep, alert_type: str | None = None) -> DefaultTools:
    """The MCP servers and tools an alert of this type gets without an ``mcp`` override (what it may narrow)."""
    config = services.config
    kind = alert_type or config.defaults.alert_type
    try:
        chain_id, _ = config.chain_for_alert_type(kind)
    except LookupError as exc:
        raise InvalidInputError(str(exc)) from exc
    grants = chain_grants(config, chain_id)
    status = services.mcp.health.status()
    return DefaultTools(
        alert_type=kind,
        chain_id=chain_id,
        servers=[
            DefaultServerTools(
                name=name,
                tools=[
                    ToolOut(name=t.name, description=t.description)
                    for t in (status[name].tools if name in status else [])
                    if grants.allows_tool(name, t.name)
                ],
            )
            for name in grants.servers
        ],
        native_tools={name: name in grants.native_tools for name in NATIVE_TOOLS},
    )
