"""JSON bodies are scanned before FastAPI parses them (``tarsy.jsonsafe.scan_json_text``).

Nesting deeper than ``system.max_json_depth``, ``NaN``/``Infinity`` and integers of more digits
than 64 bits allow are refused with 400 in the documented error shape, so the parser never recurses
deeply and nothing unstorable is accepted. The body is read whole here, so this middleware must
run inside the request-size limiter (which bounds what it reads).
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tarsy.jsonsafe import DEFAULT_MAX_DEPTH, JSONShapeError, scan_json_text

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _is_json(scope: Scope) -> bool:
    """FastAPI parses a body as JSON without a content type or with ``application/json`` / ``+json``."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media: bytes = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or (media.startswith(b"application/") and media.endswith(b"+json"))
    return True


def _max_depth(scope: Scope) -> int:
    app = scope.get("app")
    services = getattr(getattr(app, "state", None), "services", None)
    return int(services.config.system.max_json_depth) if services is not None else DEFAULT_MAX_DEPTH


class JSONIntakeMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            scan_json_text(body, _max_depth(scope))
        except JSONShapeError as exc:
            await _refuse(send, exc)
            return
        await self.app(scope, _replay(body, receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _refuse(send: Send, exc: JSONShapeError) -> None:
    payload = json.dumps({"error": {"code": exc.code, "message": exc.message, "fields": None}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
