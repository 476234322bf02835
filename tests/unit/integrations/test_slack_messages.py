from __future__ import annotations

from typing import Any

import pytest

from tarsy.config import SystemConfig
from tarsy.integrations.slack import SlackNotifier
from tarsy.integrations.slack_messages import finished_message, matches_fingerprint, started_message

DASHBOARD = "https://tarsy.example.com/"


def _session(**overrides: Any) -> dict[str, Any]:
    session: dict[str, Any] = {
        "id": "5f0c",
        "status": "completed",
        "alert_type": "kubernetes",
        "executive_summary": "The pod ran out of memory; raise its limit.",
        "final_analysis": "Long analysis",
        "error_message": None,
        "slack_message_fingerprint": None,
    }
    session.update(overrides)
    return session


@pytest.mark.parametrize(
    "message",
    [
        {"text": "[FIRING] PodCrash fingerprint: INCIDENT-12345"},
        {"text": "incident -\n12345 is firing"},
        {"text": "", "attachments": [{"fields": [{"title": "Fingerprint", "value": "Incident-12345"}]}]},
        {"text": "", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "id incident-12345"}}]},
    ],
)
def test_fingerprints_match_regardless_of_case_and_whitespace(message: dict[str, Any]) -> None:
    assert matches_fingerprint(message, " incident-12345 ")


@pytest.mark.parametrize(
    ("message", "fingerprint"),
    [({"text": "incident-1234"}, "incident-12345"), ({"text": "anything"}, "   "), ({"ts": "1.0"}, "x")],
)
def test_other_messages_do_not_match(message: dict[str, Any], fingerprint: str) -> None:
    assert not matches_fingerprint(message, fingerprint)


def test_the_completed_message_carries_status_type_summary_and_link() -> None:
    message = finished_message(_session(), DASHBOARD)
    assert message.attachments is not None
    (attachment,) = message.attachments
    texts = [b["text"]["text"] for b in attachment["blocks"] if b["type"] == "section"]
    assert texts == [
        "✅ *Investigation complete*  ·  alert type *kubernetes*",
        "The pod ran out of memory; raise its limit.",
    ]
    assert attachment["color"] == "#2eb886"
    assert attachment["blocks"][-1]["elements"][0]["text"] == "<https://tarsy.example.com/sessions/5f0c|Open in TARSy>"
    assert "https://tarsy.example.com/sessions/5f0c" in message.text


def test_the_final_analysis_stands_in_for_a_missing_summary() -> None:
    message = finished_message(_session(executive_summary=None), DASHBOARD)
    assert message.attachments is not None
    assert message.attachments[0]["blocks"][1]["text"]["text"] == "Long analysis"


@pytest.mark.parametrize(
    ("status", "title", "color"),
    [
        ("failed", "Investigation failed", "#d0021b"),
        ("timed_out", "Investigation timed out", "#daa038"),
        ("cancelled", "Investigation cancelled", "#9e9e9e"),
    ],
)
def test_unsuccessful_endings_show_the_error_escaped(status: str, title: str, color: str) -> None:
    session = _session(status=status, executive_summary=None, error_message="boom <@U123> & <!channel>")
    message = finished_message(session, DASHBOARD)
    assert message.attachments is not None
    blocks = message.attachments[0]["blocks"]
    assert title in blocks[0]["text"]["text"]
    assert blocks[1]["text"]["text"] == "*Error:* boom &lt;@U123&gt; &amp; &lt;!channel&gt;"
    assert len(blocks) == 3  # headline, error, link: the final analysis of a failure is not a summary
    assert message.attachments[0]["color"] == color


def test_long_summaries_are_clipped_to_what_slack_accepts() -> None:
    message = finished_message(_session(executive_summary="x" * 10_000), DASHBOARD)
    assert message.attachments is not None
    assert len(message.attachments[0]["blocks"][1]["text"]["text"]) <= 3000


def test_the_started_message_links_to_the_live_session() -> None:
    assert started_message(_session(), DASHBOARD).text == (
        "🔄 TARSy started investigating this *kubernetes* alert. "
        "<https://tarsy.example.com/sessions/5f0c|Follow it live>"
    )


def test_the_notifier_is_off_when_disabled_or_without_a_token() -> None:
    enabled = SystemConfig.model_validate({"slack": {"enabled": True, "channel": "C1"}})
    assert not SlackNotifier(SystemConfig(), {"SLACK_BOT_TOKEN": "xoxb-1"}).enabled
    assert not SlackNotifier(enabled, {}).enabled
    assert SlackNotifier(enabled, {"SLACK_BOT_TOKEN": "xoxb-1"}).enabled


def test_enabling_slack_without_a_channel_is_a_config_error() -> None:
    with pytest.raises(ValueError, match=r"slack\.channel"):
        SystemConfig.model_validate({"slack": {"enabled": True}})
