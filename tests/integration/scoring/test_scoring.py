"""Scoring over real HTTP, PostgreSQL and workers: an ended session is scored in the background,
a re-score adds a history row, a second request while one runs gets 409, and the list sorts by score."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tarsy.events.types import SCORE_UPDATED, ScoreUpdatedEvent
from tarsy.store import sessions as repo
from tests.support.server import RunningTarsy, running_tarsy, write_config

ANSWER = (
    "Here is my review.\n```json\n"
    '{"score": "84/100", "outcome": "correct", "analysis": "Found the OOM kill from the restarts.",'
    ' "failure_tags": ["redundant_tool_calls", "not_a_tag"], "tool_report": "A log search tool was missing."}'
    "\n```\nThanks!"
)
SCRIPT: dict[str, Any] = {
    "agents": {
        "*": [{"text": "Root cause: pod api-1 is OOMKilled (exit code 137)."}],
        # Slow enough that a request made while it runs finds it running.
        "SessionScorer": [{"sleep_s": 2, "text": ANSWER}],
    }
}


async def _wait_score(tarsy: RunningTarsy, session_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        if body["score"] is not None and body["score"]["status"] == status:
            return dict(body["score"])
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"session {session_id} score is {body['score']} after {timeout}s")
        await asyncio.sleep(0.05)


def _config(tmp_path: Path, *, enabled: bool) -> Path:
    defaults = {"llm_provider": "test-scripted", "scoring": {"enabled": enabled}}
    return write_config(tmp_path / "cfg", script=SCRIPT, tarsy={"defaults": defaults})


async def test_an_ended_session_is_scored_and_rescored(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(_config(tmp_path, enabled=True), database_url) as tarsy:
        sid = await tarsy.submit()
        await tarsy.wait_status(sid, {"completed"})
        running = await _wait_score(tarsy, sid, "scoring")
        assert running["requested_by"] == "tarsy"

        busy = await tarsy.client.post(f"/api/v1/sessions/{sid}/score")
        assert busy.status_code == 409, busy.text

        first = await _wait_score(tarsy, sid, "completed")
        assert (first["score"], first["outcome"]) == (84, "correct")
        assert first["failure_tags"] == ["redundant_tool_calls"]
        assert first["dropped_tags"] == ["not_a_tag"]
        assert first["tool_report"] == "A log search tool was missing."
        assert (await tarsy.client.get(f"/api/v1/sessions/{sid}")).json()["status"] == "completed"

        again = await tarsy.client.post(f"/api/v1/sessions/{sid}/score")
        assert again.status_code == 202, again.text
        assert again.json()["status"] == "scoring"
        await tarsy.services.runner.scoring.wait_idle()
        history = (await tarsy.client.get(f"/api/v1/sessions/{sid}/scores")).json()
        assert [h["status"] for h in history] == ["completed", "completed"]
        assert history[1]["id"] == again.json()["id"]

        listed = (await tarsy.client.get("/api/v1/sessions", params={"sort_by": "score"})).json()
        assert listed["items"][0]["score"] == 84
        trace = (await tarsy.client.get(f"/api/v1/sessions/{sid}/trace")).json()
        assert [i["interaction_type"] for i in trace["session_interactions"]].count("scoring") == 2


async def test_scoring_is_off_by_default_and_refused_before_the_end(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(_config(tmp_path, enabled=False), database_url, workers=0) as tarsy:
        sid = await tarsy.submit()
        early = await tarsy.client.post(f"/api/v1/sessions/{sid}/score")
        assert early.status_code == 409, early.text
        assert "has not ended" in early.text
        unknown = await tarsy.client.post("/api/v1/sessions/00000000-0000-0000-0000-000000000000/score")
        assert unknown.status_code == 404
        body = (await tarsy.client.get(f"/api/v1/sessions/{sid}")).json()
        assert body["score"] is None


async def test_a_failed_scoring_run_leaves_the_session_as_it_was(tmp_path: Path, database_url: str) -> None:
    script = {"agents": {"*": SCRIPT["agents"]["*"], "SessionScorer": [{"text": "I would rather not rate this."}]}}
    defaults = {"llm_provider": "test-scripted", "scoring": {"enabled": True}}
    config = write_config(tmp_path / "cfg", script=script, tarsy={"defaults": defaults})
    async with running_tarsy(config, database_url) as tarsy:
        sid = await tarsy.submit()
        await tarsy.wait_status(sid, {"completed"})
        failed = await _wait_score(tarsy, sid, "failed")
        assert failed["score"] is None
        assert "no score" in failed["error"]
        body = (await tarsy.client.get(f"/api/v1/sessions/{sid}")).json()
        assert body["status"] == "completed"
        listed = (await tarsy.client.get("/api/v1/sessions")).json()
        assert [i["score"] for i in listed["items"] if i["id"] == sid] == [None]
        stored = [e for e in await repo.events_after(tarsy.services.pool, sid, 0) if e["event_type"] == SCORE_UPDATED]
        assert [ScoreUpdatedEvent.model_validate(e["payload"]).status for e in stored] == ["scoring", "failed"]


async def test_a_run_that_lost_its_process_is_started_again(tmp_path: Path, database_url: str) -> None:
    """A ``scoring`` row older than twice the timeout (its process was killed) blocks nothing: the
    next process to start marks it failed and scores the session again."""
    config = write_config(
        tmp_path / "cfg",
        script=SCRIPT,
        tarsy={"defaults": {"llm_provider": "test-scripted", "scoring": {"enabled": False, "timeout": "5s"}}},
    )
    async with running_tarsy(config, database_url) as tarsy:
        sid = await tarsy.submit()
        await tarsy.wait_status(sid, {"completed"})
        async with tarsy.services.pool.connection() as conn:
            await conn.execute(
                "INSERT INTO session_scores (id, session_id, status, provider, requested_by, created_at)"
                " VALUES (gen_random_uuid(), %s, 'scoring', 'test-scripted', 'alice', now() - interval '15 seconds')",
                (sid,),
            )
    async with running_tarsy(config, database_url) as tarsy:
        await tarsy.services.runner.scoring.wait_idle()
        history = (await tarsy.client.get(f"/api/v1/sessions/{sid}/scores")).json()
        assert [(h["status"], h["requested_by"]) for h in history] == [("failed", "alice"), ("completed", "alice")]
        assert history[0]["error"] == "abandoned: its process ended"
        assert history[1]["score"] == 84


async def test_a_run_longer_than_its_timeout_fails(tmp_path: Path, database_url: str) -> None:
    config = write_config(
        tmp_path / "cfg",
        script=SCRIPT,  # the scorer sleeps 2 s
        tarsy={"defaults": {"llm_provider": "test-scripted", "scoring": {"enabled": True, "timeout": "500ms"}}},
    )
    async with running_tarsy(config, database_url) as tarsy:
        sid = await tarsy.submit()
        await tarsy.wait_status(sid, {"completed"})
        failed = await _wait_score(tarsy, sid, "failed")
        assert failed["error"] == "scoring took longer than its timeout (0.5s)"
        assert (await tarsy.client.get(f"/api/v1/sessions/{sid}")).json()["status"] == "completed"
