"""An OpenAI-compatible Chat Completions server that plays a one-tool investigation, for any prompt.

The reply depends only on the conversation, so it answers whatever prompt each system sends:

- no tool result in the conversation yet and a tool whose name ends with ``--tool`` offered:
  call that tool once (``{"namespace": "default"}``);
- otherwise: a final answer (also for calls that offer no tools, e.g. TARSy's executive summary).

Streaming (``stream: true``, with ``stream_options.include_usage``) and plain JSON replies are both
served; ``--latency`` seconds are slept before each reply. ``GET /stats`` counts the calls by kind
since the last ``POST /stats/reset``, so a benchmark can say how many model calls each system made.

    python bench/fakes/model_server.py [--port 0] [--latency 0] [--tool get_pods]

prints one JSON line ``{"base_url": "http://127.0.0.1:<port>/v1"}`` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

ANSWER = (
    "Root cause: pod api-1 is in CrashLoopBackOff after being OOMKilled (exit code 137, 6 restarts). "
    "Raise its memory limit or fix the leak."
)
TOOL_ARGS = {"namespace": "default"}


def _has_tool_result(messages: list[dict[str, Any]]) -> bool:
    return any(m.get("role") == "tool" for m in messages)


def _tool_name(tools: list[dict[str, Any]], suffix: str) -> str | None:
    for tool in tools:
        name = str((tool.get("function") or {}).get("name", ""))
        if name.endswith(suffix):
            return name
    return None


class FakeModel:
    """The turn logic and the call counters; the HTTP shape is in the handlers below."""

    def __init__(self, *, tool_suffix: str, latency_s: float) -> None:
        self.tool_suffix = tool_suffix
        self.latency_s = latency_s
        self.calls: Counter[str] = Counter()

    def reply(self, body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
        """``(text, tool_call)``: the tool call when this turn should call the tool, else the answer."""
        messages = body.get("messages") or []
        name = None if _has_tool_result(messages) else _tool_name(body.get("tools") or [], self.tool_suffix)
        if name is None:
            self.calls["answer"] += 1
            return ANSWER, None
        self.calls["tool_call"] += 1
        call_id = f"call_{self.calls['tool_call']}_{int(time.monotonic() * 1000) % 100000}"
        return "", {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(TOOL_ARGS)}}


def _usage() -> dict[str, Any]:
    return {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}


def _completion(model: str, text: str, call: dict[str, Any] | None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if call is not None:
        message["tool_calls"] = [call]
    return {
        "id": "chatcmpl-bench",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls" if call else "stop"}],
        "usage": _usage(),
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> str:
    choice = {"index": 0, "delta": delta, "finish_reason": finish}
    body = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
    return f"data: {json.dumps({**body, 'choices': [choice]})}\n\n"


async def _stream(model: str, text: str, call: dict[str, Any] | None, usage: bool) -> AsyncIterator[str]:
    yield _chunk(model, {"role": "assistant", "content": ""})
    if text:
        yield _chunk(model, {"content": text})
    if call is not None:
        yield _chunk(model, {"tool_calls": [{"index": 0, **call}]})
    yield _chunk(model, {}, "tool_calls" if call else "stop")
    if usage:
        body = {"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": int(time.time()), "model": model}
        yield f"data: {json.dumps({**body, 'choices': [], 'usage': _usage()})}\n\n"
    yield "data: [DONE]\n\n"


def build_app(model: FakeModel) -> Starlette:
    async def completions(request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        if model.latency_s > 0:
            await asyncio.sleep(model.latency_s)
        text, call = model.reply(body)
        name = str(body.get("model", "fake"))
        if body.get("stream"):
            usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return StreamingResponse(_stream(name, text, call, usage), media_type="text/event-stream")
        return JSONResponse(_completion(name, text, call))

    async def stats(request: Request) -> Response:
        return JSONResponse({"calls": sum(model.calls.values()), **model.calls})

    async def reset(request: Request) -> Response:
        model.calls.clear()
        return JSONResponse({"calls": 0})

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake", "object": "model", "owned_by": "bench"}]})

    return Starlette(
        routes=[
            Route("/v1/chat/completions", completions, methods=["POST"]),
            Route("/chat/completions", completions, methods=["POST"]),
            Route("/v1/models", models, methods=["GET"]),
            Route("/stats", stats, methods=["GET"]),
            Route("/stats/reset", reset, methods=["POST"]),
        ]
    )


async def _serve(port: int, model: FakeModel) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(build_app(model), log_level="warning", lifespan="off", access_log=False)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the fake model server stopped during start-up")
        await asyncio.sleep(0.01)
    print(json.dumps({"base_url": f"http://127.0.0.1:{sock.getsockname()[1]}/v1"}), flush=True)
    await task


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds slept before each reply")
    parser.add_argument("--tool", default="get_pods", help="call the offered tool whose name ends with this")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, FakeModel(tool_suffix=args.tool, latency_s=args.latency)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
