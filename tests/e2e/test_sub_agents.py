"""Sub-agents in real sessions (PostgreSQL, workers, the API): nested records and display data, and a
worker killed with SIGKILL after two of three sub-agents finished: the resumed session re-runs
neither of them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support.killed_worker import kill_worker_when
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SUBS = ("Alpha", "Beta", "Gamma")
CHAIN: dict[str, Any] = {
    "agents": {
        "Lead": {"custom_instructions": "Delegate, then conclude.", "sub_agents": list(SUBS)},
        **{
            name: {"description": f"{name} checks one thing.", "custom_instructions": f"You are {name}."}
            for name in SUBS
        },
    },
    "agent_chains": {"kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "lead", "agent": "Lead"}]}},
}


def lead_turns() -> list[dict[str, Any]]:
    calls = [
        {"name": "tarsy__dispatch_agent", "args": {"name": name, "task": f"{name}: check your part"}, "id": f"d{i}"}
        for i, name in enumerate(SUBS)
    ]
    return [{"text": "", "tool_calls": calls}, {"text": "Preliminary."}, {"text": "Final: Gamma found the cause."}]


def script(alpha: str, beta: str, gamma: dict[str, Any]) -> dict[str, Any]:
    return {
        "agents": {
            "Lead": lead_turns(),
            "Alpha": [{"text": alpha}],
            "Beta": [{"text": beta}],
            "Gamma": [gamma],
            "ExecSummaryAgent": [{"text": "Summary."}],
        }
    }


def executions(session: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for stage in session["stages"] for e in stage["executions"]]


async def test_sub_agents_are_nested_under_their_parent(tmp_path: Path, database_url: str) -> None:
    config = write_config(
        tmp_path / "config", script=script("Alpha: ok.", "Beta: ok.", {"text": "Gamma: the cause."}), tarsy=CHAIN
    )
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        trace = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/trace")).json()

    assert session["status"] == "completed", session["error_message"]
    assert session["final_analysis"] == "Final: Gamma found the cause."
    lead = next(e for e in executions(session) if e["agent_name"] == "Lead")
    subs = {e["agent_name"]: e for e in executions(session) if e["parent_execution_id"]}
    assert sorted(subs) == list(SUBS)
    for index, name in enumerate(SUBS, start=1):
        assert subs[name]["parent_execution_id"] == lead["id"]
        assert subs[name]["task"] == f"{name}: check your part"
        assert subs[name]["dispatch_index"] == index
        assert subs[name]["status"] == "completed"
    results = [e for e in timeline if e["event_type"] == "sub_agent_result"]
    assert sorted(e["metadata"]["agent"] for e in results) == sorted(SUBS)
    assert all(e["execution_id"] == lead["id"] for e in results), "results are the parent's timeline"
    traced = {e["agent_name"]: e for s in trace["stages"] for e in s["executions"]}
    assert traced["Gamma"]["parent_execution_id"] == lead["id"]
    assert traced["Gamma"]["interactions"], "a sub-agent's model calls are in its own trace entry"


async def _wait_for_two_finished(tarsy: Any, session_id: str, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        done = [e for e in executions(body) if e["parent_execution_id"] and e["status"] == "completed"]
        if len(done) == 2:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"two sub-agents never finished: {body}")
        await asyncio.sleep(0.1)


async def test_a_killed_worker_does_not_rerun_finished_sub_agents(tmp_path: Path, database_url: str) -> None:
    first = write_config(
        tmp_path / "first", script=script("Alpha: ok.", "Beta: ok.", {"sleep_s": 120, "text": "never"}), tarsy=CHAIN
    )
    second = write_config(
        tmp_path / "second", script=script("REDONE alpha", "REDONE beta", {"text": "Gamma: the cause."}), tarsy=CHAIN
    )
    async with running_tarsy(second, database_url, workers=0) as api:
        session_id = await api.submit()
        await kill_worker_when(first, database_url, lambda: _wait_for_two_finished(api, session_id))

        async with running_tarsy(second, database_url, workers=1):
            session = await api.wait_status(session_id, {"completed", "failed"}, timeout=90)
        timeline = (await api.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()

    assert session["status"] == "completed", session["error_message"]
    assert session["final_analysis"] == "Final: Gamma found the cause."
    responses = [e["content"] for e in timeline if e["event_type"] == "llm_response" and e["status"] == "completed"]
    assert "Alpha: ok." in responses and "Beta: ok." in responses
    assert not [r for r in responses if r.startswith("REDONE")], "a finished sub-agent ran again"
    assert "Gamma: the cause." in responses
    subs = {e["agent_name"]: e["status"] for e in executions(session) if e["parent_execution_id"]}
    assert subs == {"Alpha": "completed", "Beta": "completed", "Gamma": "completed"}
