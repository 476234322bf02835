"""Reading a scoring model's answer: a JSON object, however messily the model wrapped it.

The model is asked for ``{score, outcome, analysis, failure_tags, tool_report}``. Models wrap JSON
in code fences, add prose before or after it, write the score as ``"85/100"`` or ``"85%"``, leave
fields out, or invent tags. The parser takes what it can: a missing field gets a clear default, a
tag outside :data:`FAILURE_TAGS` is dropped and reported, and only an answer with no usable score
at all is refused (:class:`ScoreParseError`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from tarsy.errors import AgentError

Outcome = Literal["correct", "partial", "wrong"]
OUTCOMES: Final[tuple[Outcome, ...]] = ("correct", "partial", "wrong")

BANDS: Final[dict[Outcome, tuple[int, int]]] = {"correct": (70, 100), "partial": (40, 69), "wrong": (0, 39)}
"""Outcome first: the score lies in its outcome's band; process quality places it within the band."""

FAILURE_TAGS: Final[tuple[str, ...]] = (
    "wrong_root_cause",
    "incomplete_investigation",
    "unsupported_conclusion",
    "hallucinated_evidence",
    "missed_evidence",
    "tool_misuse",
    "tool_errors_ignored",
    "missing_tool",
    "redundant_tool_calls",
    "excessive_iterations",
    "ignored_runbook",
    "unclear_analysis",
    "no_remediation",
    "session_failed",
)
"""The fixed vocabulary of failure tags; the prompt lists it and the parser keeps only these."""

MAX_ANALYSIS_CHARS: Final = 20_000
MAX_TOOL_REPORT_CHARS: Final = 10_000
NO_ANALYSIS: Final = "(the scoring model gave no analysis)"
NO_TOOL_REPORT: Final = "(the scoring model gave no tool report)"


class ScoreParseError(AgentError):
    """The answer held no score that could be read."""


@dataclass(frozen=True)
class ParsedScore:
    score: int
    outcome: Outcome
    analysis: str
    failure_tags: list[str] = field(default_factory=list)
    tool_report: str = NO_TOOL_REPORT
    dropped_tags: list[str] = field(default_factory=list)
    """Tags the model gave that are not in the vocabulary."""


_FENCE: Final = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)
_NUMBER: Final = re.compile(r"-?\d+(?:\.\d+)?")


def _objects(text: str) -> list[dict[str, Any]]:
    """Every JSON object in ``text``: fenced ones first, then any ``{...}`` that decodes."""
    candidates = [m.group(1) for m in _FENCE.finditer(text)] + [text]
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    for candidate in candidates:
        start = candidate.find("{")
        while start != -1:
            try:
                value, _ = decoder.raw_decode(candidate, start)
            except ValueError:
                start = candidate.find("{", start + 1)
                continue
            if isinstance(value, dict):
                found.append(value)
            start = candidate.find("{", start + 1)
    return found


def _lowered(obj: dict[str, Any]) -> dict[str, Any]:
    return {str(k).strip().lower().replace(" ", "_").replace("-", "_"): v for k, v in obj.items()}


def _score_value(value: Any) -> int | None:
    """85, 85.4, "85", "85/100", "85%", "score: 85"; a 0-1 fraction "0.85" or "8.5/10" is scaled."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number, scale = float(value), 100.0
    else:
        text = str(value)
        numbers = _NUMBER.findall(text)
        if not numbers:
            return None
        number = float(numbers[0])
        scale = float(numbers[1]) if "/" in text and len(numbers) > 1 and float(numbers[1]) > 0 else 100.0
    if scale != 100.0:
        number = number * 100.0 / scale
    elif 0 < number < 1 and isinstance(value, float | str) and "." in str(value):
        number *= 100.0
    return max(0, min(100, round(number)))


def _outcome(value: Any, score: int) -> Outcome:
    text = str(value or "").strip().lower()
    for outcome in OUTCOMES:
        if text.startswith(outcome):
            return outcome
    if text in ("incorrect", "failed", "fail"):
        return "wrong"
    if text in ("partially_correct", "partially correct", "mixed"):
        return "partial"
    return next(o for o in OUTCOMES if BANDS[o][0] <= score <= BANDS[o][1])


def _tags(value: Any) -> tuple[list[str], list[str]]:
    raw = value if isinstance(value, list) else re.split(r"[,;\n]", str(value)) if value else []
    kept: list[str] = []
    dropped: list[str] = []
    for item in raw:
        tag = str(item).strip().strip("'\"` ").lower().replace(" ", "_").replace("-", "_")
        if not tag:
            continue
        target = kept if tag in FAILURE_TAGS else dropped
        if tag not in target:
            target.append(tag[:100])
    return kept, dropped


def _text(value: Any, default: str, limit: int) -> str:
    if value is None or value == "" or value == []:
        return default
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, indent=1)
    return str(value).strip()[:limit] or default


def parse_score(text: str) -> ParsedScore:
    """The score in a model's answer; raises :class:`ScoreParseError` when none can be read."""
    scored = [(obj, _score_value(obj.get("score"))) for obj in map(_lowered, _objects(text))]
    usable = [(obj, score) for obj, score in scored if score is not None]
    if not usable:
        loose = re.search(r"\bscore\b\W{0,5}(\d{1,3}(?:\s*/\s*\d{1,3})?)", text, re.IGNORECASE)
        score = _score_value(loose.group(1)) if loose else None
        if score is None:
            raise ScoreParseError("the scoring model's answer holds no score (expected a JSON object with 'score')")
        usable = [({"analysis": text}, score)]
    obj, score = usable[0]
    outcome = _outcome(obj.get("outcome"), score)
    low, high = BANDS[outcome]
    kept, dropped = _tags(obj.get("failure_tags", obj.get("tags")))
    return ParsedScore(
        score=max(low, min(high, score)),  # outcome first: the score stays in its outcome's band
        outcome=outcome,
        analysis=_text(obj.get("analysis"), NO_ANALYSIS, MAX_ANALYSIS_CHARS),
        failure_tags=kept,
        tool_report=_text(obj.get("tool_report", obj.get("tools")), NO_TOOL_REPORT, MAX_TOOL_REPORT_CHARS),
        dropped_tags=dropped,
    )
