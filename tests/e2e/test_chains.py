"""Chain behaviour end to end: parallel stages, policies, synthesis, summaries, cancel, timeout,
concurrency and crash-resume of a parallel stage (real HTTP, workers, PostgreSQL, scripted models
routed by agent name)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]


def chain(*stages: dict[str, Any], **chain_keys: Any) -> dict[str, Any]:
    return {
        "agents": {name: {"custom_instructions": f"You are the {name}."} for name in ("Logs", "Metrics", "Fixer")},
        "agent_chains": {"kubernetes": {"alert_types": ["kubernetes"], "stages": list(stages), **chain_keys}},
    }


PARALLEL = {"name": "triage", "agents": ["Logs", "Metrics"]}
FIX = {"name": "fix", "agent": "Fixer"}


async def _stages(tarsy: RunningTarsy, session_id: str) -> list[dict[str, Any]]:
    body = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
    stages: list[dict[str, Any]] = body["stages"]
    return stages


async def test_policy_all_failure_stops_the_chain(tmp_path: Path, database_url: str) -> None:
    script = {
        "agents": {
            "Logs": [{"text": "logs: OOM at 12:03"}],
            "Metrics": [{"error": "metrics backend unreachable"}],
            "Fixer": [{"text": "should never run"}],
        }
    }
    cfg = write_config(tmp_path / "c", script=script, tarsy=chain({**PARALLEL, "success_policy": "all"}, FIX))
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"failed"})
    assert "stage 'triage' failed" in session["error_message"]
    assert "1 of 2 agents failed (policy all)" in session["error_message"]
    assert "metrics backend unreachable" in session["error_message"]
    [triage] = session["stages"]
    assert triage["status"] == "failed"
    assert triage["parallel_type"] == "multi_agent"
    assert sorted((e["agent_name"], e["status"]) for e in triage["executions"]) == [
        ("Logs", "completed"),
        ("Metrics", "failed"),
    ]


async def test_policy_any_fails_when_every_agent_failed(tmp_path: Path, database_url: str) -> None:
    script = {
        "agents": {
            "Logs": [{"error": "log store unreachable"}],
            "Metrics": [{"error": "metrics backend unreachable"}],
            "SynthesisAgent": [{"text": "should never run"}],
            "Fixer": [{"text": "should never run"}],
        }
    }
    cfg = write_config(tmp_path / "c", script=script, tarsy=chain({**PARALLEL, "success_policy": "any"}, FIX))
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed", "failed"})
    assert session["status"] == "failed"
    assert session["final_analysis"] is None
    error = session["error_message"]
    assert error.startswith("stage 'triage' failed: 2 of 2 agents failed (policy any): "), error
    assert "log store unreachable" in error and "metrics backend unreachable" in error
    [triage] = session["stages"]  # no synthesis of nothing, no later stage
    assert triage["status"] == "failed"
    assert sorted((e["agent_name"], e["status"]) for e in triage["executions"]) == [
        ("Logs", "failed"),
        ("Metrics", "failed"),
    ]


async def test_policy_any_synthesizes_what_succeeded_and_summary_fails_open(tmp_path: Path, database_url: str) -> None:
    script = {
        "agents": {
            "Logs": [{"text": "logs: OOMKilled at 12:03"}],
            "Metrics": [{"error": "metrics backend unreachable"}],
            "SynthesisAgent": [{"text": "Synthesis: OOM, HIGH confidence"}],
            "Fixer": [{"text": "Raise the memory limit."}],
            "ExecSummaryAgent": [{"error": "summary model down"}],
        }
    }
    cfg = write_config(tmp_path / "c", script=script, tarsy=chain(PARALLEL, FIX))
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed", "failed"})
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT s.stage_type, i.request_messages FROM llm_interactions i JOIN stages s ON s.id = i.stage_id"
                " WHERE s.session_id = %s ORDER BY i.created_at",
                (session_id,),
            )
            calls = await cur.fetchall()
    assert session["status"] == "completed"
    assert session["final_analysis"] == "Raise the memory limit."
    assert session["executive_summary"] is None
    assert "summary model down" in session["executive_summary_error"]
    kinds = [(s["name"], s["stage_type"], s["status"]) for s in session["stages"]]
    assert kinds == [
        ("triage", "investigation", "completed"),
        ("triage - Synthesis", "synthesis", "completed"),
        ("fix", "investigation", "completed"),
        ("Executive Summary", "exec_summary", "failed"),
    ]
    synthesis = session["stages"][1]
    assert synthesis["referenced_stage_id"] == session["stages"][0]["id"]
    synthesis_prompt = " ".join(
        m["content"]
        for t, msgs in ((c["stage_type"], c["request_messages"]) for c in calls)
        if t == "synthesis"
        for m in msgs
    )
    assert "logs: OOMKilled at 12:03" in synthesis_prompt
    fix_prompt = " ".join(
        m["content"] for c in calls if c["stage_type"] == "investigation" for m in c["request_messages"]
    )
    assert "Synthesis: OOM, HIGH confidence" in fix_prompt, "later stages see the synthesis"


async def test_replicas_run_n_copies(tmp_path: Path, database_url: str) -> None:
    script = {"agents": {"Logs": [{"text": "replica finding"}], "*": [{"text": "merged"}]}}
    cfg = write_config(tmp_path / "c", script=script, tarsy=chain({"name": "scan", "agent": "Logs", "replicas": 3}))
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed"})
    scan = session["stages"][0]
    assert scan["parallel_type"] == "replica"
    assert scan["expected_agents"] == 3
    assert [e["agent_name"] for e in scan["executions"]] == ["Logs-1", "Logs-2", "Logs-3"]
    assert session["stages"][1]["stage_type"] == "synthesis"


SLOW_PARALLEL = {"agents": {"Logs": [{"sleep_s": 60}], "Metrics": [{"sleep_s": 60}]}}


async def test_cancel_during_parallel_stage(tmp_path: Path, database_url: str) -> None:
    cfg = write_config(tmp_path / "c", script=SLOW_PARALLEL, tarsy=chain(PARALLEL, FIX))
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        for _ in range(200):
            stages = await _stages(tarsy, session_id)
            if stages and len(stages[0]["executions"]) == 2:
                break
            await asyncio.sleep(0.05)
        await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel")
        session = await tarsy.wait_status(session_id, {"cancelled"}, timeout=2)
    assert [s["status"] for s in session["stages"]] == ["cancelled"]
    assert [e["status"] for e in session["stages"][0]["executions"]] == ["cancelled", "cancelled"]


async def test_session_timeout_during_parallel_stage(tmp_path: Path, database_url: str) -> None:
    cfg = write_config(tmp_path / "c", script=SLOW_PARALLEL, tarsy=chain(PARALLEL), queue={"session_timeout": "1s"})
    async with running_tarsy(cfg, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"timed_out"}, timeout=10)
    assert [s["status"] for s in session["stages"]] == ["timed_out"]
    assert {e["status"] for e in session["stages"][0]["executions"]} == {"timed_out"}


async def test_concurrency_limit_and_isolation(tmp_path: Path, database_url: str) -> None:
    script = {"chunk_chars": 4, "delay_ms": 40, "agents": {"*": [{"text": "finding for this alert only"}]}}
    cfg = write_config(
        tmp_path / "c", script=script, tarsy=chain(FIX), queue={"worker_count": 3, "max_concurrent_sessions": 2}
    )
    async with running_tarsy(cfg, database_url) as tarsy:
        ids = [await tarsy.submit({"alert": n}) for n in range(4)]
        peak, saw_pending = 0, False
        for _ in range(400):
            figures = (await tarsy.client.get("/health")).json()["checks"]["queue"]
            peak = max(peak, figures["active"])
            saw_pending = saw_pending or figures["pending"] > 0
            statuses = [(await tarsy.client.get(f"/api/v1/sessions/{i}")).json()["status"] for i in ids]
            if all(s == "completed" for s in statuses):
                break
            await asyncio.sleep(0.02)
        sessions = [await tarsy.wait_status(i, {"completed"}) for i in ids]
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT session_id, count(*) AS n FROM timeline_events GROUP BY session_id ORDER BY session_id"
            )
            per_session = [r["n"] for r in await cur.fetchall()]
    assert peak == 2
    assert saw_pending
    assert all(s["alert_data"]["alert"] == n for n, s in enumerate(sessions))
    assert len(set(per_session)) == 1, "each session has its own, identical-shaped timeline"


async def test_second_replica_streams_a_session_run_by_the_first(tmp_path: Path, database_url: str) -> None:
    script = {"chunk_chars": 6, "delay_ms": 20, "agents": {"*": [{"text": "streamed across replicas"}]}}
    cfg = write_config(tmp_path / "c", script=script, tarsy=chain(FIX))
    async with (
        running_tarsy(cfg, database_url, workers=1) as runner,
        running_tarsy(cfg, database_url, workers=0) as viewer,
    ):
        session_id = await viewer.submit()
        events = await read_sse(viewer.client, f"/api/v1/sessions/{session_id}/events")
        owner = (await runner.client.get(f"/api/v1/sessions/{session_id}")).json()
    assert owner["status"] == "completed"
    assert any(e["event"] == "stream.chunk" for e in events)
    assert events[-1]["data"]["status"] == "completed"


@pytest.mark.slow
async def test_crash_during_parallel_stage_does_not_redo_the_finished_branch(tmp_path: Path, database_url: str) -> None:
    first = {"agents": {"Logs": [{"text": "logs: OOMKilled"}], "Metrics": [{"sleep_s": 120}]}}
    second = {
        "agents": {
            "Logs": [{"text": "REDONE"}],
            "Metrics": [{"text": "metrics: memory at limit"}],
            "*": [{"text": "merged: OOM"}],
        }
    }
    tarsy_cfg = chain(PARALLEL)
    first_cfg = write_config(tmp_path / "first", script=first, tarsy=tarsy_cfg)
    second_cfg = write_config(tmp_path / "second", script=second, tarsy=tarsy_cfg)
    env = {**os.environ, "DATABASE_URL": database_url, "TARSY_CONFIG_DIR": str(first_cfg), "TARSY_WORKERS": "1"}
    async with running_tarsy(second_cfg, database_url, workers=0) as api:
        session_id = await api.submit()
        worker = subprocess.Popen(
            [sys.executable, "-m", "tarsy.cli", "worker"], env={**env, "TARSY_LOG_LEVEL": "WARNING"}
        )
        try:
            for _ in range(600):
                stages = await _stages(api, session_id)
                done = [e for s in stages for e in s["executions"] if e["status"] == "completed"]
                if done:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.3)  # let the finished branch's checkpoint write land
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        async with running_tarsy(second_cfg, database_url, workers=1):
            session = await api.wait_status(session_id, {"completed", "failed"}, timeout=60)
        timeline = (await api.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
    assert session["status"] == "completed", session
    responses = [e["content"] for e in timeline if e["event_type"] == "llm_response" and e["status"] == "completed"]
    assert "REDONE" not in responses
    assert responses.count("logs: OOMKilled") == 1
    assert "metrics: memory at limit" in responses
