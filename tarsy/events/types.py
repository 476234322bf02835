"""Names of the events clients see on SSE, in one place."""

from __future__ import annotations

from typing import Final, Literal

SESSION_STATUS: Final = "session.status"
CHAT_STATUS: Final = "chat.status"
STAGE_STATUS: Final = "stage.status"
EXECUTION_STATUS: Final = "execution.status"
TIMELINE_CREATED: Final = "timeline_event.created"
TIMELINE_COMPLETED: Final = "timeline_event.completed"
INTERACTION_CREATED: Final = "interaction.created"
APPROVAL_REQUESTED: Final = "approval.requested"
APPROVAL_DECIDED: Final = "approval.decided"
STREAM_CHUNK: Final = "stream.chunk"  # transient: token deltas, never stored
RESYNC: Final = "resync"  # session-list stream only: too far behind to catch up, refetch the lists

TERMINAL_STATUSES: Final = frozenset({"completed", "failed", "cancelled", "timed_out"})

SessionStatus = Literal[
    "pending", "in_progress", "cancelling", "awaiting_approval", "completed", "failed", "cancelled", "timed_out"
]
RecordStatus = Literal["pending", "active", "completed", "failed", "cancelled", "timed_out"]
TimelineStatus = Literal["streaming", "completed", "failed", "cancelled", "timed_out"]

# LISTEN/NOTIFY channels shared by every replica.
EVENTS_CHANNEL: Final = "tarsy_events"
CANCEL_CHANNEL: Final = "tarsy_cancel"

# PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below.
MAX_NOTIFY_BYTES: Final = 7000


def is_terminal_event(event_type: str, payload: dict[str, object]) -> bool:
    return event_type == SESSION_STATUS and payload.get("status") in TERMINAL_STATUSES
