"""Every event a real session streams matches its payload model in tarsy/events/types.py, the models
the OpenAPI document (and so the dashboard's generated types) describe the streams with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.tools import tool
from pydantic import TypeAdapter, ValidationError

from tarsy.events.types import SessionListStreamEvent, SessionStreamEvent
from tarsy.tools.static import StaticToolExecutor
from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

CHAIN: dict[str, Any] = {
    "mcp_servers": {"srv": {"transport": {"type": "stdio", "command": "true"}}},
    "agents": {"Investigator": {"mcp_servers": ["srv"]}},
    "agent_chains": {
        "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "investigate", "agent": "Investigator"}]}
    },
}

SCRIPT: dict[str, Any] = {
    "chunk_chars": 8,
    "agents": {
        "Investigator": [
            {
                "thinking": "Check the memory limit first.",
                "tool_calls": [{"id": "c1", "name": "srv__memory_limit", "args": {"pod": "api-1"}}],
            },
            {"thinking": "Enough evidence.", "text": "Root cause: api-1 is OOMKilled; raise its memory limit."},
        ],
        "ExecSummaryAgent": [{"text": "api-1 OOMKilled; raise the limit."}],
        "ChatAgent": [{"text": "Raise the limit above 512Mi (it is 256Mi now)."}],
    },
}

SESSION_EVENT = TypeAdapter[Any](SessionStreamEvent)
LIST_EVENT = TypeAdapter[Any](SessionListStreamEvent)


@tool
def memory_limit(pod: str) -> str:
    """The memory limit of a pod."""
    return f"{pod}: limits.memory=256Mi"


def _mismatches(adapter: TypeAdapter[Any], events: list[dict[str, Any]]) -> list[str]:
    problems = []
    for event in events:
        if event["data"].get("type") != event["event"]:
            problems.append(f"SSE event {event['event']!r} carries type {event['data'].get('type')!r}")
        try:
            adapter.validate_python(event["data"])
        except ValidationError as err:
            problems.append(f"{event['event']} {event['data']}: {err}")
    return problems


async def _live_session_events(tarsy: RunningTarsy) -> tuple[str, list[dict[str, Any]]]:
    """The session's stream read live from its start (so token deltas are in it) to its end."""
    session_id = await tarsy.submit()
    events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
    await tarsy.wait_status(session_id, {"completed"})
    return session_id, events


async def test_every_streamed_event_matches_its_payload_model(tmp_path: Path, database_url: str) -> None:
    config_dir = write_config(tmp_path / "config", script=SCRIPT, tarsy=CHAIN)
    tools = StaticToolExecutor({"srv": [memory_limit]})
    async with running_tarsy(config_dir, database_url, tools=tools) as tarsy:
        session_id, events = await _live_session_events(tarsy)
        # The list stream replays every session's status events (this database has one session).
        listed = await read_sse(tarsy.client, "/api/v1/sessions/events?after=0", limit=3)
        last = max(e["id"] for e in events if "id" in e)
        sent = await tarsy.client.post(
            f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "How do I fix this?"}
        )
        assert sent.status_code == 202, sent.text
        events += await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events", last_event_id=last)

    assert _mismatches(SESSION_EVENT, events) == []
    assert _mismatches(LIST_EVENT, listed) == []
    # The run covers every kind of event the session stream sends.
    assert {e["event"] for e in events} == {
        "session.status",
        "stage.status",
        "execution.status",
        "timeline_event.created",
        "timeline_event.completed",
        "stream.chunk",
        "interaction.created",
        "chat.status",
    }
    assert [e["data"]["status"] for e in listed] == ["pending", "in_progress", "completed"]


def test_a_payload_the_models_do_not_describe_is_refused() -> None:
    """The models are strict, so the test above fails when an event gains an undescribed field."""
    stamped = {"session_id": "s1", "timestamp": "2026-01-01T00:00:00+00:00"}
    good = {"type": "stream.chunk", "event_id": "e1", "delta": "ab", **stamped}
    assert _mismatches(SESSION_EVENT, [{"event": "stream.chunk", "data": good}]) == []
    extra = {**good, "sequence": 3}
    wrong_name = {"event": "chat.status", "data": good}
    assert len(_mismatches(SESSION_EVENT, [{"event": "stream.chunk", "data": extra}, wrong_name])) == 2
