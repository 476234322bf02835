"""Alert in → chain runs on a worker → timeline out over SSE, against a real server and database."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

FAST_SCRIPT: dict[str, Any] = {
    "chunk_chars": 8,
    "agents": {
        "*": [
            {
                "thinking": "The pod restarts; check memory limits.",
                "text": "Root cause: the container is OOMKilled. Raise its memory limit.",
            }
        ]
    },
}

SLOW_SCRIPT: dict[str, Any] = {"agents": {"*": [{"sleep_s": 60, "text": "never reached"}]}}


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", script=FAST_SCRIPT)


async def test_alert_completes_and_streams_in_order(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url) as tarsy:
        session_id = await tarsy.submit()
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
        session = await tarsy.wait_status(session_id, {"completed"})

    assert "OOMKilled" in session["final_analysis"]
    assert [(s["stage_type"], s["status"]) for s in session["stages"]] == [
        ("investigation", "completed"),
        ("exec_summary", "completed"),
    ]
    assert session["executive_summary"].startswith("Root cause")
    assert session["stages"][0]["executions"][0]["model"] == "test-model"

    persisted = [e for e in events if "id" in e]
    ids = [e["id"] for e in persisted]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    types = [e["event"] for e in persisted]
    assert types[0] == "session.status" and persisted[0]["data"]["status"] == "pending"
    assert types[-1] == "session.status" and persisted[-1]["data"]["status"] == "completed"
    for expected in ("stage.status", "timeline_event.created", "timeline_event.completed"):
        assert expected in types
    for event in events:
        assert event["data"]["session_id"] == session_id
        assert event["data"]["type"] == event["event"]
    completed = {
        e["data"]["event_type"]: e["data"]["content"] for e in persisted if e["event"] == "timeline_event.completed"
    }
    assert completed["llm_thinking"] == "The pod restarts; check memory limits."
    assert completed["llm_response"].startswith("Root cause")
    final = [
        e for e in persisted if e["event"] == "timeline_event.created" and e["data"]["event_type"] == "final_analysis"
    ]
    assert len(final) == 1


async def test_reconnect_with_last_event_id_replays_exactly_the_missed_events(
    config_dir: Path, database_url: str
) -> None:
    async with running_tarsy(config_dir, database_url) as tarsy:
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"completed"})
        path = f"/api/v1/sessions/{session_id}/events"
        everything = await read_sse(tarsy.client, path)
        first_part = everything[:3]
        rest = await read_sse(tarsy.client, path, last_event_id=first_part[-1]["id"])
        via_query = await read_sse(tarsy.client, f"{path}?after={first_part[-1]['id']}")

    assert [e["id"] for e in rest] == [e["id"] for e in everything[3:]]
    assert rest == everything[3:]
    assert via_query == rest


async def test_live_stream_carries_token_deltas(tmp_path: Path, database_url: str) -> None:
    script = {**FAST_SCRIPT, "delay_ms": 30}
    config = write_config(tmp_path / "config", script=script)
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        session_id = await tarsy.submit()
        reader = asyncio.create_task(read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events"))
        await asyncio.sleep(0.3)  # the stream is open before any worker starts
        async with running_tarsy(config, database_url, workers=1):
            events = await reader
    chunks = [e for e in events if e["event"] == "stream.chunk"]
    assert chunks, "token deltas are streamed live"
    assert all("id" not in e for e in chunks), "deltas are live only, never replayable"
    text = "".join(e["data"]["delta"] for e in chunks)
    assert "OOMKilled" in text
    assert events[-1]["data"]["status"] == "completed"


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"alert_type": "nope", "data": {"a": 1}}, 400, "kubernetes"),
        ({"alert_type": "kubernetes"}, 422, "data"),
        ({"alert_type": "kubernetes", "data": 42}, 422, "data"),
        ({"alert_type": "kubernetes", "data": {"a": 1}, "runbook": "not a url"}, 422, "runbook"),
        ({"alert_type": "kubernetes", "data": "   "}, 400, "empty"),
        ({"alert_type": "kubernetes", "data": {"k\u0000": "v"}}, 400, "NUL"),
        ({"alert_type": "kubernetes", "data": {"a": 1}, "extra": True}, 422, "extra"),
    ],
)
async def test_bad_input_is_rejected_with_a_clear_error(
    config_dir: Path, database_url: str, body: dict[str, Any], status: int, needle: str
) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        resp = await tarsy.client.post("/api/v1/alerts", json=body)
    assert resp.status_code == status, resp.text
    assert needle in resp.json()["error"]["message"]


async def test_malformed_json_and_oversized_payloads(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=FAST_SCRIPT, tarsy={"system": {"max_alert_data_bytes": 1000}})
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        broken = await tarsy.client.post(
            "/api/v1/alerts", content=b'{"data": {', headers={"content-type": "application/json"}
        )
        too_big = await tarsy.client.post("/api/v1/alerts", json={"data": {"blob": "x" * 2000}})
        way_too_big = await tarsy.client.post("/api/v1/alerts", json={"data": "x" * 100_000})
        listed = await tarsy.client.get("/api/v1/alert-types")
    assert broken.status_code == 422
    assert too_big.status_code == 413
    assert "1000" in too_big.json()["error"]["message"]
    assert way_too_big.status_code == 413
    assert listed.json() == {"alert_types": ["kubernetes"], "default": "kubernetes"}


async def test_two_workers_process_five_alerts_exactly_once(config_dir: Path, database_url: str) -> None:
    async with (
        running_tarsy(config_dir, database_url, workers=1) as first,
        running_tarsy(config_dir, database_url, workers=1),
    ):
        ids = [await first.submit({"n": n}) for n in range(5)]
        sessions = [await first.wait_status(i, {"completed"}) for i in ids]
        pool = first.services.pool
        async with pool.connection() as conn:
            cur = await conn.execute(
                "SELECT s.id, s.attempts, count(DISTINCT st.id) AS stages, count(DISTINCT t.id) AS responses,"
                " count(DISTINCT s.worker_id) AS workers"
                " FROM alert_sessions s JOIN stages st ON st.session_id = s.id"
                " JOIN timeline_events t ON t.session_id = s.id AND t.event_type = 'llm_response'"
                " GROUP BY s.id, s.attempts"
            )
            rows = await cur.fetchall()
    assert all(s["final_analysis"] for s in sessions)
    assert len(rows) == 5
    assert all(r["attempts"] == 1 and r["stages"] == 2 and r["responses"] == 2 for r in rows)


async def test_cancel_interrupts_the_running_model_call(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SLOW_SCRIPT)
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"in_progress"})
        await asyncio.sleep(0.2)
        started = asyncio.get_running_loop().time()
        resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel")
        assert resp.status_code == 200
        # The model's turn sleeps 60 s: ending well before that means the call was interrupted,
        # not waited out.
        session = await tarsy.wait_status(session_id, {"cancelled"}, timeout=30)
        elapsed = asyncio.get_running_loop().time() - started
        again = await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel")
        events = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")
    assert elapsed < 30
    assert all(s["status"] == "cancelled" for s in session["stages"])
    assert again.status_code == 409
    assert events[-1]["data"]["status"] == "cancelled"


async def test_cancel_reaches_the_replica_that_runs_the_session(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SLOW_SCRIPT)
    async with (
        running_tarsy(config, database_url, workers=1) as runner,
        running_tarsy(config, database_url, workers=0) as api_only,
    ):
        session_id = await api_only.submit()
        await runner.wait_status(session_id, {"in_progress"})
        resp = await api_only.client.post(f"/api/v1/sessions/{session_id}/cancel")
        assert resp.json()["status"] == "cancelling"
        await api_only.wait_status(session_id, {"cancelled"}, timeout=2)


async def test_cancel_queued_session(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        session_id = await tarsy.submit()
        resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel")
        body = await tarsy.wait_status(session_id, {"cancelled"}, timeout=2)
    assert resp.json() == {"session_id": session_id, "status": "cancelled"}
    assert body["error_message"] == "cancelled before it started"


async def test_session_timeout(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SLOW_SCRIPT, queue={"session_timeout": "1s"})
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        body = await tarsy.wait_status(session_id, {"timed_out"}, timeout=10)
    assert "timeout" in body["error_message"]
    assert body["stages"][0]["status"] == "timed_out"


async def test_health_and_unknown_session(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url) as tarsy:
        health = await tarsy.client.get("/health")
        missing = await tarsy.client.get("/api/v1/sessions/00000000-0000-0000-0000-000000000000")
        garbage = await tarsy.client.get("/api/v1/sessions/not-a-uuid/timeline")
        docs = await tarsy.client.get("/openapi.json")
    assert health.status_code == 200
    assert health.json()["status"] == "healthy"
    assert health.json()["mode"] == "live"
    assert health.json()["checks"]["workers"]["count"] == 2
    assert missing.status_code == 404
    assert garbage.status_code == 404
    assert "/api/v1/alerts" in docs.json()["paths"]


async def test_alert_payload_is_masked_before_it_is_stored(config_dir: Path, database_url: str) -> None:
    secret = "password: hunter2hunter2"
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        session_id = await tarsy.submit({"message": f"login failed, {secret}", "contact": "oncall@example.com"})
        body = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
    stored = str(body["alert_data"])
    assert "hunter2" not in stored
    assert "oncall@example.com" not in stored
    assert "[MASKED_PASSWORD]" in stored
