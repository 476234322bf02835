"""``system.auth.mode: token`` over real HTTP: sign-in, SSE, authors, cancellations, the Alertmanager token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.security.conftest import ALERTMANAGER_TOKEN, SLOW, TOKENS_ENV, auth_config, bearer
from tests.support.server import read_sse, running_tarsy

pytestmark = [pytest.mark.e2e]

ALERTMANAGER_ENV = {**TOKENS_ENV, "TARSY_ALERTMANAGER_TOKEN": ALERTMANAGER_TOKEN}
WEBHOOK = {
    "version": "4",
    "status": "firing",
    "receiver": "tarsy",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "KubePodCrashLooping", "pod": "api-1"},
            "annotations": {},
            "fingerprint": "4112858d83a0552a",
        }
    ],
}


async def test_token_mode_signs_in_streams_and_records_the_author(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(auth_config(tmp_path, auth={"mode": "token"}), database_url, env=TOKENS_ENV) as tarsy:
        anonymous = await tarsy.client.get("/api/v1/sessions")
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        assert anonymous.json()["error"]["code"] == "unauthenticated"
        assert "Authorization: Bearer" in anonymous.json()["error"]["message"]
        wrong = await tarsy.client.get("/api/v1/sessions", headers={"Authorization": "Bearer not-a-known-token-00"})
        assert wrong.status_code == 401
        assert (await tarsy.client.get("/health")).status_code == 200
        assert (await tarsy.client.get("/metrics")).status_code == 200

        who = await tarsy.client.get("/api/v1/whoami", headers=bearer("otto"))
        assert who.json() == {"name": "otto", "role": "operator", "mode": "token"}

        tarsy.client.headers.update(bearer("otto"))
        submitted = await tarsy.client.post(
            "/api/v1/alerts", json={"data": {"pod": "api-1"}}, headers={"X-Forwarded-User": "mallory"}
        )
        assert submitted.status_code == 202, submitted.text
        session_id = submitted.json()["session_id"]
        async with httpx.AsyncClient(base_url=tarsy.base_url, timeout=30) as stranger:
            sse = await stranger.get(f"/api/v1/sessions/{session_id}/events")
            assert sse.status_code == 401
            global_stream = await stranger.get("/api/v1/sessions/events")
            assert global_stream.status_code == 401
        async with httpx.AsyncClient(base_url=tarsy.base_url, headers=bearer("vera"), timeout=30) as viewer:
            events = await read_sse(viewer, f"/api/v1/sessions/{session_id}/events")
            assert events[-1]["event"] == "session.status"
            assert events[-1]["data"]["status"] == "completed"
            session = (await viewer.get(f"/api/v1/sessions/{session_id}")).json()
        assert session["author"] == "otto"  # the token's name, never a header the caller chose
        assert session["cancelled_by"] is None


async def test_cancellations_record_who_cancelled(tmp_path: Path, database_url: str) -> None:
    config = auth_config(tmp_path, SLOW, auth={"mode": "token"})
    async with running_tarsy(config, database_url, env=TOKENS_ENV) as tarsy:
        tarsy.client.headers.update(bearer("ada"))
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"in_progress"})
        refused = await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel", headers=bearer("vera"))
        assert refused.status_code == 403
        assert refused.json()["error"]["message"].startswith("POST /api/v1/sessions/{session_id}/cancel needs")
        cancel = await tarsy.client.post(f"/api/v1/sessions/{session_id}/cancel", headers=bearer("otto"))
        assert cancel.status_code == 200, cancel.text
        session = await tarsy.wait_status(session_id, {"cancelled"})
    assert session["author"] == "ada"
    assert session["cancelled_by"] == "otto"


async def test_alertmanager_needs_its_own_token(tmp_path: Path, database_url: str) -> None:
    config = auth_config(tmp_path, auth={"mode": "token"})
    async with running_tarsy(config, database_url, workers=0, env=ALERTMANAGER_ENV) as tarsy:
        url = "/api/v1/alerts/alertmanager"
        missing = await tarsy.client.post(url, json=WEBHOOK)
        assert missing.status_code == 401
        assert "TARSY_ALERTMANAGER_TOKEN" in missing.json()["error"]["message"]
        # A user's token, even an admin's, is not the receiver's credential.
        assert (await tarsy.client.post(url, json=WEBHOOK, headers=bearer("ada"))).status_code == 401
        # ... and the receiver's token opens nothing else.
        am = {"Authorization": f"Bearer {ALERTMANAGER_TOKEN}"}
        assert (await tarsy.client.get("/api/v1/sessions", headers=am)).status_code == 401
        assert (await tarsy.client.post("/api/v1/alerts", json={"data": {"a": 1}}, headers=am)).status_code == 401
        accepted = await tarsy.client.post(url, json=WEBHOOK, headers=am)
        assert accepted.status_code == 202, accepted.text
        [opened] = accepted.json()["sessions"]
        session = (await tarsy.client.get(f"/api/v1/sessions/{opened['session_id']}", headers=bearer("vera"))).json()
    assert session["author"] == "alertmanager"


async def test_alertmanager_without_a_configured_token_is_closed_when_auth_is_on(
    tmp_path: Path, database_url: str
) -> None:
    config = auth_config(tmp_path, auth={"mode": "token"})
    async with running_tarsy(config, database_url, workers=0, env=TOKENS_ENV) as tarsy:
        resp = await tarsy.client.post("/api/v1/alerts/alertmanager", json=WEBHOOK, headers=bearer("ada"))
    assert resp.status_code == 401
    assert "system.alertmanager.bearer_token_env" in resp.json()["error"]["message"]


async def test_alertmanager_token_is_required_in_none_mode_once_set(tmp_path: Path, database_url: str) -> None:
    env = {"TARSY_ALERTMANAGER_TOKEN": ALERTMANAGER_TOKEN}
    async with running_tarsy(auth_config(tmp_path), database_url, workers=0, env=env) as tarsy:
        url = "/api/v1/alerts/alertmanager"
        assert (await tarsy.client.post(url, json=WEBHOOK)).status_code == 401
        ok = await tarsy.client.post(url, json=WEBHOOK, headers={"Authorization": f"Bearer {ALERTMANAGER_TOKEN}"})
        assert ok.status_code == 202


async def test_chat_messages_record_their_author_and_who_cancelled_them(tmp_path: Path, database_url: str) -> None:
    script = {"agents": {"*": [{"text": "Root cause: OOMKilled."}], "ChatAgent": [{"sleep_s": 60, "text": "never"}]}}
    async with running_tarsy(
        auth_config(tmp_path, script, auth={"mode": "token"}), database_url, env=TOKENS_ENV
    ) as tarsy:
        tarsy.client.headers.update(bearer("otto"))
        session_id = await tarsy.submit()
        await tarsy.wait_status(session_id, {"completed"})
        asked = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": "why?"})
        assert asked.status_code == 202, asked.text
        viewer = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/cancel", headers=bearer("vera"))
        assert viewer.status_code == 403
        cancelled = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/cancel", headers=bearer("ada"))
        assert cancelled.status_code == 200, cancelled.text
        chat = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()
    [message] = chat["messages"]
    assert message["author"] == "otto"
    assert message["cancelled_by"] == "ada"
