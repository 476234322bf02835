"""``queue.max_pending``: while that many sessions wait, new alerts get 429 with ``Retry-After``
(the Alertmanager receiver too), and nothing is stored for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

WEBHOOK = {
    "version": "4",
    "status": "firing",
    "receiver": "tarsy",
    "groupKey": '{}:{alertname="PodCrash"}',
    "groupLabels": {"alertname": "PodCrash"},
    "commonLabels": {},
    "commonAnnotations": {},
    "externalURL": "http://127.0.0.1:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "PodCrash", "pod": "api-9"},
            "annotations": {},
            "startsAt": "2026-01-01T00:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "fingerprint": "abc123",
        }
    ],
}


async def test_full_queue_answers_429_with_retry_after(tmp_path: Path, database_url: str) -> None:
    config = write_config(
        tmp_path / "config",
        script={"agents": {"*": [{"text": "ok"}]}},
        queue={"max_pending": 2, "retry_after": "7s"},
    )
    async with running_tarsy(config, database_url, workers=0) as tarsy:  # no workers: sessions stay pending
        await tarsy.submit()
        await tarsy.submit()
        refused = await tarsy.client.post("/api/v1/alerts", json={"alert_type": "kubernetes", "data": {"pod": "x"}})
        assert refused.status_code == 429
        assert refused.headers["retry-after"] == "7"
        error = refused.json()["error"]
        assert error["code"] == "queue_full"
        assert "queue.max_pending" in error["message"]

        webhook = await tarsy.client.post("/api/v1/alerts/alertmanager", json=WEBHOOK)
        assert webhook.status_code == 429, webhook.text
        assert webhook.headers["retry-after"] == "7"

        listed = (await tarsy.client.get("/api/v1/sessions", params={"status": "pending"})).json()
        assert listed["total"] == 2

        # A session that leaves the queue makes room again.
        first = listed["items"][0]["id"]
        assert (await tarsy.client.post(f"/api/v1/sessions/{first}/cancel")).status_code == 200
        assert (
            await tarsy.client.post("/api/v1/alerts", json={"alert_type": "kubernetes", "data": {"pod": "y"}})
        ).status_code == 202
