"""A tool result never fails a session for its shape: its text is storable (PostgreSQL, msgpack)."""

from __future__ import annotations

import json
from typing import Any

from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from mcp.types import CallToolResult, TextContent

from tarsy.tools.results import result_text


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"n": value}
    return value


def test_structured_content_of_any_shape_becomes_storable_json_text() -> None:
    structured = {"big": 2**70, "small": -(2**64), "nan": float("nan"), "inf": float("-inf"), "deep": _nested(5000)}
    text = result_text(CallToolResult(content=[], structuredContent=structured))
    parsed = json.loads(text)  # strict JSON: no NaN tokens
    assert parsed["big"] == str(2**70) and parsed["small"] == str(-(2**64))
    assert parsed["nan"] == "nan" and parsed["inf"] == "-inf"
    assert "nested deeper than 32 levels: omitted" in text
    JsonPlusSerializer().dumps_typed({"content": text})


def test_text_blocks_lose_nul_and_unpaired_surrogates() -> None:
    text = result_text(CallToolResult(content=[TextContent(type="text", text="a\x00b\ud800c")]))
    assert text == "a\ufffdb\ufffdc"
    text.encode("utf-8")  # PostgreSQL text and msgpack both need valid UTF-8
