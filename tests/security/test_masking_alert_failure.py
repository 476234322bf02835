"""Alert masking that fails keeps the alert (fail-open) but is logged and counted, never silent
(hole: it failed open silently)."""

from __future__ import annotations

import logging

import pytest

from tarsy.config import load_config_from_data
from tarsy.masking import MaskingPolicy
from tarsy.observability.metrics import Metrics
from tarsy.runtime.alerts import alert_masker


def _broken(text: str, policy: MaskingPolicy, /) -> str:
    raise RuntimeError(f"cannot mask {text}")


def test_a_failing_alert_masker_is_logged_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    metrics = Metrics()
    mask = alert_masker(load_config_from_data({}), metrics, masker=_broken)
    data = {"note": "password: hunter22-alert"}
    with caplog.at_level(logging.ERROR):
        masked, error = mask(data)
    assert masked == data, "fail-open: the alert is kept"
    assert error is not None and "RuntimeError" in error
    assert any("alert data masking failed (RuntimeError)" in r.getMessage() for r in caplog.records)
    assert "hunter22-alert" not in caplog.text, "the log names the failure, not the payload"
    assert metrics.registry.get_sample_value("tarsy_alert_masking_failures_total") == 1.0


def test_a_working_alert_masker_counts_nothing() -> None:
    metrics = Metrics()
    masked, error = alert_masker(load_config_from_data({}), metrics)({"note": "password: hunter22-alert"})
    assert error is None and masked == {"note": "password: [MASKED_PASSWORD]"}
    assert metrics.registry.get_sample_value("tarsy_alert_masking_failures_total") == 0.0
