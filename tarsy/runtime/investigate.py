"""``tarsy investigate``: one alert through one chain in this process, printed as it happens.

No server and no queue: the chain's graph runs here with an in-memory recorder that also prints
the timeline (to stderr, so stdout carries only the answer, or the ``--json`` result). Checkpoints
stay in memory unless ``DATABASE_URL`` is set, in which case they go to PostgreSQL under the
printed thread id (LangGraph Studio can open it, see docs/langgraph.md). Without LLM credentials
the scripted demo model answers, as in ``tarsy serve``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from tarsy.config import ResolvedAgent, TarsyConfig, UnknownAlertTypeError, load_config
from tarsy.contracts import SubAgentOf
from tarsy.demo import decide_demo, with_demo_cluster
from tarsy.errors import InvalidInputError, public_reason
from tarsy.graphs.compiler import build_chain_graph
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.runtime.alerts import alert_masker, check_alert_data
from tarsy.settings import Settings
from tarsy.tools.manager import McpManager

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PREVIEW_CHARS = 240


class UsageError(InvalidInputError):
    """A command line to fix (exit status 2); the message says what to change."""


@dataclass(frozen=True)
class Request:
    alert_type: str
    data: str
    chain: str | None = None
    config_dir: Path | None = None
    json_output: bool = False


def read_data(arg: str) -> dict[str, Any] | str:
    """``@file`` (``@-``: stdin) or the literal; a JSON object stays an object, anything else is text."""
    text = arg
    if arg.startswith("@"):
        name = arg[1:]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text("utf-8")
        except OSError as exc:
            raise UsageError(f"--data {arg}: cannot read {name} ({exc.strerror or exc})") from None
    try:
        parsed = json.loads(text)
    except ValueError:
        return text
    return parsed if isinstance(parsed, dict) else text


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1] + "…"


@dataclass
class TerminalRecorder(MemoryRecorder):
    """Keeps everything in memory (``MemoryRecorder``) and prints the timeline as it completes."""

    out: TextIO = sys.stderr
    stages: int = 0
    started: float = field(default_factory=time.monotonic)
    _agents: dict[str, str] = field(default_factory=dict)

    def _say(self, text: str) -> None:
        self.out.write(f"[{time.monotonic() - self.started:6.1f}s] {text}\n")
        self.out.flush()

    async def stage_started(self, *, stage_index: int, name: str, stage_type: str, **rest: Any) -> str:
        stage_id = await super().stage_started(stage_index=stage_index, name=name, stage_type=stage_type, **rest)
        total = f"/{self.stages}" if stage_type == "investigation" and self.stages else ""
        self._say(f"▶ stage {stage_index + 1}{total} {name} ({stage_type})")
        return stage_id

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None:
        await super().stage_finished(stage_id, status, error)
        self._say(f"{'✓' if status == 'completed' else '✗'} stage {status}{f': {error}' if error else ''}")

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str:
        execution_id = await super().execution_started(
            stage_id=stage_id, agent_index=agent_index, agent=agent, model=model, parent=parent
        )
        self._agents[execution_id] = agent.display_name
        via = f", sub-agent of {self._agents.get(parent.execution_id, '?')}" if parent else ""
        self._say(f"  · {agent.display_name} ({model}{via})")
        return execution_id

    async def timeline_completed(
        self, event_id: str, content: str, *, status: str = "completed", metadata: dict[str, Any] | None = None
    ) -> None:
        await super().timeline_completed(event_id, content, status=status, metadata=metadata)
        entry = self.timeline[event_id]
        agent = self._agents.get(str(entry["execution_id"]), "TARSy")
        if entry["event_type"] != "final_analysis":  # printed whole at the end
            self._say(f"    {agent} {entry['event_type']}: {_one_line(content)}")


@asynccontextmanager
async def _checkpointer(settings: Settings) -> AsyncIterator[BaseCheckpointSaver[Any]]:
    if settings.database_url is None:
        yield InMemorySaver()
        return
    async with AsyncPostgresSaver.from_conn_string(settings.database_url) as saver:
        yield saver


def _prepare(request: Request, settings: Settings) -> tuple[TarsyConfig, ModelFactory, str, bool]:
    """Config, models, chain and demo flag; every problem is a ``UsageError`` saying what to fix."""
    config = load_config(request.config_dir or settings.config_dir, settings.environ)
    demo = decide_demo(settings.demo, config, settings.environ).demo
    if demo:
        config = with_demo_cluster(config, settings.environ)
    if request.chain is not None:
        if request.chain not in config.agent_chains:
            known = ", ".join(sorted(config.agent_chains))
            raise UsageError(f"--chain {request.chain}: no such chain; the config has: {known}")
        chain_id = request.chain
    else:
        try:
            chain_id = config.chain_for_alert_type(request.alert_type)[0]
        except UnknownAlertTypeError as exc:
            raise UsageError(f"--alert-type {request.alert_type}: {exc}; or name a chain with --chain") from None
    return config, ModelFactory(config, env=settings.environ, demo=demo), chain_id, demo


@dataclass(frozen=True)
class ChainRun:
    """What one in-process run of a chain left: the graph's final values, or the error."""

    thread_id: str
    values: dict[str, Any]
    error: str | None


