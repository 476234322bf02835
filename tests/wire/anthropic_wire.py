"""The Anthropic Messages SSE dialect: ``POST /v1/messages`` with ``stream: true``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tests.wire.fake_vendor import Recorded, sse
from tests.wire.script import Failure, Turn, pieces

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
    529: "overloaded_error",
}


class MessagesWire:
    def handles(self, path: str) -> bool:
        return path == "/v1/messages"

    def wants_stream(self, request: Recorded) -> bool:
        return bool(request.body.get("stream"))

    def error_body(self, failure: Failure) -> dict[str, Any]:
        kind = _ERROR_TYPES.get(failure.status, "api_error")
        return {"type": "error", "error": {"type": kind, "message": failure.message}}

    def events(self, turn: Turn, request: Recorded) -> Iterator[str]:
        def event(kind: str, **data: Any) -> str:
            return sse({"type": kind, **data}, kind)

        usage = {"input_tokens": turn.usage.input, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        message: dict[str, Any] = {
            "id": "msg_wire",
            "type": "message",
            "role": "assistant",
            "model": request.body.get("model"),
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": {**usage, "output_tokens": 1},
        }
        yield event("message_start", message=message)
        yield event("ping")
        index = 0
        if turn.thinking:
            yield event("content_block_start", index=index, content_block={"type": "thinking", "thinking": ""})
            for piece in pieces(turn.thinking):
                yield event("content_block_delta", index=index, delta={"type": "thinking_delta", "thinking": piece})
            yield event(
                "content_block_delta", index=index, delta={"type": "signature_delta", "signature": turn.signature}
            )
            yield event("content_block_stop", index=index)
            index += 1
        if turn.text:
            yield event("content_block_start", index=index, content_block={"type": "text", "text": ""})
            for piece in pieces(turn.text):
                yield event("content_block_delta", index=index, delta={"type": "text_delta", "text": piece})
            yield event("content_block_stop", index=index)
            index += 1
        for call in turn.tool_calls:
            block = {"type": "tool_use", "id": call.id, "name": call.name, "input": {}}
            yield event("content_block_start", index=index, content_block=block)
            for piece in pieces(json.dumps(call.args), 7):
                yield event(
                    "content_block_delta", index=index, delta={"type": "input_json_delta", "partial_json": piece}
                )
            yield event("content_block_stop", index=index)
            index += 1
        stop = "tool_use" if turn.tool_calls else "end_turn"
        yield event(
            "message_delta",
            delta={"stop_reason": stop, "stop_sequence": None},
            usage={**usage, "output_tokens": turn.usage.output},  # cumulative, as the API reports it
        )
        yield event("message_stop")
