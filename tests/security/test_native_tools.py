"""Gemini's built-in tools (Google Search, URL context, code execution) are off unless an agent
turns them on, and never reach the executive summary or a tool-result summary.

The real ``ChatGoogleGenerativeAI`` talks to the Gemini wire fake; the tests read the ``tools`` of
each request it received. On the old main Google Search and URL context went out on every call
without function tools, the summaries included.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tarsy.config import TarsyConfig
from tarsy.contracts import ToolScope
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.summarize import Summarizer, SummaryRequest
from tests.wire.fake_vendor import FakeVendor, Recorded
from tests.wire.gemini_wire import GeminiWire
from tests.wire.harness import KEY, KEY_ENV, PROVIDER, no_tools, run_alert, write_config
from tests.wire.script import Scenario, Turn, Usage

pytestmark = [pytest.mark.integration]

MODEL = "gemini-2.5-flash"
ALL_NATIVE = ["google_search", "code_execution", "url_context"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(GeminiWire()).serving() as fake:
        yield fake


def _provider(fake: FakeVendor) -> dict[str, Any]:
    return {"type": "google", "model": MODEL, "base_url": fake.base_url}


def _native_kinds(request: Recorded) -> list[str]:
    """The built-in tool entries of a request (function declarations left aside)."""
    return [kind for entry in request.body.get("tools", []) for kind in entry if kind != "functionDeclarations"]


def _answer(text: str) -> Turn:
    return Turn(usage=Usage(input=50, output=10), text=text)


async def test_no_agent_and_no_summary_gets_native_tools_by_default(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    fake.play(_answer("The pod is OOMKilled."), _answer("OOMKilled; raise the limit."))
    config = write_config(tmp_path, _provider(fake))

    run = await run_alert(config, database_url, fake, tools=no_tools())

    assert run.session["status"] == "completed", run.session["error_message"]
    investigation, summary = fake.requests
    assert _native_kinds(investigation) == []
    assert _native_kinds(summary) == []


async def test_an_agent_that_turns_them_on_gets_them_and_the_executive_summary_does_not(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    scenario = Scenario.load("native_tools")
    fake.play(*scenario.turns)
    agent = {
        "mcp_servers": ["kubernetes-server"],
        "custom_instructions": "You investigate.",
        "native_tools": ALL_NATIVE,
    }
    config = write_config(tmp_path, _provider(fake), agents={"KubernetesAgent": agent})

    run = await run_alert(config, database_url, fake, tools=no_tools())

    assert run.session["status"] == "completed", run.session["error_message"]
    investigation, summary = fake.requests
    assert _native_kinds(investigation) == ["googleSearch", "codeExecution", "urlContext"]
    assert "Write the executive summary" in str(summary.body["contents"])
    assert _native_kinds(summary) == []


async def test_an_executive_summary_agent_cannot_turn_them_on(
    tmp_path: Path, database_url: str, fake: FakeVendor
) -> None:
    fake.play(_answer("The pod is OOMKilled."), _answer("OOMKilled; raise the limit."))
    summary_agent = {"type": "exec_summary", "custom_instructions": "Summarize.", "native_tools": ALL_NATIVE}
    config = write_config(tmp_path, _provider(fake), agents={"ExecSummaryAgent": summary_agent})

    run = await run_alert(config, database_url, fake, tools=no_tools())

    assert run.session["status"] == "completed", run.session["error_message"]
    assert [_native_kinds(r) for r in fake.requests] == [[], []]


async def test_a_tool_result_summary_never_gets_them(fake: FakeVendor) -> None:
    config = TarsyConfig.model_validate(
        {"llm_providers": {PROVIDER: {**_provider(fake), "api_key_env": KEY_ENV, "max_retries": 0}}}
    )
    recorder = MemoryRecorder()
    summarizer = Summarizer(ModelFactory(config, env={KEY_ENV: KEY}), recorder, context=None, fallback_max_chars=500)
    request = SummaryRequest(
        name="kubernetes-server.pods_log",
        server="kubernetes-server",
        tool="pods_log",
        arguments={"name": "api-1"},
        text="line\n" * 5000,
        provider=PROVIDER,
        max_tokens=100,
    )

    await summarizer.summarize(request, ToolScope("stage", "exec", None, None))

    # The summarizer's one-shot call is not streamed, so the fake refuses it (and the agent gets
    # the cut result); what matters here is what the real client sent.
    [sent] = fake.requests
    assert sent.path.endswith(f"{MODEL}:generateContent")
    assert "line" in str(sent.body["contents"])
    assert "tools" not in sent.body
