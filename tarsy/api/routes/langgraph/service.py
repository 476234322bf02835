"""The LangGraph SDK's view of TARSy: a thread is a session, a run is its investigation or a chat turn.

A chain run goes through ``submit_alert`` exactly as ``POST /api/v1/alerts`` does (queue, workers,
masking, recording, dashboard) with the thread id as the session id, so its ``run_id`` is the
session id too. A chat run is a follow-up message (``post_message``); its ``run_id`` is the message
id. Values come from the session's LangGraph checkpoint, masked like everything else that leaves.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, TypeVar

from fastapi.exceptions import RequestValidationError
from langgraph.types import StateSnapshot
from pydantic import BaseModel, ValidationError

from tarsy.api.routes.alerts import queue_alert
from tarsy.api.routes.langgraph import interrupts
from tarsy.api.routes.langgraph.schemas import AlertRunInput, ChatRunInput, RunCreate
from tarsy.api.routes.sessions import load_session
from tarsy.errors import ConflictError, InvalidInputError, NotFoundError
from tarsy.events import types as ev
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tarsy.masking.outbound import OutputMasking
from tarsy.runtime.chat_requests import post_message
from tarsy.runtime.service import Services
from tarsy.store import langgraph as repo
from tarsy.store.db import Row

M = TypeVar("M", bound=BaseModel)
CHAT_ASSISTANT = "chat"
RUN_STATUS = {
    "pending": "pending",
    "in_progress": "running",
    "cancelling": "running",
    "completed": "success",
    "failed": "error",
    "timed_out": "error",
    "cancelled": "interrupted",
    "awaiting_approval": "success",  # as on LangGraph Platform: the run ended at an interrupt
}
THREAD_STATUS = {
    "pending": "busy",
    "in_progress": "busy",
    "cancelling": "busy",
    "failed": "error",
    "timed_out": "error",
    "awaiting_approval": "interrupted",
}
WAITING = "awaiting_approval"


def check_id(value: str, what: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise NotFoundError(f"{what} '{value}' not found (not a uuid)") from None


def validated(model: type[M], value: Any, field: str) -> M:
    """``value`` as ``model``; a 422 naming ``body.<field>.<name>`` when it does not fit."""
    try:
        return model.model_validate(value if value is not None else {})
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *field.split("."), *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


async def resume_interrupted_run(services: Services, thread_id: str, body: RunCreate, author: str) -> dict[str, Any]:
    """``Command(resume=...)``: decide the approval the thread's session waits for; the run follows
    the session from the decision until it ends or waits again (``interrupts.py``)."""
    assert body.command is not None
    value = validated(interrupts.ResumeValue, body.command["resume"], "command.resume")
    session = await session_or_none(services, thread_id)
    if session is None:
        if await repo.get_thread(services.pool, thread_id) is None:
            raise NotFoundError(f"thread '{thread_id}' not found")
        raise ConflictError(f"thread {thread_id} has no run to resume (no pending approval)")
    start = await interrupts.resume(services, session, body.assistant_id, value, author)
    return {**session_run(await load_session(services.pool, thread_id)), "start_after": start}


async def create_run(services: Services, thread_id: str, body: RunCreate, author: str) -> dict[str, Any]:
    if body.command and "resume" in body.command:
        return await resume_interrupted_run(services, thread_id, body, author)
    if body.assistant_id == CHAT_ASSISTANT:
        return await _chat_run(services, thread_id, body, author)
    if body.assistant_id not in services.config.agent_chains:
        known = ", ".join([*sorted(services.config.agent_chains), CHAT_ASSISTANT])
        raise NotFoundError(f"assistant '{body.assistant_id}' not found; assistants: {known}")
    alert = validated(AlertRunInput, body.input, "input")
    served = services.config.agent_chains[body.assistant_id].alert_types
    if alert.alert_type not in served:
        raise InvalidInputError(
            f"input.alert_type '{alert.alert_type}' is not served by assistant '{body.assistant_id}'"
            f" (it serves: {', '.join(served)})"
        )
    if await repo.get_thread(services.pool, thread_id) is None:
        raise NotFoundError(f"thread '{thread_id}' not found; create it first (threads.create)")
    if await session_or_none(services, thread_id) is not None:
        raise ConflictError(f"thread {thread_id} already has its investigation; ask follow-ups with the chat assistant")
    session = await queue_alert(services, alert, author, session_id=thread_id)
    return {**session_run(session), "start_after": 0}


async def _chat_run(services: Services, thread_id: str, body: RunCreate, author: str) -> dict[str, Any]:
    chat = validated(ChatRunInput, body.input, "input")
    session = await load_session(services.pool, thread_id)
    start = await repo.last_event_id(services.pool, thread_id)
    message = await post_message(
        pool=services.pool,
        publisher=services.publisher,
        config=services.config,
        session=session,
        author=author,
        content=chat.content,
    )
    services.workers.nudge()
    return {**chat_run(message, thread_id), "start_after": start}


async def session_or_none(services: Services, thread_id: str) -> Row | None:
    try:
        return await load_session(services.pool, thread_id)
    except NotFoundError:
        return None


def _run(run_id: str, thread_id: str, assistant_id: str, status: str, created: datetime) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "thread_id": thread_id,
        "assistant_id": assistant_id,
        "created_at": created.isoformat(),
        "updated_at": created.isoformat(),
        "status": RUN_STATUS.get(status, "pending"),
        "metadata": {},
        "kwargs": {},
        "multitask_strategy": "reject",
    }


def session_run(session: Row) -> dict[str, Any]:
    sid = str(session["id"])
    return _run(sid, sid, str(session["chain_id"]), str(session["status"]), session["created_at"])


def chat_run(message: Row, thread_id: str) -> dict[str, Any]:
    return _run(str(message["id"]), thread_id, CHAT_ASSISTANT, str(message["status"]), message["created_at"])


async def get_run(services: Services, thread_id: str, run_id: str) -> dict[str, Any]:
    thread_id, run_id = check_id(thread_id, "thread"), check_id(run_id, "run")
    if run_id == thread_id:
        return session_run(await load_session(services.pool, thread_id))
    message = await repo.get_chat_message(services.pool, thread_id, run_id)
    if message is None:
        raise NotFoundError(f"run '{run_id}' not found on thread '{thread_id}'")
    return chat_run(message, thread_id)


def session_graph(services: Services, chain_id: str) -> SessionGraph:
    return build_chain_graph(services.config, chain_id, checkpointer=services.checkpointer)


async def thread_values(services: Services, session: Row) -> tuple[dict[str, Any], StateSnapshot]:
    """The session graph's latest checkpointed values (masked) with the session row's results on top,
    and the checkpoint they come from."""
    graph = session_graph(services, str(session["chain_id"]))
    snapshot = await graph.aget_state({"configurable": {"thread_id": str(session["id"])}})
    masking = OutputMasking.from_config(services.config)
    values = dict(masking.value(dict(snapshot.values)) or {})
    for key in ("final_analysis", "executive_summary", "executive_summary_error"):
        if session.get(key) is not None:
            values[key] = session[key]
    if session.get("error_message"):
        values["error"] = session["error_message"]
    return values, snapshot


async def run_output(services: Services, run: dict[str, Any]) -> dict[str, Any]:
    """What ``runs.wait`` / ``runs.join`` return: the thread's values, or the chat turn's answer."""
    thread_id = run["thread_id"]
    session = await load_session(services.pool, thread_id)
    if run["assistant_id"] == CHAT_ASSISTANT:
        message = await repo.get_chat_message(services.pool, thread_id, run["run_id"])
        assert message is not None
        return {"content": message["content"], "answer": message["answer"], "error": message["error_message"]}
    values, _ = await thread_values(services, session)
    if session["status"] in ev.TERMINAL_STATUSES and session["status"] != "completed":
        values.setdefault("error", f"the investigation ended {session['status']}")
    if session["status"] == WAITING:  # as LangGraph Platform's output of a run stopped at interrupts
        values["__interrupt__"] = await interrupts.pending(services, thread_id)
    return values
