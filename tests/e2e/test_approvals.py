"""Action tools behind a human approval, end to end: real HTTP, workers, PostgreSQL, a scripted model
and a real MCP server whose action tools write down every call they run (the server's own record)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.server import RunningTarsy, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

SERVER = Path(__file__).resolve().parents[1] / "fixtures" / "mcp" / "action_server.py"
REASON = "Deployment web is stuck on the old config; a restart picks up the fixed one. Undo: none needed."


def restart(name: str, call_id: str) -> dict[str, Any]:
    return {"name": "ops__restart_deployment", "args": {"name": name, "namespace": "prod"}, "id": call_id}


def config(tmp_path: Path, calls: list[dict[str, Any]], *, approval: dict[str, Any] | None = None) -> Path:
    script = {
        "agents": {
            "Investigator": [{"text": "Root cause: deployment web runs a bad config revision."}],
            "Fixer": [{"text": REASON, "tool_calls": calls}, {"text": "Done: see the tool results above."}],
            "ExecSummaryAgent": [{"text": "Bad config on web; the fixer acted with approval."}],
        }
    }
    fixer: dict[str, Any] = {"type": "action", "mcp_servers": ["ops"], "custom_instructions": "Fix it."}
    if approval is not None:
        fixer["approval"] = approval
    tarsy = {
        "mcp_servers": {
            "ops": {
                "transport": {
                    "type": "stdio",
                    "command": sys.executable,
                    "args": [str(SERVER)],
                    "env": {"ACTION_LOG": str(tmp_path / "ran.jsonl")},
                },
                "actions": ["restart_*", "scale_*"],
            }
        },
        "agents": {"Investigator": {"custom_instructions": "Find the cause."}, "Fixer": fixer},
        "agent_chains": {
            "kubernetes": {
                "alert_types": ["kubernetes"],
                "stages": [{"name": "investigate", "agent": "Investigator"}, {"name": "remediate", "agent": "Fixer"}],
            }
        },
    }
    return write_config(tmp_path / "config", script=script, tarsy=tarsy, queue={"approval_sweep_interval": "200ms"})


def ran(tmp_path: Path) -> list[dict[str, Any]]:
    log = tmp_path / "ran.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


async def waiting(tarsy: RunningTarsy, session_id: str) -> dict[str, Any]:
    session = await tarsy.wait_status(session_id, {"awaiting_approval", "completed", "failed"}, timeout=60)
    assert session["status"] == "awaiting_approval", session
    return session


async def decide(tarsy: RunningTarsy, session_id: str, approval_id: str, decision: str, comment: str = "") -> Any:
    body = {"decision": decision, "comment": comment or None}
    return await tarsy.client.post(f"/api/v1/sessions/{session_id}/approvals/{approval_id}", json=body)


async def tool_results(tarsy: RunningTarsy, session_id: str) -> list[str]:
    timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
    return [e["content"] for e in timeline if e["event_type"] == "llm_tool_call" and e["status"] == "completed"]


async def test_approved_call_runs_once_with_the_arguments_shown(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(config(tmp_path, [restart("web", "c1")]), database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await waiting(tarsy, session_id)
        [pending] = session["pending_approvals"]
        assert pending["tool"] == "ops.restart_deployment"
        assert pending["arguments"] == {"name": "web", "namespace": "prod"}
        assert pending["agent"] == "Fixer" and pending["stage"] == "remediate"
        assert pending["reason"] == REASON
        assert pending["expires_at"] > pending["requested_at"]
        assert ran(tmp_path) == [], "the action ran before anyone approved it"
        assert [s["stage_type"] for s in session["stages"]] == ["investigation", "action"]

        resp = await decide(tarsy, session_id, pending["id"], "approve", "go ahead")
        assert resp.status_code == 200, resp.text
        assert resp.json()["approval"]["status"] == "approved"
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
        again = await decide(tarsy, session_id, pending["id"], "reject")
        trace = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/trace")).json()
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()

    assert session["status"] == "completed", session
    assert ran(tmp_path) == [{"tool": "restart_deployment", "arguments": {"name": "web", "namespace": "prod"}}]
    assert session["pending_approvals"] == []
    [decided] = session["approvals"]
    assert decided["status"] == "approved" and decided["comment"] == "go ahead"
    assert decided["decided_by"] and decided["decided_at"]
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"
    assert [(a["tool"], a["status"], a["comment"]) for a in trace["approvals"]] == [
        ("ops.restart_deployment", "approved", "go ahead")
    ]
    kinds = [e["event_type"] for e in timeline]
    assert kinds.index("approval_requested") < kinds.index("approval_decided")
    assert "deployment prod/web restarted" in [e["content"] for e in timeline if e["event_type"] == "llm_tool_call"]
    assert session["final_analysis"] == "Done: see the tool results above."


async def test_rejected_call_never_runs_and_the_model_reads_why(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(config(tmp_path, [restart("web", "c1")]), database_url) as tarsy:
        session_id = await tarsy.submit()
        [pending] = (await waiting(tarsy, session_id))["pending_approvals"]
        resp = await decide(tarsy, session_id, pending["id"], "reject", "not during the release freeze")
        assert resp.status_code == 200, resp.text
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
        results = await tool_results(tarsy, session_id)
    assert session["status"] == "completed", session
    assert ran(tmp_path) == []
    [result] = [r for r in results if r.startswith("Not run")]
    assert "rejected this call" in result and "not during the release freeze" in result


async def test_expired_request_resolves_as_rejected(tmp_path: Path, database_url: str) -> None:
    cfg = config(tmp_path, [restart("web", "c1")], approval={"timeout": "1s", "on_timeout": "reject"})
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
        results = await tool_results(tarsy, session_id)
    assert session["status"] == "completed", session
    assert ran(tmp_path) == []
    [approval] = session["approvals"]
    assert approval["status"] == "expired" and approval["decided_by"] == "timeout"
    assert any("timed out" in r for r in results), results


async def test_two_calls_of_one_turn_are_decided_one_by_one(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(config(tmp_path, [restart("web", "c1"), restart("api", "c2")]), database_url) as tarsy:
        session_id = await tarsy.submit()
        [first] = (await waiting(tarsy, session_id))["pending_approvals"]
        assert first["arguments"]["name"] == "web"
        assert (await decide(tarsy, session_id, first["id"], "approve")).status_code == 200
        second = await _next_pending(tarsy, session_id, first["id"])
        assert second["arguments"]["name"] == "api"
        assert ran(tmp_path) == [{"tool": "restart_deployment", "arguments": {"name": "web", "namespace": "prod"}}]
        assert (await decide(tarsy, session_id, second["id"], "approve")).status_code == 200
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
    assert session["status"] == "completed", session
    assert [r["arguments"]["name"] for r in ran(tmp_path)] == ["web", "api"], "each approved call runs exactly once"


async def _next_pending(tarsy: RunningTarsy, session_id: str, after: str) -> dict[str, Any]:
    for _ in range(600):
        session = await waiting(tarsy, session_id)
        found = [p for p in session["pending_approvals"] if p["id"] != after]
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError("no second approval was requested")


async def test_cancel_while_waiting(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(config(tmp_path, [restart("web", "c1")]), database_url) as tarsy:
        session_id = await tarsy.submit()
        [pending] = (await waiting(tarsy, session_id))["pending_approvals"]
        resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel")
        assert resp.status_code == 200 and resp.json()["status"] == "cancelled", resp.text
        session = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        late = await decide(tarsy, session_id, pending["id"], "approve")
    assert session["status"] == "cancelled"
    assert [a["status"] for a in session["approvals"]] == ["cancelled"]
    assert {s["status"] for s in session["stages"]} <= {"completed", "cancelled"}
    assert late.status_code == 409
    assert ran(tmp_path) == []


async def test_waiting_session_survives_a_restart_and_is_decided_on_the_new_process(
    tmp_path: Path, database_url: str
) -> None:
    cfg = config(tmp_path, [restart("web", "c1")])
    async with running_tarsy(cfg, database_url) as first:
        session_id = await first.submit()
        [pending] = (await waiting(first, session_id))["pending_approvals"]
    # The first process is gone; nothing ran, and nobody holds the session.
    assert ran(tmp_path) == []
    async with running_tarsy(cfg, database_url) as second:
        assert (await second.client.get(f"/api/v1/sessions/{session_id}")).json()["status"] == "awaiting_approval"
        bad = await second.client.post(
            f"/api/v1/sessions/{session_id}/approvals/{pending['id']}", json={"decision": "maybe"}
        )
        unknown = await decide(second, session_id, "00000000-0000-0000-0000-000000000000", "approve")
        assert (await decide(second, session_id, pending["id"], "approve")).status_code == 200
        session = await second.wait_status(session_id, {"completed", "failed"}, timeout=60)
    assert bad.status_code == 422 and unknown.status_code == 404
    assert session["status"] == "completed", session
    assert ran(tmp_path) == [{"tool": "restart_deployment", "arguments": {"name": "web", "namespace": "prod"}}]
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute(
            "SELECT e.agent_name, count(*) FROM llm_interactions i JOIN agent_executions e ON e.id = i.execution_id"
            " WHERE i.session_id = %s GROUP BY e.agent_name",
            (session_id,),
        )
        calls = dict(await cur.fetchall())
    # One model call per finished turn: nothing before the interrupt was asked again after the restart.
    assert calls == {"Investigator": 1, "Fixer": 2, "ExecSummaryAgent": 1}, calls
