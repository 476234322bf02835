"""Model output, tool call arguments and provider errors are masked before they are stored,
streamed, kept in the graph state or sent back to the model (holes: model output, tool arguments in
timeline metadata and the trace, provider error messages, a secret split across streamed chunks)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tarsy.errors import ProviderError
from tarsy.nodes.memory_recorder import MemoryRecorder
from tests.unit.agent.factories import AgentRun, SentMessages, call, make_config, run_script, write_script

pytestmark = [pytest.mark.asyncio]

# From tests/unit/masking/corpus (github_tokens.yaml, mixed_pod_logs.yaml).
GITHUB_TOKEN = "ghp_Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32"
SLACK_TOKEN = "xoxb-5555555555-6666666666666-QwErTyUiOpAsDfGhJkLzXcVb"
PROVIDER_KEY = "sk_live_51HleakProviderKey000000000000"


class DeltaRecorder(MemoryRecorder):
    """Keeps every live delta as it was streamed (the memory recorder only keeps their sum)."""

    def __init__(self) -> None:
        super().__init__()
        self.deltas: list[str] = []

    async def timeline_delta(self, event_id: str, delta: str) -> None:
        self.deltas.append(delta)
        await super().timeline_delta(event_id, delta)


TURNS: list[dict[str, Any]] = [
    {
        "thinking": f"The token github_token={GITHUB_TOKEN} is in the alert.",
        "tool_calls": [call("pods_list", "c1", namespace=f"shop token={SLACK_TOKEN}")],
    },
    {"text": f"Root cause: the bot token {SLACK_TOKEN} leaked; rotate {GITHUB_TOKEN}."},
]


async def test_model_output_and_tool_arguments_are_masked_everywhere(tmp_path: Path) -> None:
    watch = SentMessages()
    config = make_config(write_script(tmp_path, TURNS))
    run = AgentRun(config, recorder=DeltaRecorder())
    await run.run(watch=watch)

    assert run.answer is not None and "[MASKED_SLACK_TOKEN]" in run.answer
    recorder = run.recorder
    assert isinstance(recorder, DeltaRecorder)
    # The script streams 7 characters at a time; the recorder saw windows that never split a secret.
    assert "".join(recorder.deltas).endswith(run.answer)
    places = {
        "final answer": run.answer,
        "streamed deltas": "".join(recorder.deltas),
        "each delta": "\n".join(recorder.deltas),
        "timeline": json.dumps(list(recorder.timeline.values())),
        "trace": json.dumps(
            [c.request_messages for c in recorder.llm_calls] + [c.response for c in recorder.llm_calls]
        ),
        "thinking": "".join(c.thinking for c in recorder.llm_calls),
        "model input": json.dumps(watch.calls),
        "tool arguments": json.dumps(run.tools.calls),
    }
    leaks = [f"{s[:8]}… in {where}" for where, text in places.items() for s in (GITHUB_TOKEN, SLACK_TOKEN) if s in text]
    assert leaks == []
    [tool_event] = run.timeline("llm_tool_call")
    assert tool_event["metadata"]["arguments"] == {"namespace": "shop token=[MASKED_SLACK_TOKEN]"}


async def test_a_provider_error_is_masked(tmp_path: Path) -> None:
    recorder = MemoryRecorder()
    config = make_config(write_script(tmp_path, [{"error": f"401 Unauthorized: api_key={PROVIDER_KEY}"}]))
    with pytest.raises(ProviderError) as raised:
        await AgentRun(config, recorder=recorder).run()
    assert PROVIDER_KEY not in str(raised.value)
    assert "api_key=[MASKED_API_KEY]" in str(raised.value)
    [failed] = recorder.llm_calls
    assert failed.error is not None and PROVIDER_KEY not in failed.error


async def test_masked_replies_still_drive_the_loop(tmp_path: Path) -> None:
    """Masking the reply keeps its tool calls: the loop runs the (masked) call and finishes."""
    run = await run_script(tmp_path, TURNS)
    assert run.tools.calls == [("pods_list", {"namespace": "shop token=[MASKED_SLACK_TOKEN]"})]
