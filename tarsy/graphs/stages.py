"""Node factories for one chain stage: open it, run each agent as a ``Send`` branch, join, synthesize.

A stage always fans out (one branch for a single agent, N for parallel agents or replicas) so the
shape is uniform. The join applies the success policy and records the stage's end. A stage that ran
more than one agent has a synthesis node after its join: it runs the synthesis agent, whose answer
(not the raw parallel outputs) is what later stages see, and is recorded as its own stage
referencing the parallel one. Being a node of its own, a synthesis interrupted by a dying worker
resumes from the join's checkpoint: the parallel branches are not run again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import Send

from tarsy.config import ResolvedAgent, TarsyConfig, resolve_agent, resolve_success_policy, resolve_synthesis
from tarsy.config import stage_agent_count as agent_count
from tarsy.graphs.input_check import check_session_input
from tarsy.graphs.recorded import StageRecord, run_agent_stage, run_recorded_agent
from tarsy.graphs.state import BranchInput, BranchResult, SessionState
from tarsy.nodes.context import RunContext
from tarsy.nodes.prompts import AgentTask, StageResult
from tarsy.observability.logging import bind

log = logging.getLogger(__name__)

ContextOf = Callable[[Runtime[RunContext]], RunContext]
Node = Callable[..., Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class StagePlan:
    """Where a config stage sits among the recorded stages (synthesis rows take a slot too)."""

    index: int  # position in the chain config
    record_index: int  # stage_index of its row
    synthesis_record_index: int | None  # row of its synthesis stage, when more than one agent runs
    agents: int

    @property
    def parallel(self) -> bool:
        return self.agents > 1


def plan_stages(config: TarsyConfig, chain_id: str) -> tuple[list[StagePlan], int]:
    """Plans for every stage and the record index left for the executive summary."""
    plans: list[StagePlan] = []
    position = 0
    for index, stage in enumerate(config.agent_chains[chain_id].stages):
        count = agent_count(stage)
        synthesis = position + 1 if count > 1 else None
        plans.append(StagePlan(index, position, synthesis, count))
        position += 2 if synthesis is not None else 1
    return plans, position


def alert_task(state: SessionState | BranchInput, **extra: Any) -> AgentTask:
    alert = state["alert"]
    task: AgentTask = {
        "alert_type": alert["alert_type"],
        "data": alert["data"],
        "runbook": alert.get("runbook"),
    }
    task.update(extra)  # type: ignore[typeddict-item]
    return task


class StageNodes:
    def __init__(
        self,
        chain_id: str,
        plan: StagePlan,
        context_of: ContextOf,
    ) -> None:
        self.chain_id = chain_id
        self.plan = plan
        self.context_of = context_of

    @property
    def names(self) -> tuple[str, str, str]:
        i = self.plan.index
        return f"stage_{i}", f"stage_{i}_agent", f"stage_{i}_join"

    @property
    def synthesis_name(self) -> str | None:
        """The synthesis node after the join, for a stage that runs more than one agent."""
        return f"stage_{self.plan.index}_synthesis" if self.plan.parallel else None

    @property
    def last(self) -> str:
        """The node whose router leads on to the next stage (or to ``finalize`` on failure)."""
        return self.synthesis_name or self.names[2]

    async def open(self, state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        if self.plan.index == 0:
            check_session_input(state)  # the graph's first node: Studio and SDK inputs arrive unchecked
        ctx = self.context_of(runtime)
        stage = ctx.config.agent_chains[self.chain_id].stages[self.plan.index]
        parallel_type = "single"
        if self.plan.parallel:
            parallel_type = "replica" if stage.replicas > 1 else "multi_agent"
        kinds = {ctx.config.agent(entry.name).type for entry in stage.agents}
        stage_id = await ctx.recorder.stage_started(
            stage_index=self.plan.record_index,
            name=stage.name,
            stage_type="action" if kinds == {"action"} else "investigation",
            expected_agents=self.plan.agents,
            success_policy=resolve_success_policy(ctx.config, self.chain_id, self.plan.index),
            parallel_type=parallel_type,
        )
        return {"stage_rows": {str(self.plan.index): stage_id}}

    def fan_out(self, state: SessionState) -> list[Send]:
        stage_id = state["stage_rows"][str(self.plan.index)]
        return [
            Send(
                self.names[1],
                BranchInput(
                    alert=state["alert"],
                    stage_index=self.plan.index,
                    agent_index=agent_index,
                    stage_id=stage_id,
                    previous=list(state.get("stage_results", [])),
                ),
            )
            for agent_index in range(self.plan.agents)
        ]

    async def branch(self, branch: BranchInput, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        index, agent_index = branch["stage_index"], branch["agent_index"]
        agent = resolve_agent(ctx.config, self.chain_id, index, agent_index)
        stage = ctx.config.agent_chains[self.chain_id].stages[index]
        bind(stage_id=branch["stage_id"], agent=agent.display_name)
        identity = {
            "role": "investigation",
            "chain_id": self.chain_id,
            "stage_index": index,
            "agent_index": agent_index,
        }
        task = alert_task(branch, kind="investigation", stage_name=stage.name, previous=branch["previous"])
        # One agent failing is a branch outcome, not a crash: the success policy decides.
        result = await run_recorded_agent(ctx, agent, identity, branch["stage_id"], task)
        status = "completed" if result.ok else "failed"
        if result.ok:  # a failure was logged at ERROR, with its error id, where it happened
            log.info("agent %s completed", agent.display_name)
        return {"branch_results": [_result(index, agent_index, agent, status, result.text, result.error)]}

    async def join(self, state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        ctx = self.context_of(runtime)
        stage = ctx.config.agent_chains[self.chain_id].stages[self.plan.index]
        stage_id = state["stage_rows"][str(self.plan.index)]
        results = self._results(state)
        ok = [r for r in results if r["status"] == "completed"]
        policy = resolve_success_policy(ctx.config, self.chain_id, self.plan.index)
        succeeded = bool(ok) and (policy == "any" or len(ok) == len(results))
        if not succeeded:
            failures = "; ".join(str(r["error"]) for r in results if r["status"] != "completed")
            reason = f"{len(results) - len(ok)} of {len(results)} agents failed (policy {policy}): {failures}"
            await ctx.recorder.stage_finished(stage_id, "failed", reason)
            return {"error": f"stage '{stage.name}' failed: {reason}"}
        await ctx.recorder.stage_finished(stage_id, "completed")
        if self.plan.parallel:
            return {}  # the synthesis node hands the stage's one result on
        only = ok[0]
        return {"stage_results": [StageResult(stage.name, only["agent_name"], only["text"]).as_dict()]}

    async def synthesize(self, state: SessionState, runtime: Runtime[RunContext]) -> dict[str, Any]:
        """The synthesis node of a parallel stage that succeeded: weigh its successful findings."""
        ctx = self.context_of(runtime)
        stage_name = ctx.config.agent_chains[self.chain_id].stages[self.plan.index].name
        findings = [r for r in self._results(state) if r["status"] == "completed"]
        agent = resolve_synthesis(ctx.config, self.chain_id, self.plan.index)
        name = f"{stage_name} - Synthesis"
        assert self.plan.synthesis_record_index is not None
        parallel_stage_id = state["stage_rows"][str(self.plan.index)]
        record = StageRecord(self.plan.synthesis_record_index, name, "synthesis", parallel_stage_id)
        identity = {"role": "synthesis", "chain_id": self.chain_id, "stage_index": self.plan.index, "agent_index": 0}
        task = alert_task(
            state,
            kind="synthesis",
            stage_name=name,
            previous=list(state.get("stage_results", [])),
            findings=[StageResult(stage_name, r["agent_name"], r["text"]).as_dict() for r in findings],
        )
        _, result = await run_agent_stage(ctx, record, agent, identity, task)
        if not result.ok:  # without a synthesis the chain cannot hand one result on: the session fails
            return {"error": f"stage '{name}' failed: {result.error}"}
        return {"stage_results": [StageResult(name, agent.display_name, result.text).as_dict()]}

    def _results(self, state: SessionState) -> list[BranchResult]:
        """This stage's branch results, in agent order."""
        return sorted(
            (r for r in state.get("branch_results", []) if r["stage_index"] == self.plan.index),
            key=lambda r: r["agent_index"],
        )


def _result(
    stage_index: int, agent_index: int, agent: ResolvedAgent, status: str, text: str, error: str | None
) -> BranchResult:
    return BranchResult(
        stage_index=stage_index,
        agent_index=agent_index,
        agent_name=agent.display_name,
        status=status,
        text=text,
        error=error,
    )
