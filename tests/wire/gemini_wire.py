"""The Gemini API dialect: ``POST /<version>/models/{model}:streamGenerateContent?alt=sse``.

The version is the google-genai SDK's default (``v1beta`` up to 3.5, ``v1`` from 3.6), so both
are served."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tests.wire.fake_vendor import Recorded, sse
from tests.wire.script import Failure, Turn, pieces

_PATH = re.compile(r"/v1(beta)?/models/[^/:]+:streamGenerateContent")
_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class GeminiWire:
    def handles(self, path: str) -> bool:
        return bool(_PATH.fullmatch(path))

    def wants_stream(self, request: Recorded) -> bool:
        return request.query.get("alt") == "sse"

    def error_body(self, failure: Failure) -> dict[str, Any]:
        status = _STATUS.get(failure.status, "UNKNOWN")
        return {"error": {"code": failure.status, "message": failure.message, "status": status}}

    def events(self, turn: Turn, request: Recorded) -> Iterator[str]:
        model = request.path.rsplit("/", 1)[-1].split(":", 1)[0]
        prompt = {"promptTokenCount": turn.usage.input, "totalTokenCount": turn.usage.input}

        def chunk(parts: list[dict[str, Any]], usage: dict[str, int] | None = None, **extra: Any) -> str:
            # usage is cumulative, as the API reports it: the last chunk carries the totals
            candidate = {"content": {"parts": parts, "role": "model"}, "index": 0, **extra}
            body = {"candidates": [candidate], "usageMetadata": usage or prompt, "modelVersion": model}
            return sse({**body, "responseId": "wire"})

        for piece in pieces(turn.thinking):
            yield chunk([{"text": piece, "thought": True}])
        for run in turn.code:
            yield chunk([{"executableCode": {"language": "PYTHON", "code": run.code}}])
            yield chunk([{"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": run.output}}])
        for piece in pieces(turn.text):
            yield chunk([{"text": piece}])
        for call in turn.tool_calls:
            yield chunk([{"functionCall": {"name": call.name, "args": call.args}, "thoughtSignature": turn.signature}])
        final: dict[str, Any] = {"finishReason": "STOP"}
        if turn.searches or turn.sources:
            final["groundingMetadata"] = {
                "webSearchQueries": list(turn.searches),
                "searchEntryPoint": {"renderedContent": "<div>search</div>"},
                "groundingChunks": [{"web": {"uri": s.uri, "title": s.title}} for s in turn.sources],
                "groundingSupports": [
                    {
                        "segment": {"startIndex": 0, "endIndex": 10, "text": turn.text[:10]},
                        "groundingChunkIndices": list(range(len(turn.sources))),
                        "confidenceScores": [0.9] * len(turn.sources),
                    }
                ],
            }
        totals = {
            "promptTokenCount": turn.usage.input,
            "candidatesTokenCount": turn.usage.output - turn.usage.thinking,
            "thoughtsTokenCount": turn.usage.thinking,
            "totalTokenCount": turn.usage.input + turn.usage.output,
        }
        yield chunk([{"text": ""}], usage=totals, **final)
