"""Chain config → LangGraph ``StateGraph`` (the public builder other apps embed).

A chain compiles to::

    START → stage_0 ─Send→ stage_0_agent (×N) → stage_0_join [→ stage_0_synthesis] → stage_1 …
          → exec_summary → finalize → END

Each stage opens its record, fans out one branch per agent (or replica), and joins them under its
success policy. A stage that runs several agents (parallel agents or replicas) has a synthesis node
of its own after the join, which the join routes to when the stage succeeded; a single-agent stage
has none. A failed stage or synthesis routes straight to ``finalize`` so later stages never start.
The executive summary is fail-open: its error is kept and the session still completes.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from tarsy.config import TarsyConfig, resolve_exec_summary
from tarsy.graphs.recorded import StageRecord, run_agent_stage
from tarsy.graphs.stages import ContextOf, StageNodes, alert_task, plan_stages
from tarsy.graphs.state import SessionInput, SessionOutput, SessionState
from tarsy.nodes.context import RunContext, context_resolver
from tarsy.nodes.replay import flush

log = logging.getLogger(__name__)

SessionGraph = CompiledStateGraph[Any, Any, Any, Any]


class SessionNodes:
    """The nodes after the stages: the executive summary (fail-open) and the final analysis."""

    def __init__(self, chain_id: str, summary_index: int, context_of: ContextOf) -> None:
        self.chain_id = chain_id
        self.summary_index = summary_index
        self.context_of = context_of

    async def exec_summary(self, state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        agent = resolve_exec_summary(ctx.config, self.chain_id)
        record = StageRecord(self.summary_index, "Executive Summary", "exec_summary")
        identity = {"role": "exec_summary", "chain_id": self.chain_id, "stage_index": 0, "agent_index": 0}
        chain = ctx.config.chain(self.chain_id)
        acted = any(ctx.config.agent(e.name).type == "action" for stage in chain.stages for e in stage.agents)
        extra = {"acted": True} if acted else {}  # the summary then says what action agents changed
        task = alert_task(state, kind="exec_summary", previous=list(state.get("stage_results", [])), **extra)
        stage_id, result = await run_agent_stage(ctx, record, agent, identity, task)
        if not result.ok:  # fail-open: a missing summary must not fail an investigation that succeeded
            return {"executive_summary_error": result.error}
        await ctx.recorder.timeline_event(
            event_type="executive_summary", content=result.text, stage_id=stage_id, execution_id=result.execution_id
        )
        return {"executive_summary": result.text}

    async def finalize(self, state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        if state.get("error"):
            return {}
        results = state.get("stage_results", [])
        final = results[-1]["text"] if results else ""
        await ctx.recorder.timeline_event(
            event_type="final_analysis",
            content=final,
            stage_id=None,
            execution_id=None,
            metadata={"stage_name": results[-1]["stage_name"], "agent_name": results[-1]["agent_name"]}
            if results
            else {},
        )
        await flush(ctx.recorder)
        return {"final_analysis": final}


def _after_stage(state: SessionState) -> Literal["next", "failed"]:
    return "failed" if state.get("error") else "next"


def build_chain_graph(
    config: TarsyConfig,
    chain_id: str,
    *,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    default_context: RunContext | None = None,
) -> SessionGraph:
    """Compile the chain ``chain_id`` of ``config`` into a runnable session graph.

    Run it with ``graph.ainvoke({"alert": {...}}, {"configurable": {"thread_id": ...}},
    context=RunContext(...))``. ``default_context`` is used when a run has no context (LangGraph
    Studio). Pass any LangGraph checkpointer; without one the run cannot be resumed.
    """
    if chain_id not in config.agent_chains:
        known = ", ".join(sorted(config.agent_chains))
        raise KeyError(f"unknown chain '{chain_id}'; known chains: {known}")
    plans, summary_index = plan_stages(config, chain_id)
    context_of = context_resolver(default_context, "session")
    session = SessionNodes(chain_id, summary_index, context_of)
    # No ``context_schema``: the context holds live objects (pools, models) that no client could
    # send, and LangGraph servers would otherwise try to build one from the request's JSON.
    graph = StateGraph[SessionState, RunContext, SessionInput, SessionOutput](
        SessionState, input_schema=SessionInput, output_schema=SessionOutput
    )
    nodes = [StageNodes(chain_id, plan, context_of) for plan in plans]
    for stage in nodes:
        open_name, agent_name, join_name = stage.names
        graph.add_node(open_name, stage.open)
        graph.add_node(agent_name, stage.branch)  # type: ignore[call-overload, arg-type, unused-ignore]  # input is a Send payload (mypy reports either code, by module order)
        graph.add_node(join_name, stage.join)
        graph.add_conditional_edges(open_name, stage.fan_out, [agent_name])
        graph.add_edge(agent_name, join_name)
        if stage.synthesis_name is not None:
            graph.add_node(stage.synthesis_name, stage.synthesize)
            graph.add_conditional_edges(join_name, _after_stage, {"next": stage.synthesis_name, "failed": "finalize"})
    graph.add_node("exec_summary", session.exec_summary)
    graph.add_node("finalize", session.finalize)
    graph.add_edge(START, nodes[0].names[0])
    for current, following in zip(nodes, [*nodes[1:], None], strict=True):
        target = following.names[0] if following is not None else "exec_summary"
        graph.add_conditional_edges(current.last, _after_stage, {"next": target, "failed": "finalize"})
    graph.add_edge("exec_summary", "finalize")
    graph.add_edge("finalize", END)
    return graph.compile(checkpointer=checkpointer, name=f"chain:{chain_id}")
