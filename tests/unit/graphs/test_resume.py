"""Resuming a chain from its checkpoint redoes only what had not finished (no database needed).

The run is stopped the way a dying worker stops it: the graph task is cancelled while two branches
of the parallel stage have finished and the third hangs in a tool call. Resuming with ``None``
input on the same thread (what ``SessionRunner`` does for a session with pending nodes) must not
call the model again for the finished branches, nor repeat the hanging branch's completed model
call: only the interrupted tool round runs again. Stopped instead while the synthesis agent's model
call hangs, the run resumes at the ``stage_i_synthesis`` node: neither the branches nor the join
run again.

Both runs share one recorder, as both attempts of a session share its database rows: the resumed
agent loop carries on with the execution id its checkpoint holds.
"""

from __future__ import annotations

import asyncio
from copy import deepcopy

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import StructuredTool
from langgraph.checkpoint.memory import InMemorySaver

from tarsy.config import ResolvedAgent
from tarsy.contracts import SubAgentOf
from tarsy.graphs.compiler import build_chain_graph
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.static import StaticToolExecutor
from tests.unit.graphs.cases import load_example
from tests.unit.graphs.runs import DEMO_SERVER, DemoTools, ScriptedModels, script_for

CHAIN = "checkout-outage"
ALERT = {"alert": {"alert_type": "CheckoutDown", "data": {"namespace": "checkout"}, "runbook": None}}


class WatchedRecorder(MemoryRecorder):
    """Signals when the two quick branches of the stage have finished."""

    def __init__(self) -> None:
        super().__init__()
        self.two_finished = asyncio.Event()

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        await super().execution_finished(execution_id, status, error)
        if sum(1 for e in self.events if e.kind == "execution.finished") == 2:
            self.two_finished.set()

    def calls_by_agent(self) -> list[str]:
        agents = {e.data["execution_id"]: e.data["agent"] for e in self.events if e.kind == "execution.started"}
        return [agents[c.execution_id] for c in self.llm_calls if c.execution_id is not None]


class HangingEvents:
    """``demo-cluster.events_list``: hangs on its first call (the worker dies there), then answers."""

    def __init__(self) -> None:
        self.calls = 0
        self.entered = asyncio.Event()

    async def events_list(self, namespace: str) -> str:
        self.calls += 1
        if self.calls == 1:
            self.entered.set()
            await asyncio.sleep(60)
        return "10:05:40 ConfigMapUpdated PRODUCT_CACHE_SIZE 50000 -> 250000"


async def test_a_resumed_parallel_stage_does_not_redo_finished_work() -> None:
    config = load_example("parallel-synthesis")
    script = script_for(config, CHAIN)
    events_agent = script.script["agents"]["EventsAgent"]  # react: Action turn, then Final Answer
    events_agent[0] = {"text": events_agent[0]["text"].replace(".pods_list", ".events_list")}
    recorder, pods, events = WatchedRecorder(), DemoTools(), HangingEvents()
    tools = StaticToolExecutor(
        {
            DEMO_SERVER: [
                *pods.tools(),
                StructuredTool.from_function(coroutine=events.events_list, name="events_list", description="Events."),
            ]
        }
    )
    context = RunContext("crashing", config, recorder, ScriptedModels(script.script), tools)
    graph = build_chain_graph(config, CHAIN, checkpointer=InMemorySaver())
    cfg: RunnableConfig = {"configurable": {"thread_id": "crashing"}}

    task = asyncio.create_task(graph.ainvoke(ALERT, cfg, context=context))
    async with asyncio.timeout(10):
        await recorder.two_finished.wait()
        await events.entered.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert (await graph.aget_state(cfg)).next == ("stage_0_agent",)
    before = len(recorder.calls_by_agent())

    out = await graph.ainvoke(None, cfg, context=context)

    assert out.get("error") is None
    assert out["final_analysis"] == script.answers["ActionPlanner"]
    resumed = recorder.calls_by_agent()[before:]
    assert resumed == ["EventsAgent", "IncidentCommander", "ActionPlanner", "ExecSummaryAgent"]
    assert pods.calls == ["checkout", "checkout"]  # WorkloadAgent's and ConfigAgent's, not repeated
    assert events.calls == 2  # the interrupted tool round is the one step that runs again


class SynthesisWatch(WatchedRecorder):
    """Signals when the synthesis agent's execution has started (its model call then hangs)."""

    def __init__(self, synthesis_agent: str) -> None:
        super().__init__()
        self.synthesis_agent = synthesis_agent
        self.synthesizing = asyncio.Event()

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str:
        execution_id = await super().execution_started(
            stage_id=stage_id, agent_index=agent_index, agent=agent, model=model, parent=parent
        )
        if agent.display_name == self.synthesis_agent:
            self.synthesizing.set()
        return execution_id

    def finished_stages(self) -> list[str]:
        return [e.data["stage_id"] for e in self.events if e.kind == "stage.finished"]


async def test_a_run_stopped_during_synthesis_resumes_at_the_synthesis_node() -> None:
    config = load_example("parallel-synthesis")
    script = script_for(config, CHAIN)
    synthesis = script.synthesis[0]
    hanging = deepcopy(script.script)
    hanging["agents"][synthesis][0] = {**hanging["agents"][synthesis][0], "sleep_s": 60}
    recorder, pods = SynthesisWatch(synthesis), DemoTools()
    graph = build_chain_graph(config, CHAIN, checkpointer=InMemorySaver())
    cfg: RunnableConfig = {"configurable": {"thread_id": "synthesizing"}}

    first = RunContext("synthesizing", config, recorder, ScriptedModels(hanging), pods.executor())
    task = asyncio.create_task(graph.ainvoke(ALERT, cfg, context=first))
    async with asyncio.timeout(10):
        await recorder.synthesizing.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert (await graph.aget_state(cfg)).next == ("stage_0_synthesis",)
    before, [parallel_row] = len(recorder.calls_by_agent()), recorder.finished_stages()
    branch_tools = list(pods.calls)

    again = RunContext("synthesizing", config, recorder, ScriptedModels(script.script), pods.executor())
    out = await graph.ainvoke(None, cfg, context=again)

    assert out.get("error") is None
    assert out["final_analysis"] == script.answers["ActionPlanner"]
    assert recorder.calls_by_agent()[before:] == [synthesis, "ActionPlanner", "ExecSummaryAgent"]
    assert pods.calls == branch_tools  # no branch of the parallel stage ran again
    assert recorder.finished_stages().count(parallel_row) == 1, "the join did not run again"
    assert [r["stage_name"] for r in out["stage_results"]] == ["investigate - Synthesis", "plan"]
