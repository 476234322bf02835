"""The FastAPI application factory: lifespan wiring, routers, error handlers, limits."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from tarsy.api.errors import install_error_handlers
from tarsy.api.guard import build_policy, install_guard
from tarsy.api.routes import (
    alerts,
    chat,
    events,
    history,
    metrics,
    queue,
    runbooks,
    sessions,
    system,
    trace,
    whoami,
)
from tarsy.config import TarsyConfig
from tarsy.nodes.context import ToolExecutor
from tarsy.runtime.service import start_services
from tarsy.settings import Settings

# Requests larger than this are refused before their body is read; the alert data limit itself
# (system.max_alert_data_bytes) is checked precisely after parsing.
REQUEST_OVERHEAD_BYTES = 64 * 1024


def create_app(
    settings: Settings | None = None,
    *,
    config: TarsyConfig | None = None,
    env: Mapping[str, str] | None = None,
    tools: ToolExecutor | None = None,
) -> FastAPI:
    """Build the app; ``config``/``env``/``tools`` replace what would be read or built (tests, embedding)."""
    resolved = settings or Settings.from_env(env)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            app.state.services = await start_services(stack, resolved, config=config, env=env, tools=tools)
            app.state.guard = build_policy(app.state.services.config, resolved.host, os.environ if env is None else env)
            yield

    app = FastAPI(
        title="TARSy",
        summary="An AI SRE that investigates alerts with LangGraph agents and MCP tools",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        services = getattr(request.app.state, "services", None)
        if length and length.isdigit() and services is not None:
            limit = services.config.system.max_alert_data_bytes * 2 + REQUEST_OVERHEAD_BYTES
            if int(length) > limit:
                return JSONResponse(
                    {
                        "error": {
                            "code": "payload_too_large",
                            "message": f"request body is {length} bytes; the limit is {limit} bytes "
                            "(derived from system.max_alert_data_bytes)",
                        }
                    },
                    status_code=413,
                )
        return await call_next(request)

    @app.middleware("http")
    async def count_requests(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        services = getattr(request.app.state, "services", None)
        route = request.scope.get("route")
        if services is not None:
            # Label by the route template, not the raw path, to keep label cardinality bounded.
            template = getattr(route, "path", "unmatched")
            services.metrics.http_requests.labels(request.method, template, str(response.status_code)).inc()
            services.metrics.http_latency.labels(request.method, template).observe(time.perf_counter() - started)
        return response

    # history before sessions: its /sessions/active, /filter-options and /events are not session ids.
    for module in (alerts, history, trace, sessions, chat, events, queue, system, metrics, runbooks, whoami):
        app.include_router(module.router)
    if resolved.dashboard_dir is not None:
        _serve_dashboard(app, resolved.dashboard_dir)
    # Added last, so it runs first: Host, Origin, identity and role before anything else (tarsy/api/guard.py).
    install_guard(app)
    return app


def _serve_dashboard(app: FastAPI, root: Path) -> None:
    """Serve the built single-page app at ``/``, falling back to index.html for client routes."""
    base = root.resolve()
    index = base / "index.html"

    def pick(path: str) -> Path | None:
        candidate = (base / path).resolve()
        if path and candidate.is_file() and base in candidate.parents:
            return candidate
        return index if index.is_file() else None

    @app.get("/{path:path}", include_in_schema=False)
    async def dashboard(path: str) -> Response:
        if path.startswith(("api/", "health", "metrics", "docs", "openapi.json")):
            # Unknown API paths are API 404s, not the single-page app.
            return JSONResponse({"error": {"code": "not_found", "message": f"no route /{path}"}}, status_code=404)
        found = await asyncio.to_thread(pick, path)
        if found is None:
            return JSONResponse({"error": {"code": "not_found", "message": "dashboard not built"}}, status_code=404)
        headers = {"Cache-Control": "no-cache"} if found == index else None
        return FileResponse(found, headers=headers)
