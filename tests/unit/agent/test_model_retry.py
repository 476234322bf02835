"""Transient model failures are retried (``defaults.llm_retry``); permanent ones are not.

The model is a fake chat model that fails its first calls with LangChain's standard provider
errors, the way a provider SDK reports a 429 or a 401, and then answers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from langchain_core import exceptions as lc
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult

from tarsy.config import load_config_from_data
from tarsy.errors import ProviderError
from tarsy.nodes.agent import AgentInput, run_agent_loop
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tests.unit.agent.factories import PROVIDER, CannedTools, investigation_task, tarsy_doc

ANSWER = "Thought: I know enough.\nFinal Answer: OOMKilled."


class FlakyModel(BaseChatModel):
    """Raises ``failures`` one per call, then streams the answer."""

    failures: list[Exception]
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "flaky"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any
    ) -> ChatResult:
        raise NotImplementedError("streaming only")

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        yield ChatGenerationChunk(message=AIMessageChunk(content=ANSWER))


class Models:
    def __init__(self, model: FlakyModel) -> None:
        self.model = model

    def model_for(self, provider: str) -> BaseChatModel:
        return self.model

    def model_name(self, provider: str) -> str:
        return "flaky-1"


async def _run(model: FlakyModel, recorder: MemoryRecorder, attempts: int = 3) -> str:
    doc = tarsy_doc(strategy="react")
    doc["defaults"]["llm_retry"] = {"max_attempts": attempts, "initial_interval": 0}
    providers = {"llm_providers": {PROVIDER: {"type": "scripted", "script": "demo", "model": "x"}}}
    config = load_config_from_data(tarsy=doc, llm_providers=providers, env={})
    ctx = RunContext("session-1", config, recorder, Models(model), CannedTools().executor())  # type: ignore[arg-type]
    identity = {"role": "investigation", "chain_id": "test-chain", "stage_index": 0, "agent_index": 0}
    agent_input = AgentInput(agent=identity, stage_id="stage-1", execution_id="exec-1", task=investigation_task())
    return await run_agent_loop(ctx, agent_input)


async def test_a_rate_limited_call_is_retried_and_answers() -> None:
    model = FlakyModel(failures=[lc.ModelRateLimitError("429 slow down"), lc.ModelConnectionError("reset")])
    recorder = MemoryRecorder()

    assert await _run(model, recorder) == "OOMKilled."
    assert model.calls == 3
    assert [c.error for c in recorder.llm_calls] == [None], "one interaction: the call that answered"


async def test_an_authentication_failure_is_not_retried() -> None:
    model = FlakyModel(failures=[lc.ModelAuthenticationError("401 bad key")])
    recorder = MemoryRecorder()

    with pytest.raises(ProviderError, match="credentials"):
        await _run(model, recorder)
    assert model.calls == 1
    assert len(recorder.llm_calls) == 1 and recorder.llm_calls[0].error


async def test_retries_stop_at_max_attempts() -> None:
    model = FlakyModel(failures=[lc.ModelRateLimitError("429")] * 3)

    with pytest.raises(ProviderError, match="rate_limit"):
        await _run(model, MemoryRecorder(), attempts=2)
    assert model.calls == 2
