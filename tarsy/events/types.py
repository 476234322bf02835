"""Names of the events clients see on SSE, in one place (their type: ``tarsy.contracts.EventType``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from tarsy.contracts import (
    TERMINAL_SESSION_STATUSES,
    EventType,
    QualityRating,
    RecordStatus,
    ReviewAction,
    ReviewStatus,
    SessionStatus,
    TimelineEventType,
    TimelineStatus,
)

SESSION_STATUS: Final[EventType] = "session.status"
SCORE_UPDATED: Final[EventType] = "session.score_updated"  # a scoring run started or ended (docs/scoring.md)
CHAT_STATUS: Final[EventType] = "chat.status"
STAGE_STATUS: Final[EventType] = "stage.status"
EXECUTION_STATUS: Final[EventType] = "execution.status"
TIMELINE_CREATED: Final[EventType] = "timeline_event.created"
TIMELINE_COMPLETED: Final[EventType] = "timeline_event.completed"
INTERACTION_CREATED: Final[EventType] = "interaction.created"
APPROVAL_REQUESTED: Final[EventType] = "approval.requested"
APPROVAL_DECIDED: Final[EventType] = "approval.decided"
STREAM_CHUNK: Final[EventType] = "stream.chunk"  # transient: token deltas, never stored
SESSION_REVIEW_UPDATED: Final[EventType] = "session.review_updated"  # triage (docs/review.md)
MEMORY_INJECTED: Final[TimelineEventType] = "memory_injected"
"""A timeline entry (``timeline_event.created``) of a session whose agents were given memories
(docs/memory.md): ``content`` is the masked prompt tier, ``metadata.memories`` their ids and scores."""
RESYNC: Final[EventType] = "resync"  # session-list stream only: too far behind to catch up, refetch the lists

TERMINAL_STATUSES: Final = TERMINAL_SESSION_STATUSES

# LISTEN/NOTIFY channels shared by every replica.
EVENTS_CHANNEL: Final = "tarsy_events"
CANCEL_CHANNEL: Final = "tarsy_cancel"

# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_NOTIFY_BYTES: Final = 7000


def is_terminal_event(event_type: str, payload: dict[str, object]) -> bool:
    """A ``session.status`` event that ends the session."""
    return event_type == SESSION_STATUS and payload.get("status") in TERMINAL_STATUSES


# ---------------------------------------------------------------- payloads (the JSON of each SSE `data:`)
# The wire contract of the event streams, exported to the OpenAPI components (tarsy/api/openapi.py)
# and from there to the dashboard's generated types. Fields with a default may be absent on the wire.

StageEventStatus = Literal["started", "completed", "failed", "cancelled", "timed_out"]
ChatEventStatus = Literal["pending", "in_progress", "completed", "failed", "cancelled", "timed_out"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _SessionEvent(_Payload):
    session_id: str
    timestamp: datetime = Field(description="When the server published the event")


class SessionStatusEvent(_Payload):
    type: Literal["session.status"]
    session_id: str
    status: SessionStatus
    timestamp: datetime | None = Field(
        None,
        description="When the server published the event; absent only on the ending a stream makes up"
        " when the session's event log was trimmed (retention)",
    )
    error: str | None = Field(None, description="Why it failed, timed out or was cancelled")
    alert_type: str | None = Field(None, description="`pending` only")
    chain_id: str | None = Field(None, description="`pending` only")
    resumed: bool | None = Field(None, description="`in_progress` only: a worker resumed it from its checkpoint")
    forked_from: str | None = Field(None, description="`pending` only: the session this one was forked from")
    checkpoint_id: str | None = Field(None, description="`pending` only: the fork point in that session")


class StageStatusEvent(_SessionEvent):
    type: Literal["stage.status"]
    stage_id: str
    stage_index: int
    stage_name: str
    stage_type: str
    status: StageEventStatus
    parallel_type: str | None = Field(None, description="`started` only")
    referenced_stage_id: str | None = Field(None, description="`started` only: the stage a synthesis weighs")
    error: str | None = None


class ExecutionStatusEvent(_SessionEvent):
    type: Literal["execution.status"]
    stage_id: str
    execution_id: str
    agent_name: str
    agent_index: int
    status: RecordStatus
    error: str | None = None
    parent_execution_id: str | None = None
    """Set when a sub-agent starts: the execution that dispatched it."""
    provider_fallback: dict[str, str] | None = None
    """Set when the execution switched providers: ``{from_provider, from_model, to_provider, ...}``."""


class TimelineEventCreated(_SessionEvent):
    type: Literal["timeline_event.created"]
    event_id: str
    sequence: int
    stage_id: str | None
    execution_id: str | None
    event_type: str
    status: TimelineStatus
    content: str = Field(description="Empty while streaming: the text arrives as `stream.chunk` deltas")
    metadata: dict[str, Any]


class TimelineEventCompleted(_SessionEvent):
    type: Literal["timeline_event.completed"]
    event_id: str
    stage_id: str | None
    execution_id: str | None
    event_type: str
    status: TimelineStatus
    content: str = Field(description="The stored (masked) text, replacing what streamed")
    metadata: dict[str, Any]


class StreamChunkEvent(_SessionEvent):
    """Transient: no SSE id, never replayed."""

    type: Literal["stream.chunk"]
    event_id: str
    delta: str


class InteractionCreatedEvent(_SessionEvent):
    type: Literal["interaction.created"]
    interaction_id: str
    kind: Literal["llm", "mcp"]
    stage_id: str | None
    execution_id: str | None
    interaction_type: str | None = Field(None, description="LLM calls only")
    server: str | None = Field(None, description="MCP calls only")
    tool: str | None = Field(None, description="MCP calls only")


class ChatStatusEvent(_SessionEvent):
    type: Literal["chat.status"]
    message_id: str
    chat_id: str
    status: ChatEventStatus
    author: str | None = Field(None, description="`pending` only")
    content: str | None = Field(None, description="`pending` only: the (masked) question")
    error: str | None = None


class ScoreUpdatedEvent(_SessionEvent):
    """A scoring run of an ended session started (``scoring``) or ended; the full score is on
    `GET /api/v1/sessions/{id}` (`score`)."""

    type: Literal["session.score_updated"]
    score_id: str
    status: Literal["scoring", "completed", "failed"]
    score: int | None = Field(None, description="0-100 once `completed`")
    outcome: Literal["correct", "partial", "wrong"] | None = Field(None, description="Once `completed`")


class ResyncEvent(_Payload):
    """Session-list stream only: the client is too far behind; it refetches its lists instead."""

    type: Literal["resync"]
    after: int
    latest_id: int
    max_catchup_events: int


class ApprovalOut(BaseModel):
    """A tool call that waits (or waited) for a person; ``arguments`` and ``reason`` are masked."""

    id: str
    status: Literal["pending", "approved", "rejected", "expired", "cancelled"]
    tool: str = Field(description="Canonical server.tool")
    arguments: Any = Field(description="Exactly what runs when approved (masked for display)")
    agent: str
    stage: str | None
    stage_id: str | None
    execution_id: str | None
    reason: str = Field(description="What the model said before asking for the call")
    requested_at: str
    expires_at: str
    on_timeout: Literal["reject", "approve"]
    decided_at: str | None
    decided_by: str | None
    comment: str | None


class ApprovalRequestedEvent(_SessionEvent):
    type: Literal["approval.requested"]
    approval: ApprovalOut


class ApprovalDecidedEvent(_SessionEvent):
    type: Literal["approval.decided"]
    approval: ApprovalOut = Field(description="With the decision: approved, rejected, expired or cancelled")


class SessionReviewUpdatedEvent(_SessionEvent):
    type: Literal["session.review_updated"]
    action: ReviewAction = Field(description="What was done (feedback leaves the state as it was)")
    actor: str = Field(description="Who did it")
    review_status: ReviewStatus
    assignee: str | None
    quality_rating: QualityRating | None
    reviewed_at: datetime | None


SessionStreamEvent = Annotated[
    SessionStatusEvent
    | StageStatusEvent
    | ExecutionStatusEvent
    | TimelineEventCreated
    | TimelineEventCompleted
    | StreamChunkEvent
    | InteractionCreatedEvent
    | ChatStatusEvent
    | ApprovalRequestedEvent
    | ApprovalDecidedEvent
    | SessionReviewUpdatedEvent
    | ScoreUpdatedEvent,
    Field(discriminator="type"),
]
"""What `GET /api/v1/sessions/{id}/events` sends."""

SessionListStreamEvent = Annotated[
    SessionStatusEvent | SessionReviewUpdatedEvent | ScoreUpdatedEvent | ResyncEvent, Field(discriminator="type")
]
"""What `GET /api/v1/sessions/events` sends."""
