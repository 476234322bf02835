"""``tarsy eval``: run a chain against scenarios with the replay server, judge, and write the table.

Each scenario run goes through ``tarsy.runtime.investigate.run_chain`` (the code path of ``tarsy
investigate``) with an in-memory recorder, the replay server in place of ``kubernetes-server`` and
every model input captured; then the analysis is judged (``tarsy.evals.judge``) and checked for
the scenario's secrets (``tarsy.evals.leaks``). A scenario run passes when the chain completed,
every fact was found, no forbidden answer was given, no secret leaked and the judge answered.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage
from langgraph.checkpoint.memory import InMemorySaver

from tarsy.build_info import version
from tarsy.config import TarsyConfig, UnknownAlertTypeError
from tarsy.contracts import LLMInteraction, ModelProvider
from tarsy.evals.errors import EvalSetupError
from tarsy.evals.judge import ItemVerdict, Verdict, combine, judge, scripted_verdict
from tarsy.evals.leaks import find_leaks, stored_texts
from tarsy.evals.models import OFFLINE_LABEL, OFFLINE_MODEL, CapturingModels, InputCapture, OfflineModels
from tarsy.evals.replay import ReplayedCall
from tarsy.evals.results import RunMeta, ScenarioResult
from tarsy.evals.scenario import Scenario, match
from tarsy.evals.tools import REPLAYED_SERVER, ReplayTools, Transport, with_replay_server
from tarsy.llm.pricing import Pricer, Usage, config_pricer
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.runtime.investigate import checked_alert, run_chain
from tarsy.runtime.run_tools import alert_context

LIVE_LABEL = "live: the model investigated, an LLM judge graded"
ITERATION_TYPES = ("iteration", "forced_conclusion")
"""Model calls that count as agent iterations (not summaries, not the executive summary)."""

AskJudge = Callable[[list[SystemMessage | HumanMessage]], Awaitable[str]]


@dataclass
class EvalSetup:
    """What every scenario run of one evaluation shares."""

    config: TarsyConfig
    transport: Transport
    workdir: Path
    """Where the replay server's call logs go."""
    chain: str | None = None
    """The chain to run; None: the one each scenario's alert type routes to."""
    offline: bool = False
    models: ModelProvider | None = None
    """Live: the model factory (None offline: each scenario gets its scripted model)."""
    provider: str | None = None
    """Live: the provider every agent uses (``--model``); None: each agent's own (the config's)."""
    judge_provider: str | None = None
    judge_tokens: int = 0

    def chain_for(self, scenario: Scenario) -> str:
        if self.chain is not None:
            return self.chain
        try:
            return self.config.chain_for_alert_type(scenario.spec.alert.alert_type)[0]
        except UnknownAlertTypeError as exc:
            raise EvalSetupError(f"scenario {scenario.name}: {exc}; or name a chain with --chain") from None

    def models_for(self, scenario: Scenario) -> ModelProvider:
        if self.offline or self.models is None:
            return OfflineModels(scenario, REPLAYED_SERVER)
        return self.models

    def judge_for(self, scenario: Scenario) -> AskJudge:
        if self.offline or self.models is None:

            async def scripted(messages: list[SystemMessage | HumanMessage]) -> str:
                return scripted_verdict(scenario, _report(messages))

            return scripted
        model = self.models.model_for(self.judge_provider or self.provider or self.config.defaults.llm_provider)

        async def live(messages: list[SystemMessage | HumanMessage]) -> str:
            answer = await model.ainvoke(messages)
            if isinstance(answer, AIMessage) and answer.usage_metadata:
                self.judge_tokens += answer.usage_metadata["total_tokens"]
            return answer.text

        return live

    def meta(self, started_at: str, repeat: int) -> RunMeta:
        provider = self.provider or self.config.defaults.llm_provider
        offline = self.offline or self.models is None
        return RunMeta(
            provider="offline" if offline else provider,
            model=OFFLINE_MODEL if offline or self.models is None else self.models.model_name(provider),
            judge="scripted (exact checks)" if offline else (self.judge_provider or provider),
            chain=self.chain or "by alert type",
            offline=offline,
            label=OFFLINE_LABEL if offline else LIVE_LABEL,
            started_at=started_at,
            repeat=repeat,
            version=version(),
        )


def _report(messages: list[SystemMessage | HumanMessage]) -> str:
    """The report inside the judge prompt (the scripted judge grades the same text a real one reads)."""
    body = messages[-1].text
    return body.split("<report>\n", 1)[-1].rsplit("\n</report>", 1)[0]


