"""Provider fallback on the wire: a failing primary (real ``ChatOpenAI`` against a fake) and a backup.

Each failure kind switches at its documented point (at once for 401 and an exhausted quota, after
two attempts for 5xx, a stalled stream and a closed port), leaves a ``provider_fallback`` event and
the switch on the execution, and the switch sticks for that execution only: the executive summary,
an execution of its own, starts on the primary again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.server import free_port, running_tarsy
from tests.wire.fake_vendor import FakeVendor
from tests.wire.harness import KEY, KEY_ENV, kubernetes_tools
from tests.wire.openai_wire import ChatCompletionsWire
from tests.wire.script import Entry, Failure, Scenario, StallMidStream

pytestmark = [pytest.mark.integration]

PRIMARY, BACKUP = "primary", "backup"


@pytest.fixture
async def primary() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(ChatCompletionsWire()).serving() as fake:
        yield fake


@pytest.fixture
async def backup() -> AsyncIterator[FakeVendor]:
    async with FakeVendor(ChatCompletionsWire()).serving() as fake:
        yield fake


def write_config(directory: Path, primary_url: str, backup_url: str, *, fallback: bool = True) -> Path:
    """Two OpenAI-type providers (SDK retries off; TARSy's retry policy at 3 attempts, which a
    fallback cuts to 2 before switching)."""
    directory.mkdir(parents=True, exist_ok=True)

    def provider(url: str, model: str) -> dict[str, Any]:
        timeouts = {"initial": "2s", "stall": "1s"}
        entry = {"type": "openai", "model": model, "base_url": f"{url}/v1", "api_key_env": KEY_ENV}
        return {**entry, "max_retries": 0, "timeout": "20s", "stream_timeouts": timeouts}

    defaults: dict[str, Any] = {"llm_provider": PRIMARY, "llm_retry": {"max_attempts": 3, "initial_interval": "50ms"}}
    if fallback:
        defaults["fallback_providers"] = [BACKUP]
    queue = {"worker_count": 1, "poll_interval": "100ms", "heartbeat_interval": "500ms", "orphan_threshold": "3s"}
    (directory / "tarsy.yaml").write_text(yaml.safe_dump({"defaults": defaults, "queue": queue}))
    providers = {PRIMARY: provider(primary_url, "gpt-primary"), BACKUP: provider(backup_url, "gpt-backup")}
    (directory / "llm-providers.yaml").write_text(yaml.safe_dump({"llm_providers": providers}))
    return directory


async def investigate(config: Path, database_url: str) -> dict[str, Any]:
    async with running_tarsy(config, database_url, env={KEY_ENV: KEY}, tools=kubernetes_tools()) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=60)
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute(
                "SELECT provider, model, interaction_type, error FROM llm_interactions"
                " WHERE session_id = %s ORDER BY created_at",
                (session_id,),
            )
            rows = [dict(r) for r in await cur.fetchall()]
    return {"session": session, "timeline": timeline, "interactions": rows}


SWITCHES = [
    pytest.param([Failure(500, "The server had an error")] * 2, 2, "provider_down", id="500-twice"),
    pytest.param(
        [Failure(429, "You exceeded your current quota", code="insufficient_quota")], 1, "quota_exhausted", id="quota"
    ),
    pytest.param([Failure(401, "Incorrect API key provided")], 1, "credentials", id="401"),
]


@pytest.mark.parametrize(("failures", "attempts", "category"), SWITCHES)
async def test_the_primary_fails_and_the_backup_finishes_the_execution(
    tmp_path: Path,
    database_url: str,
    primary: FakeVendor,
    backup: FakeVendor,
    failures: list[Entry],
    attempts: int,
    category: str,
) -> None:
    first, answer, summary = Scenario.load("investigation").turns
    primary.play(*failures, summary)  # the summary is another execution: it starts on the primary again
    backup.play(first, answer)

    run = await investigate(write_config(tmp_path, primary.base_url, backup.base_url), database_url)

    session = run["session"]
    assert session["status"] == "completed", session["error_message"]
    assert len(primary.requests) == attempts + 1 and len(backup.requests) == 2
    assert session["final_analysis"] == answer.text
    assert session["executive_summary"] == summary.text
    [event] = [e for e in run["timeline"] if e["event_type"] == "provider_fallback"]
    assert event["metadata"]["from_provider"] == PRIMARY and event["metadata"]["to_provider"] == BACKUP
    assert event["metadata"]["category"] == category
    assert f"[{category}]" in event["metadata"]["reason"]
    investigation = session["stages"][0]["executions"][0]
    assert (investigation["llm_provider"], investigation["model"]) == (BACKUP, "gpt-backup")
    [switch] = investigation["provider_fallbacks"]
    assert (switch["from_provider"], switch["from_model"], switch["to_model"]) == (PRIMARY, "gpt-primary", "gpt-backup")
    assert session["stages"][1]["executions"][0]["llm_provider"] == PRIMARY
    rows = [(r["provider"], r["interaction_type"], r["error"] is None) for r in run["interactions"]]
    assert rows == [
        (PRIMARY, "iteration", False),
        (BACKUP, "iteration", True),
        (BACKUP, "iteration", True),
        (PRIMARY, "executive_summary", True),
    ]
    assert KEY not in str(run)


async def test_a_stalled_stream_is_cut_and_retried_then_switched(
    tmp_path: Path, database_url: str, primary: FakeVendor, backup: FakeVendor
) -> None:
    first, answer, summary = Scenario.load("investigation").turns
    primary.play(StallMidStream(first, 10), StallMidStream(first, 10), summary)
    backup.play(first, answer)

    run = await investigate(write_config(tmp_path, primary.base_url, backup.base_url), database_url)

    assert run["session"]["status"] == "completed", run["session"]["error_message"]
    assert len(primary.requests) == 3 and len(backup.requests) == 2
    [event] = [e for e in run["timeline"] if e["event_type"] == "provider_fallback"]
    assert event["metadata"]["category"] == "timeout"
    assert "no next chunk within 2s" in event["metadata"]["reason"], "the second attempt had twice the stall time"


async def test_a_closed_port_switches_after_two_attempts_for_every_execution(
    tmp_path: Path, database_url: str, backup: FakeVendor
) -> None:
    backup.play(*Scenario.load("investigation").turns)
    closed = f"http://127.0.0.1:{free_port()}"

    run = await investigate(write_config(tmp_path, closed, backup.base_url), database_url)

    assert run["session"]["status"] == "completed", run["session"]["error_message"]
    events = [e for e in run["timeline"] if e["event_type"] == "provider_fallback"]
    assert [e["metadata"]["category"] for e in events] == ["provider_down", "provider_down"]
    assert len(backup.requests) == 3


async def test_without_a_fallback_the_failure_names_the_provider(
    tmp_path: Path, database_url: str, primary: FakeVendor, backup: FakeVendor
) -> None:
    primary.play(*[Failure(500, "The server had an error")] * 3)

    run = await investigate(write_config(tmp_path, primary.base_url, backup.base_url, fallback=False), database_url)

    session = run["session"]
    assert session["status"] == "failed"
    assert "LLM provider 'primary' (gpt-primary) failed [provider_down]" in session["error_message"]
    assert len(primary.requests) == 3, "the retry policy's three attempts, no switch"
    assert backup.requests == []
    assert not [e for e in run["timeline"] if e["event_type"] == "provider_fallback"]
