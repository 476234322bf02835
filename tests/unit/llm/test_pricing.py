"""Cost arithmetic against figures worked out by hand (prices in dollars per million tokens)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from langchain_core.messages import AIMessage

from tarsy.config.pricing import ModelPrice, PricingConfig, Promotion
from tarsy.contracts import LLMInteraction
from tarsy.llm.pricing import Pricer, Usage, bundled_prices, lookup, usd
from tarsy.llm.usage import estimate_tokens, token_fields
from tarsy.observability.metrics import Metrics

DAY = date(2026, 12, 5)


@pytest.fixture(scope="module")
def table() -> dict[str, ModelPrice]:
    return bundled_prices()


def test_the_bundled_table_prices_every_built_in_model(table: dict[str, ModelPrice]) -> None:
    for model in ("gemini-2.5-flash", "gemini-2.5-pro", "gpt-5.2", "claude-sonnet-4-5", "grok-4"):
        assert model in table


def test_cached_and_reasoning_tokens_have_their_own_rates(table: dict[str, ModelPrice]) -> None:
    # gemini-2.5-flash: 8,000 fresh x 0.30 + 2,000 cached x 0.03 + 600 answer x 2.50 + 400 thinking x 2.50
    usage = Usage(input_tokens=10_000, output_tokens=1_000, cached_tokens=2_000, reasoning_tokens=400)
    assert usd(usage, table["gemini-2.5-flash"]) == pytest.approx((2_400 + 60 + 1_500 + 1_000) / 1e6)  # 0.00496


def test_a_reasoning_price_applies_to_thinking_tokens_only() -> None:
    price = ModelPrice(input=1.0, output=2.0, reasoning=4.0)
    usage = Usage(input_tokens=1_000, output_tokens=1_000, reasoning_tokens=500)
    assert usd(usage, price) == pytest.approx(0.004)  # 1,000 x 1 + 500 x 2 + 500 x 4


def test_a_long_prompt_takes_the_higher_tier(table: dict[str, ModelPrice]) -> None:
    pro = table["gemini-2.5-pro"]
    # at the threshold: base prices, 200,000 x 1.25 + 2,000 x 10
    assert usd(Usage(200_000, 2_000), pro) == pytest.approx(0.27)
    # above it: 200,000 fresh x 2.50 + 50,000 cached x 0.25 + 2,000 x 15
    assert usd(Usage(250_000, 2_000, cached_tokens=50_000), pro) == pytest.approx(0.5425)


def test_the_highest_tier_passed_wins() -> None:
    price = ModelPrice.model_validate(
        {
            "input": 1,
            "output": 1,
            "tiers": [
                {"above_input_tokens": 1_000, "input": 2, "output": 2},
                {"above_input_tokens": 10_000, "input": 3, "output": 3},
            ],
        }
    )
    assert usd(Usage(20_000, 0), price) == pytest.approx(0.06)
    assert usd(Usage(5_000, 0), price) == pytest.approx(0.01)


def test_cached_tokens_never_exceed_the_prompt() -> None:
    price = ModelPrice(input=1.0, output=1.0, cached_input=0.1)
    assert usd(Usage(1_000, 0, cached_tokens=5_000), price) == pytest.approx(0.0001)


def test_a_dated_snapshot_takes_its_model_price_and_a_longer_name_wins(table: dict[str, ModelPrice]) -> None:
    assert lookup(table, "gpt-5.2-2025-12-11") == table["gpt-5.2"]
    assert lookup(table, "gemini-2.5-flash-lite") == table["gemini-2.5-flash-lite"]
    assert lookup(table, "gemini-2.5-flash-lite-preview-09-2025") == table["gemini-2.5-flash-lite"]
    assert lookup(table, "gpt-5.2x") is None


def test_an_unknown_model_costs_null_with_the_reason(table: dict[str, ModelPrice]) -> None:
    cost = Pricer(table).cost("local", "llama-3-70b", Usage(1_000, 1_000), DAY)
    assert cost.usd is None
    assert cost.note is not None and "llama-3-70b" in cost.note


def test_a_promotion_factor_applies_within_its_dates_only(table: dict[str, ModelPrice]) -> None:
    promo = Promotion(model="gpt-5.2", starts=date(2026, 12, 1), ends=date(2026, 12, 5), factor=0.5)
    pricer = Pricer(table, PricingConfig(promotions=[promo]))
    usage = Usage(100_000, 10_000)  # 100,000 x 1.75 + 10,000 x 14 = 0.315
    on = pricer.cost("openai-default", "gpt-5.2", usage, DAY)
    assert on.usd == pytest.approx(0.1575)
    assert on.note == "promotion 2026-12-01..2026-12-05"
    after = pricer.cost("openai-default", "gpt-5.2", usage, date(2026, 12, 6))
    assert after.usd == pytest.approx(0.315)
    assert after.note is None


def test_a_promotion_price_replaces_the_list_price_for_its_provider(table: dict[str, ModelPrice]) -> None:
    promo = Promotion(
        model="grok-4",
        provider="xai-default",
        starts=date(2026, 1, 1),
        ends=date(2026, 12, 31),
        price=ModelPrice(input=0.0, output=1.0),
    )
    pricer = Pricer(table, PricingConfig(promotions=[promo]))
    assert pricer.cost("xai-default", "grok-4", Usage(10_000, 1_000), DAY).usd == pytest.approx(0.001)
    # another provider of the same model pays list: 10,000 x 3 + 1,000 x 15
    assert pricer.cost("xai-eu", "grok-4", Usage(10_000, 1_000), DAY).usd == pytest.approx(0.045)


def test_overrides_a_provider_price_over_a_model_price_over_the_table(table: dict[str, ModelPrice]) -> None:
    pricing = PricingConfig(
        models={"gpt-5.2": ModelPrice(input=1.0, output=2.0), "my-model": ModelPrice(input=1, output=1)}
    )
    pricer = Pricer(table, pricing, {"cheap": ModelPrice(input=0.1, output=0.2), "other": None})
    usage = Usage(100_000, 10_000)
    assert pricer.cost("cheap", "gpt-5.2", usage, DAY).usd == pytest.approx(0.012)  # 100,000 x 0.1 + 10,000 x 0.2
    assert pricer.cost("other", "gpt-5.2", usage, DAY).usd == pytest.approx(0.12)  # 100,000 x 1 + 10,000 x 2
    assert pricer.cost("other", "my-model", usage, DAY).usd == pytest.approx(0.11)


def test_a_promotion_needs_one_discount_and_ordered_dates() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Promotion(model="m", starts=DAY, ends=DAY)
    with pytest.raises(ValueError, match="before"):
        Promotion(model="m", starts=DAY, ends=date(2026, 1, 1), factor=0.5)


def test_reported_usage_is_read_with_cached_and_reasoning_tokens() -> None:
    reply = AIMessage(
        content="ok",
        usage_metadata={
            "input_tokens": 1_200,
            "output_tokens": 300,
            "total_tokens": 1_500,
            "input_token_details": {"cache_read": 1_000},
            "output_token_details": {"reasoning": 200},
        },
    )
    assert token_fields(reply, prompt_chars=99_999) == {
        "input_tokens": 1_200,
        "output_tokens": 300,
        "thinking_tokens": 200,
        "cached_tokens": 1_000,
    }


def test_a_reply_without_usage_gets_an_estimate_marked_so() -> None:
    reply = AIMessage(content="x" * 9)
    fields = token_fields(reply, prompt_chars=4_001, thinking="y" * 3)
    assert fields == {"input_tokens": 1_001, "output_tokens": 3, "thinking_tokens": 0, "tokens_estimated": True}
    assert estimate_tokens(0) == 0


def test_the_prometheus_counter_adds_each_priced_call() -> None:
    metrics = Metrics()
    call = LLMInteraction(
        stage_id=None,
        execution_id=None,
        interaction_type="iteration",
        provider="google-default",
        model="gemini-2.5-flash",
        conversation_offset=0,
        request_messages=[],
        tools=[],
        response=None,
        thinking="",
        input_tokens=10,
        output_tokens=1,
        thinking_tokens=0,
        duration_ms=5,
    )
    metrics.llm_interaction(replace(call, cost_usd=0.25))
    metrics.llm_interaction(replace(call, cost_usd=0.5))
    metrics.llm_interaction(replace(call, cost_usd=None, cost_note="unpriced"))
    labels = {"provider": "google-default", "model": "gemini-2.5-flash"}
    assert metrics.registry.get_sample_value("tarsy_llm_cost_usd_total", labels) == pytest.approx(0.75)
