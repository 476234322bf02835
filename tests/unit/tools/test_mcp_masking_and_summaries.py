"""What leaves the tool layer is masked, and large results are summarized (or cut when that fails)."""

from __future__ import annotations

import base64
import dataclasses
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from pydantic import ValidationError

from tarsy.config import DataMaskingConfig, TarsyConfig
from tarsy.llm.factory import ModelFactory
from tarsy.masking import TOOL_RESULT_REDACTED
from tarsy.nodes.context import ToolOutcome, ToolRequest
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.limits import McpSettings
from tarsy.tools.sessions import McpSessions
from tests.fixtures.mcp.tiny_server import AWS_KEY, AWS_SECRET, DB_PASSWORD
from tests.unit.tools.factories import Lines, make_agent, make_config, scope, stdio_server, write_script

SECRETS = (AWS_KEY, AWS_SECRET, DB_PASSWORD, base64.b64encode(DB_PASSWORD.encode()).decode(), "hunter22hunter22")
MASKING = {"pattern_groups": ["kubernetes", "cloud"], "patterns": ["password"]}


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return value


def _leaks(*texts: Any) -> list[str]:
    blob = json.dumps([_plain(t) for t in texts], default=str)
    return [secret for secret in SECRETS if secret in blob]


@asynccontextmanager
async def _executor(config: TarsyConfig, recorder: MemoryRecorder) -> AsyncIterator[McpToolExecutor]:
    async with McpSessions(config, settings=McpSettings(fallback_max_chars=200)) as sessions:
        models = ModelFactory(config, env={})
        yield McpToolExecutor(config, sessions, recorder, models, context="Alert: disk pressure on node-7")


async def _call(
    tools: McpToolExecutor, config: TarsyConfig, name: str, sink: Lines | None = None, **args: Any
) -> ToolOutcome:
    return await tools.execute(make_agent(config), ToolRequest(name, args, "c1"), scope(sink))


async def _run(config: TarsyConfig, name: str, recorder: MemoryRecorder, **args: Any) -> ToolOutcome:
    async with _executor(config, recorder) as tools:
        return await _call(tools, config, name, **args)


async def test_a_secret_and_an_aws_key_are_masked_everywhere() -> None:
    config = make_config({"tiny": stdio_server(data_masking=MASKING)})
    recorder, lines = MemoryRecorder(), Lines()
    async with _executor(config, recorder) as tools:
        outcome = await _call(tools, config, "tiny.secret", lines)
        progress = await _call(tools, config, "tiny.slow", lines, seconds=0.1, note="password=hunter22hunter22")
    assert "[MASKED_AWS_KEY]" in outcome.content
    assert "[MASKED_AWS_SECRET]" in outcome.content
    assert "kind: Secret" in outcome.content, "the Secret's shape stays; only its data is hidden"
    assert "[MASKED_PASSWORD]" in lines.text
    assert _leaks(outcome, progress, lines.lines, recorder.mcp_calls, recorder.events, recorder.timeline) == []
    secret_call, slow_call = [r for r in recorder.mcp_calls if r.interaction_type == "tool_call"]
    assert secret_call.result == outcome.content, "the stored result is the masked one"
    assert slow_call.arguments == {"seconds": 0.1, "note": "password=[MASKED_PASSWORD]"}


async def test_without_masking_the_output_is_passed_through() -> None:
    config = make_config({"tiny": stdio_server(data_masking={"enabled": False})})
    outcome = await _run(config, "tiny.secret", MemoryRecorder())
    assert AWS_KEY in outcome.content


async def test_an_unusable_masking_config_is_refused_and_redacts_instead_of_leaking() -> None:
    with pytest.raises(ValidationError, match="unknown masking group 'no-such-group'"):
        make_config({"tiny": stdio_server(data_masking={"pattern_groups": ["no-such-group"]})})
    # Built around validation (model_construct), an unusable policy still redacts rather than leaks.
    valid = make_config({"tiny": stdio_server()})
    broken = DataMaskingConfig.model_construct(
        enabled=True, pattern_groups=["no-such-group"], patterns=[], custom_patterns=[]
    )
    server = valid.mcp_servers["tiny"].model_copy(update={"data_masking": broken})
    config = valid.model_copy(update={"mcp_servers": {"tiny": server}})
    recorder = MemoryRecorder()
    outcome = await _run(config, "tiny.secret", recorder)
    assert outcome.content == TOOL_RESULT_REDACTED
    assert recorder.mcp_calls[-1].result == TOOL_RESULT_REDACTED


