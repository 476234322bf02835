"""What JSON TARSy can hold: the limits of the checkpointer (msgpack) and of PostgreSQL.

A value accepted at intake travels into LangGraph checkpoints (msgpack: integers from -2^63 to
2^64 - 1, nesting below ~250 levels), into ``jsonb`` columns (no NaN or Infinity, no U+0000) and
back out as JSON. Three tools keep to that:

- ``scan_json_text``: a single pass over a raw body, before it is parsed, that refuses nesting
  deeper than the limit, ``NaN``/``Infinity`` (not JSON, though Python's parser takes them) and
  integers with more digits than any 64-bit integer, so the parser never recurses deeply;
- ``check_storable``: refuses a parsed value that cannot be stored, naming the path (intake); a
  float past the 64-bit range counts, since ``jsonb`` gives it back as an integer without exponent;
- ``make_storable``: converts such a value into one that can (tool results: never refused).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tarsy.errors import InvalidInputError

MIN_INT = -(2**63)
MAX_INT = 2**64 - 1
DEFAULT_MAX_DEPTH = 32
INT_RANGE = "-9223372036854775808 … 18446744073709551615"

# One token per match: a whole string (skipped), a bracket, a non-finite constant, or an integer
# of 21+ digits (2^64 has 20). The look-behind keeps fraction and exponent digits out.
_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]|-?\bNaN\b|-?\bInfinity\b|(?<![.\deE+\-])-?\d{21,}')
# Anything the token scan could refuse, anywhere in the body (strings included): a body without it
# and with no more opening brackets than the depth limit cannot be refused, and skips the scan.
_SUSPECT = re.compile(rb"NaN|Infinity|\d{21,}")


class JSONShapeError(InvalidInputError):
    """JSON that TARSy cannot hold: too deep, a non-finite number, an integer out of range, NUL."""

    code = "invalid_input"


def scan_json_text(body: bytes, max_depth: int) -> None:
    """Raise ``JSONShapeError`` for what must never reach the parser; invalid JSON is left to it."""
    if body.count(b"[") + body.count(b"{") <= max_depth and _SUSPECT.search(body) is None:
        return
    depth = 0
    for match in _TOKENS.finditer(body):
        token = match.group()
        first = token[:1]
        if first == b'"':
            continue
        if first in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                raise JSONShapeError(
                    f"the JSON body is nested deeper than {max_depth} levels (system.max_json_depth); flatten the data"
                )
        elif first in (b"]", b"}"):
            depth -= 1
        elif b"NaN" in token or b"Infinity" in token:
            raise JSONShapeError(
                f"the JSON body contains {token.decode()}, which is not a JSON number; "
                "send a finite number, null or a string"
            )
        else:
            raise JSONShapeError(
                f"the JSON body contains an integer with {len(token.lstrip(b'-'))} digits; integers must lie "
                f"in {INT_RANGE} (64 bits); send larger numbers as strings"
            )


def _path(parts: tuple[str | int, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def check_storable(value: Any, *, max_depth: int, name: str) -> None:
    """Refuse (``JSONShapeError``, naming the path under ``name``) a value TARSy cannot store."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, (name,))]
    while stack:
        item, path = stack.pop()
        if len(path) > max_depth and isinstance(item, dict | list):
            raise JSONShapeError(
                f"{_path(path)}: nested deeper than {max_depth} levels (system.max_json_depth); flatten the data"
            )
        if isinstance(item, dict):
            for key, child in item.items():
                problem = _text_problem(key)
                if problem:
                    raise JSONShapeError(f"{_path(path)}: a key {problem}")
                stack.append((child, (*path, key)))
        elif isinstance(item, list):
            stack.extend((child, (*path, i)) for i, child in enumerate(item))
        else:
            problem = _scalar_problem(item)
            if problem:
                raise JSONShapeError(f"{_path(path)}: {problem}")


def _scalar_problem(item: Any) -> str | None:
    if isinstance(item, bool) or item is None:
        return None
    if isinstance(item, int) and not MIN_INT <= item <= MAX_INT:
        return f"the integer {item} is outside {INT_RANGE} (64 bits), which TARSy can store; send it as a string"
    if isinstance(item, float) and not math.isfinite(item):
        return f"{item} is not a JSON number; send a finite number, null or a string"
    if isinstance(item, float) and not MIN_INT <= item <= MAX_INT:
        # PostgreSQL prints numbers without exponents: 1.5e40 comes back as a 41-digit integer.
        return f"the number {item} is outside {INT_RANGE} (64 bits), which TARSy can store; send it as a string"
    if isinstance(item, str):
        return _text_problem(item)
    return None


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains NUL (\\u0000) characters, which cannot be stored; remove them"
    if _SURROGATE.search(text):
        return "contains an unpaired UTF-16 surrogate (\\ud800-\\udfff), which is not valid Unicode; remove it"
    return None


def _clean(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text.replace("\x00", "\ufffd"))


def make_storable(value: Any, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """A copy of ``value`` that can be stored: out-of-range integers and non-finite floats become
    strings, NUL and unpaired surrogates become U+FFFD, and containers nested deeper than
    ``max_depth`` become a note."""
    return _storable(value, max_depth, 1)


def _storable(item: Any, max_depth: int, depth: int) -> Any:
    if isinstance(item, dict | list) and depth > max_depth:
        return f"[nested deeper than {max_depth} levels: omitted]"
    if isinstance(item, dict):
        return {_clean(str(key)): _storable(child, max_depth, depth + 1) for key, child in item.items()}
    if isinstance(item, list | tuple):
        return [_storable(child, max_depth, depth + 1) for child in item]
    if isinstance(item, str):
        return _clean(item)
    if isinstance(item, bool) or item is None:
        return item
    if isinstance(item, int):
        return item if MIN_INT <= item <= MAX_INT else str(item)
    if isinstance(item, float):
        return item if math.isfinite(item) and MIN_INT <= item <= MAX_INT else str(item)
    return _clean(str(item))


def clean_text(text: str) -> str:
    """``text`` with NUL and unpaired surrogates replaced by U+FFFD (storable in PostgreSQL and msgpack)."""
    return _clean(text)


def storable_json_text(value: Any, *, max_depth: int = DEFAULT_MAX_DEPTH, indent: int | None = None) -> str:
    """``value`` as JSON text, after ``make_storable`` (never raises for its shape)."""
    return json.dumps(make_storable(value, max_depth=max_depth), indent=indent, ensure_ascii=False)
