"""Structural facts of compiled chain graphs, asserted directly (the drawings pin the rest).

The drawing shows a single-agent stage and a three-agent stage alike (both are one ``Send`` edge
into one agent node), so the fan-out width, the join, the synthesis node of a stage that runs
several agents and the failure routes are checked here on the compiled graph itself: its branch
functions are called with a state and their answers read.
"""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.constants import END, START
from langgraph.types import Send

from tarsy.config import TarsyConfig, stage_agent_count
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tests.unit.graphs.cases import ChainCase, chain_cases, load_example

CASES = chain_cases()
ALERT = {"alert_type": "CheckoutDown", "data": {"namespace": "checkout"}, "runbook": None}


def _edges(graph: SessionGraph) -> set[tuple[str, str, Any, bool]]:
    return {(e.source, e.target, e.data, e.conditional) for e in graph.get_graph().edges}


def _branch(graph: SessionGraph, node: str) -> Any:
    """The one conditional branch leaving ``node`` (its path function and its possible targets)."""
    branches = graph.builder.branches[node]
    assert len(branches) == 1, f"{node} should have exactly one conditional branch, has {sorted(branches)}"
    return next(iter(branches.values()))


def _fan_out(graph: SessionGraph, stage: int, previous: list[dict[str, str]] | None = None) -> list[Send]:
    state = {"alert": ALERT, "stage_rows": {str(stage): f"row-{stage}"}, "stage_results": previous or []}
    sends = _branch(graph, f"stage_{stage}").path.invoke(state)
    assert all(isinstance(send, Send) for send in sends), sends
    return list(sends)


def _chain(case: ChainCase) -> tuple[TarsyConfig, SessionGraph]:
    config = case.config()
    return config, build_chain_graph(config, case.chain_id)


def _routes(graph: SessionGraph, node: str, following: str) -> None:
    """``node`` goes on to ``following``, or to ``finalize`` once the state holds an error."""
    edges = _edges(graph)
    assert (node, following, "next", True) in edges
    assert (node, "finalize", "failed", True) in edges
    route = _branch(graph, node)
    assert route.path.invoke({"error": "stage 'x' failed: ..."}) == "failed"
    assert route.path.invoke({}) == "next"
    assert route.ends == {"next": following, "failed": "finalize"}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_every_stage_opens_fans_out_joins_and_routes_failure_to_finalize(case: ChainCase) -> None:
    config, graph = _chain(case)
    stages = config.agent_chains[case.chain_id].stages
    edges = _edges(graph)

    expected_nodes = {START, END, "exec_summary", "finalize"}
    for i, stage in enumerate(stages):
        expected_nodes |= {f"stage_{i}", f"stage_{i}_agent", f"stage_{i}_join"}
        sends = _fan_out(graph, i)
        assert [(s.node, s.arg["agent_index"], s.arg["stage_id"]) for s in sends] == [
            (f"stage_{i}_agent", n, f"row-{i}") for n in range(stage_agent_count(stage))
        ]
        assert (f"stage_{i}", f"stage_{i}_agent", None, True) in edges  # only a Send leads to the agents
        assert (f"stage_{i}_agent", f"stage_{i}_join", None, False) in edges  # every branch ends in the join
        following = f"stage_{i + 1}" if i + 1 < len(stages) else "exec_summary"
        if stage_agent_count(stage) > 1:  # the join leads to the stage's synthesis node, which goes on
            expected_nodes.add(f"stage_{i}_synthesis")
            _routes(graph, f"stage_{i}_join", f"stage_{i}_synthesis")
            _routes(graph, f"stage_{i}_synthesis", following)
        else:
            _routes(graph, f"stage_{i}_join", following)
    assert set(graph.get_graph().nodes) == expected_nodes
    assert (START, "stage_0", None, False) in edges
    assert ("exec_summary", "finalize", None, False) in edges
    assert ("finalize", END, None, False) in edges


def test_a_parallel_stage_has_a_synthesis_node_between_its_join_and_the_next_stage() -> None:
    graph = build_chain_graph(load_example("parallel-synthesis"), "checkout-outage").get_graph()

    assert list(graph.nodes) == [
        START,
        "stage_0",
        "stage_0_agent",
        "stage_0_join",
        "stage_0_synthesis",
        "stage_1",
        "stage_1_agent",
        "stage_1_join",
        "exec_summary",
        "finalize",
        END,
    ]
    assert sorted((e.source, e.target, e.data) for e in graph.edges) == [
        (START, "stage_0", None),
        ("exec_summary", "finalize", None),
        ("finalize", END, None),
        ("stage_0", "stage_0_agent", None),
        ("stage_0_agent", "stage_0_join", None),
        ("stage_0_join", "finalize", "failed"),
        ("stage_0_join", "stage_0_synthesis", "next"),
        ("stage_0_synthesis", "finalize", "failed"),
        ("stage_0_synthesis", "stage_1", "next"),
        ("stage_1", "stage_1_agent", None),
        ("stage_1_agent", "stage_1_join", None),
        ("stage_1_join", "exec_summary", "next"),
        ("stage_1_join", "finalize", "failed"),
    ]


def test_single_agent_stages_have_no_synthesis_node() -> None:
    nodes = build_chain_graph(load_example("multi-stage"), "checkout-degraded").get_graph().nodes

    assert not [name for name in nodes if name.endswith("_synthesis")]


def test_parallel_example_sends_each_agent_the_alert_and_the_earlier_results() -> None:
    graph = build_chain_graph(load_example("parallel-synthesis"), "checkout-outage")
    previous = [{"stage_name": "investigate - Synthesis", "agent_name": "IncidentCommander", "text": "OOM"}]

    investigate = _fan_out(graph, 0)
    plan = _fan_out(graph, 1, previous)

    assert [s.arg["agent_index"] for s in investigate] == [0, 1, 2]
    assert all(s.arg["alert"] == ALERT and s.arg["previous"] == [] for s in investigate)
    assert [(s.node, s.arg["previous"]) for s in plan] == [("stage_1_agent", previous)]


def test_replicas_example_fans_out_three_copies_of_one_agent() -> None:
    graph = build_chain_graph(load_example("replicas"), "oom-killed")

    assert [(s.node, s.arg["agent_index"]) for s in _fan_out(graph, 0)] == [("stage_0_agent", n) for n in range(3)]


def test_single_and_multi_stage_examples_fan_out_one_branch_per_stage() -> None:
    single = build_chain_graph(load_example("single-agent"), "pod-crash")
    multi = build_chain_graph(load_example("multi-stage"), "checkout-degraded")

    assert len(_fan_out(single, 0)) == 1
    assert [len(_fan_out(multi, i)) for i in range(3)] == [1, 1, 1]
    assert _branch(multi, "stage_2_join").ends == {"next": "exec_summary", "failed": "finalize"}


def test_an_unknown_chain_is_refused_with_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown chain 'nope'; known chains: checkout-outage, kubernetes"):
        build_chain_graph(load_example("parallel-synthesis"), "nope")
