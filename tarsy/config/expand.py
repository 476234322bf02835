"""``${VAR}`` expansion in the string values of parsed YAML.

``${VAR}`` takes the variable (an error if it is unset), ``${VAR:-default}`` falls back to the
default when the variable is unset or empty, and ``$$`` is a literal ``$``. A ``$`` followed by
anything else stays as it is, so regular expressions such as ``^foo$`` need no escaping. Keys are
never expanded: they are names that other entries refer to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tarsy.config.errors import ConfigIssue, PathPart, format_path

_TOKEN = re.compile(r"\$(?:\$|\{(?P<body>[^}]*)\}|(?P<open>\{))")
_REFERENCE = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*))?", re.DOTALL)


class _Expander:
    def __init__(self, env: Mapping[str, str], file: str) -> None:
        self.env = env
        self.file = file
        self.issues: list[ConfigIssue] = []

    def value(self, value: object, path: list[PathPart]) -> object:
        if isinstance(value, str):
            return self.text(value, path)
        if isinstance(value, dict):
            return {key: self.value(item, [*path, str(key)]) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, [*path, index]) for index, item in enumerate(value)]
        return value

    def text(self, text: str, path: list[PathPart]) -> str:
        return _TOKEN.sub(lambda match: self._replace(match, path), text)

    def _replace(self, match: re.Match[str], path: list[PathPart]) -> str:
        if match.group("open") is not None:
            return self._problem(match, path, "unterminated '${'; write '$$' for a literal '$'")
        body = match.group("body")
        if body is None:
            return "$"
        reference = _REFERENCE.fullmatch(body)
        if reference is None:
            message = f"malformed reference '${{{body}}}'; use ${{NAME}} or ${{NAME:-default}}"
            return self._problem(match, path, message)
        name, default = reference.group("name"), reference.group("default")
        found = self.env.get(name)
        if default is not None:
            return found or default
        if found is None:
            message = (
                f"environment variable {name!r} is not set and has no default (set it, or write ${{{name}:-default}})"
            )
            return self._problem(match, path, message)
        return found

    def _problem(self, match: re.Match[str], path: list[PathPart], message: str) -> str:
        """Record the issue and leave the text as written, so validation does not report it twice."""
        self.issues.append(ConfigIssue(self.file, format_path(path), message))
        return match.group(0)


def expand_env(data: object, env: Mapping[str, str], file: str) -> tuple[object, list[ConfigIssue]]:
    """Expand every string value in ``data``; issues name ``file`` and the key path."""
    expander = _Expander(env, file)
    return expander.value(data, []), expander.issues
