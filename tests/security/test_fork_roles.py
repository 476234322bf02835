"""Forking creates work: a viewer may read a session's resume points but not fork it; an operator may,
and becomes the fork's author."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.conftest import TOKENS_ENV, auth_config, bearer
from tests.support.server import running_tarsy

pytestmark = [pytest.mark.e2e]


async def test_viewer_cannot_fork_operator_can(tmp_path: Path, database_url: str) -> None:
    config = auth_config(tmp_path, auth={"mode": "token"})
    async with running_tarsy(config, database_url, env=TOKENS_ENV) as tarsy:
        client = tarsy.client
        alert = {"alert_type": "kubernetes", "data": {"pod": "api-1"}}
        resp = await client.post("/api/v1/alerts", json=alert, headers=bearer("otto"))
        session_id = resp.json()["session_id"]
        tarsy.client.headers.update(bearer("vera"))
        done = await tarsy.wait_status(session_id, {"completed", "failed"})
        assert done["status"] == "completed", done

        points = await client.get(f"/api/v1/sessions/{session_id}/checkpoints")
        assert points.status_code == 200 and points.json()[0]["id"] == "stage-0"
        path = f"/api/v1/sessions/{session_id}/fork"
        refused = await client.post(path, json={"checkpoint_id": "stage-0"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
        assert (await client.get(f"/api/v1/sessions/{session_id}")).json()["forks"] == []

        accepted = await client.post(path, json={"checkpoint_id": "stage-0"}, headers=bearer("otto"))
        assert accepted.status_code == 202, accepted.text
        fork = (await client.get(f"/api/v1/sessions/{accepted.json()['session_id']}")).json()
        assert (fork["author"], fork["forked_from"]["session_id"]) == ("otto", session_id)
