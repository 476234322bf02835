"""A worker killed with SIGKILL mid-session: another worker resumes from the checkpoint."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.killed_worker import kill_worker_when
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHAIN: dict[str, Any] = {
    "agents": {
        "Collector": {"custom_instructions": "Collect facts."},
        "Analyst": {"custom_instructions": "Explain the root cause."},
    },
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "collect", "agent": "Collector"}, {"name": "analyse", "agent": "Analyst"}],
        }
    },
}

FIRST_WORKER = {
    "agents": {
        "Collector": [{"text": "Facts: pod api-1 restarted 12 times, exit code 137."}],
        "Analyst": [{"sleep_s": 120, "text": "never reached"}],
    }
}

SECOND_WORKER = {
    "agents": {
        "Collector": [{"text": "REDONE: the collector ran twice."}],
        "Analyst": [{"text": "Root cause: OOMKilled (exit code 137)."}],
        "ExecSummaryAgent": [{"text": "OOMKilled pod api-1; raise its memory limit."}],
    }
}


async def _wait_for_stage(tarsy: Any, session_id: str, index: int, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        if any(s["stage_index"] == index and s["status"] == "active" for s in body["stages"]):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"stage {index} never started: {body}")
        await asyncio.sleep(0.1)


async def test_killed_worker_session_resumes_from_checkpoint(tmp_path: Path, database_url: str) -> None:
    first_cfg = write_config(tmp_path / "first", script=FIRST_WORKER, tarsy=CHAIN)
    second_cfg = write_config(tmp_path / "second", script=SECOND_WORKER, tarsy=CHAIN)
    async with running_tarsy(second_cfg, database_url, workers=0) as api:
        session_id = await api.submit()
        # killed once stage row 1 (the second stage, or the parallel chain's synthesis) has started
        await kill_worker_when(first_cfg, database_url, lambda: _wait_for_stage(api, session_id, 1))
        assert (await api.client.get(f"/api/v1/sessions/{session_id}")).json()["status"] == "in_progress"

        async with running_tarsy(second_cfg, database_url, workers=1):
            session = await api.wait_status(session_id, {"completed", "failed"}, timeout=60)
        timeline = (await api.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()

    assert session["status"] == "completed", session
    assert session["final_analysis"] == "Root cause: OOMKilled (exit code 137)."
    responses = [e["content"] for e in timeline if e["event_type"] == "llm_response" and e["status"] == "completed"]
    assert responses == [
        "Facts: pod api-1 restarted 12 times, exit code 137.",
        "Root cause: OOMKilled (exit code 137).",
        "OOMKilled pod api-1; raise its memory limit.",
    ], "the finished stage is not redone after the resume"
    assert [s["status"] for s in session["stages"]] == ["completed", "completed", "completed"]
    assert session["executive_summary"] == "OOMKilled pod api-1; raise its memory limit."
    async with await psycopg.AsyncConnection.connect(database_url) as conn:
        cur = await conn.execute("SELECT attempts FROM alert_sessions WHERE id = %s", (session_id,))
        row = await cur.fetchone()
    assert row is not None and row[0] == 2


PARALLEL_CHAIN: dict[str, Any] = {
    "agents": {
        "Pods": {"custom_instructions": "Look at the pods."},
        "Events": {"custom_instructions": "Look at the events."},
    },
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "investigate", "agents": [{"name": "Pods"}, {"name": "Events"}]}],
        }
    },
}

SYNTHESIS_FIRST = {
    "agents": {
        "Pods": [{"text": "Pods: api-1 OOMKilled."}],
        "Events": [{"text": "Events: memory limit lowered at 10:05."}],
        "SynthesisAgent": [{"sleep_s": 120, "text": "never reached"}],
    }
}

SYNTHESIS_SECOND = {
    "agents": {
        "Pods": [{"text": "REDONE: Pods ran twice."}],
        "Events": [{"text": "REDONE: Events ran twice."}],
        "SynthesisAgent": [{"text": "Root cause: the 10:05 memory limit change OOMKills api-1."}],
        "ExecSummaryAgent": [{"text": "Memory limit change OOMKills api-1."}],
    }
}


async def test_worker_killed_during_synthesis_resumes_without_rerunning_the_branches(
    tmp_path: Path, database_url: str
) -> None:
    first_cfg = write_config(tmp_path / "first", script=SYNTHESIS_FIRST, tarsy=PARALLEL_CHAIN)
    second_cfg = write_config(tmp_path / "second", script=SYNTHESIS_SECOND, tarsy=PARALLEL_CHAIN)
    async with running_tarsy(second_cfg, database_url, workers=0) as api:
        session_id = await api.submit()
        # killed once stage row 1 (the second stage, or the parallel chain's synthesis) has started
        await kill_worker_when(first_cfg, database_url, lambda: _wait_for_stage(api, session_id, 1))

        async with running_tarsy(second_cfg, database_url, workers=1):
            session = await api.wait_status(session_id, {"completed", "failed"}, timeout=60)
        timeline = (await api.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()

    assert session["status"] == "completed", session
    assert session["final_analysis"] == "Root cause: the 10:05 memory limit change OOMKills api-1."
    responses = [e["content"] for e in timeline if e["event_type"] == "llm_response" and e["status"] == "completed"]
    assert not [r for r in responses if r.startswith("REDONE")], "a parallel branch ran again after the resume"
    assert sorted(responses[:2]) == ["Events: memory limit lowered at 10:05.", "Pods: api-1 OOMKilled."]
    assert responses[2:] == [
        "Root cause: the 10:05 memory limit change OOMKills api-1.",
        "Memory limit change OOMKills api-1.",
    ]
    stages = [(s["name"], s["stage_type"], s["status"]) for s in session["stages"]]
    assert stages == [
        ("investigate", "investigation", "completed"),
        ("investigate - Synthesis", "synthesis", "completed"),
        ("Executive Summary", "exec_summary", "completed"),
    ]
