"""Streamed text is masked over a window that spans chunk boundaries: a secret split across two
chunks of live tool output or of a model's streamed reply does not survive (hole: live tool output
was masked chunk by chunk)."""

from __future__ import annotations

import itertools
import random

import pytest

from tarsy.config import TarsyConfig
from tarsy.masking import StreamMasker, build_policy, mask_tool_result, stream_masker
from tarsy.masking.outbound import OutputMasking
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.nodes.outbound import MaskedRecorder
from tarsy.tools.live_output import live_output
from tarsy.tools.redaction import ServerMasking
from tests.unit.masking.corpus import Case, load_cases

ALL = build_policy(["all"])
CASES = [case for case in load_cases() if case.secrets]
GITHUB_TOKEN = "ghp_Zy98Xw76Vu54Ts32Rq10Po98Nm76Lk54Ji32"  # tests/unit/masking/corpus/github_tokens.yaml
SERVER = {"transport": {"type": "stdio", "command": "true"}}  # no data_masking: defaults.tool_masking


def _streamed(text: str, cuts: list[int], window: int) -> str:
    masker = stream_masker(ALL, window)
    bounds = [0, *cuts, len(text)]
    return "".join(masker.feed(text[a:b]) for a, b in itertools.pairwise(bounds)) + masker.flush()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_no_corpus_secret_survives_any_split(case: Case) -> None:
    text = case.input
    whole = mask_tool_result(text, ALL)
    expected_gone = [s for s in case.secrets if s not in whole]  # what masking the whole text removes
    rng = random.Random(case.name)
    splits = [[cut] for cut in range(1, len(text), max(1, len(text) // 30))]
    splits += [sorted(rng.sample(range(1, len(text)), min(len(text) - 1, 12))) for _ in range(4)]
    for window in (64, 256):
        for cuts in splits:
            out = _streamed(text, cuts, window)
            assert [s for s in expected_gone if s in out] == [], (window, cuts)


def test_the_window_holds_back_only_the_tail() -> None:
    masker = StreamMasker(lambda t: t, window=10)
    assert masker.feed("short") == ""
    assert masker.feed(" line one\nline two is longer\n") == "short line one\n"
    assert masker.flush() == "line two is longer\n"


@pytest.mark.asyncio
async def test_live_tool_output_split_across_notifications_is_masked() -> None:
    masking = ServerMasking(TarsyConfig.model_validate({"mcp_servers": {"s": SERVER}}))
    received: list[str] = []

    async def sink(text: str) -> None:
        received.append(text)

    async with live_output(sink, masking.stream("s")) as feed:
        feed.push(f"deploying with token {GITHUB_TOKEN[:20]}")
        feed.push(f"{GITHUB_TOKEN[20:]} now\n")
    assert GITHUB_TOKEN not in "".join(received)
    assert "[MASKED_GITHUB_TOKEN]" in "".join(received)


@pytest.mark.asyncio
async def test_streamed_model_deltas_split_mid_secret_are_masked() -> None:
    inner = MemoryRecorder()
    recorder = MaskedRecorder(inner, OutputMasking.from_config(TarsyConfig()))
    event = await recorder.timeline_started(event_type="llm_response", stage_id=None, execution_id=None)
    text = f"Root cause: the CI token {GITHUB_TOKEN} was printed.\n"
    for i in range(0, len(text), 5):
        await recorder.timeline_delta(event, text[i : i + 5])
    streamed = inner.timeline[event]["content"]
    await recorder.timeline_completed(event, text)
    assert GITHUB_TOKEN[:12] not in streamed + inner.timeline[event]["content"]
    assert inner.timeline[event]["content"] == "Root cause: the CI token [MASKED_GITHUB_TOKEN] was printed.\n"
