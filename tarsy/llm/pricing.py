"""What a model call cost, in US dollars, from its token counts and a price (docs/cost.md).

Token counts follow LangChain's ``usage_metadata``: ``input_tokens`` includes the cached ones,
``output_tokens`` includes the reasoning ones. Each part is billed at its own rate; a tier
(a long prompt) replaces all rates; a promotion scales the result or replaces the price.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any

import yaml
from pydantic import TypeAdapter

from tarsy.config import TarsyConfig
from tarsy.config.pricing import ModelPrice, PriceTier, PricingConfig, Promotion

PER_TOKENS = 1_000_000
"""Prices are per million tokens."""

_TABLE = TypeAdapter(dict[str, ModelPrice])


@dataclass(frozen=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cached_tokens: int = 0
    reasoning_tokens: int = 0


@dataclass(frozen=True)
class Cost:
    """``usd`` is None when the call could not be priced; ``note`` then says why."""

    usd: float | None
    note: str | None = None


def bundled_prices() -> dict[str, ModelPrice]:
    """The price table shipped in the package (``tarsy/llm/prices.yaml``)."""
    text = resources.files("tarsy.llm").joinpath("prices.yaml").read_text(encoding="utf-8")
    data: Any = yaml.safe_load(text)
    return _TABLE.validate_python(data["models"])


def _rates(price: ModelPrice, input_tokens: int) -> ModelPrice | PriceTier:
    """The tier with the highest threshold the prompt exceeds, else the base price."""
    tiers = [t for t in price.tiers if input_tokens > t.above_input_tokens]
    return max(tiers, key=lambda t: t.above_input_tokens) if tiers else price


def usd(usage: Usage, price: ModelPrice) -> float:
    """The list cost of ``usage`` at ``price``."""
    rates = _rates(price, usage.input_tokens)
    cached = min(max(usage.cached_tokens, 0), usage.input_tokens)
    reasoning = min(max(usage.reasoning_tokens, 0), usage.output_tokens)
    cached_rate = rates.input if rates.cached_input is None else rates.cached_input
    reasoning_rate = rates.output if rates.reasoning is None else rates.reasoning
    total = (
        (usage.input_tokens - cached) * rates.input
        + cached * cached_rate
        + (usage.output_tokens - reasoning) * rates.output
        + reasoning * reasoning_rate
    )
    return total / PER_TOKENS


def lookup(table: Mapping[str, ModelPrice], model: str) -> ModelPrice | None:
    """``model``'s entry, or that of the longest name it starts with followed by ``-`` (a snapshot)."""
    if model in table:
        return table[model]
    prefixes = [name for name in table if model.startswith(name + "-")]
    return table[max(prefixes, key=len)] if prefixes else None


class Pricer:
    """Prices model calls from the bundled table, ``pricing`` and providers' ``pricing``."""

    def __init__(
        self,
        table: Mapping[str, ModelPrice],
        pricing: PricingConfig | None = None,
        providers: Mapping[str, ModelPrice | None] | None = None,
    ) -> None:
        self._pricing = pricing or PricingConfig()
        self._table = {**table, **self._pricing.models}
        self._providers = {name: price for name, price in (providers or {}).items() if price is not None}

    def price_of(self, provider: str, model: str) -> ModelPrice | None:
        return self._providers.get(provider) or lookup(self._table, model)

    def promotion(self, provider: str, model: str, day: date) -> Promotion | None:
        """The first promotion that covers this call on ``day``."""
        for promo in self._pricing.promotions:
            covers = promo.model == model or model.startswith(promo.model + "-")
            if covers and promo.starts <= day <= promo.ends and promo.provider in (None, provider):
                return promo
        return None

    def cost(self, provider: str, model: str, usage: Usage, day: date) -> Cost:
        price = self.price_of(provider, model)
        if price is None:
            return Cost(None, f"no price for model {model!r} (add it to pricing.models)")
        promo = self.promotion(provider, model, day)
        if promo is not None and promo.price is not None:
            price = promo.price
        amount = usd(usage, price)
        if promo is not None and promo.factor is not None:
            amount *= promo.factor
        note = f"promotion {promo.starts}..{promo.ends}" if promo is not None else None
        return Cost(amount, note)


def config_pricer(config: TarsyConfig) -> Pricer:
    """The pricer of a loaded configuration, over the bundled table."""
    providers = {name: provider.pricing for name, provider in config.llm_providers.items()}
    return Pricer(bundled_prices(), config.pricing, providers)
