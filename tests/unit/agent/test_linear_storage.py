"""Interactions are stored linearly: each call keeps only the messages added since the previous one.

The reference is what LangChain says each model call was sent (a callback handler), not the
recorder itself, so a call that stored too much, too little or out of place is caught.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.unit.agent.factories import (
    SentMessages,
    answer_turn,
    call,
    conversation,
    run_script,
    tool_turn,
)

NATIVE_TURNS: list[dict[str, Any]] = [
    tool_turn("native-thinking", "call-1", namespace="shop", thinking="Pods first.", text="Listing."),
    {"text": ""},
    tool_turn("native-thinking", "call-2", tool="pod_logs", pod="web-1"),
    {"tool_calls": [call("pods_list", "call-3", namespace="a"), call("pods_list", "call-4", namespace="b")]},
    answer_turn("native-thinking", "OOMKilled."),
]
# At a limit of 3 the fourth reply answers the forced conclusion: text (and calls that are ignored).
NATIVE_FORCED_TURNS = [*NATIVE_TURNS[:3], {"text": "Probably OOMKilled.", **NATIVE_TURNS[3]}]
REACT_TURNS: list[dict[str, Any]] = [
    {"text": "Let me think about this in prose first."},
    tool_turn("react", "", namespace="shop"),
    {"text": ""},
    tool_turn("react", "", tool="pod_logs", pod="web-1"),
    answer_turn("react", "OOMKilled."),
]
SCENARIOS = [
    ("native-thinking", NATIVE_TURNS, 20),
    ("react", REACT_TURNS, 20),
    ("native-thinking", NATIVE_FORCED_TURNS, 3),  # ends in a forced conclusion
    ("react", REACT_TURNS, 3),
]


@pytest.mark.parametrize(
    ("strategy", "turns", "limit"), SCENARIOS, ids=["native", "react", "native-forced", "react-forced"]
)
async def test_each_call_stores_only_its_new_messages(
    tmp_path: Path, strategy: str, turns: list[dict[str, Any]], limit: int
) -> None:
    sent = SentMessages()
    run = await run_script(tmp_path, turns, strategy=strategy, max_iterations=limit, watch=sent)
    calls = run.llm_calls

    assert len(sent.calls) == len(calls) == (5 if limit == 20 else 4)
    for index, interaction in enumerate(calls):
        before = conversation(calls[:index])
        assert interaction.conversation_offset == len(before)
        assert before + interaction.request_messages == sent.calls[index], f"call {index}"
    assert [m["role"] for m in calls[0].request_messages] == ["system", "user"]
    assert all(m["role"] != "system" for c in calls[1:] for m in c.request_messages)
    stored = sum(len(c.request_messages) + 1 for c in calls)
    assert stored == len(sent.calls[-1]) + 1  # every message once: linear in the conversation length
    assert (calls[-1].interaction_type == "forced_conclusion") == (limit == 3)
