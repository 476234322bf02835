"""Session history: the filtered list, the active view, filter options, per-session figures and the
live stream of list changes.

These routes share the ``/api/v1/sessions`` prefix with ``sessions.py``; the app includes this router
first so that ``/sessions/active`` and friends are not taken for a session id.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from pydantic import BeforeValidator
from pydantic.json_schema import SkipJsonSchema
from sse_starlette import EventSourceResponse, ServerSentEvent

from tarsy.api.deps import ServicesDep
from tarsy.api.history_schemas import (
    SESSION_STATUSES,
    ActiveSessions,
    FilterOptions,
    SessionPage,
    SessionStats,
    error_responses,
)
from tarsy.api.openapi import event_stream_response
from tarsy.api.routes.events import OptionalEventId, _last_id
from tarsy.api.routes.sessions import load_session
from tarsy.api.sse import _sse, patiently, stream_response, subscribe
from tarsy.config import SseConfig
from tarsy.errors import InvalidInputError
from tarsy.events.hub import ALL_SESSIONS, EventHub, Subscription
from tarsy.events.types import RESYNC, SCORE_UPDATED, SESSION_REVIEW_UPDATED, SESSION_STATUS
from tarsy.store import queries
from tarsy.store import sessions as repo
from tarsy.store.db import Pool, Row
from tarsy.store.queries import SessionFilters, SortBy, SortOrder

router = APIRouter(prefix="/api/v1/sessions", tags=["history"])

# A query parameter is absent or a value, never null: keep null out of the OpenAPI schema.
OptionalStr = str | SkipJsonSchema[None]


def _iso_only(value: Any) -> Any:
    """Pydantic takes a number as Unix time; the API promises ISO 8601 only."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError(f"must be an ISO 8601 date-time such as 2026-01-31T12:00:00Z, not the number {value!r}")
    return value


OptionalDatetime = Annotated[datetime | SkipJsonSchema[None], BeforeValidator(_iso_only)]

LIST_EVENT_TYPES = (SESSION_STATUS, SESSION_REVIEW_UPDATED, SCORE_UPDATED)
_DEDUPE_WINDOW = 2000  # the hub's queue size: a burst larger than this overflows and resyncs anyway


def _plain(row: Row) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}


def _text(name: str, value: str | None) -> str | None:
    if value is not None and "\x00" in value:
        raise InvalidInputError(f"{name} must not contain NUL characters")
    return value


def _statuses(raw: str | None) -> list[str]:
    wanted = [s.strip() for s in (raw or "").split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SESSION_STATUSES]
    if unknown:
        raise InvalidInputError(
            f"status: unknown value(s) {', '.join(repr(s) for s in unknown)}; "
            f"allowed (comma-separated): {', '.join(SESSION_STATUSES)}"
        )
    return wanted


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _filters(
    status: str | None,
    alert_type: str | None,
    chain_id: str | None,
    author: str | None,
    start_date: datetime | None,
    end_date: datetime | None,
    search: str | None,
) -> SessionFilters:
    start, end = _aware(start_date), _aware(end_date)
    if start is not None and end is not None and start > end:
        raise InvalidInputError(f"start_date ({start.isoformat()}) is after end_date ({end.isoformat()})")
    query = None
    if search is not None:
        query = queries.search_query(search)
        if query is None:
            raise InvalidInputError("search must contain at least one letter or digit")
    return SessionFilters(
        statuses=_statuses(status),
        alert_type=_text("alert_type", alert_type),
        chain_id=_text("chain_id", chain_id),
        author=_text("author", author),
        start=start,
        end=end,
        search=query,
    )


