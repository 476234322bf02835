"""Live output of a running tool call: MCP progress and log notifications, masked, in order.

Notifications arrive in the MCP session's receive loop, which must never block or fail (every other
call on the session waits behind it). So they are only queued there; a pump task started by the
caller masks the stream and hands it to ``ToolScope.on_progress`` (which typically writes a timeline
delta and a live event). Masking runs over a window that spans notification boundaries
(``tarsy.masking.StreamMasker``): a secret split across two notifications is masked whole, at the
cost of the last ``system.masking.stream_window_chars`` characters arriving with the next
notification or at the end. A failing sink loses live output, never the call.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from mcp.types import LoggingMessageNotificationParams

from tarsy.masking import StreamMasker

log = logging.getLogger(__name__)

Sink = Callable[[str], Awaitable[None]]

DRAIN_TIMEOUT = 5.0
"""Seconds a finished call waits for its remaining live output to be delivered."""


class LiveOutput:
    """The notification feed of one call; ``push`` is safe to call from any task, never blocks."""

    def __init__(self, sink: Sink | None, mask: StreamMasker) -> None:
        self._sink = sink
        self._mask = mask
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()

    @property
    def active(self) -> bool:
        """Whether anyone listens (if not, the call need not ask the server for progress)."""
        return self._sink is not None

    def push(self, text: str) -> None:
        if self._sink is not None:
            self._queue.put_nowait(text)

    async def progress(self, progress: float, total: float | None, message: str | None) -> None:
        """An MCP ``ProgressFnT``: called for ``notifications/progress`` of this call's request."""
        self.push(format_progress(progress, total, message))

    def log_message(self, params: LoggingMessageNotificationParams) -> None:
        self.push(format_log(params))

    async def _pump(self) -> None:
        assert self._sink is not None
        while True:
            text = await self._queue.get()
            masked = self._mask.flush() if text is None else self._mask.feed(text)
            if masked:
                await self._deliver(masked)
            if text is None:
                return

    async def _deliver(self, text: str) -> None:
        assert self._sink is not None
        try:
            await self._sink(text)
        except Exception:
            # Live output is a convenience: a failing sink (e.g. a dropped event stream) must not
            # fail the tool call. The result is still recorded; the error goes to the log.
            log.warning("forwarding live tool output failed", exc_info=True)


@contextlib.asynccontextmanager
async def live_output(sink: Sink | None, mask: StreamMasker) -> AsyncIterator[LiveOutput]:
    """A feed whose lines reach ``sink`` while the block runs; what is queued is delivered on exit."""
    feed = LiveOutput(sink, mask)
    if sink is None:
        yield feed
        return
    pump = asyncio.create_task(feed._pump(), name="mcp-live-output")
    try:
        yield feed
    finally:
        feed._queue.put_nowait(None)
        done, _ = await asyncio.wait({pump}, timeout=DRAIN_TIMEOUT)
        if not done:
            pump.cancel()


def format_progress(progress: float, total: float | None, message: str | None) -> str:
    amount = f"{progress:g}/{total:g}" if total else f"{progress:g}"
    return f"[progress {amount}] {message}\n" if message else f"[progress {amount}]\n"


def format_log(params: LoggingMessageNotificationParams) -> str:
    data = params.data if isinstance(params.data, str) else json.dumps(params.data, default=str)
    source = f" {params.logger}" if params.logger else ""
    return f"[{params.level}{source}] {data}\n"
