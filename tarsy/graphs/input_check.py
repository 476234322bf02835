"""The session graph's own check of its input, for callers that skip the API (Studio, embedding apps).

The API validates an alert before it queues it; a graph started from LangGraph Studio or the SDK
against ``langgraph dev`` gets its input straight from the caller. Without this check a missing
field surfaced as a bare ``KeyError: 'alert_type'`` deep inside an agent branch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tarsy.errors import InvalidInputError


class SessionInputError(InvalidInputError, ValueError):
    """A bad graph input. Also a ``ValueError``: the LangGraph Agent Server shows a run's error message
    only for built-in error types, and hides every other as "An internal error occurred"."""


EXAMPLE = '{"alert": {"alert_type": "kubernetes", "data": {...}, "runbook": null}}'


def check_session_input(state: Mapping[str, Any]) -> None:
    """Raise ``InvalidInputError`` naming the first missing or mistyped field of ``state["alert"]``."""
    alert = state.get("alert")
    if not isinstance(alert, Mapping):
        raise SessionInputError(f"input.alert is required: the graph's input is {EXAMPLE}")
    alert_type = alert.get("alert_type")
    if not isinstance(alert_type, str) or not alert_type.strip():
        raise SessionInputError(f"input.alert.alert_type is required (a non-empty string); input: {EXAMPLE}")
    if "data" not in alert or alert["data"] is None:
        raise SessionInputError(
            f"input.alert.data is required (the alert payload: an object or text); input: {EXAMPLE}"
        )
    if not isinstance(alert["data"], dict | str):
        raise SessionInputError("input.alert.data must be a JSON object or text")
    runbook = alert.get("runbook")
    if runbook is not None and not isinstance(runbook, str):
        raise SessionInputError("input.alert.runbook must be text (the runbook's content or URL) or null")
