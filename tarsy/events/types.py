"""Names of the events clients see on SSE, in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

SESSION_STATUS: Final = "session.status"
CHAT_STATUS: Final = "chat.status"
STAGE_STATUS: Final = "stage.status"
EXECUTION_STATUS: Final = "execution.status"
TIMELINE_CREATED: Final = "timeline_event.created"
TIMELINE_COMPLETED: Final = "timeline_event.completed"
INTERACTION_CREATED: Final = "interaction.created"
STREAM_CHUNK: Final = "stream.chunk"  # transient: token deltas, never stored
RESYNC: Final = "resync"  # session-list stream only: too far behind to catch up, refetch the lists

TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "cancelled", "timed_out"})

SessionStatus = Literal["pending", "in_progress", "cancelling", "completed", "failed", "cancelled", "timed_out"]
RecordStatus = Literal["pending", "active", "completed", "failed", "cancelled", "timed_out"]
TimelineStatus = Literal["streaming", "completed", "failed", "cancelled", "timed_out"]

# LISTEN/NOTIFY channels shared by every replica.
EVENTS_CHANNEL: Final = "tarsy_events"
CANCEL_CHANNEL: Final = "tarsy_cancel"

# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_NOTIFY_BYTES: Final = 7000


def is_terminal_event(event_type: str, payload: dict[str, object]) -> bool:
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


class ResyncEvent(_Payload):
    """Session-list stream only: the client is too far behind; it refetches its lists instead."""

    type: Literal["resync"]
    after: int
    latest_id: int
    max_catchup_events: int


SessionStreamEvent = Annotated[
    SessionStatusEvent
    | StageStatusEvent
    | ExecutionStatusEvent
    | TimelineEventCreated
    | TimelineEventCompleted
    | StreamChunkEvent
    | InteractionCreatedEvent
    | ChatStatusEvent,
    Field(discriminator="type"),
]
"""What `GET /api/v1/sessions/{id}/events` sends."""

SessionListStreamEvent = Annotated[SessionStatusEvent | ResyncEvent, Field(discriminator="type")]
"""What `GET /api/v1/sessions/events` sends."""
