"""Request and response models of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from tarsy.api.fork_schemas import ForkOrigin, ForkSummary
from tarsy.api.review_schemas import ReviewEventOut
from tarsy.contracts import (
    ExecutionStatus,
    ParallelType,
    QualityRating,
    ReviewStatus,
    SessionStatus,
    StageStatus,
    StageType,
    TimelineEventType,
    TimelineStatus,
)
from tarsy.events.types import ApprovalOut as ApprovalOut  # the same record on the API and on SSE


class AlertRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    alert_type: str | None = Field(None, description="Selects the chain; defaults to defaults.alert_type")
    data: dict[str, Any] | str = Field(..., description="The alert payload: a JSON object or text")
    runbook: AnyHttpUrl | None = Field(None, description="URL of a runbook to steer the investigation")
    slack_message_fingerprint: str | None = Field(
        None, description="Text identifying the alert's Slack message; TARSy replies in its thread"
    )
    mcp: dict[str, Any] | None = Field(
        None,
        description="Narrow the chain's MCP servers and tools for this session (widening is a 400): "
        '{"servers": [{"name": "...", "tools": ["..."] | null}], "native_tools": {"<tool>": false}}',
    )


class AlertAccepted(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # responses carry every field

    session_id: str
    status: Literal["queued"] = "queued"


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: list[dict[str, Any]] | None = None
    error_id: str | None = Field(None, description="500 only: the id the server log files the details under")


class ErrorResponse(BaseModel):
    error: ErrorBody


class TokenTotals(BaseModel):
    # Responses carry every field, defaults included: say so in the schema (generated types).
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    input_tokens: int = 0
    output_tokens: int = 0
    thinking_tokens: int = 0
    total_tokens: int = 0
    cached_tokens: int = Field(0, description="Prompt tokens read from the provider's cache (part of input_tokens)")
    cost_usd: float | None = Field(
        0.0,
        description="Estimated cost in US dollars of the priced model calls (docs/cost.md); null when calls "
        "were answered and none could be priced (a model without a price)",
    )
    cost_estimated: bool = Field(
        False, description="Some token counts are estimates: a provider reported no usage for some call"
    )
    unpriced_calls: int = Field(0, description="Answered calls without a price (not in cost_usd)")


class ProviderFallbackOut(BaseModel):
    """One switch of an execution from a failing provider to the next (docs/providers.md "Fallback")."""

    from_provider: str
    from_model: str
    to_provider: str
    to_model: str
    reason: str
    category: str


class ExecutionOut(TokenTotals):
    id: str
    agent_name: str
    agent_index: int
    strategy: str
    llm_provider: str
    """The provider the execution runs (or ran) on: after a fallback, the one it switched to."""
    model: str
    status: ExecutionStatus
    started_at: datetime
    completed_at: datetime | None
    error_message: str | None
    provider_fallbacks: list[ProviderFallbackOut] = []
    """Provider switches, in order; the first ``from_provider`` is the one the execution started on."""
    parent_execution_id: str | None = None
    """The execution that dispatched this one as a sub-agent (docs/agent-loop.md "Sub-agents")."""
    task: str | None = None
    """A sub-agent's task, as its parent wrote it (masked)."""
    dispatch_index: int = 0
    """A sub-agent's place among its parent's dispatches (from 1); 0 for every other execution."""


class StageOut(TokenTotals):
    id: str
    stage_index: int
    name: str
    stage_type: StageType
    parallel_type: ParallelType
    expected_agents: int
    success_policy: str
    referenced_stage_id: str | None
    status: StageStatus
    started_at: datetime
    completed_at: datetime | None
    error_message: str | None
    executions: list[ExecutionOut]


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    comment: str | None = Field(None, description="Shown in the timeline and given to the model on a rejection")


class DecisionResponse(BaseModel):
    approval: ApprovalOut
    session_status: SessionStatus


class SessionOut(TokenTotals):
    id: str
    alert_type: str
    chain_id: str
    status: SessionStatus
    alert_data: Any
    runbook_url: str | None
    author: str
    cancelled_by: str | None
    final_analysis: str | None
    executive_summary: str | None
    executive_summary_error: str | None
    alert_masking_error: str | None
    runbook_error: str | None
    slack_message_fingerprint: str | None
    mcp_selection: dict[str, Any] | None
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None
    stages: list[StageOut]
    pending_approvals: list[ApprovalOut] = Field(default_factory=list, description="Tool calls waiting for a person")
    approvals: list[ApprovalOut] = Field(default_factory=list, description="Every approval of the session, decided too")
    forked_from: ForkOrigin | None = Field(None, description="Where this session was forked from (null: not a fork)")
    forks: list[ForkSummary] = Field(default_factory=list, description="Sessions forked from this one, oldest first")
    review_status: ReviewStatus | None = Field(None, description="Triage state (docs/review.md); null while it runs")
    assignee: str | None = Field(None, description="Who claimed or reviewed it")
    quality_rating: QualityRating | None = Field(None, description="Set by `complete`")
    reviewed_at: datetime | None = Field(None, description="When its review was completed or acknowledged")
    reviewed_by: str | None = Field(None, description="Who completed or acknowledged its review")
    review_events: list[ReviewEventOut] = Field(
        default_factory=list, description="Every review transition and feedback, oldest first"
    )
    score: ScoreOut | None = Field(None, description="The latest scoring run (null: never scored)")


class ScoreOut(BaseModel):
    """One scoring run of an ended session (docs/scoring.md); texts are masked."""

    id: str
    status: Literal["scoring", "completed", "failed"]
    score: int | None = Field(description="0-100 once `completed`: the outcome's band, placed by process quality")
    outcome: Literal["correct", "partial", "wrong"] | None
    analysis: str | None
    failure_tags: list[str] = Field(description="Tags from the fixed vocabulary (docs/scoring.md)")
    dropped_tags: list[str] = Field(description="Tags the model gave outside the vocabulary (left out)")
    tool_report: str | None = Field(description="Tools that were missing, failing or poor")
    provider: str
    error: str | None = Field(description="Why the run failed")
    requested_by: str = Field(description="Who asked for the run (`tarsy`: scored when the session ended)")
    created_at: datetime
    scored_at: datetime | None


class TimelineEventOut(BaseModel):
    id: str
    sequence: int
    stage_id: str | None
    execution_id: str | None
    event_type: TimelineEventType
    status: TimelineStatus
    content: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CancelResponse(BaseModel):
    session_id: str
    status: SessionStatus


class AlertTypesResponse(BaseModel):
    alert_types: list[str]
    default: str


class HealthResponse(BaseModel):
    status: Literal["healthy", "unhealthy"]
    mode: Literal["demo", "live"]
    checks: dict[str, Any]
