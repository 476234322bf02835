"""Running one claimed session through its chain graph, and ending it consistently.

The graph runs on ``thread_id = session id`` with the Postgres checkpointer. A session picked up
after its worker died finds a checkpoint with pending nodes and resumes from there; one that has
none starts from the alert. Whatever happens, the session row, its open stages/executions and the
terminal ``session.status`` event are written together.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from langchain_core.runnables import RunnableConfig

from tarsy.actions import lifecycle as approvals
from tarsy.actions.gate import ApprovalGate, ApprovalRefused
from tarsy.errors import StoreUnavailableError, public_reason
from tarsy.events import types as ev
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tarsy.integrations.runbooks import RunbookService
from tarsy.integrations.slack import SlackNotifier
from tarsy.jsonsafe import make_storable
from tarsy.masking.outbound import OutputMasking
from tarsy.nodes.context import Recorder, RunContext
from tarsy.nodes.outbound import MaskedRecorder
from tarsy.observability.logging import bind
from tarsy.runtime.deps import GraphCache, RunnerDeps
from tarsy.runtime.outage import run_through_outages, stored
from tarsy.runtime.recorder import StoreRecorder
from tarsy.runtime.run_tools import alert_context
from tarsy.runtime.scoring import SessionScorer
from tarsy.runtime.session_memory import SessionMemory, open_session_memory
from tarsy.runtime.supervise import Supervised, supervise
from tarsy.store import records
from tarsy.store import sessions as repo
from tarsy.store.checkpointer import PooledPostgresSaver
from tarsy.store.db import Row
from tarsy.tools.selection import native_tools_switched_off

log = logging.getLogger(__name__)

T = TypeVar("T")


class CancelRequested(Exception):
    """Raised into a running session when someone asked to cancel it."""


@dataclass
class Outcome:
    status: str
    final_analysis: str | None = None
    executive_summary: str | None = None
    executive_summary_error: str | None = None
    error: str | None = None


class SessionRunner:
    def __init__(
        self,
        deps: RunnerDeps,
        *,
        runbooks: RunbookService | None = None,
        slack: SlackNotifier | None = None,
    ) -> None:
        self._deps = deps
        self._pool = deps.pool
        self._publisher = deps.publisher
        self._config = deps.config
        self._models = deps.models
        self._tools = deps.tools
        self._metrics = deps.metrics
        self._runbooks = runbooks
        self._slack = slack
        self.masking = OutputMasking.from_config(deps.config)
        self.graph = GraphCache(build_chain_graph, deps)
        self.scoring = SessionScorer(deps, self.masking)

    async def run(self, row: Row, worker_id: str, cancel: asyncio.Event) -> Outcome:
        session_id = str(row["id"])
        bind(session_id=session_id)  # every log line of this worker task names the session
        recorder = self._deps.recorder(session_id)
        attributes: dict[str, str | int] = {
            "tarsy.session_id": session_id,
            "tarsy.chain_id": str(row["chain_id"]),
            "tarsy.alert_type": str(row["alert_type"]),
            "tarsy.attempt": int(row["attempts"]),
        }
        with self._deps.tracing.root_span("session", attributes) as span:
            if row["status"] == "cancelling":
                outcome = Outcome("cancelled", error="cancelled by request")
            else:
                first = int(row["attempts"]) <= 1
                status: dict[str, Any] = (
                    {"status": "in_progress"} if first else {"status": "in_progress", "resumed": True}
                )
                recorder.session_event(ev.SESSION_STATUS, status)  # goes out with the first stage's row
                if first and self._slack is not None:
                    await self._slack.session_started(row)
                outcome = await self._execute(row, worker_id, recorder, cancel)
            await self._stored(lambda: self._finish(row, worker_id, recorder, outcome), f"session {session_id}")
            span.set_attribute("tarsy.status", outcome.status)
        return outcome

    async def _stored(self, op: Callable[[], Awaitable[T]], label: str) -> T:
        retry_max = float(self._config.system.database.outage_retry_max)
        return await stored(op, pool=self._pool, retry_max=retry_max, label=label)

    async def _execute(self, row: Row, worker_id: str, recorder: StoreRecorder, cancel: asyncio.Event) -> Outcome:
        context = alert_context(str(row["alert_type"]), row["alert_data"])
        masked = MaskedRecorder(recorder, self.masking)
        async with self._tools.open(masked, override=row.get("mcp_selection"), context=context) as mcp_tools:
            tools = ApprovalGate(  # state-changing calls wait for a person (tarsy/actions)
                mcp_tools,
                session_id=str(row["id"]),
                config=self._config,
                pool=self._pool,
                publisher=self._publisher,
                recorder=masked,
                masking=self.masking,
            )
            ctx = RunContext(
                session_id=str(row["id"]),
                config=self._config,
                recorder=recorder,
                models=self._models,
                tools=tools,
                sub_agent_tools=ApprovalRefused(mcp_tools, self._config),  # a sub-agent cannot wait for a person
                native_tools_off=native_tools_switched_off(row.get("mcp_selection")),
                masking=self.masking,
                llm_provider=row.get("llm_provider"),  # a fork's choices (tarsy/runtime/forks.py)
                instructions=row.get("instructions"),
                memory=await self.memory_of(row, masked),
            )
            return await self._run_graph(row, worker_id, ctx, cancel)

    async def memory_of(self, session: Row, recorder: Recorder) -> SessionMemory | None:
        """The session's investigation memory (its injected memories and tools); None while it is off."""
        if self._deps.memory is None:
            return None
        return await open_session_memory(self._deps.memory, session, recorder, self.masking)

    async def _run_graph(self, row: Row, worker_id: str, ctx: RunContext, cancel: asyncio.Event) -> Outcome:
        session_id = str(row["id"])
        # A session's first claim has no checkpoint to read (its thread is its own id, and forks
        # start their own thread from the alert): only a retry after an outage or a later claim reads.
        fresh = [int(row["attempts"]) <= 1]

        async def attempt(timeout_s: float) -> Supervised[dict[str, Any]]:
            first, fresh[0] = fresh[0], False
            return await self._attempt(row, ctx, cancel, timeout_s, fresh=first)

        async def still_owned() -> bool:
            return await repo.heartbeat(self._pool, session_id, worker_id) not in (None, "cancelling")

        outcome = await run_through_outages(
            attempt,
            pool=self._pool,
            cancel=cancel,
            timeout_s=self._remaining_timeout(row),
            retry_max=float(self._config.system.database.outage_retry_max),
            label=f"session {session_id}",
            gave_up="the database was unavailable and the session could not make progress within "
            f"queue.session_timeout ({self._timeout_s():.0f}s)",
            still_owned=still_owned,
        )
        if outcome.ending == "cancelled":
            return Outcome("cancelled", error="cancelled by request")
        if outcome.ending == "timed_out":
            return Outcome("timed_out", error=f"session exceeded its timeout of {self._timeout_s():.0f}s")
        if isinstance(outcome.error, StoreUnavailableError):
            return Outcome("failed", error=outcome.error.message)
        if outcome.error is not None:
            # Infrastructure failures (database, checkpointer, bugs) end the session as failed; the
            # session row gets a message and an error id, the log the traceback under that id.
            return Outcome("failed", error=public_reason(outcome.error, log, f"session {session_id} failed"))
        result = outcome.result or {}
        if approvals.interrupted(result):
            return Outcome(approvals.WAITING)
        if result.get("error"):
            return Outcome("failed", error=str(result["error"]))
        return Outcome(
            "completed",
            final_analysis=result.get("final_analysis") or "",
            executive_summary=result.get("executive_summary"),
            executive_summary_error=result.get("executive_summary_error"),
        )

    async def _attempt(
        self, row: Row, ctx: RunContext, cancel: asyncio.Event, timeout_s: float, *, fresh: bool = False
    ) -> Supervised[dict[str, Any]]:
        """Run the graph once: from the checkpoint when there is one, else from the alert.

        ``fresh``: the session has never run, so there is no checkpoint to look for.
        """
        session_id = str(row["id"])
        graph = self.graph(str(row["chain_id"]))
        cfg: dict[str, Any] = {"configurable": {"thread_id": session_id}}
        finished, resumed = False, False
        graph_input: Any = None  # None resumes from the checkpoint (or, when finished, only reads it)
        if not fresh:
            snapshot = await graph.aget_state(cast(RunnableConfig, cfg))
            values = snapshot.values or {}
            # Ended only when the graph says so: ``next`` alone is not enough, since a checkpoint write
            # lost in an outage can leave the saved writes of a finished step and no next task.
            finished = not snapshot.next and (values.get("final_analysis") is not None or bool(values.get("error")))
            if finished:
                log.info("session %s had finished before its worker recorded it; reading the result", session_id)
            elif resumed := bool(values or snapshot.next):
                log.info("resuming session %s at %s", session_id, ", ".join(snapshot.next) or "its last checkpoint")
                graph_input = approvals.resume_input(snapshot)  # after an approval interrupt: Command(resume=...)
        if not finished and not resumed:
            graph_input = {
                "alert": {
                    "alert_type": row["alert_type"],
                    # Rows stored before intake checked shapes may hold what the checkpointer cannot.
                    "data": make_storable(row["alert_data"], max_depth=self._config.system.max_json_depth),
                    "runbook": await self._runbook(row),
                }
            }
        run = not finished
        return await supervise(self._invoke(graph, graph_input, cfg, ctx, run, fresh=fresh), cancel, timeout_s)

    async def _invoke(
        self, graph: SessionGraph, graph_input: Any, cfg: dict[str, Any], ctx: RunContext, run: bool, *, fresh: bool
    ) -> dict[str, Any]:
        if run:
            saver = graph.checkpointer if isinstance(graph.checkpointer, PooledPostgresSaver) else None
            if fresh and saver is not None:
                saver.new_thread(ctx.session_id)  # LangGraph's own read of the latest checkpoint is skipped
            try:
                out = await graph.ainvoke(graph_input, cast(RunnableConfig, cfg), context=ctx)
            finally:
                if saver is not None:
                    saver.forget_thread(ctx.session_id)
            return dict(out)
        state = await graph.aget_state(cast(RunnableConfig, cfg))
        return dict(state.values)

    async def _runbook(self, row: Row) -> str | None:
        """The alert's or the chain's runbook; a failed fetch is recorded on the session, never fatal."""
        if self._runbooks is None:
            return None
        chain = self._config.agent_chains.get(str(row["chain_id"]))
        resolved = await self._runbooks.resolve(row["runbook_url"], chain.runbook if chain else None)
        if resolved.error:
            async with self._pool.connection() as conn:
                await records.set_runbook_error(conn, str(row["id"]), self.masking.text(resolved.error))
        # Masked before it enters the graph: the prompt, the checkpoint and every record see it so.
        return self.masking.optional(resolved.content)

    async def final_values(self, session: Row) -> dict[str, Any]:
        """The investigation's final graph state (what a follow-up chat starts from)."""
        graph = self.graph(str(session["chain_id"]))
        state = await graph.aget_state(cast(RunnableConfig, {"configurable": {"thread_id": str(session["id"])}}))
        values = dict(state.values)
        values.setdefault(
            "alert",
            {
                "alert_type": session["alert_type"],
                "data": make_storable(session["alert_data"], max_depth=self._config.system.max_json_depth),
                "runbook": None,
            },
        )
        values.setdefault("final_analysis", session["final_analysis"])
        values.setdefault("executive_summary", session["executive_summary"])
        return {k: values.get(k) for k in ("alert", "stage_results", "final_analysis", "executive_summary")}

    def _timeout_s(self) -> float:
        return float(self._config.queue.session_timeout)

    def _remaining_timeout(self, row: Row) -> float:
        started = row.get("started_at")
        if started is None:
            return self._timeout_s()
        elapsed = time.time() - float(started.timestamp()) - float(row.get("approval_wait_s") or 0)
        return max(1.0, self._timeout_s() - elapsed)

    async def _finish(self, row: Row, worker_id: str, recorder: StoreRecorder, outcome: Outcome) -> None:
        session_id = str(row["id"])
        if outcome.status == approvals.WAITING:  # not an end: the session waits without a worker
            await approvals.park(self._pool, self._publisher, self.masking, session_id, worker_id)
            await approvals.notify(self._pool, self._slack, self.masking, session_id)
            return
        outcome = self._masked(outcome)  # stored, streamed and posted to Slack from here on
        async with (
            self._publisher.lock(session_id),
            self._pool.connection() as conn,
            conn.transaction(),
        ):
            owned = await repo.finish_session(
                conn,
                session_id,
                worker_id,
                status=outcome.status,
                final_analysis=outcome.final_analysis,
                executive_summary=outcome.executive_summary,
                executive_summary_error=outcome.executive_summary_error,
                error=outcome.error,
            )
            if not owned:
                log.warning("session %s was taken over by another worker; not finishing it here", session_id)
                return
            await recorder.close_open_records(conn, outcome.status)
            data: dict[str, Any] = {"status": outcome.status}
            if outcome.error:
                data["error"] = outcome.error
            await self._publisher.publish(session_id, ev.SESSION_STATUS, data, conn=conn)
        self._publisher.forget(session_id)
        if self._metrics is not None:
            self._observe(row, outcome.status)
        if self._slack is not None:
            final = await repo.get_session(self._pool, session_id)
            if final is not None:
                await self._slack.session_finished(final)
        log.info("session %s ended %s", session_id, outcome.status)
        # In a task of its own: the worker is free, and no scoring outcome changes the session.
        await self.scoring.after_session(session_id, str(row["chain_id"]), outcome.status)

    def _masked(self, outcome: Outcome) -> Outcome:
        m = self.masking
        return Outcome(
            outcome.status,
            final_analysis=m.optional(outcome.final_analysis),
            executive_summary=m.optional(outcome.executive_summary),
            executive_summary_error=m.optional(outcome.executive_summary_error),
            error=m.optional(outcome.error),
        )

    def _observe(self, row: Row, status: str) -> None:
        assert self._metrics is not None
        self._metrics.sessions_terminal.labels(status, str(row["alert_type"])).inc()
        started = row.get("started_at")
        if started is not None:
            self._metrics.session_duration.observe(max(0.0, time.time() - float(started.timestamp())))
            if int(row["attempts"]) <= 1:
                waited = float(started.timestamp()) - float(row["created_at"].timestamp())
                self._metrics.session_wait.observe(max(0.0, waited))
