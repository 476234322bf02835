"""What TARSy says in Slack, and how it recognises the alert message it replies to.

Pure functions over plain dicts, so the message shapes and the matching rules are tested without a
Slack. The layout is a coloured attachment holding Block Kit blocks: the colour gives the status at
a glance in the channel, the blocks carry the text, and ``text`` is the notification fallback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

TERMINAL_STATUSES = frozenset({"completed", "failed", "timed_out", "cancelled"})
_SECTION_LIMIT = 2900  # Slack rejects section text over 3000 characters


@dataclass(frozen=True)
class _Look:
    emoji: str
    title: str
    color: str


_LOOKS = {
    "completed": _Look("✅", "Investigation complete", "#2eb886"),
    "failed": _Look("❌", "Investigation failed", "#d0021b"),
    "timed_out": _Look("⏱️", "Investigation timed out", "#daa038"),
    "cancelled": _Look("🚫", "Investigation cancelled", "#9e9e9e"),
}


@dataclass(frozen=True)
class SlackMessage:
    """The keyword arguments of one ``chat.postMessage`` besides channel and thread."""

    text: str
    attachments: list[dict[str, Any]] | None = None


def session_link(dashboard_url: str, session_id: str) -> str:
    return f"{dashboard_url.rstrip('/')}/sessions/{session_id}"


def started_message(session: Mapping[str, Any], dashboard_url: str) -> SlackMessage:
    link = session_link(dashboard_url, str(session["id"]))
    alert_type = escape(str(session.get("alert_type") or "unknown"))
    return SlackMessage(text=f"🔄 TARSy started investigating this *{alert_type}* alert. <{link}|Follow it live>")


def finished_message(session: Mapping[str, Any], dashboard_url: str) -> SlackMessage:
    """The terminal notification; ``session['status']`` must be one of :data:`TERMINAL_STATUSES`."""
    status = str(session["status"])
    look = _LOOKS[status]
    link = session_link(dashboard_url, str(session["id"]))
    alert_type = escape(str(session.get("alert_type") or "unknown"))
    headline = f"{look.emoji} *{look.title}*  ·  alert type *{alert_type}*"
    blocks: list[dict[str, Any]] = [_section(headline)]
    summary = session.get("executive_summary") or (session.get("final_analysis") if status == "completed" else None)
    if status != "completed" and session.get("error_message"):
        blocks.append(_section(f"*Error:* {_clip(escape(str(session['error_message'])))}"))
    if summary:
        blocks.append(_section(_clip(escape(str(summary)))))
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{link}|Open in TARSy>"}]})
    fallback = f"{look.emoji} {look.title}: {alert_type} ({link})"
    return SlackMessage(text=fallback, attachments=[{"color": look.color, "fallback": fallback, "blocks": blocks}])


def approval_message(session: Mapping[str, Any], approval: Mapping[str, Any], dashboard_url: str) -> SlackMessage:
    """A tool call waiting for a person (``approval`` as the API shows it: arguments already masked)."""
    link = session_link(dashboard_url, str(session["id"]))
    tool = escape(str(approval.get("tool") or "a tool"))
    agent = escape(str(approval.get("agent") or "An agent"))
    headline = f"✋ *Approval needed*  ·  {agent} wants to run *{tool}*"
    arguments = _clip(escape(json.dumps(approval.get("arguments") or {}, sort_keys=True)))
    blocks: list[dict[str, Any]] = [_section(headline), _section(f"*Arguments:* `{arguments}`")]
    if approval.get("reason"):
        blocks.append(_section(f"*Reason:* {_clip(escape(str(approval['reason'])))}"))
    expires = approval.get("expires_at")
    footer = f"<{link}|Approve or reject in TARSy>" + (f"  ·  expires {escape(str(expires))}" if expires else "")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": footer}]})
    fallback = f"✋ Approval needed: {agent} wants to run {tool} ({link})"
    return SlackMessage(text=fallback, attachments=[{"color": "#daa038", "fallback": fallback, "blocks": blocks}])


def matches_fingerprint(message: Mapping[str, Any], fingerprint: str) -> bool:
    """Whether a channel message carries the fingerprint, ignoring case and whitespace.

    Alert bots put the fingerprint in the text, in attachments or in blocks, and may wrap or
    re-case it; so every string of the message is searched with whitespace removed.
    """
    needle = _squash(fingerprint)
    if not needle:
        return False
    parts = [message.get("text"), message.get("attachments"), message.get("blocks")]
    return any(needle in _squash(text) for text in _strings(parts))


def escape(text: str) -> str:
    """Slack's three control characters; without this an error text could forge links or mentions."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _clip(text: str) -> str:
    return text if len(text) <= _SECTION_LIMIT else text[: _SECTION_LIMIT - 1] + "…"


def _squash(text: str) -> str:
    return "".join(text.split()).lower()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
