"""Chain config → LangGraph ``StateGraph``.

A chain compiles to: ``stage_0 → stage_1 → … → finalize``. Each stage node records its stage and
execution rows, runs the agent subgraph and appends its result to ``stage_results``; a failed
stage routes straight to ``finalize`` with the error so later stages never start.
"""

from __future__ import annotations

from typing import Any, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from tarsy.config import TarsyConfig, resolve_agent
from tarsy.graphs.state import SessionInput, SessionOutput, SessionState
from tarsy.nodes.agent import build_agent_graph
from tarsy.nodes.context import RunContext
from tarsy.nodes.prompts import AgentTask, StageResult

SessionGraph = CompiledStateGraph[Any, Any, Any, Any]


class StageFailedError(Exception):
    """Raised inside a stage node; recorded on the stage and ends the chain."""


def _stage_node_name(index: int) -> str:
    return f"stage_{index}"


def build_chain_graph(
    config: TarsyConfig,
    chain_id: str,
    *,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    default_context: RunContext | None = None,
) -> SessionGraph:
    """Compile the chain ``chain_id`` of ``config`` into a runnable session graph.

    ``default_context`` is used when a run is started without ``context=`` (LangGraph Studio);
    the service always passes a per-session context.
    """
    chain = config.agent_chains[chain_id]
    agent_graph = build_agent_graph(default_context)

    def context_of(runtime: Runtime[RunContext]) -> RunContext:
        ctx = runtime.context or default_context
        if ctx is None:
            raise RuntimeError("the session graph needs a RunContext (pass context= when invoking it)")
        return ctx

    def make_stage(index: int) -> Any:
        stage = chain.stages[index]

        async def run_stage(state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
            ctx = context_of(runtime)
            agent = resolve_agent(ctx.config, chain_id, index, 0)
            stage_id = await ctx.recorder.stage_started(
                stage_index=index,
                name=stage.name,
                stage_type="investigation",
                expected_agents=1,
                success_policy=stage.success_policy or ctx.config.defaults.success_policy,
                parallel_type="single",
            )
            execution_id = await ctx.recorder.execution_started(
                stage_id=stage_id,
                agent_index=0,
                agent=agent,
                model=ctx.models.model_name(agent.llm_provider),
            )
            alert = state["alert"]
            task: AgentTask = {
                "kind": "investigation",
                "alert_type": alert["alert_type"],
                "data": alert["data"],
                "runbook": alert.get("runbook"),
                "stage_name": stage.name,
                "previous": list(state.get("stage_results", [])),
            }
            try:
                out = await agent_graph.ainvoke(
                    {
                        "agent": {
                            "role": "investigation",
                            "chain_id": chain_id,
                            "stage_index": index,
                            "agent_index": 0,
                        },
                        "stage_id": stage_id,
                        "execution_id": execution_id,
                        "task": task,
                    }
                )
            except Exception as exc:
                # A failing agent fails its stage; the error is stored on the execution and the
                # stage, and the session ends failed with it (see finalize).
                reason = f"{agent.display_name} failed: {exc}"
                await ctx.recorder.execution_finished(execution_id, "failed", reason)
                await ctx.recorder.stage_finished(stage_id, "failed", reason)
                return {"error": f"stage '{stage.name}' failed: {reason}"}
            text = out.get("final_answer") or ""
            await ctx.recorder.execution_finished(execution_id, "completed")
            await ctx.recorder.stage_finished(stage_id, "completed")
            result = StageResult(stage_name=stage.name, agent_name=agent.display_name, text=text)
            return {"stage_results": [result.as_dict()]}

        run_stage.__name__ = _stage_node_name(index)
        return run_stage

    async def finalize(state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = context_of(runtime)
        if state.get("error"):
            return {}
        results = state.get("stage_results", [])
        final = results[-1]["text"] if results else ""
        await ctx.recorder.timeline_event(event_type="final_analysis", content=final, stage_id=None, execution_id=None)
        return {"final_analysis": final}

    def route_after(index: int) -> Any:
        following = _stage_node_name(index + 1) if index + 1 < len(chain.stages) else "finalize"

        def route(state: SessionState) -> Literal["next", "finalize"]:
            return "finalize" if state.get("error") else "next"

        route.__name__ = f"after_stage_{index}"
        return route, {"next": following, "finalize": "finalize"}

    # No ``context_schema``: the context holds live objects (pools, models) that no client could
    # send, and LangGraph servers would otherwise try to build one from the request's JSON.
    graph = StateGraph[SessionState, RunContext, SessionInput, SessionOutput](
        SessionState, input_schema=SessionInput, output_schema=SessionOutput
    )
    for i in range(len(chain.stages)):
        graph.add_node(_stage_node_name(i), make_stage(i))
    graph.add_node("finalize", finalize)
    graph.add_edge(START, _stage_node_name(0))
    for i in range(len(chain.stages)):
        route, targets = route_after(i)
        graph.add_conditional_edges(_stage_node_name(i), route, targets)
    graph.add_edge("finalize", END)
    return graph.compile(checkpointer=checkpointer, name=f"chain:{chain_id}")
