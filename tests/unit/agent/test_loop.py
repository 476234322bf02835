"""The agent loop end to end with a scripted model: tools, answers, the iteration limit, empty replies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tarsy.errors import AgentError
from tarsy.nodes import prompts
from tests.unit.agent.factories import (
    POD_REPORT,
    STRATEGIES,
    answer_turn,
    call,
    observation,
    react_action,
    run_script,
    tool_turn,
)


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_tool_call_observation_then_final_answer(tmp_path: Path, strategy: str) -> None:
    turns = [
        tool_turn(strategy, "call-1", namespace="shop", thinking="Check the pods first.", text="Listing the pods."),
        answer_turn(strategy, "Root cause: web-1 is OOMKilled.", thinking="The memory limit is hit."),
    ]
    run = await run_script(tmp_path, turns, strategy=strategy)

    assert run.answer == "Root cause: web-1 is OOMKilled."
    assert run.tools.calls == [("pods_list", {"namespace": "shop"})]
    first, second = run.llm_calls
    assert [first.interaction_type, second.interaction_type] == ["iteration", "iteration"]
    assert first.tools == second.tools == ["k8s.pods_list", "k8s.pod_logs"]
    result = f"{POD_REPORT} (namespace shop)"
    assert second.request_messages == [observation(strategy, result, call_id="call-1")]
    assert first.thinking == "Check the pods first."

    thinking, responses, tool_calls = (run.timeline(t) for t in ("llm_thinking", "llm_response", "llm_tool_call"))
    assert [(e["status"], e["content"]) for e in thinking] == [
        ("completed", "Check the pods first."),
        ("completed", "The memory limit is hit."),
    ]
    assert [e["status"] for e in responses] == ["completed", "completed"]
    assert responses[0]["content"] == turns[0]["text"]
    assert responses[1]["content"] == turns[1]["text"]
    assert [(e["status"], e["content"]) for e in tool_calls] == [("completed", result)]
    assert tool_calls[0]["metadata"]["tool"] == "k8s.pods_list"
    assert tool_calls[0]["metadata"]["arguments"] == {"namespace": "shop"}
    assert tool_calls[0]["metadata"]["is_error"] is False
    assert all(e["execution_id"] == "exec-under-test" for e in run.recorder.timeline.values())


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_iteration_limit_ends_with_one_forced_conclusion(tmp_path: Path, strategy: str) -> None:
    turns = [
        tool_turn(strategy, "call-1", namespace="shop"),
        tool_turn(strategy, "call-2", namespace="payments"),
        answer_turn(strategy, "Best guess: OOMKilled; the payments pods were not checked in depth."),
        answer_turn(strategy, "a second conclusion must never be asked for"),
    ]
    run = await run_script(tmp_path, turns, strategy=strategy, max_iterations=2)

    assert run.answer == "Best guess: OOMKilled; the payments pods were not checked in depth."
    assert [c.interaction_type for c in run.llm_calls] == ["iteration", "iteration", "forced_conclusion"]
    forced = run.llm_calls[-1]
    assert forced.tools == []
    assert forced.request_messages[-1] == {"role": "user", "content": prompts.FORCED_CONCLUSION}
    # The last round's tool result reaches the model before it has to conclude.
    assert forced.request_messages[0]["content"].endswith("(namespace payments)")
    assert run.tools.calls == [("pods_list", {"namespace": "shop"}), ("pods_list", {"namespace": "payments"})]
    assert run.output["iteration"] == 3


async def test_forced_conclusion_runs_no_tool_even_if_the_model_asks(tmp_path: Path) -> None:
    turns = [
        tool_turn("native-thinking", "call-1", namespace="shop"),
        {"text": "OOMKilled, most likely.", "tool_calls": [call("pods_list", "call-2", namespace="again")]},
    ]
    run = await run_script(tmp_path, turns, max_iterations=1)

    assert run.answer == "OOMKilled, most likely."
    assert run.tools.calls == [("pods_list", {"namespace": "shop"})]
    assert [c.interaction_type for c in run.llm_calls] == ["iteration", "forced_conclusion"]


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_an_empty_forced_conclusion_fails_the_agent(tmp_path: Path, strategy: str) -> None:
    only_calls = {"tool_calls": [call("pods_list", "call-2", namespace="again")]}
    for reply in ({"text": ""}, {"thinking": "nothing to say"} if strategy == "react" else only_calls):
        turns = [tool_turn(strategy, "call-1", namespace="shop"), reply, answer_turn(strategy, "never asked for")]
        with pytest.raises(AgentError, match="no analysis when asked to conclude"):
            await run_script(tmp_path, turns, strategy=strategy, max_iterations=1)


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_empty_reply_is_retried_once_with_the_nudge(tmp_path: Path, strategy: str) -> None:
    run = await run_script(tmp_path, [{"text": ""}, answer_turn(strategy, "Recovered answer.")], strategy=strategy)

    assert run.answer == "Recovered answer."
    assert len(run.llm_calls) == 2
    assert run.llm_calls[1].request_messages == [{"role": "user", "content": prompts.EMPTY_RESPONSE_NUDGE}]


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_two_empty_replies_in_a_row_fail_the_agent(tmp_path: Path, strategy: str) -> None:
    turns = [{"text": ""}, {"thinking": "only thinking, no text"}, answer_turn(strategy, "never asked for")]
    with pytest.raises(AgentError, match="empty response twice"):
        await run_script(tmp_path, turns, strategy=strategy)


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_empty_replies_that_are_not_consecutive_are_each_retried(tmp_path: Path, strategy: str) -> None:
    turns = [
        {"text": ""},
        tool_turn(strategy, "call-1", namespace="shop"),
        {"text": ""},
        answer_turn(strategy, "Answer after two separate empty replies."),
    ]
    run = await run_script(tmp_path, turns, strategy=strategy)

    assert run.answer == "Answer after two separate empty replies."


LAYERS: list[tuple[str, dict[str, Any], str, int]] = [
    # (what sets it, config overrides, expected strategy, expected max_iterations)
    ("stage", {"stage": {"strategy": "react", "max_iterations": 1}}, "react", 1),
    ("stage beats chain", {"chain": {"max_iterations": 4}, "stage": {"max_iterations": 2}}, "native-thinking", 2),
    (
        "stage beats agent",
        {"agent": {"strategy": "react", "max_iterations": 5}, "stage": {"strategy": "native-thinking"}},
        "native-thinking",
        5,
    ),
    (
        "stage agent entry beats stage",
        {"stage": {"max_iterations": 1, "agents": [{"name": "TestAgent", "strategy": "react", "max_iterations": 3}]}},
        "react",
        3,
    ),
    ("chain", {"chain": {"strategy": "react", "max_iterations": 2}}, "react", 2),
]


@pytest.mark.parametrize(("layer", "overrides", "strategy", "limit"), LAYERS, ids=[layer[0] for layer in LAYERS])
async def test_resolved_overrides_drive_the_loop(
    tmp_path: Path, layer: str, overrides: dict[str, Any], strategy: str, limit: int
) -> None:
    # Each turn is readable both ways, with different arguments: which call ran tells the strategy.
    turns = [
        {
            "text": react_action("pods_list", namespace=f"react-{i}"),
            "tool_calls": [call("pods_list", f"call-{i}", namespace=f"native-{i}")],
        }
        for i in range(8)
    ]
    run = await run_script(tmp_path, turns, strategy="native-thinking", max_iterations=6, **overrides)

    types = [c.interaction_type for c in run.llm_calls]
    assert types == ["iteration"] * limit + ["forced_conclusion"]
    assert {args["namespace"].split("-")[0] for _, args in run.tools.calls} == {strategy.split("-")[0]}
    system = run.llm_calls[0].request_messages[0]["content"]
    assert (prompts.NATIVE_FORMAT_RULES in system) == (strategy == "native-thinking")
