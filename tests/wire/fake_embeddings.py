"""A local HTTP server that plays OpenAI's ``/embeddings`` and Gemini's ``batchEmbedContents``.

Each request is recorded and answered with the next scripted reply: vectors made up from the texts
(one per input, in the size the reply asks for), an HTTP error, or a stall. The real clients talk to
it through their base URL; nothing in them is patched.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.server import free_port
from tests.wire.fake_vendor import Recorded


@dataclass(frozen=True)
class Vectors:
    size: int = 384


@dataclass(frozen=True)
class Error:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Stall:
    seconds: float


Reply = Vectors | Error | Stall


def vector_for(text: str, size: int) -> list[float]:
    """Not unit length on purpose (the embedder must normalise): a ramp scaled by the text's length."""
    return [float(len(text) + 1) * (1 + (i % 7)) for i in range(size)]


class FakeEmbeddings:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._replies: deque[Reply] = deque()
        self.base_url = ""

    def play(self, *replies: Reply) -> None:
        self._replies.extend(replies)

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
        reply = self._replies.popleft() if self._replies else Error(418, {"error": "fake: script exhausted"})
        if isinstance(reply, Stall):
            await asyncio.sleep(reply.seconds)
            return JSONResponse({"error": "fake: stalled"}, status_code=504)
        if isinstance(reply, Error):
            return JSONResponse(reply.body, status_code=reply.status)
        if recorded.path.endswith(":batchEmbedContents"):
            texts = [r["content"]["parts"][0]["text"] for r in recorded.body["requests"]]
            return JSONResponse({"embeddings": [{"values": vector_for(t, reply.size)} for t in texts]})
        return JSONResponse(_openai_reply(recorded.body, reply.size))

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[FakeEmbeddings]:
        port = free_port()
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        try:
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("fake embeddings server stopped during start-up")
                await asyncio.sleep(0.01)
            self.base_url = f"http://127.0.0.1:{port}"
            yield self
        finally:
            server.should_exit = True
            await asyncio.wait_for(task, timeout=10)


def _openai_reply(body: dict[str, Any], size: int) -> dict[str, Any]:
    """OpenAI's shape, in the encoding the client asked for (the SDK asks for base64 float32)."""
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    data = []
    for index, text in enumerate(texts):
        vector = vector_for(text, size)
        if body.get("encoding_format") == "base64":
            encoded: Any = base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode()
        else:
            encoded = vector
        data.append({"object": "embedding", "index": index, "embedding": encoded})
    usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
    return {"object": "list", "data": data, "model": body["model"], "usage": usage}
