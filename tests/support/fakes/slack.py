"""A fake of the Slack Web API methods TARSy calls: ``conversations.history`` and ``chat.postMessage``.

Point ``system.slack.base_url`` at :attr:`FakeSlack.api_url`. It accepts what slack-sdk sends
(query parameters, form bodies, JSON bodies; ``Authorization: Bearer``), answers like Slack
(HTTP 200 with ``ok``), records every post, and fails on demand per method.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.support.fakes.serving import serve

_JSON_FIELDS = ("attachments", "blocks")  # form posts carry these as JSON strings


@dataclass
class FakeSlack:
    token: str = "xoxb-fake-token"
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Channel → top-level messages, newest first (as conversations.history returns them)."""
    posts: list[dict[str, Any]] = field(default_factory=list)
    history_calls: list[dict[str, str]] = field(default_factory=list)
    failures: dict[str, int | str] = field(default_factory=dict)
    """Method (``chat.postMessage``) → an HTTP status to answer with, or a Slack error for ``ok: false``."""
    base_url: str = ""
    _ts: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def add_message(self, channel: str, *, text: str = "", age_s: float = 60.0, **extra: Any) -> str:
        """Put a top-level message (e.g. the alert bot's) into the channel ``age_s`` ago; returns its ts."""
        ts = self._next_ts(time.time() - age_s)
        messages = self.history.setdefault(channel, [])
        messages.append({"type": "message", "ts": ts, "text": text, **extra})
        messages.sort(key=lambda m: float(m["ts"]), reverse=True)
        return ts

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/conversations.history", self._history, methods=["GET", "POST"]),
                Route("/api/chat.postMessage", self._post, methods=["POST"]),
            ]
        )

    def _next_ts(self, at: float) -> str:
        # Slack ts values are unique per channel; the counter keeps equal clock readings apart.
        return f"{int(at)}.{next(self._ts):06d}"

    async def _arguments(self, request: Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query_params)
        if request.method == "POST":
            if request.headers.get("content-type", "").startswith("application/json"):
                args.update(await request.json())
            else:
                form = await request.form()
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
        for key in _JSON_FIELDS:
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    def _refusal(self, request: Request, method: str) -> Response | None:
        failure = self.failures.get(method)
        if isinstance(failure, int):
            return PlainTextResponse("upstream error", status_code=failure)
        if isinstance(failure, str):
            return JSONResponse({"ok": False, "error": failure})
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        return None

    async def _history(self, request: Request) -> Response:
        refused = self._refusal(request, "conversations.history")
        if refused is not None:
            return refused
        args = await self._arguments(request)
        self.history_calls.append({k: str(v) for k, v in args.items()})
        channel = str(args.get("channel", ""))
        if channel not in self.history:
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        oldest = float(args.get("oldest") or 0)
        messages = [m for m in self.history[channel] if float(m["ts"]) > oldest]
        start = int(args.get("cursor") or 0)
        end = start + min(int(args.get("limit") or 100), 999)
        page = messages[start:end]
        more = end < len(messages)
        return JSONResponse(
            {
                "ok": True,
                "messages": page,
                "has_more": more,
                "response_metadata": {"next_cursor": str(end) if more else ""},
            }
        )

    async def _post(self, request: Request) -> Response:
        refused = self._refusal(request, "chat.postMessage")
        if refused is not None:
            return refused
        args = await self._arguments(request)
        channel = str(args.get("channel", ""))
        if channel not in self.history:
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        ts = self._next_ts(time.time())
        message = {"type": "message", "ts": ts, **{k: v for k, v in args.items() if k != "channel"}}
        self.posts.append({"channel": channel, **message})
        if not args.get("thread_ts"):
            self.history[channel].insert(0, message)
        return JSONResponse({"ok": True, "channel": channel, "ts": ts, "message": message})


@asynccontextmanager
async def running_fake_slack(fake: FakeSlack | None = None) -> AsyncIterator[FakeSlack]:
    slack = fake or FakeSlack()
    async with serve(slack.app()) as base_url:
        slack.base_url = base_url
        yield slack
