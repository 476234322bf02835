"""Sub-agents: an agent dispatches others, each its own graph execution, and reads their results.

An agent whose resolved ``sub_agents`` catalog is not empty gets three tools of TARSy's own:

* ``tarsy.dispatch_agent{name, task}`` starts the named agent on the task and returns at once with
  the sub-agent's execution id; the sub-agent runs concurrently, as its own agent graph (its own
  servers, provider and iteration limit), recorded as an execution of the parent's stage with
  ``parent_execution_id``, ``task`` and ``dispatch_index``;
* ``tarsy.cancel_agent{execution_id}`` stops one;
* ``tarsy.list_agents{}`` lists the dispatched ones and their state.

A result reaches the parent as a message before its next model call after the sub-agent ended,
recorded as a ``sub_agent_result`` event keyed by that call. A parent that answers while
sub-agents still run waits for them and is asked again with their results. Guardrails
(``orchestrator``): ``max_concurrent_agents`` running at once, ``agent_timeout`` per sub-agent,
``max_budget`` dispatches per execution; a refused dispatch is a tool error the model can act on.

Durability is the agent loop's own: a resumed parent replays its dispatch calls from the records,
which re-attach each sub-agent, and a sub-agent replays its own records, so one that had finished
makes no model call again and one cut midway goes on where it stopped. Results already delivered
are delivered again from the records at the same model call, so the conversation is rebuilt as it
was.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage, HumanMessage

from tarsy.config import ResolvedAgent, TarsyConfig, resolve_sub_agent
from tarsy.contracts import SubAgentOf, ToolOutcome, ToolSpec
from tarsy.errors import StoreUnavailableError, public_reason
from tarsy.nodes.replay import DELIVERY_EVENT, AgentHistory, Delivery, StoredTool

if TYPE_CHECKING:
    from tarsy.nodes.agent import AgentInput
    from tarsy.nodes.context import RunContext

log = logging.getLogger(__name__)

DISPATCH = "tarsy.dispatch_agent"
CANCEL = "tarsy.cancel_agent"
LIST = "tarsy.list_agents"
TOOLS = frozenset({DISPATCH, CANCEL, LIST})
MAX_TASK_CHARS = 8000


def sub_agents_prompt(config: TarsyConfig, agent: ResolvedAgent) -> str | None:
    """The prompt's catalog of the sub-agents ``agent`` may dispatch, with its guardrails."""
    if not agent.sub_agents:
        return None
    limits = agent.orchestrator
    lines = [f"- {name}: {config.agent(name).description.strip()}" for name in agent.sub_agents]
    return (
        "## Sub-agents\nYou can delegate self-contained tasks to these agents; they run in parallel with you.\n"
        + "\n".join(lines)
        + f"\nDispatch with {DISPATCH} (at most {limits.max_concurrent_agents} at once, "
        f"{limits.max_budget} in all, each stopped after {limits.agent_timeout:g}s). Their results arrive as "
        "messages; keep working meanwhile, and do not give your final answer before you have read them."
    )


@dataclass
class SubAgent:
    name: str
    task: str
    dispatch_index: int
    execution_id: str = ""
    status: str = "running"  # running | completed | failed | cancelled | timed_out
    result: str = ""
    runner: asyncio.Task[None] | None = None
    delivered: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)


