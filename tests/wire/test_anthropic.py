"""``type: anthropic`` through the real ``ChatAnthropic``: extended thinking, tool use, errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.wire import expect
from tests.wire.anthropic_wire import MessagesWire
from tests.wire.fake_vendor import FakeVendor, Recorded
from tests.wire.harness import KEY, POD_LISTING, TOOL_WIRE_NAME, run_alert, write_config
from tests.wire.script import Failure, Scenario, Stall

pytestmark = [pytest.mark.integration]

MODEL = "claude-sonnet-4-6"


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(MessagesWire()).serving() as fake:
        yield fake


def provider(fake: FakeVendor, **settings: Any) -> dict[str, Any]:
    return {"type": "anthropic", "model": MODEL, "base_url": fake.base_url, **settings}


def api_key_sent(request: Recorded) -> str:
    """The SDK authenticates with ``x-api-key`` or, in newer versions, a bearer token."""
    return request.headers.get("x-api-key") or request.headers.get("authorization", "").removeprefix("Bearer ")


async def test_thinking_and_tool_use(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(fake, thinking_budget=2048))

    run = await run_alert(config, database_url, fake)

    expect.investigation_stored(run, scenario, model=MODEL, thinking_tokens=False)
    expect.investigation_streamed(run, scenario)
    assert fake.remaining == 0
    first, second, summary = fake.requests
    for request in (first, second, summary):
        assert api_key_sent(request) == KEY
        assert request.headers["anthropic-version"]
        assert request.body["stream"] is True
        assert request.body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert request.body["max_tokens"] == 8192 + 2048
        assert "temperature" not in request.body
    assert [t["name"] for t in first.body["tools"]] == [TOOL_WIRE_NAME]
    assert set(first.body["tools"][0]["input_schema"]["properties"]) == {"namespace", "label_selector"}
    assert "tools" not in summary.body

    # The thinking block goes back signed, before the tool use, and the tool result answers it.
    call = scenario.turns[0].tool_calls[0]
    assistant, user = second.body["messages"][-2:]
    thinking, text, tool_use = assistant["content"]
    assert thinking == {
        "type": "thinking",
        "thinking": scenario.turns[0].thinking,
        "signature": scenario.turns[0].signature,
    }
    assert text["text"] == scenario.turns[0].text
    assert (tool_use["type"], tool_use["id"], tool_use["name"], tool_use["input"]) == (
        "tool_use",
        call.id,
        call.name,
        call.args,
    )
    [result] = user["content"]
    assert (result["type"], result["tool_use_id"], result["content"]) == ("tool_result", call.id, POD_LISTING)
    assert result.get("is_error") is False


async def test_without_thinking_budget_no_thinking_is_requested(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    scenario = Scenario.load("investigation")
    fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(fake, temperature=0.2, max_tokens=4000))

    run = await run_alert(config, database_url, fake)

    assert run.session["status"] == "completed", run.session["error_message"]
    assert "thinking" not in fake.requests[0].body
    assert fake.requests[0].body["temperature"] == 0.2
    assert fake.requests[0].body["max_tokens"] == 4000


async def test_overloaded_then_success_is_retried(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    fake.play(Failure(529, "Overloaded"), Failure(429), *scenario.turns)
    config = write_config(tmp_path, provider(fake, max_retries=2))

    run = await run_alert(config, database_url, fake)

    assert run.session["status"] == "completed", run.session["error_message"]
    assert len(fake.requests) == 5


@pytest.mark.parametrize(
    ("failures", "max_retries", "category"),
    [
        pytest.param([Failure(401, "invalid x-api-key")], 3, "credentials", id="401"),
        pytest.param([Failure(429, "Number of request tokens has exceeded your rate limit")] * 3, 2, "rate_limit"),
        pytest.param([Failure(400, "max_tokens: must be greater than thinking.budget_tokens")], 3, "invalid_request"),
        pytest.param([Failure(529, "Overloaded")] * 2, 1, "provider_down", id="529-exhausted"),
        pytest.param([Stall(3)], 0, "timeout", id="timeout"),
    ],
)
async def test_failures_name_the_provider_and_the_category(
    tmp_path: Path,
    database_url: str,
    fake: FakeVendor,
    failures: list[Failure | Stall],
    max_retries: int,
    category: str,
) -> None:
    fake.play(*failures)
    config = write_config(tmp_path, provider(fake, max_retries=max_retries, timeout="1s"))

    run = await run_alert(config, database_url, fake)

    expect.failed_with(run, category)
    assert len(fake.requests) == len(failures)


async def test_conflicting_thinking_settings_fail_before_any_request(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    config = write_config(tmp_path, provider(fake, thinking_budget=4096, max_tokens=4096))

    run = await run_alert(config, database_url, fake)

    assert run.session["status"] == "failed"
    assert "max_tokens 4096 <= thinking_budget 4096" in run.session["error_message"]
    assert fake.requests == []
