"""Turning pydantic ``ValidationError``s into :class:`ConfigIssue`s a person can act on.

Pydantic reports locations as tuples that include discriminator tags (``("google", "model")``) and
messages that do not say what would have been accepted. This module walks the model types along
each location to drop the tags and to name the allowed keys, values and types.
"""

from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tarsy.config.errors import ConfigIssue, PathPart, format_path


def issues_from_validation_error(
    error: ValidationError, root: Any, file: str, prefix: Sequence[PathPart] = ()
) -> list[ConfigIssue]:
    """One issue per pydantic error; ``root`` is the type that was validated at ``prefix``."""
    issues = []
    for detail in error.errors(include_url=False):
        parts, leaf = _walk(root, detail["loc"])
        message = _message(detail, leaf, parent=_walk(root, detail["loc"][:-1])[1])
        issues.append(ConfigIssue(file, format_path([*prefix, *parts]), message))
    return issues


def _walk(root: Any, loc: Sequence[PathPart]) -> tuple[list[PathPart], Any]:
    """The user-facing path of ``loc`` (tags removed) and the type found there (None if lost)."""
    parts: list[PathPart] = []
    current: Any = root
    for part in loc:
        if current is not None and isinstance(part, str) and part in _tags(current):
            current = _tags(current)[part]
            continue
        parts.append(part)
        current = _child(current, part) if current is not None else None
    return parts, current


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the interesting type."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(tp):
            rest = [arg for arg in get_args(tp) if arg is not type(None)]
            tp = rest[0] if len(rest) == 1 else Union[tuple(rest)]  # noqa: UP007
        else:
            return tp


def _tags(tp: Any) -> dict[str, Any]:
    """For a union of models discriminated by ``type``: tag value → model class."""
    tp = _unwrap(tp)
    if get_origin(tp) not in (Union, types.UnionType):
        return {}
    tags: dict[str, Any] = {}
    for member in get_args(tp):
        if _is_model(member) and "type" in member.model_fields:
            for value in _literal_values(member.model_fields["type"].annotation):
                tags[str(value)] = member
    return tags


def _child(tp: Any, part: PathPart) -> Any:
    tp = _unwrap(tp)
    if _is_model(tp):
        field = tp.model_fields.get(part) if isinstance(part, str) else None
        return field.annotation if field is not None else None
    origin, args = get_origin(tp), get_args(tp)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (list, tuple) and args:
        return args[0]
    return None


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _literal_values(tp: Any) -> list[Any]:
    tp = _unwrap(tp)
    return list(get_args(tp)) if get_origin(tp) is Literal else []


def _allowed_keys(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if not _is_model(tp):
        return []
    return sorted([*tp.model_fields, *tp.shorthand_keys])


def _message(detail: ErrorDetails, leaf: Any, parent: Any) -> str:
    kind, ctx, value = detail["type"], detail.get("ctx") or {}, detail["input"]
    if kind == "extra_forbidden":
        key = detail["loc"][-1] if detail["loc"] else "?"
        return f"unknown key {key!r}; allowed keys: {', '.join(_allowed_keys(parent))}"
    if kind == "missing":
        return "missing required key"
    if kind == "literal_error":
        values = ", ".join(repr(v) for v in _literal_values(leaf)) or str(ctx.get("expected", ""))
        return f"invalid value {value!r}; allowed values: {values}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(_tags(leaf)) or str(ctx.get("expected_tags", ""))
        if kind == "union_tag_not_found":
            return f"missing key 'type'; allowed types: {tags}"
        return f"unknown type {ctx.get('tag', value)!r}; allowed types: {tags}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        keys, tags = _allowed_keys(leaf), ", ".join(_tags(leaf))
        hint = f" with keys: {', '.join(keys)}" if keys else f" with a 'type' of: {tags}" if tags else ""
        return f"expected a mapping{hint}; got {_show(value)}"
    if kind == "value_error":
        return str(ctx.get("error", detail["msg"]))
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length', 1)} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    message = detail["msg"]
    if message.startswith("Input should be "):
        message = "must be " + message.removeprefix("Input should be ")
    return f"{message}; got {_show(value)}"


def _show(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