class Orchestrator:
    """The sub-agents of one parent execution."""

    def __init__(self, ctx: RunContext, parent: ResolvedAgent, agent_input: AgentInput, history: AgentHistory) -> None:
        self.ctx = ctx
        self.parent = parent
        self.parent_input = agent_input
        self.history = history
        self.limits = parent.orchestrator
        self.agents: list[SubAgent] = []

    # -- what the parent sees -------------------------------------------------------------------

    def tool_specs(self) -> list[ToolSpec]:
        if not self.parent.sub_agents:
            return []
        names = list(self.parent.sub_agents)
        dispatch = {
            "type": "object",
            "properties": {
                "name": {"type": "string", "enum": names, "description": "Which sub-agent (see the catalog)."},
                "task": {"type": "string", "description": "A self-contained task: what to find out or do."},
            },
            "required": ["name", "task"],
        }
        cancel = {
            "type": "object",
            "properties": {"execution_id": {"type": "string", "description": "As dispatch_agent returned it."}},
            "required": ["execution_id"],
        }
        return [
            ToolSpec(DISPATCH, "Start a sub-agent on a task; its result arrives as a message when it ends.", dispatch),
            ToolSpec(CANCEL, "Stop a running sub-agent.", cancel),
            ToolSpec(LIST, "List the sub-agents you dispatched and their state.", {"type": "object", "properties": {}}),
        ]

    @property
    def pending(self) -> list[SubAgent]:
        return [a for a in self.agents if not a.delivered]

    # -- tool calls -----------------------------------------------------------------------------

    async def handle(self, name: str, arguments: dict[str, Any]) -> ToolOutcome:
        """Run one of the three tools (a call the records hold is re-attached instead: ``reattach``)."""
        if name == LIST:
            return ToolOutcome(self._listing())
        if name == CANCEL:
            return await self._cancel(str(arguments.get("execution_id", "")))
        return await self._dispatch(arguments)

    async def reattach(self, stored: StoredTool) -> None:
        """A dispatch the records hold: its result, when delivered already; else its sub-agent again,
        which replays its own records (no model call for what it had done)."""
        dispatched = stored.metadata.get("dispatched")
        if isinstance(dispatched, dict):
            agent = SubAgent(str(dispatched["name"]), str(dispatched["task"]), int(dispatched["dispatch_index"]))
            self.agents.append(agent)
            delivered = {d.sub_execution_id for ds in self.history.deliveries.values() for d in ds}
            agent.execution_id = str(stored.metadata.get("sub_execution_id", ""))
            if agent.execution_id in delivered:
                agent.status = "delivered"
                agent.done.set()
                return
            agent.execution_id = await self._open(agent)
            agent.runner = asyncio.create_task(self._run(agent))
        elif stored.metadata.get("cancelled"):
            target = next((a for a in self.agents if a.execution_id == stored.metadata["cancelled"]), None)
            if target is not None and target.runner is not None:
                target.runner.cancel()

    async def _dispatch(self, arguments: dict[str, Any]) -> ToolOutcome:
        name, task = str(arguments.get("name", "")), str(arguments.get("task", "")).strip()
        if name not in self.parent.sub_agents:
            known = ", ".join(self.parent.sub_agents)
            return ToolOutcome(f"Error: no sub-agent {name!r}; you can dispatch: {known}", is_error=True)
        if not task or len(task) > MAX_TASK_CHARS:
            return ToolOutcome(f"Error: give a task of 1 to {MAX_TASK_CHARS} characters", is_error=True)
        if len(self.agents) >= self.limits.max_budget:
            return ToolOutcome(
                f"Error: the sub-agent budget is spent ({self.limits.max_budget} dispatches); "
                "work with the results you have.",
                is_error=True,
            )
        running = [a for a in self.agents if a.status == "running"]
        if len(running) >= self.limits.max_concurrent_agents:
            return ToolOutcome(
                f"Error: {len(running)} sub-agents are running (the limit); wait for a result or cancel one.",
                is_error=True,
            )
        agent = SubAgent(name, task, len(self.agents) + 1)
        self.agents.append(agent)
        agent.execution_id = await self._open(agent)
        agent.runner = asyncio.create_task(self._run(agent))
        dispatched = {"name": name, "task": task, "dispatch_index": agent.dispatch_index}
        content = f"Dispatched {name} as execution {agent.execution_id}; its result will arrive as a message."
        return ToolOutcome(content, metadata={"dispatched": dispatched, "sub_execution_id": agent.execution_id})

    async def _cancel(self, execution_id: str) -> ToolOutcome:
        agent = next((a for a in self.agents if a.execution_id == execution_id), None)
        if agent is None:
            return ToolOutcome(f"Error: no sub-agent with execution id {execution_id!r}; see {LIST}", is_error=True)
        if agent.status != "running" or agent.runner is None:
            return ToolOutcome(f"{agent.name} ({execution_id}) already ended: {agent.status}")
        agent.runner.cancel()
        await agent.done.wait()
        return ToolOutcome(f"Cancelled {agent.name} ({execution_id}).", metadata={"cancelled": execution_id})

    def _listing(self) -> str:
        if not self.agents:
            return "No sub-agents dispatched yet."
        return "\n".join(f"- {a.execution_id} {a.name}: {a.status} — task: {a.task[:200]}" for a in self.agents)

    # -- running one ----------------------------------------------------------------------------

    def _resolved(self, agent: SubAgent) -> ResolvedAgent:
        return resolve_sub_agent(self.ctx.config, agent.name, self._skills())

    def _skills(self) -> tuple[list[str], list[str]]:
        """What a sub-agent inherits of the dispatching agent's skills (unless it lists its own)."""
        return list(self.parent.skills), list(self.parent.required_skills)

    async def _open(self, agent: SubAgent) -> str:
        resolved = self._resolved(agent)
        parent_id = self.parent_input.get("execution_id")
        assert parent_id is not None, "a sub-agent's parent is a recorded execution"
        assert self.parent_input.get("stage_id") is not None, "a sub-agent runs in its parent's stage"
        return await self.ctx.recorder.execution_started(
            stage_id=str(self.parent_input["stage_id"]),
            agent_index=int(self.parent_input["agent"].get("agent_index", 0)),
            agent=resolved,
            model=self.ctx.models.model_name(resolved.llm_provider),
            parent=SubAgentOf(parent_id, agent.dispatch_index, agent.task),
        )

    async def _run(self, agent: SubAgent) -> None:
        from tarsy.nodes.agent import run_agent_loop  # the loop runs its sub-agents: imported late

        recorder = self.ctx.recorder
        try:
            allowed, required = self._skills()
            identity = {
                **self.parent_input["agent"],
                "role": "sub_agent",
                "name": agent.name,
                "skills": allowed,
                "required_skills": required,
            }
            task = {**self.parent_input["task"], "kind": "sub_agent", "question": agent.task}
            sub_input: AgentInput = {
                "agent": identity,
                "stage_id": self.parent_input.get("stage_id"),
                "execution_id": agent.execution_id,
                "task": task,  # type: ignore[typeddict-item]
            }
            # A sub-agent cannot wait for a person: the service gives it tools that refuse a call that
            # needs approval, and the dispatching agent (which can wait) makes the change if it must.
            ctx = dataclasses.replace(self.ctx, tools=self.ctx.sub_agent_tools or self.ctx.tools)
            async with asyncio.timeout(self.limits.agent_timeout):
                agent.result = await run_agent_loop(ctx, sub_input)
            agent.status = "completed"
            await recorder.execution_finished(agent.execution_id, "completed")
        except TimeoutError:
            agent.status, agent.result = "timed_out", f"timed out after {self.limits.agent_timeout:g}s"
            await recorder.execution_finished(agent.execution_id, "timed_out", agent.result)
        except asyncio.CancelledError:
            agent.status, agent.result = "cancelled", "cancelled before it finished"
            if agent.execution_id:
                await recorder.execution_finished(agent.execution_id, "cancelled", agent.result)
        except StoreUnavailableError:
            agent.status, agent.result = "failed", "the database was unavailable"
            raise
        except Exception as exc:
            reason = public_reason(exc, log, f"sub-agent {agent.name} failed")
            agent.status, agent.result = "failed", reason
            if agent.execution_id:
                await recorder.execution_finished(agent.execution_id, "failed", reason)
        finally:
            agent.done.set()

    # -- results to the parent ------------------------------------------------------------------

    async def deliver(self, call: int) -> list[BaseMessage]:
        """Messages of the sub-agents that ended since the last model call, recorded against ``call``."""
        recorded = self.history.deliveries.get(call)
        if recorded is not None:
            return self._replayed(recorded)
        ended = [a for a in self.agents if not a.delivered and a.done.is_set()]
        messages: list[BaseMessage] = []
        for index, agent in enumerate(ended):
            agent.delivered = True
            content = self._message(agent)
            await self.ctx.recorder.timeline_event(
                event_type=DELIVERY_EVENT,
                content=content,
                stage_id=self.parent_input.get("stage_id"),
                execution_id=self.parent_input.get("execution_id"),
                metadata={
                    "step": f"r{call}.{index}",
                    "delivered_at": call,
                    "sub_execution_id": agent.execution_id,
                    "agent": agent.name,
                    "status": agent.status,
                },
            )
            messages.append(HumanMessage(content=content))
        return messages

    def _replayed(self, recorded: list[Delivery]) -> list[BaseMessage]:
        ids = {d.sub_execution_id for d in recorded}
        for agent in self.agents:
            if agent.execution_id in ids:
                agent.delivered = True
        return [HumanMessage(content=d.content) for d in recorded]

    def _message(self, agent: SubAgent) -> str:
        head = f"[Sub-agent {agent.name} ({agent.execution_id}) {agent.status}]"
        return f"{head}\nTask: {agent.task}\n\n{agent.result}".strip()

    async def wait(self) -> None:
        """Until every sub-agent not yet delivered has ended (each is bounded by its timeout)."""
        waiting = [a.done.wait() for a in self.pending]
        if waiting:
            await asyncio.gather(*waiting)

    async def close(self) -> None:
        """Stop what still runs (the parent ended, failed or was cancelled)."""
        running = [a.runner for a in self.agents if a.runner is not None and not a.runner.done()]
        for runner in running:
            runner.cancel()
        if running:
            await asyncio.gather(*running, return_exceptions=True)
