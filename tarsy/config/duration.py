"""Durations written the way operators write them ("500ms", "30s", "1h30m") or as seconds."""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import BeforeValidator, Field

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HINT = "use seconds (e.g. 30) or a string like 500ms, 30s, 5m, 1h, 1h30m"


def parse_duration(value: object) -> float:
    """Return ``value`` in seconds; accepts a non-negative number or a Go-style duration string."""
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}; {_HINT}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        seconds = _parse_text(value.strip())
    else:
        raise ValueError(f"invalid duration {value!r}; {_HINT}")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"invalid duration {value!r}; durations must be finite and not negative")
    return seconds


def _parse_text(text: str) -> float:
    if _NUMBER.fullmatch(text):
        return float(text)
    parts = _PART.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"invalid duration {text!r}; {_HINT}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


Duration = Annotated[float, BeforeValidator(parse_duration)]
"""Seconds as a float; YAML may give a number of seconds or a string such as "1h30m"."""

PositiveDuration = Annotated[float, BeforeValidator(parse_duration), Field(gt=0)]
"""A :data:`Duration` that must be longer than zero (timeouts, intervals)."""