async def test_a_large_result_is_summarized_by_the_agents_model(tmp_path: Path) -> None:
    script = write_script(
        tmp_path,
        [{"text": "an answer for some other agent"}],
        ToolResultSummarizer=[{"text": "summary: 400 nominal lines"}],  # scripts can address the summarizer
    )
    summarization = {"size_threshold_tokens": 100, "summary_max_token_limit": 50}
    config = make_config({"tiny": stdio_server(summarization=summarization)}, script=script)
    recorder = MemoryRecorder()
    outcome = await _run(config, "tiny.big", recorder, lines=400)

    assert outcome.summarized and not outcome.is_error
    tokens = outcome.metadata["original_tokens"]
    assert tokens > 100
    assert outcome.content.startswith(f"[NOTE: The output of tiny.big was {tokens} tokens and has been summarized")
    assert outcome.content.endswith("\nsummary: 400 nominal lines")
    [call] = [r for r in recorder.mcp_calls if r.interaction_type == "tool_call"]
    assert call.result is not None and call.result.count("\n") == 399, "the full (masked) result is stored"
    [llm] = recorder.llm_calls
    assert (llm.interaction_type, llm.provider, llm.model, llm.tools) == (
        "summarization",
        "test-scripted",
        "scripted-test-model",
        [],
    )
    prompt = llm.request_messages[1]["content"]
    assert "Alert: disk pressure on node-7" in prompt
    assert 'Tool: tiny.big\nArguments: {"lines": 400}' in prompt
    assert "line 00399: all systems nominal" in prompt
    assert "at most 50 tokens" in llm.request_messages[0]["content"]
    [summary] = [e for e in recorder.timeline.values() if e["event_type"] == "mcp_tool_summary"]
    assert summary["content"] == "summary: 400 nominal lines"
    assert summary["metadata"] == {
        "server": "tiny",
        "tool": "big",
        "original_tokens": tokens,
        "tool_call_event_id": "event-1",
    }


async def test_a_small_result_is_not_summarized(tmp_path: Path) -> None:
    config = make_config({"tiny": stdio_server(summarization={"size_threshold_tokens": 100})})
    recorder = MemoryRecorder()
    outcome = await _run(config, "tiny.big", recorder, lines=3)
    assert not outcome.summarized
    assert recorder.llm_calls == []


class _BrokenModels:
    """A model provider whose model cannot be built (a provider outage, say)."""

    def model_for(self, provider_name: str) -> BaseChatModel:
        raise ConnectionError("provider down")

    def model_name(self, provider_name: str) -> str:
        return "broken-model"


async def test_when_summarizing_fails_the_result_is_cut_instead() -> None:
    config = make_config({"tiny": stdio_server(summarization={"size_threshold_tokens": 100})})
    recorder = MemoryRecorder()
    async with McpSessions(config, settings=McpSettings(fallback_max_chars=200)) as sessions:
        tools = McpToolExecutor(config, sessions, recorder, _BrokenModels())
        outcome = await tools.execute(make_agent(config), ToolRequest("tiny.big", {"lines": 400}, "c1"), scope())
    assert not outcome.summarized and not outcome.is_error
    body, note = outcome.content.rsplit("\n[NOTE: ", 1)
    assert len(body) <= 202
    assert note.startswith("The output of tiny.big was") and "summarizing it failed" in note
    [llm] = recorder.llm_calls
    assert llm.interaction_type == "summarization" and llm.error == "ConnectionError: provider down"


@pytest.mark.parametrize("disabled", [{"enabled": False}, {"size_threshold_tokens": 1_000_000}])
async def test_summarization_can_be_off(disabled: dict[str, Any]) -> None:
    config = make_config({"tiny": stdio_server(summarization=disabled)})
    recorder = MemoryRecorder()
    outcome = await _run(config, "tiny.big", recorder, lines=400)
    assert not outcome.summarized and outcome.content.count("\n") == 399
