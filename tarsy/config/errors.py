"""Errors raised by ``tarsy.config``; each has a stable ``code`` the API can map to a status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tarsy.errors import TarsyError

BUILTIN_SOURCE = "built-in"
"""The ``file`` of issues found in TARSy's own built-in configuration."""


PathPart = str | int
"""A step of a key path: a mapping key or a list index."""


def format_path(parts: Sequence[PathPart]) -> str:
    """``("agent_chains", "x", "stages", 0, "name")`` → ``agent_chains.x.stages[0].name``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True)
class ConfigIssue:
    """One problem in the configuration, located by file and key path."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        location = f"{self.file}: {self.path}" if self.path else self.file
        return f"{location}: {self.message}"


class ConfigError(TarsyError):
    """The configuration cannot be loaded; ``issues`` lists every problem found, not just the first."""

    code = "invalid_config"

    def __init__(self, issues: Iterable[ConfigIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


class UnknownNameError(TarsyError, LookupError):
    """A lookup by name (chain, agent, LLM provider, ...) found nothing.

    Also a ``LookupError`` on purpose: callers that resolve names treat it like ``KeyError`` from a
    mapping (``except LookupError``) and turn it into the error of their own layer.
    """

    code = "unknown_name"

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        self.kind = kind
        self.name = name
        self.known = sorted(known)
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(self.known) or '(none)'}")


class UnknownAlertTypeError(UnknownNameError):
    """No chain serves the alert type; the message lists the types that are served."""

    code = "unknown_alert_type"

    def __init__(self, alert_type: str, known: Iterable[str]) -> None:
        super().__init__("alert type", alert_type, known)
        self.alert_type = alert_type
