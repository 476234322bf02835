"""Structured logging: JSON (or console) lines with the session, stage and execution ids bound.

Ids live in context variables, so everything a session's task (and the LangGraph node tasks it
spawns, which copy the context) logs carries them without passing loggers around. Log messages
never include tool output or alert payloads; those are masked data that belongs in the store.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from tarsy.observability.tracing import current_trace_ids

_IDS: dict[str, ContextVar[str | None]] = {
    "session_id": ContextVar("tarsy_session_id", default=None),
    "stage_id": ContextVar("tarsy_stage_id", default=None),
    "execution_id": ContextVar("tarsy_execution_id", default=None),
    "agent": ContextVar("tarsy_agent", default=None),
}


@contextlib.contextmanager
def bound(**ids: str | None) -> Iterator[None]:
    """Bind ids for the duration of the block (in this task's context)."""
    tokens = [(_IDS[name], _IDS[name].set(value)) for name, value in ids.items() if name in _IDS]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def bind(**ids: str | None) -> None:
    """Bind ids for the rest of the current task (node tasks end with their node)."""
    for name, value in ids.items():
        if name in _IDS:
            _IDS[name].set(value)


class _ContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _IDS.items():
            setattr(record, name, var.get())
        ids = current_trace_ids()
        record.trace_id, record.span_id = ids if ids is not None else (None, None)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in (*_IDS, "trace_id", "span_id", "error_id"):
            value = getattr(record, name, None)
            if value:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class ConsoleFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{n}={getattr(record, n)}" for n in _IDS if getattr(record, n, None))
        return f"{line} [{ids}]" if ids else line


def configure_logging(level: str = "INFO", fmt: str = "console") -> None:
    """Install one stderr handler on the root logger (``fmt``: ``json`` or ``console``)."""
    if fmt not in ("json", "console"):
        raise ValueError(f"TARSY_LOG_FORMAT must be 'json' or 'console', not {fmt!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_ContextFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else ConsoleFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
