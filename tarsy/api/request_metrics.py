"""Request counts and latency per route template (``tarsy_http_requests_total``, ``tarsy_http_duration_seconds``).

A pure ASGI middleware: no task or stream per request (as ``BaseHTTPMiddleware`` makes), and a
streaming answer (SSE) is timed to its first byte, like any other answer.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                _observe(scope, message["status"], time.perf_counter() - started)
            await send(message)

        await self.app(scope, receive, counting_send)


def _observe(scope: Scope, status: int, seconds: float) -> None:
    services = getattr(getattr(scope.get("app"), "state", None), "services", None)
    if services is None:
        return
    # Label by the route template, not the raw path, to keep label cardinality bounded.
    template = getattr(scope.get("route"), "path", "unmatched")
    method = scope["method"]
    services.metrics.http_requests.labels(method, template, str(status)).inc()
    services.metrics.http_latency.labels(method, template).observe(seconds)
