"""TARSy's session events as the LangGraph SDK's stream modes (the mapping docs/langgraph.md lists).

* ``values``: the thread's values (checkpoint + session results) after every finished stage and at the end.
* ``updates``: ``{<event type>: <payload>}`` for every stage, execution and completed timeline event.
* ``messages``: completed model answers as ``messages/complete`` ``[{type: "ai", content, id}]``;
  live token deltas as ``messages/partial`` with the text so far (``messages/metadata`` first).
* ``events``: every TARSy event as an ``on_custom_event`` whose ``name`` is the event type.

A stream opens with ``metadata`` ``{run_id, attempt}`` and ends with the run; a failed or
timed-out investigation ends with ``error`` ``{error, message}``. An investigation's run also ends
when its session stops to wait for an approval (its last ``values`` then carry ``__interrupt__``):
``Command(resume=...)`` starts the run that follows it on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any, cast

from sse_starlette import ServerSentEvent

from tarsy.api.routes.langgraph import service
from tarsy.api.sse import session_stream, subscribe
from tarsy.errors import InvalidInputError
from tarsy.events import types as ev
from tarsy.runtime.service import Services
from tarsy.store import sessions as sessions_repo

MODES = frozenset({"values", "updates", "messages", "events"})
AI_EVENTS = frozenset({"llm_response", "final_analysis", "executive_summary"})


def modes_of(stream_mode: list[str] | str | None) -> set[str]:
    wanted = {stream_mode} if isinstance(stream_mode, str) else set(stream_mode or ["values"])
    wanted = {"messages" if m == "messages-tuple" else m for m in wanted}
    unknown = wanted - MODES
    if unknown:
        raise InvalidInputError(
            f"stream_mode {', '.join(sorted(unknown))} is not served; use {', '.join(sorted(MODES))}"
        )
    return wanted


def _frame(event: str, data: Any) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(data, default=str), event=event)


class _Mapper:
    def __init__(self, modes: set[str], run: dict[str, Any]) -> None:
        self.modes = modes
        self.run = run
        self.partial: dict[str, str] = {}

    def frames(self, event_type: str, payload: dict[str, Any]) -> list[ServerSentEvent]:
        out: list[ServerSentEvent] = []
        if "events" in self.modes:
            out.append(
                _frame(
                    "events",
                    {
                        "event": "on_custom_event",
                        "name": event_type,
                        "run_id": self.run["run_id"],
                        "data": payload,
                        "tags": [],
                        "metadata": {"thread_id": self.run["thread_id"]},
                    },
                )
            )
        if "updates" in self.modes and event_type in (ev.STAGE_STATUS, ev.EXECUTION_STATUS, ev.TIMELINE_COMPLETED):
            out.append(_frame("updates", {event_type: payload}))
        if "messages" in self.modes:
            out.extend(self._messages(event_type, payload))
        return out

    def _messages(self, event_type: str, payload: dict[str, Any]) -> list[ServerSentEvent]:
        if event_type == ev.STREAM_CHUNK and isinstance(payload.get("delta"), str):
            key = str(payload.get("event_id"))
            first = key not in self.partial
            self.partial[key] = self.partial.get(key, "") + payload["delta"]
            message = {"type": "ai", "id": key, "content": self.partial[key]}
            head = [_frame("messages/metadata", {key: {"metadata": {"thread_id": self.run["thread_id"]}}})]
            return [*(head if first else []), _frame("messages/partial", [message])]
        if event_type == ev.TIMELINE_COMPLETED and payload.get("event_type") in AI_EVENTS:
            key = str(payload.get("event_id") or payload.get("id"))
            message = {"type": "ai", "id": key, "content": payload.get("content", "")}
            return [_frame("messages/complete", [message])]
        return []


async def run_stream(
    services: Services, run: dict[str, Any], modes: set[str], start_after: int
) -> AsyncIterator[ServerSentEvent]:
    """The run's frames: replay from ``start_after``, then live until the run ends."""
    yield _frame("metadata", {"run_id": run["run_id"], "attempt": 1})
    mapper = _Mapper(modes, run)
    async for sse in _run_events(services, run, start_after):
        event_type = str(sse.event)
        payload = json.loads(str(sse.data))
        for frame in mapper.frames(event_type, payload):
            yield frame
        if "values" in modes and _stage_ended(event_type, payload):
            yield _frame("values", await service.run_output(services, run))
    if "values" in modes:
        yield _frame("values", await service.run_output(services, run))
    session = await sessions_repo.get_session(services.pool, run["thread_id"])
    if run["assistant_id"] != service.CHAT_ASSISTANT and session and session["status"] in ("failed", "timed_out"):
        message = session["error_message"] or f"the investigation {session['status']}"
        yield _frame("error", {"error": "InvestigationFailed", "message": message})


def _stage_ended(event_type: str, payload: dict[str, Any]) -> bool:
    return event_type == ev.STAGE_STATUS and payload.get("status") in ev.TERMINAL_STATUSES


async def _run_events(services: Services, run: dict[str, Any], start_after: int) -> AsyncIterator[ServerSentEvent]:
    """The session's events from ``start_after`` until the run ends: the session ends, or (an
    investigation's run) it waits for an approval. A wait already decided when it is replayed
    (``runs.join`` from the start) does not end the run: the session row is asked."""
    sub = subscribe(services, run["thread_id"])
    events = cast(
        AsyncGenerator[ServerSentEvent, None],
        session_stream(services.pool, services.hub, run["thread_id"], start_after, sub),
    )
    async with aclosing(events):  # leaving early unsubscribes now, not when the stream is collected
        async for sse in events:
            yield sse
            if run["assistant_id"] != service.CHAT_ASSISTANT and await _waits(services, str(sse.event), sse.data, run):
                return


async def _waits(services: Services, event_type: str, data: Any, run: dict[str, Any]) -> bool:
    if event_type != ev.SESSION_STATUS or json.loads(str(data)).get("status") != service.WAITING:
        return False
    session = await sessions_repo.get_session(services.pool, run["thread_id"])
    return session is not None and session["status"] == service.WAITING


async def drain(services: Services, run: dict[str, Any], start_after: int) -> dict[str, Any]:
    """Wait for the run to end (through the event hub, like an SSE client); its output."""
    async for _ in _run_events(services, run, start_after):
        pass
    return await service.run_output(services, run)
