"""A local HTTP server that plays one LLM vendor's streaming API from a script.

Every request is recorded (path, query, headers, JSON body) and answered with the next scripted
entry: a streamed turn in the vendor's own SSE dialect, an HTTP error, or a stall. The real SDK
classes talk to it through their ``base_url``; nothing in the SDKs is patched.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.server import free_port
from tests.wire.script import Entry, Failure, Stall, StallMidStream, Turn

SCRIPT_EXHAUSTED = 418  # not retried by any SDK, so a test that asks too often fails at once


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]


class WireProtocol(Protocol):
    """One vendor's dialect: which requests it serves and how it says turns and errors."""

    def handles(self, path: str) -> bool: ...

    def wants_stream(self, request: Recorded) -> bool: ...

    def events(self, turn: Turn, request: Recorded) -> Iterator[str]:
        """The SSE text of ``turn``, one event at a time."""
        ...

    def error_body(self, failure: Failure) -> dict[str, Any]: ...


class FakeVendor:
    def __init__(self, protocol: WireProtocol, routes: list[Route] | None = None) -> None:
        self.protocol = protocol
        self._routes = routes or []  # served before the vendor's API (e.g. an OAuth token endpoint)
        self.requests: list[Recorded] = []
        self._script: deque[Entry] = deque()
        self._gate: asyncio.Event | None = None
        self.base_url = ""

    def play(self, *entries: Entry) -> None:
        self._script.extend(entries)

    @property
    def remaining(self) -> int:
        return len(self._script)

    def hold_until(self, gate: asyncio.Event) -> None:
        """Answer nothing until ``gate`` is set (e.g. until a test's SSE reader is subscribed)."""
        self._gate = gate

    async def _handle(self, request: Request) -> Response:
        raw = await request.body()
        recorded = Recorded(
            method=request.method,
            path=request.url.path,
            query=dict(request.query_params),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=json.loads(raw) if raw else {},
        )
        self.requests.append(recorded)
        if not self.protocol.handles(recorded.path):
            return JSONResponse({"error": {"message": f"fake: no route {recorded.path}"}}, status_code=404)
        if not self.protocol.wants_stream(recorded):
            return JSONResponse({"error": {"message": "fake: only streaming requests are served"}}, status_code=400)
        if self._gate is not None:
            await asyncio.wait_for(self._gate.wait(), timeout=30)
        if not self._script:
            failure = Failure(SCRIPT_EXHAUSTED, "fake: script exhausted, the client asked for more turns")
            return JSONResponse(self.protocol.error_body(failure), status_code=failure.status)
        entry = self._script.popleft()
        if isinstance(entry, Stall):
            await asyncio.sleep(entry.seconds)
            return JSONResponse({"error": {"message": "fake: stalled"}}, status_code=504)
        if isinstance(entry, Failure):
            headers = {} if entry.retry_after_ms is None else {"retry-after-ms": str(entry.retry_after_ms)}
            return JSONResponse(self.protocol.error_body(entry), status_code=entry.status, headers=headers)

        if isinstance(entry, StallMidStream):
            return StreamingResponse(self._stall_mid_stream(entry, recorded), media_type="text/event-stream")

        async def body() -> AsyncIterator[str]:
            for event in self.protocol.events(entry, recorded):
                yield event
                await asyncio.sleep(0)  # let each event go out as its own chunk

        return StreamingResponse(body(), media_type="text/event-stream")

    async def _stall_mid_stream(self, entry: StallMidStream, recorded: Recorded) -> AsyncIterator[str]:
        events = self.protocol.events(entry.turn, recorded)
        yield next(events)
        await asyncio.sleep(entry.seconds)

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[FakeVendor]:
        port = free_port()
        app = Starlette(routes=[*self._routes, Route("/{path:path}", self._handle, methods=["GET", "POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", timeout_graceful_shutdown=2
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("fake vendor stopped during start-up")
                await asyncio.sleep(0.01)
            self.base_url = f"http://127.0.0.1:{port}"
            yield self
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, timeout=10)


def sse(data: dict[str, Any], event: str | None = None) -> str:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data)}\n\n"
