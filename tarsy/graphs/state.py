"""Session graph state: small channels only (stage results, never transcripts)."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict


class AlertInput(TypedDict):
    alert_type: str
    data: Any  # masked alert payload: JSON object or text
    runbook: str | None


class SessionInput(TypedDict):
    alert: AlertInput


class SessionState(TypedDict, total=False):
    alert: AlertInput
    # Each entry: {"stage_name", "agent_name", "text"}; appended by stages (parallel-safe reducer).
    stage_results: Annotated[list[dict[str, str]], operator.add]
    final_analysis: str | None
    error: str | None


class SessionOutput(TypedDict, total=False):
    final_analysis: str | None
    stage_results: list[dict[str, str]]
    error: str | None
