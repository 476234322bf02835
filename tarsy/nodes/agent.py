"""The agent loop: model → tools → model until a final answer or the iteration limit.

An agent is a small subgraph so that its transcript lives in the subgraph's own state and ends
with the agent; the session graph only keeps each stage's result. Each model call and each tool
round is a super-step, so a crashed worker resumes an agent from its last completed step.

Two strategies share the loop: ``native-thinking`` binds the tools for provider function calling
(``server__tool`` on the wire) and streams the model's own reasoning; ``react`` lists the tools in
the prompt and reads ``Thought / Action / Action Input / Final Answer`` text with a tolerant
parser, telling the model exactly what to fix when a reply cannot be read.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal, TypedDict

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import Runnable
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from tarsy.config import ResolvedAgent, resolve_agent, resolve_chat, resolve_exec_summary, resolve_synthesis
from tarsy.errors import AgentError, StoreUnavailableError
from tarsy.llm.errors import provider_error
from tarsy.llm.factory import with_native_tools
from tarsy.llm.messages import messages_to_dicts
from tarsy.nodes import prompts
from tarsy.nodes.context import (
    LLMInteraction,
    RunContext,
    ToolOutcome,
    ToolRequest,
    ToolScope,
    ToolSpec,
    context_resolver,
)
from tarsy.nodes.native_tools import record_native_tool_results
from tarsy.nodes.outbound import mask_provider_error, mask_reply
from tarsy.nodes.react_parser import ReactAction, ReactFinal, parse_react
from tarsy.nodes.streaming import chunk_parts, stream_model_call
from tarsy.tools.names import ToolNameError, from_wire, to_wire

REPEAT_LIMIT = 3  # the same call this many times in a row is refused
FORMAT_HINT_LIMIT = 2  # after this many hints in a row, an unreadable ReAct reply is taken as the answer

_INTERACTION_TYPE = {
    "investigation": "iteration",
    "synthesis": "synthesis",
    "exec_summary": "executive_summary",
    "chat": "chat",
}


class AgentInput(TypedDict):
    agent: dict[str, Any]  # identity: role, chain_id, stage_index, agent_index (config is in the context)
    stage_id: str | None
    execution_id: str | None
    task: prompts.AgentTask


class AgentState(TypedDict, total=False):
    agent: dict[str, Any]
    stage_id: str | None
    execution_id: str | None
    task: prompts.AgentTask
    messages: Annotated[list[AnyMessage], add_messages]
    iteration: int
    recorded: int  # messages already stored in llm_interactions (for linear storage)
    pending: list[dict[str, Any]]  # tool calls to run: name (canonical or error), arguments, call_id, wire
    call_history: list[str]
    empty_retries: int
    format_hints: int  # consecutive unreadable ReAct replies answered with a hint
    final_answer: str | None


class AgentOutput(TypedDict, total=False):
    final_answer: str | None
    iteration: int


def resolve(ctx: RunContext, identity: dict[str, Any]) -> ResolvedAgent:
    role = identity.get("role", "investigation")
    chain_id = identity["chain_id"]
    if role == "synthesis":
        return resolve_synthesis(ctx.config, chain_id, int(identity["stage_index"]))
    if role == "exec_summary":
        return resolve_exec_summary(ctx.config, chain_id)
    if role == "chat":
        return resolve_chat(ctx.config, chain_id)
    return resolve_agent(ctx.config, chain_id, int(identity["stage_index"]), int(identity["agent_index"]))


def wire_tool(spec: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": to_wire(spec.name), "description": spec.description, "parameters": spec.parameters},
    }


def _signature(name: str, arguments: dict[str, Any]) -> str:
    return f"{name}:{json.dumps(arguments, sort_keys=True, default=str)}"


def _usage(reply: AIMessage) -> tuple[int, int, int]:
    usage: dict[str, Any] = dict(reply.usage_metadata or {})
    details: dict[str, Any] = dict(usage.get("output_token_details") or {})
    return int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)), int(details.get("reasoning", 0))


def _thinking(reply: AIMessage) -> str:
    return chunk_parts(reply)[0]


class _Loop:
    def __init__(self, default_context: RunContext | None) -> None:
        self.context_of = context_resolver(default_context, "agent")

    async def call_model(self, state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        agent = resolve(ctx, state["agent"])
        iteration = state.get("iteration", 0)
        forced = iteration >= agent.max_iterations
        tools: list[ToolSpec] = [] if forced else await ctx.tools.list_tools(agent)
        history: list[BaseMessage] = list(state.get("messages", []))
        new: list[BaseMessage] = []
        if not history:
            new = [
                SystemMessage(content=prompts.system_prompt(ctx.config, agent, tools)),
                HumanMessage(content=prompts.user_prompt(state["task"])),
            ]
        sent = [*history, *new]
        if forced:
            sent.append(HumanMessage(content=prompts.FORCED_CONCLUSION))
        model = ctx.models.model_for(agent.llm_provider)
        native = agent.strategy != "react"
        if native and tools:
            runnable: Runnable[LanguageModelInput, BaseMessage] = model.bind_tools([wire_tool(t) for t in tools])
        else:  # Gemini's built-in tools only where the agent turned them on and the alert left them on
            runnable = with_native_tools(model, agent.native_tools - ctx.native_tools_off)
        role = state["agent"].get("role", "investigation")
        interaction_type = "forced_conclusion" if forced else _INTERACTION_TYPE.get(role, "iteration")
        started = time.monotonic()
        recorded = state.get("recorded", 0)
        record = {
            "stage_id": state.get("stage_id"),
            "execution_id": state.get("execution_id"),
            "interaction_type": interaction_type,
            "provider": agent.llm_provider,
            "model": ctx.models.model_name(agent.llm_provider),
            "conversation_offset": recorded,
            "request_messages": messages_to_dicts(sent[recorded:]),
            "tools": [t.name for t in tools],
        }
        try:
            reply = await stream_model_call(
                runnable,
                sent,
                recorder=ctx.recorder,
                stage_id=state.get("stage_id"),
                execution_id=state.get("execution_id"),
                run_config={"metadata": {"tarsy_agent": agent.display_name}},
            )
        except StoreUnavailableError:
            raise  # the recorder lost the database mid-stream: not the provider's failure
        except Exception as exc:
            # Provider failures end this agent; the interaction keeps the request and the reason.
            error = mask_provider_error(provider_error(agent.llm_provider, str(record["model"]), exc), ctx.outbound)
            await ctx.recorder.llm_interaction(
                LLMInteraction(
                    **record,  # type: ignore[arg-type]
                    response=None,
                    thinking="",
                    input_tokens=0,
                    output_tokens=0,
                    thinking_tokens=0,
                    duration_ms=int((time.monotonic() - started) * 1000),
                    error=error.message,
                )
            )
            raise error from exc
        reply = mask_reply(reply, ctx.outbound)  # before it is recorded, kept in state or sent anywhere
        input_tokens, output_tokens, thinking_tokens = _usage(reply)
        await ctx.recorder.llm_interaction(
            LLMInteraction(
                **record,  # type: ignore[arg-type]
                response=messages_to_dicts([reply])[0],
                thinking=_thinking(reply),
                input_tokens=input_tokens,
                output_tokens=output_tokens,
                thinking_tokens=thinking_tokens,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        )
        await record_native_tool_results(
            reply, recorder=ctx.recorder, stage_id=state.get("stage_id"), execution_id=state.get("execution_id")
        )
        update: dict[str, Any] = {
            "messages": [*new, reply],
            "iteration": iteration + 1,
            "recorded": len(sent) + 1 - (1 if forced else 0),
            "pending": [],
        }
        decision = self._decide(
            reply,
            native=native,
            forced=forced,
            empty_retries=state.get("empty_retries", 0),
            format_hints=state.get("format_hints", 0),
        )
        update["messages"] = [*update["messages"], *decision.pop("messages", [])]
        update["empty_retries"] = 0  # the nudge path sets it back to 1: only consecutive empties count
        update.update(decision)
        return update

    def _decide(
        self, reply: AIMessage, *, native: bool, forced: bool, empty_retries: int, format_hints: int
    ) -> dict[str, Any]:
        text = reply.text.strip()
        if forced:
            step = parse_react(text) if not native else None
            answer = (step.answer if isinstance(step, ReactFinal) else text).strip()
            if not answer:
                # No nudge here: the reply may hold tool calls that will never be answered, and a
                # provider refuses a conversation with unanswered calls. An empty analysis is not an
                # answer; failing says so, and the stage's success policy decides what follows.
                raise AgentError("the model gave no analysis when asked to conclude at the iteration limit")
            return {"final_answer": answer}
        if native:
            if reply.tool_calls or reply.invalid_tool_calls:
                pending = [_native_call(dict(call)) for call in reply.tool_calls]
                pending += [_invalid_call(dict(call)) for call in reply.invalid_tool_calls]
                return {"pending": pending}
        else:
            step = parse_react(text)
            if isinstance(step, ReactFinal):
                return {"final_answer": step.answer}
            if isinstance(step, ReactAction):
                call = {"name": step.tool, "arguments": step.arguments, "call_id": "", "wire": ""}
                return {"pending": [call], "format_hints": 0}
            if text and format_hints < FORMAT_HINT_LIMIT:
                return {"messages": [HumanMessage(content=step.hint)], "format_hints": format_hints + 1}
            if text:
                # A model that ignores the format twice is answering in prose: take it as the answer
                # rather than burning the remaining iterations on hints.
                return {"final_answer": text}
        if not text:
            return self._empty(empty_retries)
        return {"final_answer": text}

    @staticmethod
    def _empty(empty_retries: int) -> dict[str, Any]:
        if empty_retries < 1:
            return {"messages": [HumanMessage(content=prompts.EMPTY_RESPONSE_NUDGE)], "empty_retries": 1}
        raise AgentError("the model returned an empty response twice in a row")

    async def run_tools(self, state: AgentState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        agent = resolve(ctx, state["agent"])
        native = agent.strategy != "react"
        history = list(state.get("call_history", []))
        observations: list[BaseMessage] = []
        for call in state.get("pending", []):
            outcome = await self._run_one(ctx, agent, state, call, history)
            observations.append(_observation(call, outcome, native=native))
        return {"messages": observations, "pending": [], "call_history": history[-REPEAT_LIMIT:]}

    async def _run_one(
        self,
        ctx: RunContext,
        agent: ResolvedAgent,
        state: AgentState,
        call: dict[str, Any],
        history: list[str],
    ) -> ToolOutcome:
        name, arguments = str(call["name"]), dict(call["arguments"])
        stage_id, execution_id = state.get("stage_id"), state.get("execution_id")
        event_id = await ctx.recorder.timeline_started(
            event_type="llm_tool_call",
            stage_id=stage_id,
            execution_id=execution_id,
            metadata={"tool": name, "arguments": arguments, "call_id": call.get("call_id", "")},
        )
        signature = _signature(name, arguments)
        history.append(signature)
        if call.get("error"):
            outcome = ToolOutcome(str(call["error"]), is_error=True)
        elif history[-REPEAT_LIMIT:] == [signature] * REPEAT_LIMIT:
            outcome = ToolOutcome(
                f"Refused: you called {name} with the same arguments {REPEAT_LIMIT} times in a row; the result "
                "will not change. Use the results you already have, try different arguments or another tool, "
                "or give your final answer.",
                is_error=True,
            )
        else:

            async def progress(delta: str) -> None:
                await ctx.recorder.timeline_delta(event_id, delta)

            outcome = await ctx.tools.execute(
                agent,
                ToolRequest(name=name, arguments=arguments, call_id=str(call.get("call_id", ""))),
                ToolScope(stage_id, execution_id, event_id, progress),
            )
        await ctx.recorder.timeline_completed(
            event_id,
            outcome.content,
            metadata={"is_error": outcome.is_error, "summarized": outcome.summarized, **outcome.metadata},
        )
        return outcome


def _native_call(call: dict[str, Any]) -> dict[str, Any]:
    wire = str(call["name"])
    entry: dict[str, Any] = {"wire": wire, "arguments": dict(call.get("args") or {}), "call_id": call.get("id") or wire}
    try:
        entry["name"] = from_wire(wire)
    except ToolNameError as exc:
        entry["name"] = wire
        entry["error"] = f"Error: {exc}"
    return entry


def _invalid_call(call: dict[str, Any]) -> dict[str, Any]:
    """A call whose arguments did not parse: the model is told so (providers echo it back as a call)."""
    wire = str(call.get("name") or "unknown")
    try:
        name = from_wire(wire)
    except ToolNameError:
        name = wire
    raw = str(call.get("args") or "")[:200]
    return {
        "wire": wire,
        "name": name,
        "arguments": {},
        "call_id": call.get("id") or wire,
        "error": f"Error: the arguments of {name} are not one JSON object ({raw!r}); call it again with a JSON "
        "object of arguments.",
    }


def _observation(call: dict[str, Any], outcome: ToolOutcome, *, native: bool) -> BaseMessage:
    if native:
        return ToolMessage(
            content=outcome.content,
            tool_call_id=str(call["call_id"]),
            name=str(call.get("wire") or call["name"]),
            status="error" if outcome.is_error else "success",
        )
    label = "error" if outcome.is_error else "result"
    return HumanMessage(content=f"Observation ({call['name']} {label}):\n{outcome.content}")


def _after_model(state: AgentState) -> Literal["run_tools", "call_model", "__end__"]:
    if state.get("final_answer") is not None:
        return "__end__"
    if state.get("pending"):
        return "run_tools"
    return "call_model"  # a format hint or an empty-response nudge was added: ask again


def build_agent_graph(default_context: RunContext | None = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the agent loop; ``default_context`` serves runs started without a context."""
    loop = _Loop(default_context)
    graph = StateGraph[AgentState, RunContext, AgentInput, AgentOutput](
        AgentState, input_schema=AgentInput, output_schema=AgentOutput
    )
    graph.add_node("call_model", loop.call_model)
    graph.add_node("run_tools", loop.run_tools)
    graph.add_edge(START, "call_model")
    graph.add_conditional_edges("call_model", _after_model, ["run_tools", "call_model", "__end__"])
    graph.add_edge("run_tools", "call_model")
    return graph.compile(name="agent")