@router.get("", response_model=SessionPage, responses=error_responses(400, 422))
async def list_sessions(
    services: ServicesDep,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[int, Query(ge=1, le=100, description="Sessions per page")] = 20,
    sort_by: Annotated[
        SortBy, Query(description="Sort key; `duration` puts unfinished sessions last, `score` unscored ones")
    ] = "created_at",
    sort_order: Annotated[SortOrder, Query(description="Sort direction")] = "desc",
    status: Annotated[OptionalStr, Query(description="Comma-separated statuses, e.g. `completed,failed`")] = None,
    alert_type: Annotated[OptionalStr, Query(description="Exact alert type")] = None,
    chain_id: Annotated[OptionalStr, Query(description="Exact chain id")] = None,
    author: Annotated[OptionalStr, Query(description="Exact author (who submitted the alert)")] = None,
    start_date: Annotated[
        OptionalDatetime, Query(description="ISO 8601; sessions created at or after it (UTC if no zone)")
    ] = None,
    end_date: Annotated[
        OptionalDatetime, Query(description="ISO 8601; sessions created at or before it (UTC if no zone)")
    ] = None,
    search: Annotated[
        OptionalStr,
        Query(
            min_length=3,
            description="Full-text search over alert data, final analysis and timeline content; "
            "every word must match, as a word prefix",
        ),
    ] = None,
) -> dict[str, Any]:
    """A page of session summaries matching every given filter."""
    filters = _filters(status, alert_type, chain_id, author, start_date, end_date, search)
    rows, total = await queries.list_sessions(
        services.pool, filters, sort_by=sort_by, sort_order=sort_order, page=page, page_size=page_size
    )
    return {"items": [_plain(r) for r in rows], "total": total, "page": page, "page_size": page_size}


@router.get("/active", response_model=ActiveSessions)
async def active_sessions(services: ServicesDep) -> dict[str, Any]:
    """Running sessions and the queue, with each queued session's position (1 = claimed next)."""
    active, queued = await queries.active_and_queued(services.pool)
    return {
        "active": [_plain(r) for r in active],
        "queued": [{**_plain(r), "queue_position": n} for n, r in enumerate(queued, start=1)],
    }


@router.get("/filter-options", response_model=FilterOptions)
async def filter_options(services: ServicesDep) -> dict[str, Any]:
    """The values the list can be filtered by: every status, and the types, chains and authors present."""
    row = await queries.filter_options(services.pool)
    return {"statuses": list(SESSION_STATUSES), **row}


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={
        200: event_stream_response("SessionListStreamEvent"),
        **error_responses(400, 422, 429),
    },
)
async def session_list_events(
    services: ServicesDep,
    last_event_id: Annotated[OptionalStr, Header(alias="Last-Event-ID")] = None,
    after: Annotated[
        OptionalEventId, Query(description="Replay events after this id (for clients without headers)")
    ] = None,
) -> EventSourceResponse:
    """``session.status`` and ``session.review_updated`` events of every session: those after
    ``Last-Event-ID``/``after``, then live.

    Without either, the stream starts live. It never ends by itself. A client more than
    ``system.sse.max_catchup_events`` behind gets one ``resync`` event instead of the backlog.
    """
    replay = (last_event_id is not None and last_event_id.strip() != "") or after is not None
    start = _last_id(last_event_id, after) if replay else None
    sub = subscribe(services)
    catchup = services.config.system.sse.max_catchup_events
    stream = session_list_stream(services.pool, services.hub, start, sub=sub, max_catchup=catchup)
    return stream_response(services, sub, stream)


async def _catch_up(pool: Pool, after: int, max_events: int) -> AsyncIterator[ServerSentEvent]:
    """The missed events after ``after``; more than ``max_events`` of them: a single ``resync``
    event (its id the current head) that tells the client to refetch instead. Reads wait out a
    database outage (the stream stays open)."""
    read = functools.partial(queries.status_events_after, pool, LIST_EVENT_TYPES, after, limit=max_events + 1)
    rows = await patiently(read)
    if len(rows) > max_events:
        head = await patiently(functools.partial(queries.latest_event_id, pool))
        payload = {"type": RESYNC, "after": after, "latest_id": head, "max_catchup_events": max_events}
        yield _sse(head, RESYNC, payload)
        return
    for row in rows:
        yield _sse(int(row["id"]), str(row["event_type"]), dict(row["payload"]))


