"""Checking a model's tool arguments against the tool's JSON schema before calling the server.

A server would reject bad arguments too, but in its own words (often a pydantic dump); checking here
gives the model one clear message naming every problem and the parameters the tool expects, and
saves a round trip. A schema that is itself invalid is not held against the model: the call goes
ahead and the server decides.
"""

from __future__ import annotations

import json
from typing import Any

from jsonschema import SchemaError, ValidationError, validators  # type: ignore[import-untyped]

_MAX_PROBLEM_CHARS = 300


class ArgumentChecker:
    """Validators per tool, built once per schema."""

    def __init__(self) -> None:
        self._validators: dict[str, Any] = {}

    def problems(self, tool: str, schema: dict[str, Any], arguments: dict[str, Any]) -> list[str]:
        """What is wrong with ``arguments``, one line each; empty when they fit ``schema``."""
        validator = self._validator(tool, schema)
        if validator is None:
            return []
        errors: list[ValidationError] = sorted(validator.iter_errors(arguments), key=lambda e: list(e.absolute_path))
        return [_describe(error) for error in errors]

    def _validator(self, tool: str, schema: dict[str, Any]) -> Any:
        if tool not in self._validators:
            cls = validators.validator_for(schema, default=validators.Draft202012Validator)
            try:
                cls.check_schema(schema)
            except SchemaError:
                self._validators[tool] = None
            else:
                self._validators[tool] = cls(schema)
        return self._validators[tool]


def invalid_arguments_message(name: str, problems: list[str], schema: dict[str, Any]) -> str:
    lines = [f"Error: invalid arguments for {name}:"]
    lines += [f"- {problem}" for problem in problems]
    lines.append(f"Expected parameters: {describe_parameters(schema)}.")
    lines.append("Call the tool again with arguments that match.")
    return "\n".join(lines)


def describe_parameters(schema: dict[str, Any]) -> str:
    """``namespace (string, required), previous (boolean)``: a schema's top level, for the model."""
    properties = schema.get("properties")
    if not isinstance(properties, dict) or not properties:
        return "none"
    required = set(schema.get("required") or ())
    parts = []
    for name, spec in properties.items():
        kind = _type_of(spec) if isinstance(spec, dict) else "any"
        parts.append(f"{name} ({kind}, required)" if name in required else f"{name} ({kind})")
    return ", ".join(parts)


def _type_of(spec: dict[str, Any]) -> str:
    kind = spec.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if kind:
        return str(kind)
    if "enum" in spec:
        return "one of " + ", ".join(json.dumps(v) for v in spec["enum"])
    for key in ("anyOf", "oneOf"):
        options = spec.get(key)
        if isinstance(options, list):
            return " or ".join(_type_of(o) for o in options if isinstance(o, dict))
    return "any"


def _describe(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    message = str(error.message)
    if len(message) > _MAX_PROBLEM_CHARS:
        message = message[:_MAX_PROBLEM_CHARS] + "…"
    return f"{where}: {message}" if where else message
