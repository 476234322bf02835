"""PostgreSQL stopped while sessions run: they pause, resume from their checkpoints, and complete.

Against a real PostgreSQL of the test's own, stopped with ``pg_ctl stop -m fast`` (clients see
``AdminShutdown``, new connections are refused) and started again on the same socket. Slow: each
test waits out its outage (``-m faults`` selects them; they run in ``make test``).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.faults.counting_model import CountingModel
from tests.faults.outage import (
    AGENTS,
    KEY,
    KEY_ENV,
    OutageLog,
    database_outage,
    fault_config,
    stored_events,
    wait_chat_ended,
    wait_ended,
    wait_in_flight,
    worker_processes,
)
from tests.support.pg import StoppablePostgres
from tests.support.server import read_sse, running_tarsy

pytestmark = [pytest.mark.faults, pytest.mark.slow, pytest.mark.e2e]

SESSIONS = 4


def assert_clients_were_told(log: OutageLog) -> None:
    assert log.health, "health was never asked"
    assert 0 not in log.health, f"a health request got no answer within the client timeout: {log.health}"
    assert 503 in log.health, f"health never said 503 during the outage: {log.health}"
    for status, body in zip(log.health, log.health_bodies, strict=True):
        if status == 503:
            assert body["status"] == "unhealthy" and body["checks"]["database"]["status"] == "error", body
    for resp in log.api:
        assert resp.status_code == 503, (resp.request.method, resp.request.url, resp.status_code, resp.text)
        assert resp.headers["content-type"].startswith("application/json")
        assert resp.json()["error"]["code"] == "database_unavailable"
        assert "database" in resp.json()["error"]["message"]
        assert int(resp.headers["retry-after"]) > 0


def assert_resumed_without_loss(
    sessions: list[dict[str, Any]],
    streams: list[list[dict[str, Any]]],
    stored: list[dict[str, Any]],
    model: CountingModel,
) -> None:
    assert [s["status"] for s in sessions] == ["completed"] * SESSIONS, [
        (s["status"], s["error_message"]) for s in sessions
    ]
    for s in sessions:
        stages = [(st["name"], st["status"], st.get("error_message")) for st in s["stages"]]
        assert s["final_analysis"] and s["executive_summary"], (s["final_analysis"], s["executive_summary"], stages)
    for session, stream in zip(sessions, streams, strict=True):
        log = [e["id"] for e in stored if e["session_id"] == session["id"]]
        streamed = [e["id"] for e in stream if "id" in e]
        assert streamed == log, "every stored event reached the SSE client once, in order"
        terminal = [
            e
            for e in stored
            if e["session_id"] == session["id"]
            and e["event_type"] == "session.status"
            and e["payload"]["status"] == "completed"
        ]
        assert len(terminal) == 1
    assert len({e["id"] for e in stored}) == len(stored)
    # Every agent ran, and an agent the outage interrupted repeated only its one in-flight call.
    for n in range(SESSIONS):
        for agent in AGENTS:
            assert 1 <= model.calls[(f"pod-{n}", agent)] <= 2, model.calls


async def run_outage(tmp_path: Path, db: tuple[StoppablePostgres, str], *, outage_s: float, replicas: int) -> None:
    pg, url = db
    async with AsyncExitStack() as stack:
        model = await stack.enter_async_context(CountingModel().serving())
        config = fault_config(tmp_path / "config", model)
        in_process = 0 if replicas else None
        api = await stack.enter_async_context(running_tarsy(config, url, workers=in_process, env={KEY_ENV: KEY}))
        if replicas:
            await stack.enter_async_context(worker_processes(config, url, replicas))
        ids = [await api.submit({"pod": f"pod-{n}", "reason": "OOMKilled"}) for n in range(SESSIONS)]
        readers = [asyncio.create_task(read_sse(api.client, f"/api/v1/sessions/{s}/events")) for s in ids]
        await wait_in_flight(model, SESSIONS)  # every session is streaming its first model call

        log = await database_outage(pg, api, outage_s, ids[0])

        sessions = await wait_ended(api.client, ids)
        streams = await asyncio.wait_for(asyncio.gather(*readers), timeout=60)
    stored = await stored_events(url, ids)
    assert_clients_were_told(log)
    assert_resumed_without_loss(sessions, streams, stored, model)


@pytest.mark.parametrize("outage_s", [5, 45])
async def test_outage_single_process(
    tmp_path: Path, stoppable_pg: tuple[StoppablePostgres, str], outage_s: float
) -> None:
    await run_outage(tmp_path, stoppable_pg, outage_s=outage_s, replicas=0)


@pytest.mark.parametrize("outage_s", [5, 45])
async def test_outage_api_and_two_worker_processes(
    tmp_path: Path, stoppable_pg: tuple[StoppablePostgres, str], outage_s: float
) -> None:
    await run_outage(tmp_path, stoppable_pg, outage_s=outage_s, replicas=2)


async def test_session_that_cannot_progress_within_its_timeout_fails_naming_the_database(
    tmp_path: Path, stoppable_pg: tuple[StoppablePostgres, str]
) -> None:
    pg, url = stoppable_pg
    async with CountingModel().serving() as model:
        config = fault_config(tmp_path / "config", model, queue={"session_timeout": "8s"})
        async with running_tarsy(config, url, env={KEY_ENV: KEY}) as api:
            session_id = await api.submit({"pod": "pod-0", "reason": "OOMKilled"})
            await wait_in_flight(model, 1)
            await database_outage(pg, api, 12, session_id)
            (session,) = await wait_ended(api.client, [session_id])
    assert session["status"] == "failed"
    assert session["error_message"].startswith("the database was unavailable"), session["error_message"]
    assert "queue.session_timeout (8s)" in session["error_message"]
    assert Counter(agent for _, agent in model.calls.elements()) == {"Collector": 1}


async def test_chat_answer_resumes_after_an_outage(tmp_path: Path, stoppable_pg: tuple[StoppablePostgres, str]) -> None:
    pg, url = stoppable_pg
    async with CountingModel().serving() as model:
        config = fault_config(tmp_path / "config", model)
        async with running_tarsy(config, url, env={KEY_ENV: KEY}) as api:
            session_id = await api.submit({"pod": "pod-0", "reason": "OOMKilled"})
            await wait_ended(api.client, [session_id])
            posted = await api.client.post(
                f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "How do I fix it?"}
            )
            assert posted.status_code == 202, posted.text
            await wait_in_flight(model, len(AGENTS) + 1)  # the chat agent is streaming its answer

            await database_outage(pg, api, 5, session_id)

            chat = await wait_chat_ended(api.client, session_id)
    (message,) = chat["messages"]
    assert message["status"] == "completed", message
    assert message["answer"] == "ChatAgent on pod-0: OOMKilled, exit code 137; raise the memory limit."
    assert 1 <= model.calls[("pod-0", "ChatAgent")] <= 2, model.calls
