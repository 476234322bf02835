"""Answering one claimed chat message on the session's chat thread, and ending it consistently.

Chat messages are jobs like sessions: a worker claims one, heartbeats, and a message left behind
by a dead worker is claimed again and resumes the same chat thread from its checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from langchain_core.runnables import RunnableConfig

from tarsy.actions.gate import ApprovalRefused
from tarsy.errors import public_reason
from tarsy.events import types as ev
from tarsy.graphs.chat import build_chat_graph, chat_thread_id
from tarsy.graphs.compiler import SessionGraph
from tarsy.nodes.context import RunContext
from tarsy.nodes.outbound import MaskedRecorder
from tarsy.observability.logging import bind
from tarsy.runtime.deps import GraphCache, RunnerDeps
from tarsy.runtime.outage import run_through_outages, stored
from tarsy.runtime.recorder import StoreRecorder
from tarsy.runtime.run_tools import alert_context
from tarsy.runtime.runner import SessionRunner
from tarsy.runtime.supervise import Supervised, supervise
from tarsy.store import chats
from tarsy.store import sessions as sessions_repo
from tarsy.store.db import Row
from tarsy.tools.selection import native_tools_switched_off

log = logging.getLogger(__name__)


class ChatRunner:
    def __init__(self, deps: RunnerDeps, *, sessions: SessionRunner) -> None:
        self._deps = deps
        self._pool = deps.pool
        self._publisher = deps.publisher
        self._config = deps.config
        self._models = deps.models
        self._tools = deps.tools
        self._sessions = sessions
        self.graph = GraphCache(build_chat_graph, deps)

    async def run(self, message: Row, worker_id: str, cancel: asyncio.Event) -> None:
        session_id = str(message["session_id"])
        bind(session_id=session_id)
        attributes = {"tarsy.session_id": session_id, "tarsy.chat_message_id": str(message["id"])}
        with self._deps.tracing.root_span("chat", attributes) as span:
            span.set_attribute("tarsy.status", await self._run(message, worker_id, cancel))

    async def _run(self, message: Row, worker_id: str, cancel: asyncio.Event) -> str:
        session_id = str(message["session_id"])
        recorder = self._deps.recorder(session_id)
        status: str = "cancelled"
        answer: str | None = None
        error: str | None = "cancelled by request"
        label = f"chat message {message['id']}"
        if message["status"] != "cancelling":
            await self._stored(lambda: self._status_event(session_id, message, "in_progress"), label)
            status, answer, error = await self._answer(message, recorder, cancel)
            masking = self._sessions.masking
            answer, error = masking.optional(answer), masking.optional(error)
        await self._stored(lambda: self._finish(message, worker_id, recorder, (status, answer, error)), label)
        return status

    async def _finish(
        self, message: Row, worker_id: str, recorder: StoreRecorder, ending: tuple[str, str | None, str | None]
    ) -> None:
        session_id = str(message["session_id"])
        status, answer, error = ending
        async with (
            self._publisher.lock(session_id),
            self._pool.connection() as conn,
            conn.transaction(),
        ):
            owned = await chats.finish_message(
                conn, str(message["id"]), worker_id, status=status, answer=answer, error=error
            )
            if not owned:
                return
            if status != "completed":
                await recorder.close_open_records(conn, status)
            await self._status_event(session_id, message, status, conn=conn, error=error)
        log.info("chat message %s ended %s", message["id"], status)

    async def _stored(self, op: Callable[[], Awaitable[None]], label: str) -> None:
        await stored(op, pool=self._pool, retry_max=float(self._config.system.database.outage_retry_max), label=label)

    async def _answer(
        self, message: Row, recorder: StoreRecorder, cancel: asyncio.Event
    ) -> tuple[str, str | None, str | None]:
        session_id = str(message["session_id"])
        session = await self._session(session_id)
        graph = self.graph(str(session["chain_id"]))
        cfg = cast(RunnableConfig, {"configurable": {"thread_id": chat_thread_id(session_id)}})
        context = alert_context(str(session["alert_type"]), session["alert_data"])
        masked = MaskedRecorder(recorder, self._sessions.masking)
        async with self._tools.open(masked, override=session.get("mcp_selection"), context=context) as tools:
            ctx = RunContext(
                session_id=session_id,
                config=self._config,
                recorder=recorder,
                models=self._models,
                tools=ApprovalRefused(tools, self._config),  # chat cannot wait for a person
                native_tools_off=native_tools_switched_off(session.get("mcp_selection")),
                masking=self._sessions.masking,
                llm_provider=session.get("llm_provider"),  # a fork's model answers its chat too
                instructions=session.get("instructions"),
                memory=await self._sessions.memory_of(session, masked),
            )
            return await self._run_turn(message, session, graph, cfg, ctx, cancel)

    async def _run_turn(
        self,
        message: Row,
        session: Row,
        graph: SessionGraph,
        cfg: RunnableConfig,
        ctx: RunContext,
        cancel: asyncio.Event,
    ) -> tuple[str, str | None, str | None]:

        async def attempt(timeout_s: float) -> Supervised[dict[str, Any]]:
            return await self._attempt(message, session, graph, cfg, ctx, cancel, timeout_s)

        async def still_owned() -> bool:
            status = await chats.heartbeat(self._pool, str(message["id"]), str(message["worker_id"]))
            return status not in (None, "cancelling")

        timeout_s = float(self._config.queue.chat_timeout)
        outcome = await run_through_outages(
            attempt,
            pool=self._pool,
            cancel=cancel,
            timeout_s=timeout_s,
            retry_max=float(self._config.system.database.outage_retry_max),
            label=f"chat message {message['id']}",
            gave_up="the database was unavailable and the chat answer could not make progress within "
            f"queue.chat_timeout ({timeout_s:.0f}s)",
            still_owned=still_owned,
        )
        if outcome.ending != "done":
            return outcome.ending, None, f"chat answer {outcome.ending.replace('_', ' ')}"
        if outcome.error is not None:
            return "failed", None, public_reason(outcome.error, log, f"chat message {message['id']} failed")
        result = outcome.result or {}
        if "_answered" in result:
            return "completed", str(result["_answered"]), None
        turns = result.get("turns", [])
        return "completed", str(turns[-1]["answer"]) if turns else "", None

    async def _attempt(
        self,
        message: Row,
        session: Row,
        graph: SessionGraph,
        cfg: RunnableConfig,
        ctx: RunContext,
        cancel: asyncio.Event,
        timeout_s: float,
    ) -> Supervised[dict[str, Any]]:
        """Answer once: resume the chat thread's checkpoint, or start the turn for this message."""
        snapshot = await graph.aget_state(cfg)
        done = [t for t in snapshot.values.get("turns", []) if t["message_id"] == str(message["id"])]
        if done:
            return Supervised("done", {"_answered": str(done[0]["answer"])})
        graph_input: Any = None
        if not snapshot.next:
            investigation = await self._sessions.final_values(session)
            graph_input = {
                "investigation": investigation,
                "message": {
                    "message_id": str(message["id"]),
                    "author": message["author"],
                    "question": message["content"],
                    "stage_index": int(message["stage_index"]),
                },
            }
        return await supervise(graph.ainvoke(graph_input, cfg, context=ctx), cancel, timeout_s)

    async def _session(self, session_id: str) -> Row:
        row = await sessions_repo.get_session(self._pool, session_id)
        assert row is not None
        return row

    async def _status_event(
        self, session_id: str, message: Row, status: str, *, conn: Any = None, error: str | None = None
    ) -> None:
        data: dict[str, Any] = {"message_id": str(message["id"]), "chat_id": str(message["chat_id"]), "status": status}
        if error:
            data["error"] = error
        await self._publisher.publish(session_id, ev.CHAT_STATUS, data, conn=conn)
