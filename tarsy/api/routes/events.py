"""SSE endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from pydantic import Field
from pydantic.json_schema import SkipJsonSchema
from sse_starlette import EventSourceResponse

from tarsy.api.deps import ServicesDep
from tarsy.api.errors import ERROR_RESPONSES
from tarsy.api.openapi import event_stream_response
from tarsy.api.routes.sessions import load_session
from tarsy.api.sse import session_stream, stream_response, subscribe
from tarsy.errors import InvalidInputError

router = APIRouter(prefix="/api/v1/sessions", tags=["events"])

# A query parameter is absent or a value, never null; the bound sits on the integer so the OpenAPI
# schema carries it as ``minimum``.
OptionalEventId = Annotated[int, Field(ge=0)] | SkipJsonSchema[None]
OptionalHeader = str | SkipJsonSchema[None]


def _last_id(header: str | None, query: int | None) -> int:
    if header is None or not header.strip():
        return query or 0
    try:
        return max(0, int(header))
    except ValueError:
        raise InvalidInputError(f"Last-Event-ID must be an integer event id, got '{header}'") from None


@router.get(
    "/{session_id}/events",
    response_class=EventSourceResponse,
    responses={
        200: event_stream_response("SessionStreamEvent"),
        **{k: ERROR_RESPONSES[k] for k in (400, 404, 429)},
    },
)
async def session_events(
    session_id: str,
    services: ServicesDep,
    last_event_id: Annotated[OptionalHeader, Header(alias="Last-Event-ID")] = None,
    after: Annotated[
        OptionalEventId, Query(description="Replay events after this id (for clients without headers)")
    ] = None,
) -> EventSourceResponse:
    """Every persisted event of the session after ``Last-Event-ID``, then live events until it ends."""
    row = await load_session(services.pool, session_id)
    start = _last_id(last_event_id, after)
    sub = subscribe(services, str(row["id"]))
    return stream_response(services, sub, session_stream(services.pool, services.hub, str(row["id"]), start, sub))
