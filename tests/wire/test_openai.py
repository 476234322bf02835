"""``type: openai`` through the real ``ChatOpenAI``: Chat Completions, and the Responses API for reasoning."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.wire import expect
from tests.wire.fake_vendor import FakeVendor, Recorded
from tests.wire.harness import KEY, POD_LISTING, TOOL_WIRE_NAME, run_alert, write_config
from tests.wire.openai_wire import ChatCompletionsWire, ResponsesWire
from tests.wire.script import Failure, Scenario, Stall

pytestmark = [pytest.mark.integration]

MODEL = "gpt-5.2"


@pytest.fixture
async def chat_fake() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(ChatCompletionsWire()).serving() as fake:
        yield fake


@pytest.fixture
async def responses_fake() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(ResponsesWire()).serving() as fake:
        yield fake


def provider(fake: FakeVendor, **settings: Any) -> dict[str, Any]:
    return {"type": "openai", "model": MODEL, "base_url": f"{fake.base_url}/v1", **settings}


def function_names(request: Recorded) -> list[str]:
    """Chat Completions nests the function; the Responses API flattens it."""
    return [t["function"]["name"] if "function" in t else t["name"] for t in request.body.get("tools", [])]


async def test_chat_completions_investigation(tmp_path: Path, database_url: str, chat_fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    chat_fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(chat_fake))

    run = await run_alert(config, database_url, chat_fake)

    # Chat Completions carries no reasoning text, only the reasoning token count.
    no_thinking = Scenario([dataclasses.replace(t, thinking="") for t in scenario.turns])
    expect.investigation_stored(run, no_thinking, model=MODEL)
    expect.investigation_streamed(run, no_thinking)
    assert chat_fake.remaining == 0
    first, second, summary = chat_fake.requests
    for request in (first, second, summary):
        assert request.headers["authorization"] == f"Bearer {KEY}"
        assert request.body["model"] == MODEL
        assert request.body["stream"] is True
        assert request.body["stream_options"] == {"include_usage": True}
    assert function_names(first) == [TOOL_WIRE_NAME]
    schema = first.body["tools"][0]["function"]["parameters"]
    assert set(schema["properties"]) == {"namespace", "label_selector"}
    assert "tools" not in summary.body
    call_id = scenario.turns[0].tool_calls[0].id
    assistant, tool_result = second.body["messages"][-2:]
    assert assistant["tool_calls"][0]["id"] == call_id
    assert json.loads(assistant["tool_calls"][0]["function"]["arguments"]) == scenario.turns[0].tool_calls[0].args
    assert tool_result == {"role": "tool", "tool_call_id": call_id, "content": POD_LISTING}


async def test_reasoning_effort_streams_reasoning_summaries(
    tmp_path: Path, database_url: str, responses_fake: FakeVendor
) -> None:
    scenario = Scenario.load("investigation")
    responses_fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(responses_fake, reasoning_effort="medium"))

    run = await run_alert(config, database_url, responses_fake)

    expect.investigation_stored(run, scenario, model=MODEL)
    expect.investigation_streamed(run, scenario)
    first, second, _ = responses_fake.requests
    assert first.body["reasoning"] == {"effort": "medium", "summary": "auto"}
    assert function_names(first) == [TOOL_WIRE_NAME]
    call_id = scenario.turns[0].tool_calls[0].id
    by_type = {item.get("type"): item for item in second.body["input"]}
    assert by_type["reasoning"]["summary"][0]["text"] == scenario.turns[0].thinking
    assert by_type["function_call"]["call_id"] == call_id
    assert by_type["function_call_output"] == {
        "type": "function_call_output",
        "call_id": call_id,
        "output": POD_LISTING,
    }


async def test_rate_limit_is_retried_with_backoff(tmp_path: Path, database_url: str, chat_fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    first, *rest = scenario.turns
    chat_fake.play(Failure(429), Failure(503), first, *rest)
    config = write_config(tmp_path, provider(chat_fake, max_retries=2))

    run = await run_alert(config, database_url, chat_fake)

    assert run.session["status"] == "completed", run.session["error_message"]
    assert len(chat_fake.requests) == 5
    assert [r.headers.get("x-stainless-retry-count") for r in chat_fake.requests[:3]] == ["0", "1", "2"]


async def test_tarsy_retries_a_call_the_sdk_gave_up_on(
    tmp_path: Path, database_url: str, chat_fake: FakeVendor
) -> None:
    """``defaults.llm_retry`` sits on top of the SDK's ``max_retries``: with the SDK not retrying, a
    503 is retried by TARSy's RetryPolicy and the investigation completes."""
    scenario = Scenario.load("investigation")
    chat_fake.play(Failure(503, "The server is overloaded"), *scenario.turns)
    config = write_config(tmp_path, provider(chat_fake, max_retries=0), llm_attempts=2)

    run = await run_alert(config, database_url, chat_fake)

    assert run.session["status"] == "completed", run.session["error_message"]
    assert len(chat_fake.requests) == 1 + len(scenario.turns)


async def test_tarsy_does_not_retry_bad_credentials(tmp_path: Path, database_url: str, chat_fake: FakeVendor) -> None:
    chat_fake.play(Failure(401, "Incorrect API key provided"))
    config = write_config(tmp_path, provider(chat_fake, max_retries=0), llm_attempts=3)

    run = await run_alert(config, database_url, chat_fake)

    expect.failed_with(run, "credentials")
    assert len(chat_fake.requests) == 1


@pytest.mark.parametrize(
    ("entries", "max_retries", "category"),
    [
        pytest.param([Failure(401, "Incorrect API key provided")], 3, "credentials", id="401"),
        pytest.param([Failure(429, "Rate limit reached")] * 2, 1, "rate_limit", id="429-exhausted"),
        pytest.param([Failure(400, "Unsupported parameter: 'tools'")], 3, "invalid_request", id="400"),
        pytest.param([Failure(500, "The server had an error")] * 2, 1, "provider_down", id="500-exhausted"),
        pytest.param([Stall(3)], 0, "timeout", id="timeout"),
    ],
)
async def test_failures_name_the_provider_and_the_category(
    tmp_path: Path,
    database_url: str,
    chat_fake: FakeVendor,
    entries: list[Failure | Stall],
    max_retries: int,
    category: str,
) -> None:
    chat_fake.play(*entries)
    config = write_config(tmp_path, provider(chat_fake, max_retries=max_retries, timeout="1s"))

    run = await run_alert(config, database_url, chat_fake)

    expect.failed_with(run, category)
    assert len(chat_fake.requests) == len(entries), "retried exactly max_retries times, and only when retryable"
