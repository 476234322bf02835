"""The JSON objects in a model's free-form answer (judges, reflection): fenced blocks first, then any
top-level ``{...}`` in the text that decodes."""

from __future__ import annotations

import json
import re
from typing import Any, Final

_FENCE: Final = re.compile(r"```(?:json|JSON)?\s*(.*?)```", re.DOTALL)


def json_objects(text: str) -> list[dict[str, Any]]:
    """Every JSON object in ``text``: fenced ones first, then any ``{...}`` that decodes."""
    decoder = json.JSONDecoder()
    found: list[dict[str, Any]] = []
    for candidate in [m.group(1) for m in _FENCE.finditer(text)] + [text]:
        start = candidate.find("{")
        while start != -1:
            try:
                value, end = decoder.raw_decode(candidate, start)
            except ValueError:
                start = candidate.find("{", start + 1)
                continue
            if isinstance(value, dict):
                found.append(value)
            start = candidate.find("{", end)
    return found
