"""The agent loop: model → tools → model until a final answer or the iteration limit.

An agent runs in process inside one node of the session graph (a stage's branch, a join's
synthesis, the executive summary, a chat answer): no checkpoint per step and no growing message
list in any checkpoint. Its transcript is stored once, in the records each step writes in one
round trip; a run of the same execution again (worker crash, retry, resume after ``interrupt()``)
replays those records and goes on after the last completed model or tool call
(``tarsy.nodes.replay``, docs/agent-loop.md "Durability").

Two strategies share the loop: ``native-thinking`` binds the tools for provider function calling
(``server__tool`` on the wire) and streams the model's own reasoning; ``react`` lists the tools in
the prompt and reads ``Thought / Action / Action Input / Final Answer`` text with a tolerant
parser, telling the model exactly what to fix when a reply cannot be read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypedDict

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from langgraph.config import get_stream_writer
from langgraph.errors import GraphInterrupt
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from tarsy.config import (
    ResolvedAgent,
    resolve_agent,
    resolve_chat,
    resolve_exec_summary,
    resolve_sub_agent,
    resolve_synthesis,
)
from tarsy.errors import AgentError, ProviderError, StoreUnavailableError
from tarsy.llm.errors import classify, provider_error
from tarsy.llm.factory import with_native_tools
from tarsy.llm.messages import messages_to_dicts
from tarsy.llm.usage import prompt_chars
from tarsy.nodes import prompts
from tarsy.nodes.context import (
    RunContext,
    ToolOutcome,
    ToolRequest,
    ToolScope,
    ToolSpec,
    context_resolver,
)
from tarsy.nodes.fallback import ProviderRoute, Switch, attempts, candidates
from tarsy.nodes.memory_tools import MEMORY_TOOLS, memory_tool_specs, run_memory_tool
from tarsy.nodes.model_call import CallRecord, recorded_model_call, retry_policy
from tarsy.nodes.native_tools import record_native_tool_results
from tarsy.nodes.orchestrator import TOOLS as ORCHESTRATOR_TOOLS
from tarsy.nodes.orchestrator import Orchestrator
from tarsy.nodes.outbound import mask_provider_error, mask_reply
from tarsy.nodes.react_parser import ReactAction, ReactFinal, parse_react
from tarsy.nodes.replay import AgentHistory, StoredTool, flush, history_of, tool_step
from tarsy.nodes.skills import LOAD_SKILL, load_skill, load_skill_spec
from tarsy.nodes.streaming import stream_model_call
from tarsy.nodes.tool_calls import invalid_call, native_call, observation, signature, wire_tool

log = logging.getLogger(__name__)

REPEAT_LIMIT = 3  # the same call this many times in a row is refused
FORMAT_HINT_LIMIT = 2  # after this many hints in a row, an unreadable ReAct reply is taken as the answer

_INTERACTION_TYPE = {
    "investigation": "iteration",
    "synthesis": "synthesis",
    "exec_summary": "executive_summary",
    "chat": "chat",
    "sub_agent": "iteration",
}


class AgentInput(TypedDict):
    agent: dict[str, Any]  # identity: role, chain_id, stage_index, agent_index (config is in the context)
    stage_id: str | None
    execution_id: str | None
    task: prompts.AgentTask


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
    if role == "sub_agent":
        inherited = (identity.get("skills") or [], identity.get("required_skills") or [])
        return resolve_sub_agent(ctx.config, str(identity["name"]), inherited)
    return resolve_agent(ctx.config, chain_id, int(identity["stage_index"]), int(identity["agent_index"]))


def _progress_writer() -> Callable[[Any], None]:
    """The run's ``custom`` stream writer, or a no-op when the loop runs outside a LangGraph run."""
    try:
        return get_stream_writer()
    except RuntimeError:
        return lambda _chunk: None


