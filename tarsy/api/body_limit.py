"""Request bodies bounded while they stream, ``Content-Length`` or not.

A pure ASGI middleware: it counts the bytes of each ``http.request`` message as the app pulls them,
so a chunked upload is cut off at the limit instead of being buffered whole. The app never holds
more than the limit: the message that crosses it is not handed on. The client gets a 413 in the
JSON error shape (unless the app had already begun its answer, which no route does before reading
its body).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Limit = tuple[int, str]  # bytes, and the setting that says so (named in the 413)
LimitOf = Callable[[Scope], Limit | None]


class _BodyTooLarge(Exception):
    """Raised inside the app's ``receive`` to stop it reading; the middleware answers 413.

    A control-flow signal private to this middleware, never seen by a handler: it must not match
    a handler for TarsyError anywhere in the app that reads the body.
    """


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _too_large_body(limit: Limit, declared: int | None) -> bytes:
    size = f"{declared} bytes" if declared is not None else "larger than that"
    message = f"request body is {size}; the limit is {limit[0]} bytes ({limit[1]})"
    return json.dumps({"error": {"code": "payload_too_large", "message": message, "fields": None}}).encode()


async def _send_413(send: Send, limit: Limit, declared: int | None) -> None:
    body = _too_large_body(limit, declared)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    # The rest of the upload is not read: the connection cannot be reused.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimitMiddleware:
    """``limit_of`` is asked per request, by path (None: no limit yet, e.g. before start-up finished)."""

    def __init__(self, app: ASGIApp, limit_of: LimitOf) -> None:
        self.app = app
        self.limit_of = limit_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self.limit_of(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        limit = found[0]
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, found, declared)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app makes of the aborted read (a parse error), the answer is 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            pass
        except Exception:
            # Once the limit is crossed, whatever the app raises about the cut-off body (a parse
            # error) is answered by the 413 below; anything else is not ours to swallow.
            if not exceeded:
                raise
        if exceeded and not started:
            await _send_413(send, found, declared)
