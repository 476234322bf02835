"""The agent loop: model → tools → model until a final answer or the iteration limit.

An agent is a small subgraph so that its transcript lives in the subgraph's own state and ends
with the agent; the session graph only keeps each stage's result. Each model call and each tool
round is a super-step, so a crashed worker resumes an agent from its last completed step.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypedDict

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from tarsy.config import ResolvedAgent
from tarsy.nodes.context import RunContext
from tarsy.nodes.prompts import FORCED_CONCLUSION
from tarsy.nodes.streaming import stream_model_call


class AgentInput(TypedDict):
    agent: dict[str, Any]  # identity: chain_id, stage_index, agent_index (config is in the context)
    stage_id: str
    execution_id: str
    messages: list[AnyMessage]


class AgentState(TypedDict):
    agent: dict[str, Any]
    stage_id: str
    execution_id: str
    messages: Annotated[list[AnyMessage], add_messages]
    iteration: int
    final_answer: str | None


class AgentOutput(TypedDict):
    final_answer: str | None
    iteration: int


def resolve(ctx: RunContext, identity: dict[str, Any]) -> ResolvedAgent:
    from tarsy.config import resolve_agent

    return resolve_agent(ctx.config, identity["chain_id"], int(identity["stage_index"]), int(identity["agent_index"]))


def message_text(message: AIMessage) -> str:
    return message.text.strip()


def build_agent_graph(default_context: RunContext | None = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the agent loop; ``default_context`` serves runs started without a context."""

    def context_of(runtime: Runtime[RunContext]) -> RunContext:
        ctx = runtime.context or default_context
        if ctx is None:
            raise RuntimeError("the agent graph needs a RunContext (pass context= when invoking it)")
        return ctx

    async def call_model(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = context_of(runtime)
        agent = resolve(ctx, state["agent"])
        model = ctx.models.model_for(agent.llm_provider)
        iteration = state.get("iteration", 0)
        forced = iteration >= agent.max_iterations
        messages: list[AnyMessage] = list(state["messages"])
        tools: list[BaseTool] = [] if forced else await ctx.tools.tools_for(agent)
        if forced:
            messages.append(HumanMessage(content=FORCED_CONCLUSION))
        runnable = model.bind_tools(tools) if tools else model
        reply = await stream_model_call(
            runnable,
            messages,
            recorder=ctx.recorder,
            stage_id=state["stage_id"],
            execution_id=state["execution_id"],
            run_config={"metadata": {"tarsy_agent": agent.display_name}},
        )
        update: dict[str, Any] = {"messages": [reply], "iteration": iteration + 1}
        if forced or not reply.tool_calls:
            update["final_answer"] = message_text(reply)
        return update

    async def run_tools(state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = context_of(runtime)
        agent = resolve(ctx, state["agent"])
        last = state["messages"][-1]
        assert isinstance(last, AIMessage)
        by_name = {tool.name: tool for tool in await ctx.tools.tools_for(agent)}
        results: list[ToolMessage] = []
        for call in last.tool_calls:
            tool = by_name.get(call["name"])
            call_id = call["id"] or call["name"]
            if tool is None:
                known = ", ".join(sorted(by_name)) or "none"
                results.append(
                    ToolMessage(
                        content=f"Error: unknown tool '{call['name']}'. Available tools: {known}.",
                        tool_call_id=call_id,
                        status="error",
                    )
                )
                continue
            output = await tool.ainvoke({**call, "type": "tool_call"})
            if isinstance(output, ToolMessage):
                results.append(output)
            else:
                results.append(ToolMessage(content=str(output), tool_call_id=call_id))
        return {"messages": results}

    def after_model(state: AgentState) -> Literal["run_tools", "__end__"]:
        if state.get("final_answer") is not None:
            return "__end__"
        return "run_tools"

    graph = StateGraph[AgentState, RunContext, AgentInput, AgentOutput](
        AgentState, input_schema=AgentInput, output_schema=AgentOutput
    )
    graph.add_node("call_model", call_model)
    graph.add_node("run_tools", run_tools)
    graph.add_edge(START, "call_model")
    graph.add_conditional_edges("call_model", after_model, ["run_tools", END])
    graph.add_edge("run_tools", "call_model")
    return graph.compile(name="agent")


def initial_messages(system: str, user: str) -> list[AnyMessage]:
    return [SystemMessage(content=system), HumanMessage(content=user)]