class AgentLoop:
    """One agent execution: model → tools → model in process, its transcript kept in memory.

    The transcript is stored once, in the records (see ``tarsy.nodes.replay``); ``history`` holds
    what an earlier run of the same execution recorded, which this run replays instead of redoing.
    """

    def __init__(self, ctx: RunContext, agent_input: AgentInput, history: AgentHistory) -> None:
        self.ctx = ctx
        self.identity = agent_input["agent"]
        self.stage_id = agent_input.get("stage_id")
        self.execution_id = agent_input.get("execution_id")
        self.task = agent_input["task"]
        self.agent = ctx.session_agent(resolve(ctx, self.identity))
        self.native = self.agent.strategy != "react"
        self.history = history
        self.messages: list[BaseMessage] = []
        self.iteration = 0
        self.recorded = 0  # messages already stored in llm_interactions (for linear storage)
        self.call_history: list[str] = []
        self.empty_retries = 0
        self.format_hints = 0  # consecutive unreadable ReAct replies answered with a hint
        self.progress = _progress_writer()
        providers = candidates(ctx.config, self.agent, self.agent.native_tools - ctx.native_tools_off)
        self.route = ProviderRoute.starting_at(providers, history.provider)
        self.orchestrator = Orchestrator(ctx, self.agent, agent_input, history)
        # An executive summary condenses what was found: no memory tier, no memory tools.
        self.memory = None if self.identity.get("role") == "exec_summary" else ctx.memory

    async def run(self) -> str:
        """Loop until a final answer; each iteration's records are written in one round trip.

        A step's write overlaps the next model call (which writes nothing until its own step ends)
        and is awaited before any tool runs, so no tool runs before the steps before it are stored:
        a crash still loses at most the step in flight and the write of the one before it, and
        neither holds a tool call whose result was stored. The last step's records are left queued:
        the caller ends the execution next, a write that takes the queue with it.
        """
        writing: asyncio.Task[None] | None = None
        try:
            while True:
                decision = await self.call_model()
                if writing is not None:  # the previous step's write: stored before anything runs
                    await writing
                    writing = None
                if "final_answer" in decision and self.orchestrator.pending:
                    await self.orchestrator.wait()  # an answer without its sub-agents' results is asked again
                    continue
                if "final_answer" in decision:
                    return str(decision["final_answer"])
                await self.run_tools(decision.get("pending", []))
                writing = asyncio.create_task(flush(self.ctx.recorder))
                await asyncio.sleep(0)  # the write goes out before the model call takes the CPU
        except StoreUnavailableError:
            await _ended(writing)
            raise  # nothing can be written now; the resumed run replays what was
        except BaseException:
            await _ended(writing)  # its error, if any, is also the flush's below
            await _flush_quietly(self.ctx.recorder)  # what the step recorded (an interrupt's mark) is kept
            raise
        finally:
            await self.orchestrator.close()

    async def call_model(self) -> dict[str, Any]:
        """One model call (or its stored reply); returns the decision: a final answer or tools to run."""
        ctx, agent = self.ctx, self.agent
        forced = self.iteration >= agent.max_iterations
        tools = [] if forced else await self._tools()
        if not self.messages:
            memories = self.memory.prompt if self.memory is not None else None
            self.messages = [
                SystemMessage(content=prompts.system_prompt(ctx.config, agent, tools, ctx.outbound.optional(memories))),
                HumanMessage(content=prompts.user_prompt(self.task)),
            ]
        self.messages.extend(await self.orchestrator.deliver(self.iteration))  # sub-agents that ended
        sent = [*self.messages, HumanMessage(content=prompts.FORCED_CONCLUSION)] if forced else list(self.messages)
        reply = self.history.reply(self.iteration)
        if reply is None:
            reply = await self._ask(sent, tools, forced)
        self.messages.append(reply)
        self.iteration += 1
        # LangGraph's ``custom`` stream mode (Studio, SDK clients): which agent is at which call. Names
        # and counts only; the content streams as TARSy events, masked.
        self.progress(
            {"agent": self.agent.display_name, "execution_id": self.execution_id, "iteration": self.iteration}
        )
        self.recorded = len(sent) + 1 - (1 if forced else 0)
        decision = self._decide(reply, forced=forced)
        self.messages.extend(decision.pop("messages", []))
        return decision

    async def _tools(self) -> list[ToolSpec]:
        """The MCP tools of the agent's servers, then TARSy's own (skills, sub-agents, memory) where it has them."""
        mcp = await self.ctx.tools.list_tools(self.agent)
        own = [*load_skill_spec(self.ctx.config, self.agent), *self.orchestrator.tool_specs()]
        return [*mcp, *own, *memory_tool_specs(self.memory)]

    async def _ask(self, sent: list[BaseMessage], tools: list[ToolSpec], forced: bool) -> AIMessage:
        """The model's reply, from the current provider or, when it fails, the next fallback."""
        while True:
            try:
                return await self._ask_provider(self.route.current, sent, tools, forced)
            except ProviderError as error:
                cause = error.__cause__ if isinstance(error.__cause__, Exception) else error
                if not self.route.should_switch(cause):
                    raise
                await self._switch(str(error), cause)

    async def _ask_provider(
        self, provider: str, sent: list[BaseMessage], tools: list[ToolSpec], forced: bool
    ) -> AIMessage:
        ctx, agent = self.ctx, self.agent
        role = self.identity.get("role", "investigation")
        model_name = ctx.models.model_name(provider)
        record = CallRecord(
            stage_id=self.stage_id,
            execution_id=self.execution_id,
            interaction_type="forced_conclusion" if forced else _INTERACTION_TYPE.get(role, "iteration"),
            provider=provider,
            model=model_name,
            conversation_offset=self.recorded,
            request_messages=messages_to_dicts(sent[self.recorded :]),
            tools=[t.name for t in tools],
            prompt_chars=prompt_chars(sent),
        )
        timeouts = ctx.config.provider(provider).stream_timeouts

        async def call() -> AIMessage:
            model = ctx.models.model_for(provider)
            if self.native and tools:
                runnable: Runnable[LanguageModelInput, BaseMessage] = model.bind_tools([wire_tool(t) for t in tools])
            else:  # Gemini's built-in tools only where the agent turned them on and the alert left them on
                runnable = with_native_tools(model, agent.native_tools - ctx.native_tools_off)
            return await stream_model_call(
                runnable,
                sent,
                recorder=ctx.recorder,
                stage_id=self.stage_id,
                execution_id=self.execution_id,
                run_config={"metadata": {"tarsy_agent": agent.display_name}},
                step=str(self.iteration),
                deadlines=self.route.deadlines(timeouts),
            )

        def explain(exc: Exception) -> Exception:  # provider failures end this agent (or switch), masked
            return mask_provider_error(provider_error(provider, model_name, exc), ctx.outbound)

        policy = retry_policy(ctx.config.defaults.llm_retry)
        reply = await recorded_model_call(
            ctx.recorder,
            record,
            lambda: attempts(self.route, call, policy),
            explain=explain,
            finish=lambda r: mask_reply(r, ctx.outbound),
        )
        await record_native_tool_results(
            reply, recorder=ctx.recorder, stage_id=self.stage_id, execution_id=self.execution_id
        )
        return reply

    async def _switch(self, reason: str, cause: Exception) -> None:
        """Move the execution to its next provider: recorded on the execution and in the timeline."""
        ctx, old = self.ctx, self.route.current
        new = self.route.advance()
        models = ctx.models
        switch = Switch(old, models.model_name(old), new, models.model_name(new), reason, classify(cause))
        log.warning("provider %s failed (%s); %s switches to %s", old, switch.category, self.agent.display_name, new)
        if self.execution_id is not None:
            await ctx.recorder.execution_fallback(self.execution_id, switch.as_dict())
        await ctx.recorder.timeline_event(
            event_type="provider_fallback",
            content=f"{old} ({switch.from_model}) failed [{switch.category}]; continuing on {new} ({switch.to_model})",
            stage_id=self.stage_id,
            execution_id=self.execution_id,
            metadata=switch.as_dict(),
        )

    def _decide(self, reply: AIMessage, *, forced: bool) -> dict[str, Any]:
        text = reply.text.strip()
        if forced:
            step = parse_react(text) if not self.native else None
            answer = (step.answer if isinstance(step, ReactFinal) else text).strip()
            if not answer:
                # No nudge here: the reply may hold tool calls that will never be answered, and a
                # provider refuses a conversation with unanswered calls. An empty analysis is not an
                # answer; failing says so, and the stage's success policy decides what follows.
                raise AgentError("the model gave no analysis when asked to conclude at the iteration limit")
            return {"final_answer": answer}
        empty_retries, self.empty_retries = self.empty_retries, 0  # only consecutive empties count
        if self.native:
            if reply.tool_calls or reply.invalid_tool_calls:
                pending = [native_call(dict(call)) for call in reply.tool_calls]
                pending += [invalid_call(dict(call)) for call in reply.invalid_tool_calls]
                return {"pending": pending}
        else:
            step = parse_react(text)
            if isinstance(step, ReactFinal):
                return {"final_answer": step.answer}
            if isinstance(step, ReactAction):
                self.format_hints = 0
                return {"pending": [{"name": step.tool, "arguments": step.arguments, "call_id": "", "wire": ""}]}
            if text and self.format_hints < FORMAT_HINT_LIMIT:
                self.format_hints += 1
                return {"messages": [HumanMessage(content=step.hint)]}
            if text:
                # A model that ignores the format twice is answering in prose: take it as the answer
                # rather than burning the remaining iterations on hints.
                return {"final_answer": text}
        if not text:
            if empty_retries >= 1:
                raise AgentError("the model returned an empty response twice in a row")
            self.empty_retries = 1
            return {"messages": [HumanMessage(content=prompts.EMPTY_RESPONSE_NUDGE)]}
        return {"final_answer": text}

    async def run_tools(self, pending: list[dict[str, Any]]) -> None:
        for index, call in enumerate(pending):
            outcome = await self._run_one(call, tool_step(self.iteration - 1, index))
            self.messages.append(observation(call, outcome, native=self.native))
        self.call_history = self.call_history[-REPEAT_LIMIT:]

    async def _run_one(self, call: dict[str, Any], step: str) -> ToolOutcome:
        name, arguments = str(call["name"]), dict(call["arguments"])
        key = signature(name, arguments)
        self.call_history.append(key)
        stored = self.history.tools.get(step)
        if stored is not None and stored.completed:
            for _ in range(stored.interrupts):
                interrupt(None)  # answered before: returns its stored answer, so later interrupts line up
            if name in ORCHESTRATOR_TOOLS:
                await self.orchestrator.reattach(stored)  # its sub-agent runs (replays) again
            return ToolOutcome(stored.content, is_error=stored.is_error)
        recorder = self.ctx.recorder
        metadata = {"tool": name, "arguments": arguments, "call_id": call.get("call_id", ""), "step": step}
        where = {"stage_id": self.stage_id, "execution_id": self.execution_id}
        event_id = await recorder.timeline_started(event_type="llm_tool_call", metadata=metadata, **where)
        if call.get("error"):
            outcome = ToolOutcome(str(call["error"]), is_error=True)
        elif self.call_history[-REPEAT_LIMIT:] == [key] * REPEAT_LIMIT:
            outcome = ToolOutcome(
                f"Refused: you called {name} with the same arguments {REPEAT_LIMIT} times in a row; the result "
                "will not change. Use the results you already have, try different arguments or another tool, "
                "or give your final answer.",
                is_error=True,
            )
        else:
            outcome = await self._execute(name, arguments, call, event_id, metadata, stored)
        await recorder.timeline_completed(
            event_id,
            outcome.content,
            metadata={"is_error": outcome.is_error, "summarized": outcome.summarized, **outcome.metadata},
        )
        return outcome

    async def _execute(
        self,
        name: str,
        arguments: dict[str, Any],
        call: dict[str, Any],
        event_id: str,
        metadata: dict[str, Any],
        stored: StoredTool | None,
    ) -> ToolOutcome:
        ctx = self.ctx

        async def progress(delta: str) -> None:
            await ctx.recorder.timeline_delta(event_id, delta)

        if name in ORCHESTRATOR_TOOLS:
            return await self.orchestrator.handle(name, arguments)
        if name == LOAD_SKILL:  # TARSy's own tool: nothing to reach, nothing to approve
            where = {"stage_id": self.stage_id, "execution_id": self.execution_id}
            return await load_skill(ctx.config, self.agent, arguments, ctx.outbound, ctx.recorder, where)
        if name in MEMORY_TOOLS:  # TARSy's own as well: a read of its memory or session history
            return await run_memory_tool(name, arguments, self.memory, ctx.outbound)
        try:
            return await ctx.tools.execute(
                self.agent,
                ToolRequest(name=name, arguments=arguments, call_id=str(call.get("call_id", ""))),
                ToolScope(self.stage_id, self.execution_id, event_id, progress),
            )
        except GraphInterrupt:
            # A person is asked (LangGraph interrupt): the call stays open; counting the interrupts
            # it raised lets a later replay consume their answers in the same order.
            interrupts = (stored.interrupts if stored is not None else 0) + 1
            await ctx.recorder.timeline_started(
                event_type="llm_tool_call",
                stage_id=self.stage_id,
                execution_id=self.execution_id,
                metadata={**metadata, "interrupts": interrupts},
            )
            raise


