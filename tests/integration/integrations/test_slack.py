"""Slack notifications through slack-sdk against a local fake of the Web API."""

from __future__ import annotations

from typing import Any

import pytest

from tarsy.config import SystemConfig
from tarsy.integrations.slack import SlackNotifier
from tests.support.fakes import FakeSlack
from tests.support.fakes.serving import free_port

pytestmark = [pytest.mark.integration]

CHANNEL = "C0ALERTS"


def notifier(base_url: str, env: dict[str, str] | None = None, **slack: Any) -> SlackNotifier:
    config = SystemConfig.model_validate(
        {
            "dashboard_url": "https://tarsy.example.com",
            "slack": {"enabled": True, "channel": CHANNEL, "base_url": base_url, **slack},
        }
    )
    return SlackNotifier(config, {"SLACK_BOT_TOKEN": "xoxb-fake-token"} if env is None else env)


def session(status: str = "completed", fingerprint: str | None = None) -> dict[str, Any]:
    return {
        "id": "3b9e2d4c",
        "status": status,
        "alert_type": "kubernetes",
        "executive_summary": "api-server restarted five times: OOMKilled.",
        "final_analysis": "...",
        "error_message": None if status == "completed" else "stage analysis failed",
        "slack_message_fingerprint": fingerprint,
    }


def alert_thread(fake: FakeSlack) -> str:
    """A channel with noise around the alert bot's message, whose fingerprint is in an attachment."""
    fake.add_message(CHANNEL, text="unrelated chatter", age_s=30)
    ts = fake.add_message(
        CHANNEL,
        text="[FIRING:1] PodCrashLooping",
        age_s=600,
        attachments=[{"title": "production/api-server", "text": "Fingerprint:  INCIDENT-12345\nrestarts: 5"}],
    )
    fake.add_message(CHANNEL, text="older alert incident-99999", age_s=3600)
    return ts


async def test_with_a_fingerprint_both_notifications_reply_in_the_alerts_thread(fake_slack: FakeSlack) -> None:
    thread = alert_thread(fake_slack)
    slack = notifier(fake_slack.api_url)

    await slack.session_started(session("in_progress", fingerprint="incident-12345"))
    await slack.session_finished(session("completed", fingerprint="incident-12345"))

    started, finished = fake_slack.posts
    assert (started["channel"], started["thread_ts"]) == (CHANNEL, thread)
    assert "started investigating" in started["text"]
    assert "https://tarsy.example.com/sessions/3b9e2d4c" in started["text"]
    assert (finished["channel"], finished["thread_ts"]) == (CHANNEL, thread)
    (attachment,) = finished["attachments"]
    assert attachment["color"] == "#2eb886"
    assert "OOMKilled" in str(attachment["blocks"])
    assert "https://tarsy.example.com/sessions/3b9e2d4c|Open in TARSy" in str(attachment["blocks"])
    assert [call["channel"] for call in fake_slack.history_calls] == [CHANNEL, CHANNEL]
    assert all(float(call["oldest"]) > 0 for call in fake_slack.history_calls)


async def test_without_a_fingerprint_only_the_end_is_posted_to_the_channel(fake_slack: FakeSlack) -> None:
    fake_slack.history[CHANNEL] = []
    slack = notifier(fake_slack.api_url)

    await slack.session_started(session("in_progress"))
    await slack.session_finished(session("failed"))

    (finished,) = fake_slack.posts
    assert "thread_ts" not in finished
    assert finished["attachments"][0]["color"] == "#d0021b"
    assert "stage analysis failed" in str(finished["attachments"][0]["blocks"])
    assert fake_slack.history_calls == []


async def test_an_unmatched_fingerprint_skips_started_and_posts_the_end_to_the_channel(
    fake_slack: FakeSlack,
) -> None:
    alert_thread(fake_slack)
    slack = notifier(fake_slack.api_url)
    await slack.session_started(session("in_progress", fingerprint="incident-00000"))
    await slack.session_finished(session("timed_out", fingerprint="incident-00000"))
    (finished,) = fake_slack.posts
    assert "thread_ts" not in finished
    assert "Investigation timed out" in finished["text"]


