"""Approvals as the LangGraph SDK sees them: a waiting session is an interrupted thread.

A session that waits in ``awaiting_approval`` shows its pending approvals as interrupts (``value``
the masked approval as ``GET /api/v1/sessions/{id}`` shows it, ``id`` the approval id), both on the
thread state (``interrupts`` and the interrupted graph task's ``tasks[].interrupts``) and on the
thread (``interrupts``: task id → interrupts). ``Command(resume={"decision", "comment",
"approval_id"})`` on ``runs.create / wait / stream`` decides one of them through the same code
path as ``POST /api/v1/sessions/{id}/approvals/{approval_id}`` (same role, same checks, same
records), and its run follows the session until it ends or waits again.
"""

from __future__ import annotations

from typing import Any

from langgraph.types import StateSnapshot
from pydantic import Field

from tarsy.actions import records
from tarsy.api.routes.approvals import decide_approval
from tarsy.api.schemas import DecisionRequest
from tarsy.errors import ConflictError, InvalidInputError
from tarsy.runtime.service import Services
from tarsy.store import approvals as approvals_repo
from tarsy.store import langgraph as repo
from tarsy.store.db import Row


class ResumeValue(DecisionRequest):
    """``command.resume`` of a run on an interrupted thread."""

    approval_id: str | None = Field(
        None, max_length=64, description="The approval to decide; required when several are pending"
    )


async def pending(services: Services, session_id: str) -> list[dict[str, Any]]:
    """The session's pending approvals as SDK interrupts ``{value, id}`` (masked), oldest first."""
    rows = await approvals_repo.for_session(services.pool, session_id, pending_only=True)
    masking = services.runner.masking
    return [{"value": records.public(row, masking), "id": str(row["id"])} for row in rows]


def by_task(snapshot: StateSnapshot, interrupts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The interrupts under the id of the graph task that waits for them (the checkpoint knows which
    task raised the interrupt naming each approval); one the checkpoint does not name is left out."""
    wanted = {i["id"]: i for i in interrupts}
    found: dict[str, list[dict[str, Any]]] = {}
    for task in snapshot.tasks:
        for raised in task.interrupts:
            value = raised.value if isinstance(raised.value, dict) else {}
            approval = wanted.get(str(value.get("approval_id")))
            if approval is not None:
                found.setdefault(task.id, []).append(approval)
    return found


def tasks(snapshot: StateSnapshot, interrupts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``ThreadState.tasks``: the interrupted graph tasks with their interrupts."""
    names = {task.id: task.name for task in snapshot.tasks}
    return [
        {
            "id": task_id,
            "name": names[task_id],
            "error": None,
            "interrupts": found,
            "checkpoint": None,
            "state": None,
            "result": None,
        }
        for task_id, found in by_task(snapshot, interrupts).items()
    ]


def choose(thread_id: str, waiting: list[dict[str, Any]], approval_id: str | None) -> str:
    if not waiting:
        raise ConflictError(f"thread {thread_id} has no pending approval to resume")
    if approval_id is not None:
        return approval_id
    if len(waiting) > 1:
        named = ", ".join(f"{i['id']} ({i['value']['tool']})" for i in waiting)
        raise ConflictError(
            f"thread {thread_id} has {len(waiting)} pending approvals: {named};"
            " name one with command.resume.approval_id"
        )
    return str(waiting[0]["id"])


async def resume(services: Services, session: Row, assistant_id: str, value: ResumeValue, author: str) -> int:
    """Decide the approval ``value`` names (or the only one pending); the event id a run's stream
    starts after, so the run replays the decision and follows the session from there."""
    thread_id = str(session["id"])
    if assistant_id != session["chain_id"]:
        raise InvalidInputError(f"thread {thread_id} runs assistant '{session['chain_id']}'; resume it with that one")
    approval_id = choose(thread_id, await pending(services, thread_id), value.approval_id)
    start = await repo.last_event_id(services.pool, thread_id)
    decision = DecisionRequest(decision=value.decision, comment=value.comment)
    await decide_approval(services, thread_id, approval_id, decision, author)
    return start