def checked_alert(config: TarsyConfig, data: dict[str, Any] | str) -> dict[str, Any] | str:
    """The alert data as intake would take it: size-checked (``UsageError``), then masked."""
    try:
        check_alert_data(data, config)
    except InvalidInputError as exc:
        raise UsageError(f"--data: {exc.message}") from None
    masked: dict[str, Any] | str = alert_masker(config)(data)[0]
    return masked


async def run_chain(
    config: TarsyConfig,
    chain_id: str,
    alert: dict[str, Any],
    *,
    context: RunContext,
    checkpointer: BaseCheckpointSaver[Any],
) -> ChainRun:
    """Run ``chain_id`` over ``alert`` (already checked and masked) in this process.

    ``tarsy investigate`` and ``tarsy eval`` both run chains through here; any failure of the run
    is its result (``error``), never an exception.
    """
    graph = build_chain_graph(config, chain_id, checkpointer=checkpointer)
    run_config: RunnableConfig = {"configurable": {"thread_id": context.session_id}}
    try:
        values = dict(await graph.ainvoke({"alert": alert}, run_config, context=context))
    except Exception as exc:  # any failure of the run is its result: reported, never raised
        return ChainRun(context.session_id, {}, public_reason(exc, log, "the investigation"))
    error = values.get("error")
    return ChainRun(context.session_id, values, str(error) if error else None)


async def investigate(request: Request, settings: Settings, out: TextIO = sys.stdout) -> int:
    """Run the investigation; print the answer (or the JSON result); return the exit status."""
    config, models, chain_id, demo = _prepare(request, settings)
    masked = checked_alert(config, read_data(request.data))
    recorder = TerminalRecorder(stages=len(config.agent_chains[chain_id].stages))
    thread_id = str(uuid.uuid4())
    recorder._say(f"investigating a {request.alert_type} alert with chain {chain_id}{' (demo mode)' if demo else ''}")
    manager = McpManager(config, models)
    async with (
        _checkpointer(settings) as saver,
        manager.executor(recorder, context=f"Investigating a {request.alert_type} alert") as tools,
    ):
        context = RunContext(session_id=thread_id, config=config, recorder=recorder, models=models, tools=tools)
        alert = {"alert_type": request.alert_type, "data": masked, "runbook": None}
        run = await run_chain(config, chain_id, alert, context=context, checkpointer=saver)
    values, error = run.values, run.error
    result = {
        "status": "failed" if error else "completed",
        "alert_type": request.alert_type,
        "chain_id": chain_id,
        "thread_id": thread_id,
        "demo": demo,
        "final_analysis": values.get("final_analysis"),
        "executive_summary": values.get("executive_summary"),
        "executive_summary_error": values.get("executive_summary_error"),
        "error": error,
        "stages": values.get("stage_results", []),
    }
    _print_result(result, request.json_output, out)
    return EXIT_FAILED if error else EXIT_OK


def _print_result(result: dict[str, Any], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(result, indent=2, default=str) + "\n")
        return
    if result["error"]:
        sys.stderr.write(f"✗ investigation failed: {result['error']}\n")
        return
    out.write(f"# Final analysis\n\n{result['final_analysis'] or ''}\n")
    if result["executive_summary"]:
        out.write(f"\n# Executive summary\n\n{result['executive_summary']}\n")
