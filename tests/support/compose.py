"""Compose-file interpolation (``${VAR}``, ``${VAR:-default}``, ``${VAR:?error}``, ``$$``), as
podman-compose and Docker Compose apply it before validating, so a validator sees the real values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\})")


class MissingVariableError(ValueError):
    pass


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if isinstance(value, str):
        return _VARIABLE.sub(lambda match: _replace(match, env), value)
    return value


def _replace(match: re.Match[str], env: Mapping[str, str]) -> str:
    if match["escaped"]:
        return "$"
    name, op, arg = match["name"], match["op"], match["arg"] or ""
    current = env.get(name)
    unset = current is None or (op is not None and op.startswith(":") and current == "")
    if op in (":-", "-"):
        return arg if unset else str(current)
    if op in (":?", "?"):
        if unset:
            raise MissingVariableError(f"{name}: {arg}")
        return str(current)
    return current or ""
