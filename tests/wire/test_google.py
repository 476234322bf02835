"""``type: google`` through the real ``ChatGoogleGenerativeAI``: thoughts, function calls, native tools."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.wire import expect
from tests.wire.fake_vendor import FakeVendor, Recorded
from tests.wire.gemini_wire import GeminiWire
from tests.wire.harness import KEY, POD_LISTING, TOOL_WIRE_NAME, no_tools, run_alert, write_config
from tests.wire.script import Failure, Scenario, Stall

pytestmark = [pytest.mark.integration]

MODEL = "gemini-2.5-flash"


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(GeminiWire()).serving() as fake:
        yield fake


def provider(fake: FakeVendor, **settings: Any) -> dict[str, Any]:
    return {"type": "google", "model": MODEL, "base_url": fake.base_url, **settings}


def native_agent(*native_tools: str) -> dict[str, Any]:
    """The default chain's agent (replacing the built-in one) with Gemini's built-in tools switched on."""
    agent = {"mcp_servers": ["kubernetes-server"], "custom_instructions": "You investigate."}
    return {"KubernetesAgent": {**agent, "native_tools": list(native_tools)}}


def tool_kinds(request: Recorded) -> list[str]:
    """Each entry of ``tools`` by kind: ``googleSearch``, ``codeExecution``, ``functionDeclarations:<names>``."""
    kinds = []
    for entry in request.body.get("tools", []):
        for kind, value in entry.items():
            names = [f["name"] for f in value] if kind == "functionDeclarations" else []
            kinds.append(f"{kind}:{','.join(names)}" if names else kind)
    return kinds


def thinking_config(request: Recorded) -> dict[str, Any]:
    """The JSON API accepts either spelling; the SDK currently sends snake_case."""
    raw: dict[str, Any] = request.body["generationConfig"]["thinkingConfig"]
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower(): value for key, value in raw.items()}


async def test_thoughts_and_function_calling(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(fake, thinking_budget=1024))

    run = await run_alert(config, database_url, fake)

    expect.investigation_stored(run, scenario, model=MODEL)
    expect.investigation_streamed(run, scenario)
    assert fake.remaining == 0
    first, second, summary = fake.requests
    for request in (first, second, summary):
        assert re.fullmatch(rf"/v1(beta)?/models/{MODEL}:streamGenerateContent", request.path), request.path
        assert request.query == {"alt": "sse"}
        assert request.headers["x-goog-api-key"] == KEY
        assert thinking_config(request) == {"include_thoughts": True, "thinking_budget": 1024}
    # The agent's calls carry its functions; Gemini's built-in tools are off unless an agent turns
    # them on, so the executive summary carries no tools at all.
    assert tool_kinds(first) == [f"functionDeclarations:{TOOL_WIRE_NAME}"]
    assert tool_kinds(second) == tool_kinds(first)
    assert tool_kinds(summary) == []

    call = scenario.turns[0].tool_calls[0]
    model_turn, user_turn = second.body["contents"][-2:]
    assert model_turn["role"] == "model"
    thought, text, function_call = model_turn["parts"]
    assert thought == {"text": scenario.turns[0].thinking, "thought": True}
    assert text == {"text": scenario.turns[0].text}
    assert function_call["functionCall"] == {"name": call.name, "args": call.args}
    [response] = user_turn["parts"]
    assert response["functionResponse"]["name"] == call.name
    assert response["functionResponse"]["response"] == {"output": POD_LISTING}


async def test_function_call_thought_signature_is_sent_back(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    scenario = Scenario.load("investigation")
    fake.play(*scenario.turns)
    config = write_config(tmp_path, provider(fake))

    await run_alert(config, database_url, fake)

    function_call = fake.requests[1].body["contents"][-2]["parts"][-1]
    assert function_call.get("thoughtSignature") == scenario.turns[0].signature


async def test_native_tools_become_timeline_events(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    scenario = Scenario.load("native_tools")
    fake.play(*scenario.turns)
    config = write_config(
        tmp_path, provider(fake, thinking_level="low"), agents=native_agent("google_search", "code_execution")
    )

    run = await run_alert(config, database_url, fake, tools=no_tools())

    answer = scenario.turns[0]
    assert run.session["status"] == "completed", run.session["error_message"]
    assert run.session["final_analysis"] == answer.text
    assert tool_kinds(fake.requests[0]) == ["googleSearch", "codeExecution"]
    assert thinking_config(fake.requests[0]) == {"include_thoughts": True, "thinking_level": "LOW"}

    [code] = run.created("code_execution")
    assert code["metadata"] == {"code": answer.code[0].code, "output": answer.code[0].output}
    assert answer.code[0].code in code["content"] and answer.code[0].output in code["content"]
    [search] = run.created("google_search_result")
    assert search["metadata"] == {
        "queries": list(answer.searches),
        "sources": [{"title": s.title, "uri": s.uri} for s in answer.sources],
    }
    for source in answer.sources:
        assert f"[{source.title}]({source.uri})" in search["content"]
    [row, _] = run.interactions
    assert row["tools"] == []
    assert (row["input_tokens"], row["output_tokens"], row["thinking_tokens"]) == (900, 200, 60)


async def test_an_alert_switches_native_tools_off_for_its_session(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    scenario = Scenario.load("native_tools")
    fake.play(*scenario.turns, *scenario.turns)
    config = write_config(tmp_path, provider(fake), agents=native_agent("google_search", "code_execution"))
    switched = {"mcp": {"native_tools": {"code_execution": False, "google_search": True}}}

    run = await run_alert(config, database_url, fake, tools=no_tools(), alert=switched)

    assert run.session["status"] == "completed", run.session["error_message"]
    assert run.session["mcp_selection"] == {
        "servers": None,
        "native_tools": {"google_search": True, "code_execution": False, "url_context": None},
    }
    assert tool_kinds(fake.requests[0]) == ["googleSearch"]
    # The agent's own setting is untouched for the next session.
    first = len(fake.requests)
    await run_alert(config, database_url, fake, tools=no_tools())
    assert tool_kinds(fake.requests[first]) == ["googleSearch", "codeExecution"]


async def test_rate_limit_then_success_is_retried(tmp_path: Path, database_url: str, fake: FakeVendor) -> None:
    scenario = Scenario.load("investigation")
    fake.play(Failure(429, "Resource has been exhausted"), *scenario.turns)
    config = write_config(tmp_path, provider(fake, max_retries=1))

    run = await run_alert(config, database_url, fake)

    assert run.session["status"] == "completed", run.session["error_message"]
    assert len(fake.requests) == 4


@pytest.mark.parametrize(
    ("entries", "max_retries", "category"),
    [
        pytest.param([Failure(401, "API key not valid. Please pass a valid API key.")], 2, "credentials", id="401"),
        pytest.param([Failure(403, "Permission denied on resource project")], 2, "credentials", id="403"),
        pytest.param([Failure(429, "Resource has been exhausted")] * 2, 1, "rate_limit", id="429-exhausted"),
        pytest.param(
            [Failure(400, "Function calling with a response mime type is unsupported")],
            2,
            "invalid_request",
            id="400",
        ),
        pytest.param([Failure(500, "Internal error encountered")] * 2, 1, "provider_down", id="500-exhausted"),
        pytest.param([Stall(3)], 0, "timeout", id="timeout"),
    ],
)
async def test_failures_name_the_provider_and_the_category(
    tmp_path: Path,
    database_url: str,
    fake: FakeVendor,
    entries: list[Failure | Stall],
    max_retries: int,
    category: str,
) -> None:
    fake.play(*entries)
    config = write_config(tmp_path, provider(fake, max_retries=max_retries, timeout="1s"))

    run = await run_alert(config, database_url, fake)

    expect.failed_with(run, category)
    assert len(fake.requests) == len(entries)


async def test_a_setting_the_sdk_rejects_fails_the_session_by_name(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    config = write_config(tmp_path, provider(fake, thinking_level="extreme"))

    run = await run_alert(config, database_url, fake)

    assert run.session["status"] == "failed"
    assert "provider 'wire-provider' (gemini-2.5-flash) has a setting its SDK rejects" in run.session["error_message"]
    assert "thinking_level" in run.session["error_message"]
    assert fake.requests == []
