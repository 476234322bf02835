"""Session graph state: small channels only (stage results, never transcripts).

Parallel branches write ``branch_results`` and ``stage_rows`` concurrently, so both have reducers.
``TypedDict`` comes from ``typing_extensions``: before Python 3.12 pydantic (and so LangGraph's
``get_input_jsonschema``, Studio's input form) cannot read ``typing.TypedDict``.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from typing_extensions import TypedDict


class AlertInput(TypedDict):
    alert_type: str
    data: Any  # masked alert payload: JSON object or text
    runbook: str | None


class SessionInput(TypedDict):
    alert: AlertInput


class BranchResult(TypedDict):
    stage_index: int
    agent_index: int
    agent_name: str
    status: str  # completed | failed
    text: str
    error: str | None


class BranchInput(TypedDict):
    """What ``Send`` hands one agent branch of a stage."""

    alert: AlertInput
    stage_index: int
    agent_index: int
    stage_id: str
    previous: list[dict[str, str]]


def merge_dicts(left: dict[str, str], right: dict[str, str]) -> dict[str, str]:
    return {**left, **right}


class SessionState(TypedDict, total=False):
    alert: AlertInput
    # Each entry: {"stage_name", "agent_name", "text"}; what later stages see (synthesized for parallel).
    stage_results: Annotated[list[dict[str, str]], operator.add]
    branch_results: Annotated[list[BranchResult], operator.add]
    stage_rows: Annotated[dict[str, str], merge_dicts]  # config stage index → stage row id
    final_analysis: str | None
    executive_summary: str | None
    executive_summary_error: str | None
    error: str | None


class SessionOutput(TypedDict, total=False):
    final_analysis: str | None
    executive_summary: str | None
    executive_summary_error: str | None
    stage_results: list[dict[str, str]]
    error: str | None
