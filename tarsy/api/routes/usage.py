"""Usage and cost of model calls over a time range (docs/cost.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Query

from tarsy.api.deps import ServicesDep
from tarsy.api.history_schemas import error_responses
from tarsy.api.routes.history import OptionalDatetime
from tarsy.api.usage_schemas import UsageSummary
from tarsy.errors import InvalidInputError
from tarsy.store import usage as store
from tarsy.store.usage import GroupBy

router = APIRouter(prefix="/api/v1/usage", tags=["usage"])

DEFAULT_RANGE: Final = timedelta(days=30)
MAX_RANGE: Final = timedelta(days=366)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _range(start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """[start, end): by default the 30 days up to now; at most 366 days."""
    to = _aware(end) if end is not None else datetime.now(UTC)
    since = _aware(start) if start is not None else to - DEFAULT_RANGE
    if since >= to:
        raise InvalidInputError(f"from ({since.isoformat()}) must be before to ({to.isoformat()})")
    if to - since > MAX_RANGE:
        raise InvalidInputError(f"the range from {since.isoformat()} to {to.isoformat()} exceeds 366 days")
    return since, to


@router.get("/summary", response_model=UsageSummary, responses=error_responses(400, 422))
async def usage_summary(
    services: ServicesDep,
    start: Annotated[
        OptionalDatetime,
        Query(alias="from", description="ISO 8601; calls made at or after it (UTC if no zone); default: to - 30 days"),
    ] = None,
    end: Annotated[
        OptionalDatetime,
        Query(alias="to", description="ISO 8601; calls made before it (UTC if no zone); default: now"),
    ] = None,
    group_by: Annotated[GroupBy, Query(description="Group the calls by UTC day, chain, model or author")] = "day",
) -> dict[str, Any]:
    """Tokens and estimated cost of the model calls made in a time range (at most 366 days), grouped."""
    since, to = _range(start, end)
    totals, groups = await store.usage_summary(services.pool, since, to, group_by)
    return {"start": since, "end": to, "group_by": group_by, "totals": totals, "groups": groups}
