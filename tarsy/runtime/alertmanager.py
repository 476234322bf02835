"""Alertmanager webhook (version 4) → one session per firing alert, up to a cap per webhook.

Each alert is identified by its fingerprint: Alertmanager's own, or, when an alert carries none,
the same hash Alertmanager computes (FNV-1a 64 over the sorted label names and values), so repeats
deduplicate either way. The fingerprint is reported, stored and deduplicated in that one form.
"""

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
    fingerprint: str | None = Field(None, max_length=128)


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


_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK64 = 0xFFFFFFFFFFFFFFFF


def labels_fingerprint(labels: dict[str, str]) -> str:
    """Alertmanager's fingerprint of a label set (Prometheus ``LabelSet.Fingerprint``), 16 hex digits."""
    value = _FNV_OFFSET
    for name in sorted(labels):
        for byte in name.encode() + b"\xff" + labels[name].encode() + b"\xff":
            value = ((value ^ byte) * _FNV_PRIME) & _MASK64
    return f"{value:016x}"


@dataclass(frozen=True)
class PlannedAlert:
    fingerprint: str
    alert_type: str | None  # None: resolved and skipped
    data: dict[str, Any]
    runbook: str | None
    skipped: str | None = None


@dataclass(frozen=True)
class GroupPlan:
    alerts: list[PlannedAlert]
    over_limit: int  # firing alerts past system.alertmanager.max_alerts_per_request: never opened


def plan(webhook: AMWebhook, config: TarsyConfig) -> GroupPlan:
    settings: AlertmanagerConfig = config.system.alertmanager
    known = set(config.alert_types())
    planned: list[PlannedAlert] = []
    firing = over_limit = 0
    for alert in webhook.alerts:
        if alert.status != "firing" and not settings.include_resolved:
            fingerprint = alert.fingerprint or labels_fingerprint(alert.labels)
            planned.append(PlannedAlert(fingerprint, None, {}, None, skipped=f"alert is {alert.status}"))
            continue
        firing += 1
        if firing > settings.max_alerts_per_request:
            over_limit += 1
            continue
        planned.append(_planned(alert, webhook, settings, known, config.defaults.alert_type))
    return GroupPlan(planned, over_limit)


def _planned(
    alert: AMAlert, webhook: AMWebhook, settings: AlertmanagerConfig, known: set[str], default: str
) -> PlannedAlert:
    fingerprint = alert.fingerprint or labels_fingerprint(alert.labels)
    label = alert.labels.get(settings.alert_type_label, "")
    alert_type = label if label in known else default
    data: dict[str, Any] = {
        "source": "alertmanager",
        "status": alert.status,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "starts_at": alert.startsAt,
        "ends_at": alert.endsAt,
        "generator_url": alert.generatorURL,
        "fingerprint": fingerprint,
        "group_labels": webhook.groupLabels,
        "external_url": webhook.externalURL,
        "receiver": webhook.receiver,
    }
    if label and label not in known:
        data["alert_type_note"] = f"{settings.alert_type_label}={label} has no chain; used {alert_type}"
    runbook = alert.annotations.get("runbook_url") or alert.annotations.get("runbook")
    return PlannedAlert(fingerprint, alert_type, data, runbook)
