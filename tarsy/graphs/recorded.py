"""A recorded agent run: the execution row, the loop, and the row's ending, written once for every kind.

Stage agents, synthesis, the executive summary and chat answers all run an agent the same way;
what differs is what a failure means for them, which the caller decides from the returned
:class:`AgentResult`. A database outage and LangGraph's control flow (``interrupt()``) are not the
agent's failure: they propagate and leave the execution open, to be resumed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from langgraph.errors import GraphBubbleUp

from tarsy.config import ResolvedAgent
from tarsy.errors import StoreUnavailableError, public_reason
from tarsy.nodes.agent import AgentInput, run_agent_loop
from tarsy.nodes.context import RunContext
from tarsy.nodes.prompts import AgentTask
from tarsy.observability.logging import bind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AgentResult:
    execution_id: str
    text: str
    error: str | None = None  # "<agent> failed: <reason>" when the agent failed

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class StageRecord:
    """A stage row of one agent (synthesis, executive summary, chat)."""

    index: int
    name: str
    stage_type: str
    referenced_stage_id: str | None = None


async def open_stage(ctx: RunContext, stage: StageRecord) -> str:
    return await ctx.recorder.stage_started(
        stage_index=stage.index,
        name=stage.name,
        stage_type=stage.stage_type,
        expected_agents=1,
        success_policy="all",
        parallel_type="single",
        referenced_stage_id=stage.referenced_stage_id,
    )


async def run_recorded_agent(
    ctx: RunContext,
    agent: ResolvedAgent,
    identity: dict[str, Any],
    stage_id: str,
    task: AgentTask,
) -> AgentResult:
    """Open the execution, run the agent loop, and close the execution with the outcome."""
    agent = ctx.session_agent(agent)  # the provider and model the execution row names
    execution_id = await ctx.recorder.execution_started(
        stage_id=stage_id,
        agent_index=int(identity.get("agent_index", 0)),
        agent=agent,
        model=ctx.models.model_name(agent.llm_provider),
    )
    bind(execution_id=execution_id)  # every log line of the run names its execution
    agent_input = AgentInput(agent=identity, stage_id=stage_id, execution_id=execution_id, task=task)
    try:
        text = await run_agent_loop(ctx, agent_input)
    except (StoreUnavailableError, GraphBubbleUp):
        raise  # an outage pauses the session; an interrupt waits for its answer
    except Exception as exc:
        reason = f"{agent.display_name} failed: {public_reason(exc, log, f'agent {agent.display_name} failed')}"
        await ctx.recorder.execution_finished(execution_id, "failed", reason)
        return AgentResult(execution_id, "", reason)
    await ctx.recorder.execution_finished(execution_id, "completed")
    return AgentResult(execution_id, text)


async def run_agent_stage(
    ctx: RunContext, stage: StageRecord, agent: ResolvedAgent, identity: dict[str, Any], task: AgentTask
) -> tuple[str, AgentResult]:
    """A one-agent stage: its row, the recorded run, and the row's ending (failed with the agent)."""
    stage_id = await open_stage(ctx, stage)
    result = await run_recorded_agent(ctx, agent, identity, stage_id, task)
    await ctx.recorder.stage_finished(stage_id, "completed" if result.ok else "failed", result.error)
    return stage_id, result
