"""GET /api/v1/sessions/events: session.status of every session, replayed after an id, then live."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.support.server import read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.integration]

PATH = "/api/v1/sessions/events"


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config", script={"agents": {"*": [{"text": "unused"}]}})


async def test_replay_after_an_id_then_live_status_changes_only(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        ids = [await tarsy.submit({"n": n}) for n in range(3)]
        # Other event types of a session never reach the list stream.
        await tarsy.services.publisher.publish(ids[0], "stage.status", {"status": "started"})
        everything = await read_sse(tarsy.client, f"{PATH}?after=0", limit=3)
        assert [(e["event"], e["data"]["session_id"], e["data"]["status"]) for e in everything] == [
            ("session.status", i, "pending") for i in ids
        ]
        event_ids = [e["id"] for e in everything]
        assert event_ids == sorted(event_ids)

        resumed = asyncio.create_task(read_sse(tarsy.client, PATH, last_event_id=event_ids[0], limit=3))
        await asyncio.sleep(0.3)
        await tarsy.services.publisher.publish(ids[1], "timeline_event.created", {"content": "not for lists"})
        assert (await tarsy.client.post(f"/api/v1/sessions/{ids[2]}/cancel")).status_code == 200
        got = await asyncio.wait_for(resumed, timeout=10)
        via_query = await read_sse(tarsy.client, f"{PATH}?after={event_ids[0]}", limit=2)

    assert got[:2] == everything[1:], "exactly the events after Last-Event-ID are replayed"
    assert via_query == everything[1:]
    live = got[2]
    assert (live["event"], live["data"]["session_id"], live["data"]["status"]) == (
        "session.status",
        ids[2],
        "cancelled",
    )
    assert live["id"] > event_ids[-1]


async def test_without_an_id_the_stream_starts_live_and_never_ends(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        old = await tarsy.submit({"old": True})
        reader = asyncio.create_task(read_sse(tarsy.client, PATH, limit=2))
        await asyncio.sleep(0.3)
        new = await tarsy.submit({"new": True})
        assert (await tarsy.client.post(f"/api/v1/sessions/{new}/cancel")).status_code == 200
        got = await asyncio.wait_for(reader, timeout=10)

        endless = asyncio.create_task(read_sse(tarsy.client, f"{PATH}?after=0"))
        await asyncio.sleep(1.0)
        still_open = not endless.done()
        endless.cancel()

    assert [(e["data"]["session_id"], e["data"]["status"]) for e in got] == [(new, "pending"), (new, "cancelled")]
    assert old not in {e["data"]["session_id"] for e in got}
    assert still_open, "the list stream stays open after every session has ended"


async def test_bad_last_event_id(config_dir: Path, database_url: str) -> None:
    async with running_tarsy(config_dir, database_url, workers=0) as tarsy:
        resp = await tarsy.client.get(PATH, headers={"Last-Event-ID": "abc"})
    assert resp.status_code == 400
    assert "Last-Event-ID" in resp.json()["error"]["message"]
