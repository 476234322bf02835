"""Large Alertmanager groups: accepted in part up to the per-webhook cap, in one batched insert.

Before, a realistic 4,200-alert group (2.5 MB) was refused whole with 413 and 5,000 slim alerts were
stored one by one in a single request; any number of alerts was opened, and alerts without a
fingerprint were never deduplicated.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tarsy.runtime.alertmanager import labels_fingerprint
from tests.support.pg import Databases
from tests.support.server import RunningTarsy, running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "alertmanager" / "firing.json"
CAP = 1000  # the default of system.alertmanager.max_alerts_per_request


def _realistic(count: int) -> dict[str, Any]:
    """A group shaped like the sample webhook, with the labels and annotations of a real cluster."""
    group: dict[str, Any] = json.loads(SAMPLE.read_text())
    [template] = group["alerts"]
    alerts = []
    for i in range(count):
        labels = {
            **template["labels"],
            "alertname": "KubePodCrashLooping",
            "pod": f"payment-api-7d9f8b6c5-{i:05d}",
            "container": "payment-api",
            "instance": f"10.42.{i // 250}.{i % 250}:8080",
            "job": "kube-state-metrics",
            "node": f"worker-{i % 40:02d}.prod.example.internal",
        }
        annotations = {
            **template["annotations"],
            "description": f"Pod prod/payment-api-7d9f8b6c5-{i:05d} ({labels['container']}) is in waiting "
            "state (reason: CrashLoopBackOff) and has restarted 14 times in the last 10 minutes.",
        }
        alerts.append({**template, "labels": labels, "annotations": annotations, "fingerprint": f"{i:016x}"})
    group["alerts"] = alerts
    return group


def _slim(count: int) -> dict[str, Any]:
    """Alerts with labels only (no fingerprint: TARSy computes Alertmanager's from the labels)."""
    return {"alerts": [{"labels": {"alertname": "Slim", "n": str(i)}} for i in range(count)]}


@pytest.fixture(scope="module")
def module_database(databases: Databases) -> str:
    return databases.migrated()  # synchronous: it may run its own event loop


@pytest_asyncio.fixture
async def tarsy(module_database: str, tmp_path: Path) -> AsyncIterator[RunningTarsy]:
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "ok"}]}})
    async with running_tarsy(config, module_database, workers=0) as running:
        async with running.services.pool.connection() as conn:
            await conn.execute("TRUNCATE alert_sessions CASCADE")
        yield running


async def _stored(tarsy: RunningTarsy) -> dict[str, Any]:
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS sessions, count(DISTINCT created_at) AS transactions,"
            " count(DISTINCT fingerprint) AS fingerprints,"
            " (SELECT count(*) FROM events WHERE event_type = 'session.status') AS events"
            " FROM alert_sessions"
        )
        row = await cur.fetchone()
    assert row is not None
    return dict(row)


def _over_limit_metric(tarsy: RunningTarsy) -> float:
    value = tarsy.services.metrics.registry.get_sample_value("tarsy_alertmanager_alerts_over_limit_total")
    return value or 0.0


async def test_a_realistic_4200_alert_group_of_2_5_mb_is_accepted_up_to_the_cap(tarsy: RunningTarsy) -> None:
    body = json.dumps(_realistic(4200))
    assert len(body) > 2_500_000
    resp = await tarsy.client.post(
        "/api/v1/alerts/alertmanager", content=body, headers={"content-type": "application/json"}
    )
    assert resp.status_code == 202, resp.text[:500]
    answer = resp.json()
    assert (answer["queued"], answer["duplicates"], answer["skipped"]) == (CAP, 0, 0)
    assert answer["over_limit"] == 4200 - CAP and answer["max_alerts_per_request"] == CAP
    assert len(answer["sessions"]) == CAP
    assert [s["fingerprint"] for s in answer["sessions"]] == [f"{i:016x}" for i in range(CAP)]
    assert _over_limit_metric(tarsy) == 4200 - CAP
    # One batched insert: every session and its first event were written by one transaction.
    assert await _stored(tarsy) == {"sessions": CAP, "transactions": 1, "fingerprints": CAP, "events": CAP}


async def test_5000_slim_alerts_open_the_cap_and_repeats_deduplicate_by_label_fingerprint(
    tarsy: RunningTarsy,
) -> None:
    first = (await tarsy.client.post("/api/v1/alerts/alertmanager", json=_slim(5000))).json()
    assert (first["queued"], first["over_limit"]) == (CAP, 5000 - CAP)
    expected = labels_fingerprint({"alertname": "Slim", "n": "0"})
    assert first["sessions"][0]["fingerprint"] == expected
    again = (await tarsy.client.post("/api/v1/alerts/alertmanager", json=_slim(5000))).json()
    assert (again["queued"], again["duplicates"], again["over_limit"]) == (0, CAP, 5000 - CAP)
    assert [s["session_id"] for s in again["sessions"]] == [s["session_id"] for s in first["sessions"]]
    assert await _stored(tarsy) == {"sessions": CAP, "transactions": 1, "fingerprints": CAP, "events": CAP}
    async with tarsy.services.pool.connection() as conn:
        cur = await conn.execute("SELECT alert_data FROM alert_sessions WHERE fingerprint = %s", (expected,))
        row = await cur.fetchone()
    assert row is not None and row["alert_data"]["fingerprint"] == expected


async def test_the_cap_is_configurable_and_repeats_within_a_group_are_one_session(
    module_database: str, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "config",
        script={"agents": {"*": [{"text": "ok"}]}},
        tarsy={"system": {"alertmanager": {"max_alerts_per_request": 3}}},
    )
    async with running_tarsy(config, module_database, workers=0) as tarsy:
        async with tarsy.services.pool.connection() as conn:
            await conn.execute("TRUNCATE alert_sessions CASCADE")
        group = {"alerts": [{"labels": {"alertname": "Same"}}] * 2 + _slim(4)["alerts"]}
        answer = (await tarsy.client.post("/api/v1/alerts/alertmanager", json=group)).json()
        assert [s["status"] for s in answer["sessions"]] == ["queued", "duplicate", "queued"]
        assert answer["sessions"][0]["session_id"] == answer["sessions"][1]["session_id"]
        assert (answer["queued"], answer["duplicates"], answer["over_limit"]) == (2, 1, 3)
        assert (await _stored(tarsy))["sessions"] == 2


async def test_an_alert_that_cannot_be_stored_is_skipped_alone(tarsy: RunningTarsy) -> None:
    group = {"alerts": [{"labels": {"alertname": "Bad", "x": "nul\u0000"}}, {"labels": {"alertname": "Good"}}]}
    answer = (await tarsy.client.post("/api/v1/alerts/alertmanager", json=group)).json()
    assert [s["status"] for s in answer["sessions"]] == ["skipped", "queued"]
    assert "NUL" in answer["sessions"][0]["reason"] and "data.labels.x" in answer["sessions"][0]["reason"]
