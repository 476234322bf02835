"""Alertmanager webhook (version 4) → one submission per firing alert."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tarsy.config import AlertmanagerConfig, TarsyConfig


class AMAlert(BaseModel):
    model_config = ConfigDict(extra="allow")

    status: str = "firing"
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    startsAt: str | None = None
    endsAt: str | None = None
    generatorURL: str | None = None
    fingerprint: str | None = None


class AMWebhook(BaseModel):
    """The body Alertmanager POSTs to a webhook receiver."""

    model_config = ConfigDict(extra="allow")

    version: str = "4"
    status: str = "firing"
    receiver: str | None = None
    alerts: list[AMAlert]
    groupLabels: dict[str, str] = Field(default_factory=dict)
    commonLabels: dict[str, str] = Field(default_factory=dict)
    commonAnnotations: dict[str, str] = Field(default_factory=dict)
    externalURL: str | None = None
    groupKey: str | None = None


@dataclass(frozen=True)
class PlannedAlert:
    fingerprint: str | None
    alert_type: str | None  # None: resolved and skipped
    data: dict[str, Any]
    runbook: str | None
    skipped: str | None = None


def plan(webhook: AMWebhook, config: TarsyConfig) -> list[PlannedAlert]:
    settings: AlertmanagerConfig = config.system.alertmanager
    known = set(config.alert_types())
    planned: list[PlannedAlert] = []
    for alert in webhook.alerts:
        if alert.status != "firing" and not settings.include_resolved:
            planned.append(PlannedAlert(alert.fingerprint, None, {}, None, skipped=f"alert is {alert.status}"))
            continue
        label = alert.labels.get(settings.alert_type_label, "")
        alert_type = label if label in known else config.defaults.alert_type
        data: dict[str, Any] = {
            "source": "alertmanager",
            "status": alert.status,
            "labels": alert.labels,
            "annotations": alert.annotations,
            "starts_at": alert.startsAt,
            "ends_at": alert.endsAt,
            "generator_url": alert.generatorURL,
            "fingerprint": alert.fingerprint,
            "group_labels": webhook.groupLabels,
            "external_url": webhook.externalURL,
            "receiver": webhook.receiver,
        }
        if label and label not in known:
            data["alert_type_note"] = f"{settings.alert_type_label}={label} has no chain; used {alert_type}"
        runbook = alert.annotations.get("runbook_url") or alert.annotations.get("runbook")
        fingerprint = f"alertmanager:{alert.fingerprint}" if alert.fingerprint else None
        planned.append(PlannedAlert(fingerprint, alert_type, data, runbook))
    return planned
