"""The FastAPI application factory: lifespan wiring, routers, error handlers, limits."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Response
from fastapi.responses import FileResponse
from opentelemetry.sdk.trace.export import SpanExporter
from starlette.types import Scope

from tarsy.api.body_limit import BodyLimitMiddleware
from tarsy.api.errors import COMMON_RESPONSES, install_error_handlers
from tarsy.api.guard import build_policy, install_guard
from tarsy.api.hardening import InternalErrorMiddleware, SecurityHeadersMiddleware
from tarsy.api.intake import JSONIntakeMiddleware
from tarsy.api.openapi import install_event_schemas
from tarsy.api.packaged import packaged_dashboard
from tarsy.api.request_metrics import RequestMetricsMiddleware
from tarsy.api.routes import (
    alerts,
    approvals,
    chat,
    events,
    forks,
    history,
    langgraph,
    memories,
    metrics,
    probes,
    queue,
    reviews,
    runbooks,
    sessions,
    system,
    system_config,
    trace,
    usage,
    whoami,
)
from tarsy.config import TarsyConfig, load_config
from tarsy.errors import NotFoundError
from tarsy.memory.embeddings import Embedder
from tarsy.nodes.context import ToolExecutor
from tarsy.runtime.service import start_services
from tarsy.settings import Settings

ALERTMANAGER_PATH = "/api/v1/alerts/alertmanager"


def create_app(
    settings: Settings | None = None,
    *,
    config: TarsyConfig | None = None,
    env: Mapping[str, str] | None = None,
    tools: ToolExecutor | None = None,
    span_exporter: SpanExporter | None = None,
    embedder: Embedder | None = None,
) -> FastAPI:
    """Build the app; ``config``/``env``/``tools``/``embedder`` replace what would be read or built
    (tests, embedding)."""
    resolved = settings or Settings.from_env(env)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The access policy first: a process that must refuse to start (no auth on a public address,
        # a bad token list) does so before it opens a pool or starts an MCP process.
        environ = resolved.environ if env is None else env
        cfg = config if config is not None else load_config(resolved.config_dir, environ)
        guard = build_policy(cfg, resolved.host, environ)
        async with AsyncExitStack() as stack:
            app.state.services = await start_services(
                stack, resolved, config=cfg, env=env, tools=tools, span_exporter=span_exporter, embedder=embedder
            )
            app.state.guard = guard
            yield

    app = FastAPI(
        title="TARSy",
        summary="An AI SRE that investigates alerts with LangGraph agents and MCP tools",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_event_schemas(app)
    # Added first, so it runs inside the body-size limit below: it reads the body whole.
    app.add_middleware(JSONIntakeMiddleware)
    app.add_middleware(RequestMetricsMiddleware)

    _install_guards(app)

    _include_routers(app)
    dashboard_dir = resolved.dashboard_dir or packaged_dashboard()
    if dashboard_dir is not None:
        _serve_dashboard(app, dashboard_dir)
    return app


# history and reviews before sessions: their /sessions/active, /filter-options, /events, /review and
# /triage/... are not session ids.
ROUTERS = (
    alerts,
    history,
    reviews,
    trace,
    sessions,
    memories,
    usage,
    forks,
    approvals,
    chat,
    events,
    queue,
    probes,
    system,
    system_config,
    metrics,
    runbooks,
    whoami,
    langgraph,
)


def _include_routers(app: FastAPI) -> None:
    for module in ROUTERS:
        app.include_router(module.router, responses=COMMON_RESPONSES)


def _install_guards(app: FastAPI) -> None:
    """Outermost first: security headers on every answer, a 500 with an error id for anything
    unmapped, the auth guard, then the streaming body limit (system.max_request_bytes)."""

    def body_limit(scope: Scope) -> tuple[int, str] | None:
        services = getattr(app.state, "services", None)
        if services is None:
            return None
        system = services.config.system
        if scope.get("path") == ALERTMANAGER_PATH:  # a whole group of alerts: its own limit
            return system.alertmanager.max_body_bytes, "system.alertmanager.max_body_bytes"
        setting = "system.max_request_bytes" if system.max_request_bytes else "derived from system.max_alert_data_bytes"
        return system.request_body_limit, setting

    app.add_middleware(BodyLimitMiddleware, limit_of=body_limit)
    # Host, Origin, identity and role before a body is read (tarsy/api/guard.py); inside the two
    # below, so a refusal still carries the security headers.
    install_guard(app)
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)


def _serve_dashboard(app: FastAPI, root: Path) -> None:
    """Serve the built single-page app at ``/``, falling back to index.html for client routes."""
    base = root.resolve()
    index = base / "index.html"

    def pick(path: str) -> Path | None:
        candidate = (base / path).resolve()
        if path and candidate.is_file() and base in candidate.parents:
            return candidate
        if _looks_like_file(path):
            return None  # a missing script or image is a 404, not the page (which would run as HTML)
        return index if index.is_file() else None

    @app.get("/{path:path}", include_in_schema=False)
    async def dashboard(path: str) -> Response:
        if path.startswith(("api/", "langgraph/", "health", "metrics", "docs", "openapi.json")):
            # Unknown API paths are API 404s, not the single-page app.
            raise NotFoundError(f"no route /{path}")
        found = await asyncio.to_thread(pick, path)
        if found is None:
            raise NotFoundError(f"no file /{path}" if _looks_like_file(path) else "dashboard not built")
        headers = {"Cache-Control": "no-cache"} if found == index else None
        return FileResponse(found, headers=headers)


def _looks_like_file(path: str) -> bool:
    """Client routes (``/sessions/<id>``) have no extension; files (``/assets/x.js``) do."""
    last = path.rsplit("/", 1)[-1]
    return path.startswith("assets/") or "." in last
