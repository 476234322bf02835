from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from tarsy.config import Duration, PositiveDuration, parse_duration


class _Timing(BaseModel):
    value: Duration = 0.0
    positive: PositiveDuration = 1.0


@pytest.mark.parametrize(
    ("given", "seconds"),
    [
        (45, 45.0),
        (1.5, 1.5),
        (0, 0.0),
        ("90", 90.0),
        ("2.5", 2.5),
        ("500ms", 0.5),
        ("30s", 30.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("1h30m", 5400.0),
        ("2m30s", 150.0),
        ("1.5h", 5400.0),
        ("1m500ms", 60.5),
        (" 10s ", 10.0),
    ],
)
def test_durations_parse_to_seconds(given: object, seconds: float) -> None:
    assert parse_duration(given) == pytest.approx(seconds)
    assert _Timing(value=given).value == pytest.approx(seconds)


@pytest.mark.parametrize(
    "given", ["", "5 minutes", "1x", "-1s", -3, True, "h", "1h 30m", "s30", None, [1], "1e3", "1d"]
)
def test_invalid_durations_are_rejected_with_a_hint(given: object) -> None:
    with pytest.raises(ValidationError) as caught:
        _Timing(value=given)
    assert "invalid duration" in str(caught.value)


def test_positive_duration_rejects_zero() -> None:
    with pytest.raises(ValidationError, match="greater than 0"):
        _Timing(positive="0s")
