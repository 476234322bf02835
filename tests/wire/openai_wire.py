"""The OpenAI dialects: Chat Completions SSE (also xAI and OpenAI-compatible servers) and Responses SSE."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.wire.fake_vendor import Recorded, sse
from tests.wire.script import Failure, Turn, pieces

_ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    429: ("rate_limit_exceeded", "rate_limit_exceeded"),
}


def _error(failure: Failure) -> dict[str, Any]:
    kind, code = _ERROR_TYPES.get(failure.status, ("server_error", None))
    if failure.code is not None:
        kind = code = failure.code
    return {"error": {"message": failure.message, "type": kind, "param": None, "code": code}}


class ChatCompletionsWire:
    """``POST /v1/chat/completions`` with ``stream: true``."""

    def handles(self, path: str) -> bool:
        return path == "/v1/chat/completions"

    def wants_stream(self, request: Recorded) -> bool:
        return bool(request.body.get("stream"))

    def error_body(self, failure: Failure) -> dict[str, Any]:
        return _error(failure)

    def events(self, turn: Turn, request: Recorded) -> Iterator[str]:
        model = str(request.body.get("model"))

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return sse(
                {
                    "id": "chatcmpl-wire",
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000,
                    "model": model,
                    "system_fingerprint": "fp_wire",
                    "choices": [choice],
                }
            )

        yield chunk({"role": "assistant", "content": "", "refusal": None})
        for piece in pieces(turn.text):
            yield chunk({"content": piece})
        for index, call in enumerate(turn.tool_calls):
            head = {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
            yield chunk({"tool_calls": [head]})
            for piece in pieces(json.dumps(call.args), 7):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        yield chunk({}, "tool_calls" if turn.tool_calls else "stop")
        if (request.body.get("stream_options") or {}).get("include_usage"):
            usage = {
                "prompt_tokens": turn.usage.input,
                "completion_tokens": turn.usage.output,
                "total_tokens": turn.usage.input + turn.usage.output,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": turn.usage.thinking, "audio_tokens": 0},
            }
            yield sse(
                {
                    "id": "chatcmpl-wire",
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000,
                    "model": model,
                    "choices": [],
                    "usage": usage,
                }
            )
        yield "data: [DONE]\n\n"


class ResponsesWire:
    """``POST /v1/responses`` with ``stream: true``: reasoning summaries, output text, function calls."""

    def handles(self, path: str) -> bool:
        return path == "/v1/responses"

    def wants_stream(self, request: Recorded) -> bool:
        return bool(request.body.get("stream"))

    def error_body(self, failure: Failure) -> dict[str, Any]:
        return _error(failure)

    def events(self, turn: Turn, request: Recorded) -> Iterator[str]:
        seq = iter(range(1_000_000))
        model = str(request.body.get("model"))
        response: dict[str, Any] = {
            "id": "resp_wire",
            "object": "response",
            "created_at": 1_700_000_000,
            "status": "in_progress",
            "model": model,
            "output": [],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": request.body.get("tools", []),
        }

        def event(kind: str, **data: Any) -> str:
            return sse({"type": kind, "sequence_number": next(seq), **data}, kind)

        yield event("response.created", response=response)
        output: list[dict[str, Any]] = []
        for build in (_reasoning_items, _message_items, _call_items):
            for kind, data in build(turn, len(output)):
                if kind == "response.output_item.done":
                    output.append(data["item"])
                yield event(kind, **data)
        usage = {
            "input_tokens": turn.usage.input,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": turn.usage.output,
            "output_tokens_details": {"reasoning_tokens": turn.usage.thinking},
            "total_tokens": turn.usage.input + turn.usage.output,
        }
        yield event(
            "response.completed", response={**response, "status": "completed", "output": output, "usage": usage}
        )


Events = Iterator[tuple[str, dict[str, Any]]]


def _reasoning_items(turn: Turn, index: int) -> Events:
    if not turn.thinking:
        return
    rid = "rs_wire"
    yield "response.output_item.added", {"output_index": index, "item": {"id": rid, "type": "reasoning", "summary": []}}
    common = {"item_id": rid, "output_index": index, "summary_index": 0}
    yield "response.reasoning_summary_part.added", {**common, "part": {"type": "summary_text", "text": ""}}
    for piece in pieces(turn.thinking):
        yield "response.reasoning_summary_text.delta", {**common, "delta": piece}
    yield "response.reasoning_summary_text.done", {**common, "text": turn.thinking}
    done = {"type": "summary_text", "text": turn.thinking}
    yield "response.reasoning_summary_part.done", {**common, "part": done}
    item = {"id": rid, "type": "reasoning", "summary": [done]}
    yield "response.output_item.done", {"output_index": index, "item": item}


def _message_items(turn: Turn, index: int) -> Events:
    if not turn.text:
        return
    mid = "msg_wire"
    item = {"id": mid, "type": "message", "status": "in_progress", "role": "assistant", "content": []}
    yield "response.output_item.added", {"output_index": index, "item": item}
    common = {"item_id": mid, "output_index": index, "content_index": 0}
    yield "response.content_part.added", {**common, "part": {"type": "output_text", "text": "", "annotations": []}}
    for piece in pieces(turn.text):
        yield "response.output_text.delta", {**common, "delta": piece, "logprobs": []}
    yield "response.output_text.done", {**common, "text": turn.text, "logprobs": []}
    part = {"type": "output_text", "text": turn.text, "annotations": []}
    yield "response.content_part.done", {**common, "part": part}
    yield (
        "response.output_item.done",
        {"output_index": index, "item": {**item, "status": "completed", "content": [part]}},
    )


def _call_items(turn: Turn, index: int) -> Events:
    for at, call in enumerate(turn.tool_calls, start=index):
        fid = f"fc_{call.id}"
        item = {"id": fid, "type": "function_call", "status": "in_progress", "name": call.name, "call_id": call.id}
        yield "response.output_item.added", {"output_index": at, "item": {**item, "arguments": ""}}
        arguments = json.dumps(call.args)
        for piece in pieces(arguments, 7):
            yield "response.function_call_arguments.delta", {"item_id": fid, "output_index": at, "delta": piece}
        yield "response.function_call_arguments.done", {"item_id": fid, "output_index": at, "arguments": arguments}
        done = {**item, "status": "completed", "arguments": arguments}
        yield "response.output_item.done", {"output_index": at, "item": done}


class XAIChatCompletionsWire(ChatCompletionsWire):
    """xAI's Chat Completions: the same stream, but errors are ``{"code": ..., "error": "<text>"}``."""

    def error_body(self, failure: Failure) -> dict[str, Any]:
        return {"code": "Client specified an invalid argument", "error": failure.message}
