"""Slack notifications for sessions: a "started" reply and a terminal message.

With a ``slack_message_fingerprint`` on the alert, the original alert message is looked up in the
channel's recent history and both notifications go into its thread; without one, only the terminal
message is posted, to the channel. Nothing here ever raises to the caller: Slack is a courtesy, and
a session must not fail or stall because Slack is down, slow or misconfigured.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from tarsy.config import SystemConfig
from tarsy.integrations.slack_messages import (
    TERMINAL_STATUSES,
    SlackMessage,
    approval_message,
    finished_message,
    matches_fingerprint,
    started_message,
)

log = logging.getLogger(__name__)

_PAGE = 200  # conversations.history page size Slack recommends


class SlackNotifier:
    """Built once per process; a no-op when ``system.slack`` is disabled or has no token."""

    def __init__(self, config: SystemConfig, env: Mapping[str, str]) -> None:
        self._slack = config.slack
        self._dashboard_url = config.dashboard_url
        self._channel = self._slack.channel or ""  # SlackConfig refuses enabled without a channel
        self._client: AsyncWebClient | None = None
        if not self._slack.enabled:
            return
        token = env.get(self._slack.token_env, "").strip()
        if not token:
            log.error("Slack notifications are enabled but $%s is empty; they stay off", self._slack.token_env)
            return
        # Without a session of its own, the client opens one per call: nothing to close at shutdown.
        self._client = AsyncWebClient(
            token=token, base_url=self._slack.base_url, timeout=max(1, math.ceil(self._slack.timeout))
        )

    @property
    def enabled(self) -> bool:
        return self._client is not None

    async def session_started(self, session: Mapping[str, Any]) -> None:
        """Reply "started" in the thread of the alert's Slack message; only for alerts with a fingerprint."""
        fingerprint = _fingerprint(session)
        if self._client is None or fingerprint is None:
            return
        try:
            thread_ts = await self._find_thread(self._client, fingerprint)
            if thread_ts is None:
                log.info("no Slack message with fingerprint %r; skipping the 'started' reply", fingerprint)
                return
            await self._post(self._client, started_message(session, self._dashboard_url), thread_ts)
        except Exception:
            # Slack must never fail a session: HTTP errors, ok:false answers, timeouts and odd
            # payloads all end here, in the log, and the session carries on.
            log.warning("Slack 'started' notification for session %s failed", session.get("id"), exc_info=True)

    async def session_finished(self, session: Mapping[str, Any]) -> None:
        """Post the terminal message (completed, failed, timed_out, cancelled); other statuses are ignored."""
        if self._client is None or session.get("status") not in TERMINAL_STATUSES:
            return
        try:
            fingerprint = _fingerprint(session)
            thread_ts = None if fingerprint is None else await self._find_thread(self._client, fingerprint)
            await self._post(self._client, finished_message(session, self._dashboard_url), thread_ts)
        except Exception:
            # As above: a Slack failure is logged and swallowed so the session's outcome stands.
            log.warning("Slack terminal notification for session %s failed", session.get("id"), exc_info=True)

    async def approval_requested(self, session: Mapping[str, Any], approval: Mapping[str, Any]) -> None:
        """Post a tool call that waits for a person, with a link to decide (``approval`` is masked)."""
        if self._client is None:
            return
        try:
            fingerprint = _fingerprint(session)
            thread_ts = None if fingerprint is None else await self._find_thread(self._client, fingerprint)
            await self._post(self._client, approval_message(session, approval, self._dashboard_url), thread_ts)
        except Exception:
            # As above: Slack being down must not keep a session from waiting for its decision.
            log.warning("Slack approval notification for session %s failed", session.get("id"), exc_info=True)

    async def _find_thread(self, client: AsyncWebClient, fingerprint: str) -> str | None:
        """The ``ts`` of the newest channel message within the lookback that carries the fingerprint."""
        oldest = f"{time.time() - self._slack.history_lookback:.6f}"
        cursor: str | None = None
        scanned = 0
        while scanned < self._slack.history_limit:
            page = await client.conversations_history(
                channel=self._channel,
                oldest=oldest,
                limit=min(_PAGE, self._slack.history_limit - scanned),
                cursor=cursor,
            )
            messages = page.get("messages") or []
            for message in messages:
                if isinstance(message, Mapping) and matches_fingerprint(message, fingerprint):
                    return str(message.get("thread_ts") or message["ts"])
            scanned += len(messages)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not messages or cursor is None:
                break
        return None

    async def _post(self, client: AsyncWebClient, message: SlackMessage, thread_ts: str | None) -> None:
        await client.chat_postMessage(
            channel=self._channel,
            text=message.text,
            attachments=message.attachments,
            thread_ts=thread_ts,
            unfurl_links=False,
            unfurl_media=False,
        )


def _fingerprint(session: Mapping[str, Any]) -> str | None:
    value = session.get("slack_message_fingerprint")
    return str(value) if value is not None and str(value).strip() else None