def _before(event_id: int | None, floor: int) -> bool:
    """Stored at or below ``floor``: before a stream that started live began."""
    return event_id is not None and event_id <= floor


async def session_list_stream(
    pool: Pool,
    hub: EventHub,
    after: int | None,
    *,
    sub: Subscription | None = None,
    max_catchup: int = SseConfig().max_catchup_events,
) -> AsyncIterator[ServerSentEvent]:
    """Replay after ``after`` (from the current head when None), then live.

    The subscription comes first, so nothing falls between replay and live delivery. Events of
    different sessions may commit out of id order, so duplicates are recognised by the ids recently
    replayed rather than by "not above the last id", which could drop a late commit.
    """
    if sub is None:
        sub = hub.subscribe(ALL_SESSIONS)
    recent: dict[int, None] = {}

    def remember(event_id: int) -> None:
        recent[event_id] = None
        if len(recent) > _DEDUPE_WINDOW:
            del recent[next(iter(recent))]

    try:
        last = await patiently(functools.partial(queries.latest_event_id, pool)) if after is None else after
        # Starting live (no id): an event at or below the head was stored before this stream began;
        # the hub may still be delivering it. Skip it, as a replay from that head would.
        floor = last if after is None else 0
        while True:
            async for event in _catch_up(pool, last, max_catchup):
                last = int(str(event.id))
                remember(last)
                yield event
            while not sub.overflowed:
                live = await sub.queue.get()
                if live.type not in LIST_EVENT_TYPES or live.id in recent or _before(live.id, floor):
                    continue
                if live.id is not None:
                    remember(live.id)
                    last = max(last, live.id)
                yield _sse(live.id, live.type, live.data)
            sub.overflowed = False  # fell behind the live feed: resync from the log
    finally:
        hub.unsubscribe(sub)


@router.get("/{session_id}/summary", response_model=SessionStats, responses=error_responses(404, 422))
async def session_summary(session_id: str, services: ServicesDep) -> dict[str, Any]:
    """Durations, token totals per stage and agent, and record counts of one session."""
    row = await load_session(services.pool, session_id)
    sid = str(row["id"])
    stages = await repo.list_stages(services.pool, sid)
    counts = await queries.record_counts(services.pool, sid)
    stage_out = []
    for stage in stages:
        agents = [
            {
                "execution_id": str(e["id"]),
                "agent_name": e["agent_name"],
                "status": e["status"],
                "duration_ms": _ms(e["started_at"], e["completed_at"]),
                "tokens": _tokens([e]),
            }
            for e in stage["executions"]
        ]
        stage_out.append(
            {
                "stage_id": str(stage["id"]),
                "stage_index": stage["stage_index"],
                "name": stage["name"],
                "stage_type": stage["stage_type"],
                "status": stage["status"],
                "duration_ms": _ms(stage["started_at"], stage["completed_at"]),
                "tokens": _tokens(stage["executions"]),
                "agents": agents,
            }
        )
    return {
        "session_id": sid,
        "status": row["status"],
        "durations": {
            "queue_ms": _ms(row["created_at"], row["started_at"]),
            "run_ms": _ms(row["started_at"], row["completed_at"]),
            "total_ms": _ms(row["created_at"], row["completed_at"]),
        },
        "tokens": _tokens([e for s in stages for e in s["executions"]]),
        "stages": stage_out,
        "counts": {
            "stages": len(stages),
            "executions": sum(len(s["executions"]) for s in stages),
            **{k: int(v) for k, v in counts.items()},
        },
    }


def _ms(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int((end - start).total_seconds() * 1000)


def _tokens(executions: Iterable[Row]) -> dict[str, int]:
    rows = list(executions)
    return {
        "input": sum(int(e["input_tokens"]) for e in rows),
        "output": sum(int(e["output_tokens"]) for e in rows),
        "thinking": sum(int(e["thinking_tokens"]) for e in rows),
        "total": sum(int(e["total_tokens"]) for e in rows),
    }
