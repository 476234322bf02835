"""The status and kind types of ``tarsy.contracts`` hold exactly the values the tables accept, so a
typed value can always be stored and a stored one always read back through the API schemas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest

from tarsy.contracts import (
    ChatMessageStatus,
    ExecutionStatus,
    ParallelType,
    QualityRating,
    ReviewAction,
    ReviewStatus,
    SessionStatus,
    StageStatus,
    StageType,
    TimelineStatus,
)

MIGRATIONS = Path(__file__).resolve().parents[3] / "tarsy" / "store" / "migrations"
TABLE = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\);", re.DOTALL)
CHECK = re.compile(r"CHECK \((\w+) IN\s*\(([^)]*)\)\)")
# A later migration replaces a check: ALTER TABLE t ADD CONSTRAINT name CHECK (column IN (...)).
ALTERED = re.compile(r"ALTER TABLE (\w+) ADD CONSTRAINT \w+\s+CHECK \((\w+) IN\s*\(([^)]*)\)\)")


def _checks() -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for path in sorted(MIGRATIONS.glob("*.sql")):
        for table, body in TABLE.findall(path.read_text("utf-8")):
            for column, values in CHECK.findall(body):
                found[(table, column)] = set(re.findall(r"'([^']*)'", values))
        for table, column, values in ALTERED.findall(path.read_text("utf-8")):
            found[(table, column)] = set(re.findall(r"'([^']*)'", values))
    return found


@pytest.mark.parametrize(
    ("table", "column", "kind"),
    [
        ("alert_sessions", "status", SessionStatus),
        ("chat_messages", "status", ChatMessageStatus),
        ("stages", "status", StageStatus),
        ("stages", "stage_type", StageType),
        ("stages", "parallel_type", ParallelType),
        ("agent_executions", "status", ExecutionStatus),
        ("timeline_events", "status", TimelineStatus),
        ("alert_sessions", "review_status", ReviewStatus),
        ("alert_sessions", "quality_rating", QualityRating),
        ("session_review_events", "action", ReviewAction),
        ("session_review_events", "quality_rating", QualityRating),
    ],
)
def test_the_type_holds_what_the_table_accepts(table: str, column: str, kind: Any) -> None:
    assert set(get_args(kind)) == _checks()[(table, column)]
