"""Approvals through the official ``langgraph-sdk`` clients: a waiting session is an interrupted
thread, and ``Command(resume=...)`` decides its approval (docs/langgraph.md, docs/actions.md).

The harness is tests/e2e/test_approvals.py's: real HTTP, workers, PostgreSQL, a scripted model and
a real MCP server whose action tool writes down every call it runs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.errors import ConflictError, NotFoundError, PermissionDeniedError, UnprocessableEntityError

from tests.e2e.test_approvals import REASON, config, ran, restart
from tests.security.conftest import TOKENS_ENV, bearer
from tests.support.server import running_tarsy

pytestmark = [pytest.mark.e2e]

ALERT = {"alert_type": "kubernetes", "data": {"pod": "web-1", "reason": "CrashLoopBackOff"}}
RESTARTED = [{"tool": "restart_deployment", "arguments": {"name": "web", "namespace": "prod"}}]


def _with_tokens(directory: Path) -> Path:
    """The approval config behind token auth (vera: viewer, otto: operator)."""
    path = directory / "tarsy.yaml"
    doc = yaml.safe_load(path.read_text())
    doc["system"] = {**doc.get("system", {}), "auth": {"mode": "token", "public_paths": ["/health"]}}
    path.write_text(yaml.safe_dump(doc))
    return directory


async def test_an_interrupted_thread_shows_its_approval_and_an_operator_resume_approves_it(
    tmp_path: Path, database_url: str
) -> None:
    cfg = _with_tokens(config(tmp_path, [restart("web", "c1")]))
    async with running_tarsy(cfg, database_url, env=TOKENS_ENV) as tarsy:
        url = f"{tarsy.base_url}/langgraph"
        operator = get_client(url=url, headers=bearer("otto"))
        viewer = get_client(url=url, headers=bearer("vera"))
        tid = (await operator.threads.create())["thread_id"]
        stopped = await operator.runs.wait(tid, "kubernetes", input=ALERT)  # returns when the session waits
        thread = await viewer.threads.get(tid)
        state = await viewer.threads.get_state(tid)
        run = await viewer.runs.get(tid, tid)
        with pytest.raises(PermissionDeniedError, match="operator"):
            await viewer.runs.create(tid, "kubernetes", command={"resume": {"decision": "approve"}})
        before = ran(tmp_path)
        resume = {"resume": {"decision": "approve", "comment": "go ahead"}}
        parts = [p async for p in operator.runs.stream(tid, "kubernetes", command=resume, stream_mode="values")]
        after = await viewer.threads.get(tid)
        tarsy.client.headers.update(bearer("vera"))
        session = (await tarsy.client.get(f"/api/v1/sessions/{tid}")).json()

    [interrupt] = stopped["__interrupt__"]
    approval = interrupt["value"]
    assert interrupt["id"] == approval["id"]
    assert (approval["tool"], approval["arguments"], approval["status"]) == (
        "ops.restart_deployment",
        {"name": "web", "namespace": "prod"},
        "pending",
    )
    assert approval["reason"] == REASON and approval["stage"] == "remediate"
    assert thread["status"] == "interrupted"
    assert list(thread["interrupts"].values()) == [[interrupt]]
    assert state["interrupts"] == [interrupt]
    [task] = state["tasks"]
    assert task["name"] == "stage_1_agent" and task["interrupts"] == [interrupt]
    assert list(thread["interrupts"]) == [task["id"]]
    assert state["next"] == ["stage_1_agent"]
    assert run["status"] == "success"  # as LangGraph Platform: the run ended at an interrupt
    assert before == [], "the action ran before anyone approved it"

    assert parts[0].event == "metadata"
    final = [p.data for p in parts if p.event == "values"][-1]
    assert final["final_analysis"] == "Done: see the tool results above."
    assert "__interrupt__" not in final
    assert ran(tmp_path) == RESTARTED
    assert after["status"] == "idle" and after["interrupts"] == {}
    assert session["status"] == "completed"
    [decided] = session["approvals"]
    assert (decided["status"], decided["decided_by"], decided["comment"]) == ("approved", "otto", "go ahead")


def _sync_reject(base_url: str) -> dict[str, Any]:
    client = get_sync_client(url=f"{base_url}/langgraph")
    tid = client.threads.create()["thread_id"]
    seen: dict[str, Any] = {}
    approve = {"resume": {"decision": "approve"}}
    with pytest.raises(ConflictError) as seen["no_run"]:
        client.runs.create(tid, "kubernetes", command=approve)
    with pytest.raises(NotFoundError) as seen["no_thread"]:
        client.runs.create("00000000-0000-0000-0000-000000000000", "kubernetes", command=approve)
    run = client.runs.create(tid, "kubernetes", input=ALERT)
    seen["stopped"] = client.runs.join(tid, run["run_id"])
    with pytest.raises(UnprocessableEntityError) as seen["bad_value"]:
        client.runs.create(tid, "kubernetes", command={"resume": {"decision": "maybe"}})
    with pytest.raises(UnprocessableEntityError) as seen["bare_value"]:
        client.runs.create(tid, "kubernetes", command={"resume": "approve"})
    unknown = {"decision": "approve", "approval_id": "00000000-0000-0000-0000-000000000000"}
    with pytest.raises(NotFoundError) as seen["unknown"]:
        client.runs.create(tid, "kubernetes", command={"resume": unknown})
    rejection = {"resume": {"decision": "reject", "comment": "not during the release freeze"}}
    seen["resumed"] = client.runs.create(tid, "kubernetes", command=rejection)
    seen["final"] = client.runs.join(tid, seen["resumed"]["run_id"])
    with pytest.raises(ConflictError) as seen["none_pending"]:
        client.runs.create(tid, "kubernetes", command=approve)
    seen["thread"] = client.threads.get(tid)
    return seen


async def test_sync_client_rejects_through_a_resume_and_is_told_what_it_cannot_resume(
    tmp_path: Path, database_url: str
) -> None:
    async with running_tarsy(config(tmp_path, [restart("web", "c1")]), database_url) as tarsy:
        seen = await asyncio.to_thread(_sync_reject, tarsy.base_url)
        session = (await tarsy.client.get(f"/api/v1/sessions/{seen['thread']['thread_id']}")).json()
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session['id']}/timeline")).json()

    assert "no run to resume" in str(seen["no_run"].value)
    assert "not found" in str(seen["no_thread"].value)
    [interrupt] = seen["stopped"]["__interrupt__"]
    assert interrupt["value"]["tool"] == "ops.restart_deployment"
    assert "decision" in str(seen["bad_value"].value) and "resume" in str(seen["bare_value"].value)
    assert "approval '00000000-0000-0000-0000-000000000000' not found" in str(seen["unknown"].value)
    assert seen["resumed"]["run_id"] == session["id"]
    assert seen["final"]["final_analysis"] == "Done: see the tool results above."
    assert "no pending approval" in str(seen["none_pending"].value)
    assert seen["thread"]["status"] == "idle"
    assert ran(tmp_path) == [], "a rejected call never runs"
    assert session["status"] == "completed"
    [decided] = session["approvals"]
    assert decided["status"] == "rejected" and decided["comment"] == "not during the release freeze"
    results = [e["content"] for e in timeline if e["event_type"] == "llm_tool_call" and e["status"] == "completed"]
    assert any("rejected this call" in r and "not during the release freeze" in r for r in results), results
