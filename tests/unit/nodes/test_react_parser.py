"""Table test of parse_react over real-world-shaped replies (``react_cases.yaml``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tarsy.nodes.react_parser import REACT_FORMAT, ReactAction, ReactFinal, ReactMalformed, parse_react

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "react_cases.yaml").read_text())


def test_case_table_is_big_and_names_are_unique() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 45
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_parse_react(case: dict[str, Any]) -> None:
    expect = case["expect"]
    step = parse_react(case["text"])
    assert step.kind == expect["kind"], step
    if "thought" in expect:
        assert step.thought == expect["thought"]
    if isinstance(step, ReactAction):
        assert step.tool == expect["tool"]
        assert step.arguments == expect["arguments"]
        if "raw_input" in expect:
            assert step.raw_input == expect["raw_input"]
    elif isinstance(step, ReactFinal):
        assert step.answer == expect["answer"]
    else:
        assert expect["problem"] in step.problem
        assert expect.get("hint", "") in step.hint


def test_every_hint_teaches_the_format() -> None:
    malformed = [parse_react(case["text"]) for case in CASES if case["expect"]["kind"] == "malformed"]
    assert malformed
    for step in malformed:
        assert isinstance(step, ReactMalformed)
        assert step.hint.endswith(REACT_FORMAT)
        assert step.hint != REACT_FORMAT  # it also says what was wrong


@pytest.mark.parametrize(
    "text",
    [
        "Thought: x\nAction: k8s.pods\nAction Input: {",
        "Action: (",
        "```",
        "Final Answer: ```",
        "**Action:**",
        "Action Input: Action: Final Answer:",
        "Thought: a Final Answer: Action: Observation:",
        "Action: k8s.pods(\nAction Input: )",
        "\x00\ufeffAction：k8s.pods\nAction Input：{}",
    ],
)
def test_odd_inputs_never_raise(text: str) -> None:
    assert parse_react(text).kind in ("action", "final", "malformed")


def test_steps_are_frozen_values() -> None:
    step = parse_react("Thought: t\nFinal Answer: a")
    assert step == ReactFinal(thought="t", answer="a")
    with pytest.raises(AttributeError):
        step.answer = "b"  # type: ignore[misc]
