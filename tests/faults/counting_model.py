"""An OpenAI-compatible model server that answers every streamed call and counts the calls.

Calls are counted per (alert, agent): the alert by the ``pod-N`` name in the conversation, the agent
by the role line every TARSy system prompt starts with. Each answer streams slowly, so a database
outage meets sessions in the middle of their model calls. Workers in other processes reach it over
loopback like a real provider.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.fakes.serving import serve
from tests.wire.fake_vendor import Recorded
from tests.wire.openai_wire import ChatCompletionsWire
from tests.wire.script import Turn, Usage

_ROLE = re.compile(r"You are (?P<name>[^,\n]+), an agent of TARSy\.")
_POD = re.compile(r"pod-\d+")


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return ""


class CountingModel:
    def __init__(self, *, event_delay_s: float = 0.15) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()
        self.base_url = ""
        self._delay = event_delay_s
        self._wire = ChatCompletionsWire()

    async def _handle(self, request: Request) -> Response:
        body: dict[str, Any] = await request.json()
        messages = body.get("messages", [])
        text = " ".join(_text(m.get("content")) for m in messages)
        role = _ROLE.search(text)
        pod = _POD.search(text)
        if role is None or pod is None:
            return JSONResponse({"error": {"message": "fake: no agent or pod in the prompt"}}, status_code=400)
        agent, alert = role["name"].strip(), pod.group(0)
        self.calls[(alert, agent)] += 1
        turn = Turn(usage=Usage(40, 12), text=f"{agent} on {alert}: OOMKilled, exit code 137; raise the memory limit.")
        recorded = Recorded("POST", request.url.path, {}, {}, body)

        async def stream() -> AsyncIterator[str]:
            for event in self._wire.events(turn, recorded):
                yield event
                await asyncio.sleep(self._delay)

        return StreamingResponse(stream(), media_type="text/event-stream")

    @asynccontextmanager
    async def serving(self) -> AsyncIterator[CountingModel]:
        app = Starlette(routes=[Route("/v1/chat/completions", self._handle, methods=["POST"])])
        async with serve(app) as url:
            self.base_url = url
            yield self
