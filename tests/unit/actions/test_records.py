"""What leaves the process about an approval is masked: API/event shape and the Slack message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tarsy.actions.gate import call_key, refusal
from tarsy.actions.records import public
from tarsy.config import load_config_from_data
from tarsy.contracts import ToolRequest, ToolScope
from tarsy.integrations.slack_messages import approval_message
from tarsy.masking.outbound import OutputMasking

SECRET = "AKIAIOSFODNN7EXAMPLE"


def _row(**overrides: Any) -> dict[str, Any]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    row: dict[str, Any] = {
        "id": "a1",
        "session_id": "s1",
        "status": "pending",
        "tool": "ops.rotate_key",
        "arguments": {"name": "web", "aws_access_key_id": SECRET},
        "agent_name": "Fixer",
        "stage_name": "remediate",
        "stage_id": None,
        "execution_id": None,
        "reason": f"the key {SECRET} leaked",
        "requested_at": now,
        "expires_at": now + timedelta(hours=1),
        "on_timeout": "reject",
        "decided_at": None,
        "decided_by": None,
        "comment": None,
    }
    row.update(overrides)
    return row


def test_arguments_and_reason_are_masked_for_the_api_and_slack() -> None:
    masking = OutputMasking.from_config(load_config_from_data({}))
    shown = public(_row(), masking)
    assert SECRET not in str(shown)
    assert shown["arguments"]["name"] == "web"
    assert shown["expires_at"] == "2026-01-01T01:00:00+00:00"
    message = approval_message({"id": "s1"}, shown, "https://tarsy.example.com")
    assert SECRET not in str(message.attachments) and SECRET not in message.text
    assert "https://tarsy.example.com/sessions/s1" in message.text
    assert "ops.rotate_key" in message.text


def test_the_call_key_is_stable_for_a_call_and_differs_between_calls() -> None:
    scope = ToolScope("st", "ex", "ev-1")
    request = ToolRequest("ops.restart", {"name": "web"}, "c1")
    assert call_key("s", scope, 1, request) == call_key("s", ToolScope("st", "ex", "ev-2"), 1, request)
    assert call_key("s", scope, 1, request) != call_key("s", scope, 2, request)  # a later turn
    assert call_key("s", scope, 1, request) != call_key(
        "s", scope, 1, ToolRequest("ops.restart", {"name": "api"}, "c1")
    )


def test_refusals_say_who_and_why() -> None:
    assert "ann rejected this call. Their comment: not now" in refusal(
        _row(status="rejected", decided_by="ann", comment="not now")
    )
    assert "timed out" in refusal(_row(status="expired", decided_by="timeout"))
