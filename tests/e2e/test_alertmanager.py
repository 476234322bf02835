"""A real Prometheus fires a rule, a real Alertmanager posts its webhook, TARSy opens one session."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tarsy.config import load_config_from_data
from tarsy.runtime.alertmanager import AMWebhook, labels_fingerprint, plan
from tests.support.procs import process, require
from tests.support.server import free_port, running_tarsy, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alertmanager"

CHAINS: dict[str, Any] = {
    "agent_chains": {
        "crashloop": {
            "alert_types": ["KubePodCrashLooping"],
            "stages": [{"name": "analysis", "agent": "KubernetesAgent"}],
        }
    }
}


def test_sample_webhook_plans_one_session_per_firing_alert() -> None:
    body = AMWebhook.model_validate(json.loads((FIXTURES / "firing.json").read_text()))
    config = load_config_from_data(tarsy=CHAINS)
    [planned] = plan(body, config).alerts
    assert planned.alert_type == "kubernetes"  # ProbeAlwaysFiring has no chain: the default type
    assert planned.fingerprint == "4112858d83a0552a" == planned.data["fingerprint"]
    assert planned.runbook == "http://127.0.0.1/runbooks/probe"
    assert planned.data["labels"]["service"] == "payment-api"
    resolved = body.model_copy(update={"alerts": [body.alerts[0].model_copy(update={"status": "resolved"})]})
    assert plan(resolved, config).alerts[0].skipped == "alert is resolved"


def test_alerts_without_a_fingerprint_get_alertmanagers_own_from_their_labels() -> None:
    sample = json.loads((FIXTURES / "firing.json").read_text())
    [alert] = sample["alerts"]
    given = alert.pop("fingerprint")
    body = AMWebhook.model_validate(sample)
    [planned] = plan(body, load_config_from_data(tarsy=CHAINS)).alerts
    assert planned.fingerprint == given == labels_fingerprint(alert["labels"])
    reordered = dict(reversed(list(alert["labels"].items())))
    assert labels_fingerprint(reordered) == given
    assert labels_fingerprint({**alert["labels"], "pod": "other"}) != given


async def test_prometheus_and_alertmanager_drive_tarsy(tmp_path: Path, database_url: str) -> None:
    prometheus, alertmanager = require("prometheus"), require("prometheus-alertmanager")
    config = write_config(tmp_path / "config", script={"agents": {"*": [{"text": "ok"}]}}, tarsy=CHAINS)
    am_port, prom_port = free_port(), free_port()
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        (tmp_path / "am.yml").write_text(
            yaml.safe_dump(
                {
                    "route": {
                        "receiver": "tarsy",
                        "group_by": ["alertname"],
                        "group_wait": "1s",
                        "group_interval": "1s",
                        "repeat_interval": "2s",
                    },
                    "receivers": [
                        {
                            "name": "tarsy",
                            "webhook_configs": [{"url": f"{tarsy.base_url}/api/v1/alerts/alertmanager"}],
                        }
                    ],
                }
            )
        )
        (tmp_path / "rules.yml").write_text(
            yaml.safe_dump(
                {
                    "groups": [
                        {
                            "name": "test",
                            "interval": "1s",
                            "rules": [
                                {
                                    "alert": "KubePodCrashLooping",
                                    "expr": "vector(1) > 0",
                                    "labels": {"namespace": "prod", "pod": "api-1", "severity": "critical"},
                                    "annotations": {"summary": "api-1 restarts"},
                                }
                            ],
                        }
                    ]
                }
            )
        )
        (tmp_path / "prom.yml").write_text(
            yaml.safe_dump(
                {
                    "global": {"evaluation_interval": "1s", "scrape_interval": "15s"},
                    "rule_files": [str(tmp_path / "rules.yml")],
                    "alerting": {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]},
                }
            )
        )
        am_args = [
            alertmanager,
            f"--config.file={tmp_path / 'am.yml'}",
            f"--storage.path={tmp_path / 'amdata'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
        ]
        prom_args = [
            prometheus,
            f"--config.file={tmp_path / 'prom.yml'}",
            f"--storage.tsdb.path={tmp_path / 'promdata'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
            "--rules.alert.resend-delay=1s",
        ]
        am_ready = f"http://127.0.0.1:{am_port}/-/ready"
        prom_ready = f"http://127.0.0.1:{prom_port}/-/ready"
        async with (
            process(am_args, ready_url=am_ready, log=tmp_path / "am.log"),
            process(prom_args, ready_url=prom_ready, log=tmp_path / "prom.log"),
        ):
            deliveries = 0
            for _ in range(600):  # poll (≤ 60 s) until Alertmanager has delivered at least twice
                metrics = (await tarsy.client.get(f"http://127.0.0.1:{am_port}/metrics")).text
                deliveries = sum(
                    int(float(line.rsplit(" ", 1)[1]))
                    for line in metrics.splitlines()
                    if line.startswith("alertmanager_notifications_total") and 'integration="webhook"' in line
                )
                if deliveries >= 2:
                    break
                await asyncio.sleep(0.1)
            assert deliveries >= 2, "Alertmanager never delivered the webhook twice"
        async with tarsy.services.pool.connection() as conn:
            cur = await conn.execute("SELECT alert_type, author, fingerprint, alert_data FROM alert_sessions")
            rows = await cur.fetchall()
    assert len(rows) == 1, "repeats of an open alert are deduplicated"
    [row] = rows
    assert row["alert_type"] == "KubePodCrashLooping"
    assert row["author"] == "alertmanager"
    assert row["fingerprint"] == labels_fingerprint(row["alert_data"]["labels"]) == row["alert_data"]["fingerprint"]
    assert row["alert_data"]["labels"]["pod"] == "api-1"
