"""SSE streams are bounded: per session and in all (429 past either), and the session-list
stream's catch-up sends one ``resync`` event instead of replaying an unbounded backlog."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from tarsy.events.types import ResyncEvent
from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.integration]


def _config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path / "config",
        script={"agents": {"*": [{"text": "ok"}]}},
        tarsy={"system": {"sse": {"max_subscribers": 2, "max_subscribers_per_session": 1, "max_catchup_events": 3}}},
    )


@asynccontextmanager
async def _open(client: httpx.AsyncClient, path: str) -> AsyncIterator[httpx.Response]:
    async with client.stream("GET", path, timeout=30) as resp:
        yield resp


async def _status(tarsy: RunningTarsy, path: str) -> httpx.Response:
    async with _open(tarsy.client, path) as resp:
        await resp.aread() if resp.status_code != 200 else None
        return resp


async def test_subscribers_per_session_and_in_all_are_capped(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(_config(tmp_path), database_url, workers=0) as tarsy:
        first, second = await tarsy.submit(), await tarsy.submit()  # pending: their streams stay open
        async with _open(tarsy.client, f"/api/v1/sessions/{first}/events") as held:
            assert held.status_code == 200
            again = await _status(tarsy, f"/api/v1/sessions/{first}/events")
            assert again.status_code == 429
            assert again.headers["retry-after"]
            error = again.json()["error"]
            assert error["code"] == "too_many_streams"
            assert "max_subscribers_per_session" in error["message"]
            async with _open(tarsy.client, "/api/v1/sessions/events") as listing:
                assert listing.status_code == 200
                over = await _status(tarsy, f"/api/v1/sessions/{second}/events")
                assert over.status_code == 429
                assert "system.sse.max_subscribers" in over.json()["error"]["message"]
        # Closed streams give their places back (once the server has seen the disconnects).
        for _ in range(400):
            if tarsy.services.hub.subscriber_count == 0:
                break
            await asyncio.sleep(0.05)
        assert tarsy.services.hub.subscriber_count == 0
        async with _open(tarsy.client, f"/api/v1/sessions/{second}/events") as reopened:
            assert reopened.status_code == 200


async def test_list_catch_up_is_bounded_and_says_resync(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(_config(tmp_path), database_url, workers=0) as tarsy:
        for _ in range(5):
            await tarsy.submit()  # five session.status events
        [resync] = await read_sse(tarsy.client, "/api/v1/sessions/events?after=0", limit=1)
        assert resync["event"] == "resync"
        head = resync["id"]
        assert resync["data"]["latest_id"] == head
        assert resync["data"]["max_catchup_events"] == 3
        ResyncEvent.model_validate(resync["data"])  # the payload the OpenAPI document describes

        # Within the bound, the missed events themselves are replayed (here: the last two).
        recent = await read_sse(tarsy.client, "/api/v1/sessions/events", last_event_id=head - 2, limit=2)
        assert [e["event"] for e in recent] == ["session.status", "session.status"]
        assert [e["id"] for e in recent] == [head - 1, head]