async def run_scenario(scenario: Scenario, setup: EvalSetup, run: int = 1) -> ScenarioResult:
    """One run of one scenario: the chain, the judge, the leak check, the figures."""
    calls_file = setup.workdir / f"{scenario.name}.run{run}.calls.jsonl"
    calls_file.parent.mkdir(parents=True, exist_ok=True)
    calls_file.unlink(missing_ok=True)
    config = with_replay_server(setup.config, scenario, calls_file)
    tools = ReplayTools(scenario, setup.transport, calls_file)
    capture = InputCapture()
    models = CapturingModels(setup.models_for(scenario), capture)
    recorder = MemoryRecorder()
    alert_type = scenario.spec.alert.alert_type
    alert = {"alert_type": alert_type, "data": checked_alert(config, scenario.spec.alert.data), "runbook": None}
    started = time.monotonic()
    async with tools.executor(config, recorder, models, alert_context(alert_type, alert["data"])) as executor:
        context = RunContext(
            session_id=str(uuid.uuid4()),
            config=config,
            recorder=recorder,
            models=models,
            tools=executor,
            llm_provider=setup.provider,
        )
        outcome = await run_chain(
            config, setup.chain_for(scenario), alert, context=context, checkpointer=InMemorySaver()
        )
    duration = time.monotonic() - started
    analysis = str(outcome.values.get("final_analysis") or "")
    judged_before = setup.judge_tokens
    verdict = (
        await judge(scenario, analysis, setup.judge_for(scenario))
        if analysis
        else Verdict(combine(scenario, analysis, {}), judge_error="no analysis to judge")
    )
    places = {
        "llm input": capture.texts,
        **stored_texts(recorder),
        "analysis": [analysis, str(outcome.values.get("executive_summary") or "")],
    }
    leaks = find_leaks(scenario.spec.secrets, places)
    pricer = None if setup.offline else config_pricer(config)
    result = _result(scenario, run, outcome.error, verdict, leaks, tools.calls, recorder, duration, pricer)
    return replace(result, judge_tokens=setup.judge_tokens - judged_before)


def _coverage(scenario: Scenario, calls: list[ReplayedCall]) -> int:
    answered = {c.recording for c in calls if c.recording is not None}
    return sum(1 for s in scenario.spec.ideal_path if match(scenario.spec.recordings, s.tool, s.args) in answered)


def _cost(calls: list[LLMInteraction], pricer: Pricer | None) -> float | None:
    """USD over the calls; offline (no pricer) a scripted model costs nothing; None if any is unpriced."""
    if pricer is None:
        return 0.0
    total = 0.0
    for c in calls:
        usage = Usage(c.input_tokens, c.output_tokens, c.cached_tokens, c.thinking_tokens)
        cost = pricer.cost(c.provider, c.model, usage, date.today())
        if cost.usd is None:
            return None
        total += cost.usd
    return round(total, 6)


def _result(
    scenario: Scenario,
    run: int,
    error: str | None,
    verdict: Verdict,
    leaks: list[str],
    calls: list[ReplayedCall],
    recorder: MemoryRecorder,
    duration: float,
    pricer: Pricer | None,
) -> ScenarioResult:
    found = [i.id for i in verdict.facts if i.holds]
    missing = [i.id for i in verdict.facts if not i.holds]
    hits = [i.id for i in verdict.forbidden if i.holds]
    llm = recorder.llm_calls
    tool_calls = [c for c in recorder.mcp_calls if c.interaction_type == "tool_call"]
    passed = error is None and not missing and not hits and not leaks and verdict.judge_error is None
    return ScenarioResult(
        scenario=scenario.name,
        run=run,
        passed=passed,
        status="failed" if error else "completed",
        facts_found=found,
        facts_missing=missing,
        forbidden_hits=hits,
        secret_leaks=leaks,
        tool_calls=len(tool_calls),
        unrecorded_calls=sum(1 for c in calls if c.recording is None),
        ideal_path_covered=_coverage(scenario, calls),
        ideal_path_total=len(scenario.spec.ideal_path),
        iterations=sum(1 for c in llm if c.interaction_type in ITERATION_TYPES),
        input_tokens=sum(c.input_tokens for c in llm),
        output_tokens=sum(c.output_tokens for c in llm),
        cost_usd=_cost(llm, pricer),
        duration_s=round(duration, 2),
        judge=[_item(i) for i in verdict.items],
        judge_error=verdict.judge_error,
        error=error,
    )


def _item(item: ItemVerdict) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "judge": item.judge,
        "exact": item.exact,
        "holds": item.holds,
        "reason": item.reason,
    }


def timestamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