async def _ended(writing: asyncio.Task[None] | None) -> None:
    """Wait for a step's write in flight, its error ignored (the run is ending with another)."""
    if writing is not None:
        await asyncio.gather(writing, return_exceptions=True)


async def _flush_quietly(recorder: object) -> None:
    try:
        await flush(recorder)
    except Exception as exc:  # the original error is the one that matters; this one is logged
        log.warning("could not write the step's records after a failure: %s", exc)


async def run_agent_loop(ctx: RunContext, agent_input: AgentInput) -> str:
    """Run one agent execution to its final answer, replaying what its records already hold."""
    history = await history_of(ctx.recorder, agent_input.get("execution_id"))
    return await AgentLoop(ctx, agent_input, history).run()


def build_agent_graph(default_context: RunContext | None = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The agent loop as a one-node graph (Studio, embedding apps); the session graph calls the loop directly."""
    context_of = context_resolver(default_context, "agent")

    async def agent(state: AgentInput, runtime: Runtime[RunContext]) -> AgentOutput:
        ctx = context_of(runtime)
        loop = AgentLoop(ctx, state, await history_of(ctx.recorder, state.get("execution_id")))
        answer = await loop.run()
        await flush(ctx.recorder)  # no execution ending follows here to take the last step's records
        return {"final_answer": answer, "iteration": loop.iteration}

    graph = StateGraph[AgentInput, RunContext, AgentInput, AgentOutput](
        AgentInput, input_schema=AgentInput, output_schema=AgentOutput
    )
    graph.add_node("agent", agent)
    graph.add_edge(START, "agent")
    return graph.compile(name="agent")
