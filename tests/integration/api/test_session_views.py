"""Active and queued sessions, filter options, the per-session summary, queue figures, route order."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.api.conftest import SeededTarsy
from tests.integration.api.seed import ALERT_TYPES, AUTHORS

pytestmark = [pytest.mark.integration]


async def test_active_and_queue_positions(seeded: SeededTarsy) -> None:
    body = (await seeded.tarsy.client.get("/api/v1/sessions/active")).json()
    sessions = seeded.seeded.sessions
    running = sorted((s for s in sessions if s.status in ("in_progress", "cancelling")), key=lambda s: s.started_at)
    pending = sorted((s for s in sessions if s.status == "pending"), key=lambda s: s.created_at)
    assert [s["id"] for s in body["active"]] == [s.id for s in running]
    assert [(s["id"], s["queue_position"]) for s in body["queued"]] == [
        (s.id, n) for n, s in enumerate(pending, start=1)
    ]
    assert len(body["queued"]) == 4 and len(body["active"]) == 3
    first = body["active"][0]
    assert first["total_tokens"] == running[0].tokens("total_tokens")
    assert first["stage_count"] == running[0].stage_count


async def test_filter_options_list_what_is_present(seeded: SeededTarsy) -> None:
    body = (await seeded.tarsy.client.get("/api/v1/sessions/filter-options")).json()
    assert body == {
        "statuses": [
            "pending",
            "in_progress",
            "cancelling",
            "awaiting_approval",
            "completed",
            "failed",
            "cancelled",
            "timed_out",
        ],
        "alert_types": sorted(ALERT_TYPES),
        "chains": sorted(set(ALERT_TYPES.values())),
        "authors": sorted(AUTHORS),
    }


async def test_queue_figures(seeded: SeededTarsy) -> None:
    body = (await seeded.tarsy.client.get("/api/v1/system/queue")).json()
    pending = [s for s in seeded.seeded.sessions if s.status == "pending"]
    assert body["pending"] == len(pending) == 4
    assert body["active"] == 3
    assert body["workers_total"] == 0 and body["workers_busy"] == 0
    oldest = min(s.created_at for s in pending)
    age = (datetime.now(oldest.tzinfo) - oldest).total_seconds()
    assert abs(body["oldest_pending_s"] - age) < 60


async def test_summary_of_a_session(seeded: SeededTarsy) -> None:
    session = next(s for s in seeded.seeded.sessions if s.status == "completed" and len(s.executions) >= 3)
    pool = seeded.tarsy.services.pool
    async with pool.connection() as conn:
        execution = session.stages[0].executions[0]
        for n in range(3):
            await conn.execute(
                "INSERT INTO llm_interactions (id, session_id, stage_id, execution_id, interaction_type, provider,"
                " model, request_messages) VALUES (gen_random_uuid(), %s, %s, %s, 'iteration', 'p', 'm', '[]')",
                (session.id, session.stages[0].id, execution.id),
            )
            if n:
                await conn.execute(
                    "INSERT INTO mcp_interactions (id, session_id, server, tool)"
                    " VALUES (gen_random_uuid(), %s, 's', 't')",
                    (session.id,),
                )
    body = (await seeded.tarsy.client.get(f"/api/v1/sessions/{session.id}/summary")).json()
    assert body["session_id"] == session.id and body["status"] == "completed"
    assert session.started_at is not None and session.completed_at is not None
    assert body["durations"] == {
        "queue_ms": int((session.started_at - session.created_at).total_seconds() * 1000),
        "run_ms": session.duration_ms,
        "total_ms": int((session.completed_at - session.created_at).total_seconds() * 1000),
    }
    assert body["tokens"] == {
        "input": session.tokens("input_tokens"),
        "output": session.tokens("output_tokens"),
        "thinking": session.tokens("thinking_tokens"),
        "total": session.tokens("total_tokens"),
    }
    assert [(s["stage_index"], s["name"], s["stage_type"]) for s in body["stages"]] == [
        (s.stage_index, s.name, s.stage_type) for s in session.stages
    ]
    for out, stage in zip(body["stages"], session.stages, strict=True):
        assert out["duration_ms"] == 1000 or stage.stage_type == "exec_summary"
        assert out["tokens"]["total"] == sum(e.total_tokens for e in stage.executions)
        assert [(a["execution_id"], a["agent_name"], a["tokens"]["input"]) for a in out["agents"]] == [
            (e.id, e.agent_name, e.input_tokens) for e in stage.executions
        ]
        for agent, execution in zip(out["agents"], stage.executions, strict=True):
            assert execution.completed_at is not None
            assert agent["duration_ms"] == int((execution.completed_at - execution.started_at).total_seconds() * 1000)
    assert body["counts"] == {
        "stages": len(session.stages),
        "executions": len(session.executions),
        "llm_calls": 3,
        "mcp_calls": 2,
        "timeline_events": len(session.timeline),
    }


async def test_summary_of_a_queued_session_has_open_durations(seeded: SeededTarsy) -> None:
    session = next(s for s in seeded.seeded.sessions if s.status == "pending")
    body = (await seeded.tarsy.client.get(f"/api/v1/sessions/{session.id}/summary")).json()
    assert body["durations"] == {"queue_ms": None, "run_ms": None, "total_ms": None}
    assert body["stages"] == []
    assert body["tokens"] == {"input": 0, "output": 0, "thinking": 0, "total": 0}


@pytest.mark.parametrize("session_id", ["00000000-0000-0000-0000-000000000000", "not-a-session"])
async def test_summary_of_unknown_session(seeded: SeededTarsy, session_id: str) -> None:
    resp = await seeded.tarsy.client.get(f"/api/v1/sessions/{session_id}/summary")
    assert resp.status_code == 404
    assert session_id in resp.json()["error"]["message"]


async def test_fixed_paths_win_over_session_ids(seeded: SeededTarsy) -> None:
    client = seeded.tarsy.client
    for path in ("/api/v1/sessions/active", "/api/v1/sessions/filter-options"):
        assert (await client.get(path)).status_code == 200, path
    async with client.stream("GET", "/api/v1/sessions/events") as resp:
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
    some = seeded.seeded.sessions[0]
    assert (await client.get(f"/api/v1/sessions/{some.id}")).json()["id"] == some.id
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in (
        "/api/v1/sessions",
        "/api/v1/sessions/active",
        "/api/v1/sessions/filter-options",
        "/api/v1/sessions/events",
        "/api/v1/sessions/{session_id}/summary",
        "/api/v1/sessions/{session_id}/trace",
        "/api/v1/sessions/{session_id}/trace/llm/{interaction_id}",
        "/api/v1/sessions/{session_id}/trace/mcp/{interaction_id}",
        "/api/v1/system/queue",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert "200" in operation["responses"]
    assert "404" in paths["/api/v1/sessions/{session_id}/summary"]["get"]["responses"]
    assert "400" in paths["/api/v1/sessions"]["get"]["responses"]
