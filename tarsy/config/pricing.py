"""Price keys of ``tarsy.yaml`` and ``llm-providers.yaml``: overrides and promotions (docs/cost.md).

Prices are US dollars per million tokens. A model's price comes from, first to last: its
provider's ``pricing``, ``pricing.models``, the price table bundled with TARSy
(``tarsy/llm/prices.yaml``); a promotion in effect on the day of the call then applies on top.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from tarsy.config.base import StrictModel

MAX_PRICE = 10_000.0
"""Dollars per million tokens; anything above is a typo (no model costs that much)."""


class PriceTier(StrictModel):
    """Prices of a call whose prompt is longer than ``above_input_tokens`` (e.g. Gemini 2.5 Pro > 200k)."""

    above_input_tokens: int = Field(ge=1)
    input: float = Field(ge=0, le=MAX_PRICE)
    output: float = Field(ge=0, le=MAX_PRICE)
    cached_input: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    reasoning: float | None = Field(default=None, ge=0, le=MAX_PRICE)


class ModelPrice(StrictModel):
    """List prices of one model; cached input defaults to input, reasoning to output."""

    input: float = Field(ge=0, le=MAX_PRICE)
    output: float = Field(ge=0, le=MAX_PRICE)
    cached_input: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    reasoning: float | None = Field(default=None, ge=0, le=MAX_PRICE)
    tiers: list[PriceTier] = Field(default_factory=list, max_length=10)
    """Higher prices for long prompts; the tier with the highest threshold the prompt exceeds applies."""


class Promotion(StrictModel):
    """A discount on a model for a date range (inclusive, UTC): a ``factor`` on its price, or a ``price``."""

    model: str = Field(min_length=1)
    provider: str | None = None
    """Only calls through this provider (by name); every provider of the model when unset."""
    starts: date
    ends: date
    factor: float | None = Field(default=None, ge=0, le=1)
    price: ModelPrice | None = None

    @model_validator(mode="after")
    def _one_discount(self) -> Promotion:
        if (self.factor is None) == (self.price is None):
            raise ValueError("a promotion needs exactly one of factor or price")
        if self.ends < self.starts:
            raise ValueError("a promotion's ends is before its starts")
        return self


class PricingConfig(StrictModel):
    """The ``pricing`` section of ``tarsy.yaml``: price overrides by model name, time-limited promotions."""

    models: dict[str, ModelPrice] = Field(default_factory=dict)
    """Prices by model name, over the bundled table (a name not in it adds a model)."""
    promotions: list[Promotion] = Field(default_factory=list, max_length=100)
