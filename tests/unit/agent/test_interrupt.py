"""A tool that asks a person first (LangGraph ``interrupt()``), the way approvals wrap a ToolExecutor.

The interrupt must leave the agent loop and the session graph as LangGraph control flow, never as
a tool error or a failed execution; resuming with ``Command(resume=...)`` runs the agent's node
again, which replays its records: no model call and no tool call that already finished runs twice,
and the answers of several interrupts reach the calls that asked for them, in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command, interrupt

from tarsy.config import ResolvedAgent
from tarsy.graphs.compiler import build_chain_graph
from tarsy.graphs.state import AlertInput
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.context import RunContext, ToolOutcome, ToolRequest, ToolScope, ToolSpec
from tarsy.nodes.memory_recorder import MemoryRecorder
from tests.unit.agent.factories import ALERT_TYPE, CHAIN, CannedTools, make_config, tool_turn, write_script

ALERT: AlertInput = {"alert_type": ALERT_TYPE, "data": {"pod": "web-1"}, "runbook": None}
TURNS = [tool_turn("native-thinking", f"call-{i}", namespace=f"ns-{i}") for i in range(3)]
ANSWER = {"text": "Root cause: OOMKilled."}
SUMMARY = {"ExecSummaryAgent": [{"text": "web-1 is OOMKilled."}]}


@dataclass
class AskFirst:
    """Runs ``k8s.pods_list`` in the guarded namespaces only once a person said "approve"."""

    guarded: set[str]
    inner: CannedTools = field(default_factory=CannedTools)
    asked: list[str] = field(default_factory=list)

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        return await self.inner.executor().list_tools(agent)

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        namespace = str(request.arguments.get("namespace"))
        if namespace in self.guarded:
            self.asked.append(namespace)
            decision = interrupt({"tool": request.name, "namespace": namespace})
            if decision != "approve":
                return ToolOutcome(f"Rejected by a person: {decision}", is_error=True)
        return await self.inner.executor().execute(agent, request, scope)


def _context(config: Any, recorder: Any, tools: AskFirst) -> RunContext:
    return RunContext("session-1", config, recorder, ModelFactory(config, env={}), tools)


async def test_interrupt_in_a_tool_pauses_and_resumes_without_redoing_anything(tmp_path: Path) -> None:
    config = make_config(write_script(tmp_path, [*TURNS, ANSWER], **SUMMARY))
    recorder, tools = MemoryRecorder(), AskFirst({"ns-1"})
    graph = build_chain_graph(config, CHAIN, checkpointer=InMemorySaver())
    thread: RunnableConfig = {"configurable": {"thread_id": "session-1"}}

    paused = await graph.ainvoke({"alert": ALERT}, thread, context=_context(config, recorder, tools))

    assert [i.value for i in paused["__interrupt__"]] == [{"tool": "k8s.pods_list", "namespace": "ns-1"}]
    assert tools.inner.calls == [("pods_list", {"namespace": "ns-0"})]
    assert len(recorder.llm_calls) == 2
    assert not [e for e in recorder.events if e.kind == "execution.finished"], "an interrupt is not a failure"
    assert not [e for e in recorder.timeline.values() if e["metadata"].get("is_error")]

    out = await graph.ainvoke(Command(resume="approve"), thread, context=_context(config, recorder, tools))

    assert out["final_analysis"] == "Root cause: OOMKilled."
    namespaces = [args["namespace"] for _, args in tools.inner.calls]
    assert namespaces == ["ns-0", "ns-1", "ns-2"], "no tool call ran twice"
    assert [c.interaction_type for c in recorder.llm_calls] == ["iteration"] * 4 + ["executive_summary"]
    finished = [e.data["status"] for e in recorder.events if e.kind == "execution.finished"]
    assert finished == ["completed", "completed"]


@pytest.mark.parametrize("answers", [("approve", "not today"), ("no", "approve")])
async def test_answers_of_two_interrupts_reach_the_calls_that_asked(tmp_path: Path, answers: tuple[str, str]) -> None:
    config = make_config(write_script(tmp_path, [*TURNS, ANSWER], **SUMMARY))
    recorder, tools = MemoryRecorder(), AskFirst({"ns-1", "ns-2"})
    graph = build_chain_graph(config, CHAIN, checkpointer=InMemorySaver())
    thread: RunnableConfig = {"configurable": {"thread_id": "session-1"}}

    await graph.ainvoke({"alert": ALERT}, thread, context=_context(config, recorder, tools))
    second = await graph.ainvoke(Command(resume=answers[0]), thread, context=_context(config, recorder, tools))
    assert [i.value["namespace"] for i in second["__interrupt__"]] == ["ns-2"]
    out = await graph.ainvoke(Command(resume=answers[1]), thread, context=_context(config, recorder, tools))

    assert out["final_analysis"] == "Root cause: OOMKilled."
    ran = [args["namespace"] for _, args in tools.inner.calls]
    expected = ["ns-0"] + [ns for ns, answer in zip(("ns-1", "ns-2"), answers, strict=True) if answer == "approve"]
    assert ran == expected
    results = {
        e["metadata"]["arguments"]["namespace"]: e
        for e in recorder.timeline.values()
        if e["event_type"] == "llm_tool_call"
    }
    for namespace, answer in zip(("ns-1", "ns-2"), answers, strict=True):
        rejected = results[namespace]["content"] == f"Rejected by a person: {answer}"
        assert rejected == (answer != "approve"), results[namespace]
    assert len([c for c in recorder.llm_calls if c.interaction_type == "iteration"]) == 4
