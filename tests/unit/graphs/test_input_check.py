"""A chain graph started with a bad input (Studio, the SDK against ``langgraph dev``) names the field."""

from __future__ import annotations

from typing import Any

import pytest

from tarsy.config import load_config
from tarsy.graphs.input_check import SessionInputError, check_session_input
from tarsy.graphs.studio import chain_graph
from tests.unit.graphs.runs import run_chain


@pytest.mark.parametrize(
    ("graph_input", "field"),
    [
        ({}, "input.alert is required"),
        ({"alert": {"data": {"pod": "api-1"}}}, "input.alert.alert_type is required"),
        ({"alert": {"alert_type": " ", "data": {}}}, "input.alert.alert_type is required"),
        ({"alert": {"alert_type": "kubernetes"}}, "input.alert.data is required"),
        ({"alert": {"alert_type": "kubernetes", "data": 3}}, "input.alert.data must be"),
        ({"alert": {"alert_type": "kubernetes", "data": "x", "runbook": 1}}, "input.alert.runbook must be"),
    ],
)
def test_each_bad_field_is_named(graph_input: dict[str, Any], field: str) -> None:
    with pytest.raises(SessionInputError, match=field):
        check_session_input(graph_input)


async def test_the_graph_refuses_before_any_agent_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TARSY_DEMO", "1")
    graph = chain_graph("kubernetes")
    with pytest.raises(ValueError, match=r"input\.alert\.alert_type is required"):  # shown by the Agent Server
        await graph.ainvoke({"alert": {"data": {"pod": "api-1"}}}, {"configurable": {"thread_id": "t"}})


async def test_a_good_input_still_runs() -> None:
    run = await run_chain(load_config(None), "kubernetes", {"alert_type": "kubernetes", "data": {"pod": "api-1"}})
    assert run.output["final_analysis"]
