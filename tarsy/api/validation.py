"""Request validation errors as messages for people: the field's name and what it expects.

Pydantic reports a union's failure once per member (``query.start_date.datetime``,
``query.start_date.none``) and a bad JSON body as ``0: JSON decode error``; clients get one entry
per field instead, without the validator's internals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# Location parts that name a union member or a validator, not a field.
_TAG = re.compile(r"^(none|str|int|float|bool|bytes|datetime|date|time|uuid|url|decimal|any)$|[\[\]]")
_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})

_EXPECTS: dict[str, str] = {
    "str": "text",
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "datetime": "an ISO 8601 date-time such as 2026-01-31T12:00:00Z",
    "date": "an ISO 8601 date such as 2026-01-31",
    "url": "an http(s) URL",
}

_MESSAGES: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not an accepted field; remove it",
    "none_required": "must be null",
    "string_type": "must be text",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "list_type": "must be a JSON array",
    "int_parsing": "must be an integer",
    "int_type": "must be an integer",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "datetime_parsing": f"must be {_EXPECTS['datetime']}",
    "datetime_from_date_parsing": f"must be {_EXPECTS['datetime']}",
    "datetime_type": f"must be {_EXPECTS['datetime']}",
    "url_parsing": "must be an http(s) URL",
    "url_scheme": "must be an http(s) URL",
}


def _field(loc: Sequence[Any]) -> tuple[str, list[str]]:
    """(dotted field name, union member tags found in the location)."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    names: list[str] = []
    tags: list[str] = []
    for part in parts:
        if isinstance(part, str) and _TAG.search(part):
            tags.append(part.split("[", 1)[0])
        else:
            names.append(f"[{part}]" if isinstance(part, int) else str(part))
    text = "".join(n if n.startswith("[") else f".{n}" for n in names).lstrip(".")
    return text or "body", tags


def _message(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "json_invalid":
        loc = error.get("loc", ())
        where = f" at character {loc[-1]}" if loc and isinstance(loc[-1], int) else ""
        return f"is not valid JSON ({ctx.get('error', 'syntax error')}{where})"
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    message = str(error.get("msg", "is invalid"))
    # Pydantic's own wording ("Input should be 'asc' or 'desc'") is fine once it names no internals.
    return message.replace("Input should be", "must be").replace("Value error, ", "")


def _merge(messages: list[str], tags: list[str]) -> str:
    """A union that failed on every member: say what the field may be, once."""
    expected = [
        _EXPECTS.get(tag, "a JSON object" if tag == "dict" else "a list" if tag == "list" else tag)
        for tag in tags
        if tag != "none"
    ]
    unique = list(dict.fromkeys(expected))
    if len(unique) > 1:
        return "must be " + " or ".join(unique)
    specific = [m for m in messages if m != "must be null"]
    return "; ".join(dict.fromkeys(specific or messages))


def describe(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """One ``{field, message}`` per field, in the order the fields first failed."""
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for error in errors:
        field, tags = ("body", []) if error.get("type") == "json_invalid" else _field(error.get("loc", ()))
        messages, all_tags = grouped.setdefault(field, ([], []))
        messages.append(_message(error))
        all_tags.extend(tags)
    return [{"field": field, "message": _merge(messages, tags)} for field, (messages, tags) in grouped.items()]


def summary(fields: list[dict[str, str]]) -> str:
    return "invalid request: " + "; ".join(f"{f['field']} {f['message']}" for f in fields)
