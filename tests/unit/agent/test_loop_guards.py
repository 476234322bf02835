"""What the loop does when the model or a tool misbehaves: the model is told, and the loop goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tarsy.nodes.react_parser import ReactMalformed, parse_react
from tarsy.tools.names import ToolNameError, from_wire
from tests.unit.agent.factories import STRATEGIES, answer_turn, call, observation, run_script, tool_turn, wire


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_third_identical_call_in_a_row_is_refused(tmp_path: Path, strategy: str) -> None:
    same = [tool_turn(strategy, f"call-{i}", namespace="shop") for i in range(3)]
    run = await run_script(tmp_path, [*same, answer_turn(strategy, "Done with what I have.")], strategy=strategy)

    assert run.answer == "Done with what I have."
    assert run.tools.calls == [("pods_list", {"namespace": "shop"})] * 2
    refusal = run.llm_calls[3].request_messages
    assert len(refusal) == 1
    assert "Refused: you called k8s.pods_list with the same arguments 3 times in a row" in refusal[0]["content"]
    events = run.timeline("llm_tool_call")
    assert [e["metadata"]["is_error"] for e in events] == [False, False, True]
    assert events[2]["content"].startswith("Refused:")


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_identical_calls_that_are_not_in_a_row_all_run(tmp_path: Path, strategy: str) -> None:
    turns = [
        tool_turn(strategy, "call-1", namespace="shop"),
        tool_turn(strategy, "call-2", namespace="shop"),
        tool_turn(strategy, "call-3", namespace="payments"),
        tool_turn(strategy, "call-4", namespace="shop"),
        answer_turn(strategy, "Done."),
    ]
    run = await run_script(tmp_path, turns, strategy=strategy)

    assert [args["namespace"] for _, args in run.tools.calls] == ["shop", "shop", "payments", "shop"]


async def test_identical_calls_in_one_native_reply_count_as_a_row(tmp_path: Path) -> None:
    calls = [call("pods_list", f"call-{i}", namespace="shop") for i in range(3)]
    run = await run_script(tmp_path, [{"tool_calls": calls}, answer_turn("native-thinking", "Done.")])

    assert len(run.tools.calls) == 2
    replies = run.llm_calls[1].request_messages
    assert [m["tool_call_id"] for m in replies] == ["call-0", "call-1", "call-2"]
    assert replies[2]["content"].startswith("Refused:")


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_tool_failure_goes_back_to_the_model_and_the_loop_continues(tmp_path: Path, strategy: str) -> None:
    turns = [
        tool_turn(strategy, "call-1", tool="pod_logs", pod="web-1"),
        tool_turn(strategy, "call-2", namespace="shop"),
        answer_turn(strategy, "Logs unavailable; the pod list shows OOMKilled."),
    ]
    run = await run_script(tmp_path, turns, strategy=strategy)

    assert run.answer == "Logs unavailable; the pod list shows OOMKilled."
    assert run.tools.calls == [("pod_logs", {"pod": "web-1"}), ("pods_list", {"namespace": "shop"})]
    error = "Error: ConnectionError: kubelet unreachable"
    assert run.llm_calls[1].request_messages == [
        observation(strategy, error, call_id="call-1", tool="pod_logs", error=True)
    ]
    first_event = run.timeline("llm_tool_call")[0]
    assert (first_event["status"], first_event["content"], first_event["metadata"]["is_error"]) == (
        "completed",
        error,
        True,
    )


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_unknown_tool_is_an_error_observation(tmp_path: Path, strategy: str) -> None:
    turns = [tool_turn(strategy, "call-1", tool="pods_delete", name="web-1"), answer_turn(strategy, "Recovered.")]
    run = await run_script(tmp_path, turns, strategy=strategy)

    assert run.answer == "Recovered."
    assert run.tools.calls == []
    (message,) = run.llm_calls[1].request_messages
    assert message["content"].endswith(
        "Error: unknown tool 'k8s.pods_delete'. Available tools: k8s.pod_logs, k8s.pods_list."
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("pods_list", "has no '__' between the server id and the tool name"),
        ("k8s__pods.list", "contains characters outside [a-zA-Z0-9_-]"),
        ("8s__pods_list", "server id '8s' is invalid"),
        ("k8s__", "has an empty tool part"),
    ],
)
async def test_malformed_function_name_is_an_error_tool_message(tmp_path: Path, name: str, problem: str) -> None:
    turns = [{"tool_calls": [{"name": name, "args": {}, "id": "call-1"}]}, answer_turn("native-thinking", "Ok.")]
    run = await run_script(tmp_path, turns)

    assert run.answer == "Ok."
    assert run.tools.calls == []
    (message,) = run.llm_calls[1].request_messages
    assert (message["role"], message["tool_call_id"], message["name"]) == ("tool", "call-1", name)
    with pytest.raises(ToolNameError) as raised:
        from_wire(name)
    assert message["content"] == f"Error: {raised.value}"
    assert problem in message["content"]


UNREADABLE = [
    "I think the pod is out of memory; let me look at it.",
    "Thought: check the pods\nAction: k8s.pods_list",
    "Thought: check the pods\nAction: pods_list\nAction Input: {}",
    'Thought: check\nAction: k8s__pods.list\nAction Input: {"namespace": "shop"}',
]


@pytest.mark.parametrize("reply", UNREADABLE)
async def test_unreadable_react_reply_gets_the_hint_and_the_loop_recovers(tmp_path: Path, reply: str) -> None:
    turns = [
        {"text": reply},
        tool_turn("react", "", namespace="shop"),
        answer_turn("react", "OOMKilled."),
    ]
    run = await run_script(tmp_path, turns, strategy="react")

    step = parse_react(reply)
    assert isinstance(step, ReactMalformed)
    assert run.llm_calls[1].request_messages == [{"role": "user", "content": step.hint}]
    assert run.tools.calls == [("pods_list", {"namespace": "shop"})]
    assert run.answer == "OOMKilled."
    assert not run.timeline("llm_tool_call")[1:]  # the unreadable reply ran no tool


async def test_native_call_with_unreadable_arguments_is_reported_to_the_model(tmp_path: Path) -> None:
    turns: list[dict[str, Any]] = [
        {"text": "Let me check the pods.", "tool_calls": [{"name": wire("pods_list"), "args": "ns=shop", "id": "c1"}]},
        {"tool_calls": [call("pods_list", "c2", namespace="shop")]},
        answer_turn("native-thinking", "Root cause: OOMKilled."),
    ]
    run = await run_script(tmp_path, turns)

    assert run.answer == "Root cause: OOMKilled."
    assert run.tools.calls == [("pods_list", {"namespace": "shop"})]
    told = " ".join(m["content"] for m in run.llm_calls[1].request_messages)
    assert "pods_list" in told
