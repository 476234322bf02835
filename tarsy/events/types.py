"""Names of the events clients see on SSE, in one place (their type: ``tarsy.contracts.EventType``)."""

from __future__ import annotations

from typing import Final

from tarsy.contracts import TERMINAL_SESSION_STATUSES, EventType

SESSION_STATUS: Final[EventType] = "session.status"
CHAT_STATUS: Final[EventType] = "chat.status"
STAGE_STATUS: Final[EventType] = "stage.status"
EXECUTION_STATUS: Final[EventType] = "execution.status"
TIMELINE_CREATED: Final[EventType] = "timeline_event.created"
TIMELINE_COMPLETED: Final[EventType] = "timeline_event.completed"
INTERACTION_CREATED: Final[EventType] = "interaction.created"
APPROVAL_REQUESTED: Final[EventType] = "approval.requested"
APPROVAL_DECIDED: Final[EventType] = "approval.decided"
STREAM_CHUNK: Final[EventType] = "stream.chunk"  # transient: token deltas, never stored
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
