"""What a fake vendor plays, in vendor-neutral terms: model turns and failures, one per request.

The same scenario (``tests/fixtures/wire/*.yaml``) is spoken by every vendor's fake in its own wire
protocol, so the tests compare what TARSy stored and streamed against one set of expectations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "wire"


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class CodeRun:
    """One Gemini code execution: the code the model ran and what it printed."""

    code: str
    output: str


@dataclass(frozen=True)
class Source:
    title: str
    uri: str


@dataclass(frozen=True)
class Usage:
    """Token counts as TARSy should store them: ``output`` includes the ``thinking`` tokens."""

    input: int
    output: int
    thinking: int = 0


@dataclass(frozen=True)
class Turn:
    """One streamed model reply."""

    usage: Usage
    thinking: str = ""
    text: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    code: tuple[CodeRun, ...] = ()
    searches: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    signature: str = "c2lnbmF0dXJlLW9mLXRoZS10aG91Z2h0"  # base64, opaque to everyone but the vendor


@dataclass(frozen=True)
class Failure:
    """An HTTP error answer (``retry_after_ms`` is the hint OpenAI and Anthropic send and honour)."""

    status: int
    message: str = "scripted failure"
    retry_after_ms: int | None = 10
    code: str | None = None
    """The vendor's error code in the body when it is not the status's usual one (``insufficient_quota``)."""


@dataclass(frozen=True)
class Stall:
    """Say nothing for ``seconds`` (longer than the client's timeout), then fail."""

    seconds: float


@dataclass(frozen=True)
class StallMidStream:
    """Start streaming ``turn`` (its first event only), then say nothing for ``seconds`` and end."""

    turn: Turn
    seconds: float


Entry = Turn | Failure | Stall | StallMidStream


@dataclass
class Scenario:
    turns: list[Turn] = field(default_factory=list)

    @classmethod
    def load(cls, name: str) -> Scenario:
        doc: dict[str, Any] = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text("utf-8"))
        return cls([_turn(t) for t in doc["turns"]])


def _turn(raw: dict[str, Any]) -> Turn:
    return Turn(
        usage=Usage(**raw["usage"]),
        thinking=str(raw.get("thinking", "")).strip(),
        text=str(raw.get("text", "")).strip(),
        tool_calls=tuple(ToolCall(**c) for c in raw.get("tool_calls", [])),
        code=tuple(CodeRun(**c) for c in raw.get("code", [])),
        searches=tuple(raw.get("searches", [])),
        sources=tuple(Source(**s) for s in raw.get("sources", [])),
    )


def pieces(text: str, size: int = 12) -> list[str]:
    """Split ``text`` the way a vendor streams it: several small deltas."""
    return [text[i : i + size] for i in range(0, len(text), size)]
