"""What every HTTP answer carries and what none may carry: security headers, and no raw exceptions.

Both are pure ASGI middleware, so streaming answers (SSE) pass through untouched.
"""

from __future__ import annotations

import json
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tarsy.errors import internal_message, new_error_id

log = logging.getLogger(__name__)

# No remote scripts, images, frames or connections: markdown that names a remote image, or a page
# that tries to frame the dashboard, gets nothing. Emotion (MUI) injects <style> elements, hence
# 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'none'; frame-ancestors 'none'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
# FastAPI's interactive API docs load Swagger UI / ReDoc from a CDN with an inline bootstrap script;
# these two pages (which show only our own schema) get that, nothing else does.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")

_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def _policy_for(path: str) -> bytes:
    docs = any(path == p or path.startswith(p + "/") for p in DOCS_PATHS)
    return (DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY).encode()


class SecurityHeadersMiddleware:
    """Adds the CSP and the other hardening headers to every HTTP answer (errors included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = [*_COMMON_HEADERS, (b"content-security-policy", _policy_for(str(scope.get("path", ""))))]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", ())}
                headers = list(message.get("headers", ()))
                headers.extend((name, value) for name, value in extra if name not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class InternalErrorMiddleware:
    """The last word on an exception no handler mapped: the client gets a 500 with an error id, the
    log the traceback under that id. Nothing of the exception's text leaves the process."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # Every unmapped failure of a request ends here: logged with its id, answered as a 500.
            error_id = new_error_id()
            log.error(
                "unhandled error on %s %s [error_id=%s]",
                scope.get("method"),
                scope.get("path"),
                error_id,
                exc_info=exc,
                extra={"error_id": error_id},
            )
            if started:
                raise  # the answer is under way (a stream): the server can only cut the connection
            await _send_500(send, error_id)


async def _send_500(send: Send, error_id: str) -> None:
    body = json.dumps(
        {"error": {"code": "internal_error", "message": internal_message(error_id), "error_id": error_id}}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