async def test_history_is_paged_up_to_the_limit_and_within_the_lookback(fake_slack: FakeSlack) -> None:
    thread = fake_slack.add_message(CHANNEL, text="alert incident-777", age_s=7200)
    for i in range(250):
        fake_slack.add_message(CHANNEL, text=f"noise {i}", age_s=100)

    await notifier(fake_slack.api_url).session_started(session("in_progress", fingerprint="incident-777"))
    assert fake_slack.posts[-1]["thread_ts"] == thread
    assert [c.get("cursor") for c in fake_slack.history_calls] == [None, "200"]

    await notifier(fake_slack.api_url, history_limit=200).session_started(session(fingerprint="incident-777"))
    await notifier(fake_slack.api_url, history_lookback="1h").session_started(session(fingerprint="incident-777"))
    assert len(fake_slack.posts) == 1


async def test_statuses_that_are_not_an_end_post_nothing(fake_slack: FakeSlack) -> None:
    fake_slack.history[CHANNEL] = []
    await notifier(fake_slack.api_url).session_finished(session("in_progress"))
    assert fake_slack.posts == []


def logged_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tarsy.integrations.slack" and r.levelname == "WARNING"]


@pytest.mark.parametrize("failure", [500, "channel_not_found", "ratelimited"])
async def test_slack_errors_are_logged_never_raised(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, failure: int | str
) -> None:
    alert_thread(fake_slack)
    fake_slack.failures["chat.postMessage"] = failure
    slack = notifier(fake_slack.api_url)
    await slack.session_started(session("in_progress", fingerprint="incident-12345"))
    await slack.session_finished(session("completed", fingerprint="incident-12345"))

    fake_slack.failures = {"conversations.history": failure}
    await slack.session_finished(session("completed", fingerprint="incident-12345"))

    assert fake_slack.posts == []
    assert logged_failures(caplog) == [
        "Slack 'started' notification for session 3b9e2d4c failed",
        "Slack terminal notification for session 3b9e2d4c failed",
        "Slack terminal notification for session 3b9e2d4c failed",
    ]


async def test_a_wrong_token_is_logged_not_raised(fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    fake_slack.history[CHANNEL] = []
    await notifier(fake_slack.api_url, env={"SLACK_BOT_TOKEN": "xoxb-wrong"}).session_finished(session())
    assert fake_slack.posts == []
    assert logged_failures(caplog) == ["Slack terminal notification for session 3b9e2d4c failed"]
    assert "invalid_auth" in caplog.text


async def test_an_unreachable_slack_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    slack = notifier(f"http://127.0.0.1:{free_port()}/api/")
    await slack.session_started(session("in_progress", fingerprint="incident-12345"))
    await slack.session_finished(session("cancelled"))
    assert len(logged_failures(caplog)) == 2


async def test_disabled_slack_sends_nothing(fake_slack: FakeSlack) -> None:
    alert_thread(fake_slack)
    config = SystemConfig.model_validate(
        {"slack": {"enabled": False, "channel": CHANNEL, "base_url": fake_slack.api_url}}
    )
    slack = SlackNotifier(config, {"SLACK_BOT_TOKEN": "xoxb-fake-token"})
    await slack.session_started(session("in_progress", fingerprint="incident-12345"))
    await slack.session_finished(session("completed", fingerprint="incident-12345"))
    assert (fake_slack.posts, fake_slack.history_calls) == ([], [])


async def test_enabled_without_a_token_sends_nothing(fake_slack: FakeSlack) -> None:
    alert_thread(fake_slack)
    slack = notifier(fake_slack.api_url, env={})
    await slack.session_finished(session("completed"))
    assert (fake_slack.posts, fake_slack.history_calls) == ([], [])
