"""Chain config → LangGraph ``StateGraph`` (the public builder other apps embed).

A chain compiles to::

    START → stage_0 ─Send→ stage_0_agent (×N) → stage_0_join → stage_1 … → exec_summary → finalize → END

Each stage opens its record, fans out one branch per agent (or replica), and joins them under its
success policy; a stage that ran several agents is followed by a synthesis inside its join. A
failed stage routes straight to ``finalize`` so later stages never start. The executive summary is
fail-open: its error is kept and the session still completes.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from tarsy.config import TarsyConfig, resolve_exec_summary
from tarsy.errors import StoreUnavailableError, public_reason
from tarsy.graphs.stages import StageNodes, alert_task, plan_stages, run_agent
from tarsy.graphs.state import SessionInput, SessionOutput, SessionState
from tarsy.nodes.agent import build_agent_graph
from tarsy.nodes.context import RunContext, context_resolver

log = logging.getLogger(__name__)

SessionGraph = CompiledStateGraph[Any, Any, Any, Any]


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
    agent_graph = build_agent_graph(default_context)
    plans, summary_index = plan_stages(config, chain_id)

    context_of = context_resolver(default_context, "session")

    async def exec_summary(state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = context_of(runtime)
        agent = resolve_exec_summary(ctx.config, chain_id)
        stage_id = await ctx.recorder.stage_started(
            stage_index=summary_index,
            name="Executive Summary",
            stage_type="exec_summary",
            expected_agents=1,
            success_policy="all",
            parallel_type="single",
        )
        execution_id = await ctx.recorder.execution_started(
            stage_id=stage_id, agent_index=0, agent=agent, model=ctx.models.model_name(agent.llm_provider)
        )
        identity = {"role": "exec_summary", "chain_id": chain_id, "stage_index": 0, "agent_index": 0}
        chain = ctx.config.chain(chain_id)
        acted = any(ctx.config.agent(e.name).type == "action" for stage in chain.stages for e in stage.agents)
        extra = {"acted": True} if acted else {}  # the summary then says what action agents changed
        task = alert_task(state, kind="exec_summary", previous=list(state.get("stage_results", [])), **extra)
        try:
            text = await run_agent(agent_graph, identity, stage_id, execution_id, task)
        except StoreUnavailableError:
            raise  # an outage pauses the session; the summary is written once the database is back
        except Exception as exc:
            # Fail-open: a missing summary must not fail an investigation that succeeded.
            reason = f"{agent.display_name} failed: {public_reason(exc, log, agent.display_name)}"
            await ctx.recorder.execution_finished(execution_id, "failed", reason)
            await ctx.recorder.stage_finished(stage_id, "failed", reason)
            return {"executive_summary_error": reason}
        await ctx.recorder.execution_finished(execution_id, "completed")
        await ctx.recorder.stage_finished(stage_id, "completed")
        await ctx.recorder.timeline_event(
            event_type="executive_summary", content=text, stage_id=stage_id, execution_id=execution_id
        )
        return {"executive_summary": text}

    async def finalize(state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = context_of(runtime)
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
        return {"final_analysis": final}

    def after_stage(target: str) -> Any:
        def route(state: SessionState) -> Literal["next", "failed"]:
            return "failed" if state.get("error") else "next"

        return route, {"next": target, "failed": "finalize"}

    # No ``context_schema``: the context holds live objects (pools, models) that no client could
    # send, and LangGraph servers would otherwise try to build one from the request's JSON.
    graph = StateGraph[SessionState, RunContext, SessionInput, SessionOutput](
        SessionState, input_schema=SessionInput, output_schema=SessionOutput
    )
    nodes = [StageNodes(chain_id, plan, agent_graph, context_of) for plan in plans]
    for stage in nodes:
        open_name, agent_name, join_name = stage.names
        graph.add_node(open_name, stage.open)
        graph.add_node(agent_name, stage.branch)  # type: ignore[call-overload]  # input is a Send payload
        graph.add_node(join_name, stage.join)
        graph.add_conditional_edges(open_name, stage.fan_out, [agent_name])
        graph.add_edge(agent_name, join_name)
    graph.add_node("exec_summary", exec_summary)
    graph.add_node("finalize", finalize)
    graph.add_edge(START, nodes[0].names[0])
    for current, following in zip(nodes, [*nodes[1:], None], strict=True):
        target = following.names[0] if following is not None else "exec_summary"
        route, targets = after_stage(target)
        graph.add_conditional_edges(current.names[2], route, targets)
    graph.add_edge("exec_summary", "finalize")
    graph.add_edge("finalize", END)
    return graph.compile(checkpointer=checkpointer, name=f"chain:{chain_id}")
