"""Response models of the history, trace and queue endpoints (the dashboard's read contract)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.schemas import ApprovalOut, ErrorResponse
from tarsy.contracts import ExecutionStatus, QualityRating, ReviewStatus, SessionStatus, StageStatus, StageType

SESSION_STATUSES: tuple[SessionStatus, ...] = get_args(SessionStatus)


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for these status codes, with the error body's schema."""
    return {code: {**ERROR_RESPONSES[code], "model": ErrorResponse} for code in codes}


class SessionSummary(BaseModel):
    id: str
    alert_type: str
    chain_id: str
    status: SessionStatus
    author: str
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    duration_ms: int | None = Field(description="From start to completion; null until both are known")
    executive_summary: str | None
    error_message: str | None
    input_tokens: int
    output_tokens: int
    total_tokens: int
    cost_usd: float | None = Field(
        description="Estimated cost in US dollars (docs/cost.md); null when no call could be priced"
    )
    cost_estimated: bool = Field(description="Some token counts are estimates (a provider reported no usage)")
    unpriced_calls: int = Field(description="Answered model calls without a price (not in cost_usd)")
    stage_count: int = Field(description="Investigation and synthesis stages that have started")
    score: int | None = Field(None, description="The latest completed score, 0-100 (null: never scored)")
    forked_from: str | None = Field(None, description="The session this one was forked from (null: not a fork)")
    review_status: ReviewStatus | None = Field(None, description="Triage state (docs/review.md); null while it runs")
    assignee: str | None = Field(None, description="Who claimed or reviewed it")
    quality_rating: QualityRating | None = Field(None, description="Set by `complete`")
    reviewed_at: datetime | None = Field(None, description="When its review was completed or acknowledged")
    matched_in_timeline: bool = Field(
        description="With `search`: the session matched only in its timeline, not in alert data or final analysis"
    )


class SessionPage(BaseModel):
    items: list[SessionSummary]
    total: int = Field(description="Sessions matching the filters, over all pages")
    page: int
    page_size: int


class QueuedSession(SessionSummary):
    queue_position: int = Field(description="1 for the session the next free worker claims")


class ActiveSessions(BaseModel):
    active: list[SessionSummary] = Field(description="Running (or cancelling) sessions, oldest start first")
    queued: list[QueuedSession] = Field(description="Pending sessions in claim order (oldest first)")


class FilterOptions(BaseModel):
    statuses: list[SessionStatus] = Field(description="Every status a session can have")
    alert_types: list[str]
    chains: list[str]
    authors: list[str]


class Tokens(BaseModel):
    input: int
    output: int
    thinking: int
    total: int


class Durations(BaseModel):
    queue_ms: int | None = Field(description="Created to started; null while queued")
    run_ms: int | None = Field(description="Started to completed; null while running or if it never started")
    total_ms: int | None = Field(description="Created to completed; null until it ends")


class AgentSummary(BaseModel):
    execution_id: str
    agent_name: str
    status: ExecutionStatus
    duration_ms: int | None
    tokens: Tokens


class StageSummary(BaseModel):
    stage_id: str
    stage_index: int
    name: str
    stage_type: StageType
    status: StageStatus
    duration_ms: int | None
    tokens: Tokens
    agents: list[AgentSummary]


class Counts(BaseModel):
    stages: int
    executions: int
    llm_calls: int
    mcp_calls: int
    timeline_events: int


class SessionStats(BaseModel):
    session_id: str
    status: SessionStatus
    durations: Durations
    tokens: Tokens
    stages: list[StageSummary]
    counts: Counts


class InteractionOut(BaseModel):
    """One row of the trace: an LLM call (``kind: llm``) or an MCP call (``kind: mcp``)."""

    id: str
    kind: Literal["llm", "mcp"]
    created_at: datetime
    interaction_type: str
    provider: str | None = Field(description="LLM calls only")
    model: str | None = Field(description="LLM calls only")
    server: str | None = Field(description="MCP calls only")
    tool: str | None = Field(description="MCP tool calls only")
    input_tokens: int | None = Field(description="LLM calls only")
    output_tokens: int | None = Field(description="LLM calls only")
    cost_usd: float | None = Field(None, description="LLM calls only: estimated cost in US dollars; null unpriced")
    cost_estimated: bool = Field(False, description="LLM calls only: the token counts are estimates")
    cost_note: str | None = Field(None, description="LLM calls only: why there is no cost, or the promotion")
    duration_ms: int
    error: str | None
    is_error: bool = Field(description="The call failed (LLM) or the tool reported an error (MCP)")


class ExecutionTrace(BaseModel):
    execution_id: str
    agent_name: str
    agent_index: int
    parent_execution_id: str | None = None
    """Set for a sub-agent: the execution that dispatched it (its trace nests under that one)."""
    task: str | None = None
    interactions: list[InteractionOut]


class StageTrace(BaseModel):
    stage_id: str
    stage_index: int
    name: str
    stage_type: str
    executions: list[ExecutionTrace]


class SessionTrace(BaseModel):
    session_id: str
    stages: list[StageTrace]
    session_interactions: list[InteractionOut] = Field(description="Interactions that belong to no stage or execution")
    approvals: list[ApprovalOut] = Field(
        default_factory=list, description="Tool calls that waited for a person, with the decision (masked)"
    )


class ToolCallOut(BaseModel):
    id: str | None
    name: str
    arguments: dict[str, Any]


class MessageOut(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # responses carry every field

    role: str = Field(description="system, user, assistant or tool")
    content: str
    tool_calls: list[ToolCallOut] | None = Field(None, description="Assistant messages that call tools")
    tool_call_id: str | None = Field(None, description="Tool messages: the call they answer")
    name: str | None = Field(None, description="Tool messages: the tool's wire name")


class LLMInteractionDetail(BaseModel):
    id: str
    session_id: str
    stage_id: str | None
    execution_id: str | None
    created_at: datetime
    interaction_type: str
    provider: str
    model: str
    messages: list[MessageOut] = Field(description="The full conversation this call sent to the model")
    tools: list[str] = Field(description="Tools offered to the model (canonical server.tool names)")
    response: MessageOut | None = Field(description="The model's reply; null when the call failed")
    thinking: str
    input_tokens: int
    output_tokens: int
    thinking_tokens: int
    total_tokens: int
    cached_tokens: int = Field(description="Prompt tokens read from the provider's cache (part of input_tokens)")
    cost_usd: float | None = Field(description="Estimated cost in US dollars; null when it could not be priced")
    cost_estimated: bool = Field(description="The token counts are estimates: the provider reported no usage")
    cost_note: str | None = Field(description="Why there is no cost, or the promotion that applied")
    duration_ms: int
    error: str | None


class MCPInteractionDetail(BaseModel):
    id: str
    interaction_type: str = Field(description="tool_call or tool_list")
    server: str
    tool: str | None
    arguments: dict[str, Any]
    result: str | None = Field(description="The (masked) result as the agent received it")
    is_error: bool
    error: str | None
    available_tools: list[dict[str, Any]] | None
    duration_ms: int
    created_at: datetime
    stage_id: str | None
    execution_id: str | None


class QueueFigures(BaseModel):
    pending: int = Field(description="Sessions waiting for a worker, across all replicas")
    active: int = Field(description="Sessions running (or cancelling), across all replicas")
    workers_total: int = Field(description="Workers of this replica")
    workers_busy: int = Field(description="Workers of this replica running a session")
    oldest_pending_s: float = Field(description="Age of the oldest pending session in seconds; 0 when none")
