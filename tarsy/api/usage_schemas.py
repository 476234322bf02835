"""Response model of ``GET /api/v1/usage/summary``."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from tarsy.store.usage import GroupBy


class UsageTotals(BaseModel):
    calls: int = Field(description="Model calls made in the range, failed ones included")
    sessions: int = Field(description="Sessions those calls belong to")
    input_tokens: int
    output_tokens: int
    thinking_tokens: int
    cached_tokens: int = Field(description="Prompt tokens read from a provider's cache (part of input_tokens)")
    cost_usd: float = Field(description="Estimated cost in US dollars of the priced calls (docs/cost.md)")
    estimated_calls: int = Field(description="Calls whose token counts are estimates (the provider reported none)")
    unpriced_calls: int = Field(description="Answered calls without a price: not in cost_usd")


class UsageGroup(UsageTotals):
    key: str = Field(description="The day (YYYY-MM-DD, UTC), chain id, model name or author of the group")


class UsageSummary(BaseModel):
    start: datetime = Field(description="Calls made at or after it")
    end: datetime = Field(description="Calls made before it")
    group_by: GroupBy
    totals: UsageTotals
    groups: list[UsageGroup] = Field(description="By day: oldest first; otherwise: most expensive first")
