"""Pending approvals as LangGraph SDK interrupts: which one a resume decides, and under which task."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.types import Interrupt, PregelTask, StateSnapshot

from tarsy.api.routes.langgraph.interrupts import by_task, choose, tasks
from tarsy.errors import ConflictError

WEB = {"id": "a-web", "value": {"id": "a-web", "tool": "ops.restart_deployment"}}
API = {"id": "a-api", "value": {"id": "a-api", "tool": "ops.scale_deployment"}}


def _snapshot(*raised: tuple[str, str, list[Any]]) -> StateSnapshot:
    found = tuple(
        PregelTask(
            task_id, name, (name,), interrupts=tuple(Interrupt(value, id=f"i-{n}") for n, value in enumerate(values))
        )
        for task_id, name, values in raised
    )
    return StateSnapshot({}, tuple(t.name for t in found), {}, None, None, None, found, ())


def test_the_only_pending_approval_is_decided_without_naming_it() -> None:
    assert choose("t1", [WEB], None) == "a-web"
    assert choose("t1", [WEB, API], "a-api") == "a-api"


def test_several_pending_approvals_must_be_named_and_the_refusal_names_them() -> None:
    with pytest.raises(ConflictError, match=r"2 pending approvals: a-web \(ops.restart_deployment\), a-api"):
        choose("t1", [WEB, API], None)


def test_nothing_pending_is_a_conflict() -> None:
    with pytest.raises(ConflictError, match="thread t1 has no pending approval to resume"):
        choose("t1", [], "a-web")


def test_interrupts_sit_under_the_task_whose_interrupt_names_their_approval() -> None:
    snapshot = _snapshot(
        ("task-0", "stage_0_agent", [{"approval_id": "a-web", "tool": "ops.restart_deployment"}]),
        ("task-1", "stage_0_agent", [{"approval_id": "a-api"}, None]),
        ("task-2", "stage_1", []),
    )

    assert by_task(snapshot, [WEB, API]) == {"task-0": [WEB], "task-1": [API]}
    assert by_task(snapshot, [API]) == {"task-1": [API]}  # a decided approval is no interrupt any more
    assert [(t["id"], t["name"], t["interrupts"]) for t in tasks(snapshot, [WEB])] == [
        ("task-0", "stage_0_agent", [WEB])
    ]
