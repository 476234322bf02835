"""One live MCP session to one server, owned by a task of its own.

The adapters' sessions are anyio contexts (a transport, then a ``ClientSession`` with its receive
loop): they must be entered and exited by the same task. Tool calls come from LangGraph node tasks
and closing comes from whoever ends the investigation, so neither may own the context. Each session
therefore gets a dedicated owner task that enters the context, runs ``initialize``, signals ready,
waits for a close request and exits. Any task may then send requests through the ``ClientSession``
(its streams are task-agnostic; concurrent calls are fine).

A transport that dies shows up in one of two ways: the owner's task group fails and the context
exits by itself (streamable HTTP), or the context stays open while its streams are closed (stdio,
when the child process dies). Both reach the caller as ``McpTransportError``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio
import httpx
from langchain_mcp_adapters.sessions import Connection, create_session
from mcp import ClientSession, McpError
from mcp.client.session import LoggingFnT
from mcp.types import (
    CONNECTION_CLOSED,
    CallToolResult,
    InitializeResult,
    ListToolsResult,
    LoggingMessageNotificationParams,
    PaginatedRequestParams,
    Tool,
)

from tarsy.tools.errors import McpServerUnavailableError, McpTransportError, describe_exception
from tarsy.tools.live_output import LiveOutput

log = logging.getLogger(__name__)

_T = TypeVar("_T")

TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
    anyio.EndOfStream,
    httpx.TransportError,
    OSError,
)
"""Exceptions from a request that mean the session itself is broken, not the tool."""


class ServerSession:
    """A handle on a live session; build it with :meth:`open`, end it with :meth:`aclose`."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.info: InitializeResult | None = None
        self._client: ClientSession | None = None
        self._error: BaseException | None = None
        self._ready = asyncio.Event()
        self._close_requested = asyncio.Event()
        self._closed = asyncio.Event()
        self._listeners: set[LiveOutput] = set()
        self.abandoned = False
        """A request was given up (timeout, cancellation) while the server may still work on it."""
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls,
        server: str,
        connect: Callable[[LoggingFnT], Connection],
        *,
        open_timeout: float,
        close_timeout: float,
    ) -> ServerSession:
        """Spawn or connect, then ``initialize``; raises ``McpServerUnavailableError`` on failure.

        ``connect`` builds the connection around the session's logging callback (which fans MCP log
        notifications out to the calls in flight).
        """
        session = cls(server)
        connection = connect(session._on_log)
        session._task = asyncio.create_task(session._own(connection), name=f"mcp-session-{server}")
        try:
            async with asyncio.timeout(open_timeout):
                await session._ready.wait()
        except BaseException as exc:
            # Timed out, or the opener was cancelled: the owner task must not outlive this call.
            # Shielded so that a cancelled opener still closes it (in the background).
            await asyncio.shield(session.aclose(close_timeout))
            if isinstance(exc, TimeoutError):
                raise McpServerUnavailableError(server, f"did not start within {open_timeout:g}s") from None
            raise
        if session._client is None:
            reason = describe_exception(session._error) if session._error else "the session ended during start-up"
            raise McpServerUnavailableError(server, reason)
        return session

    @property
    def alive(self) -> bool:
        return self._client is not None and not self._closed.is_set()

    async def wait_closed(self) -> None:
        """Until the session has ended, by :meth:`aclose` or by itself (a stdio child that died)."""
        await self._closed.wait()

    @property
    def failure(self) -> str | None:
        """Why the session ended by itself, if it did."""
        return describe_exception(self._error) if self._error is not None else None

    async def list_tools(self, *, timeout: float) -> list[Tool]:
        """Every tool of the server, following pagination."""
        tools: list[Tool] = []
        cursor: str | None = None
        async with asyncio.timeout(timeout):
            while True:
                page = await self._list_page(cursor)
                tools.extend(page.tools)
                cursor = page.nextCursor
                if not cursor:
                    return tools

    async def _list_page(self, cursor: str | None) -> ListToolsResult:
        params = PaginatedRequestParams(cursor=cursor) if cursor else None
        return await self._request(lambda client: client.list_tools(params=params))

    async def ping(self, *, timeout: float) -> None:
        """One MCP ``ping``: a dead stdio child fails it at once (its pipes are closed)."""
        async with asyncio.timeout(timeout):
            await self._request(lambda client: client.send_ping())

    async def call_tool(self, tool: str, arguments: dict[str, object], feed: LiveOutput | None) -> CallToolResult:
        """Call ``tool``; progress goes to ``feed``, and so do log notifications while it runs.

        The caller bounds the time (``asyncio.timeout``); transport failures raise
        ``McpTransportError``, anything else (e.g. an output-schema mismatch) raises as it is.
        """
        if feed is not None and not feed.active:
            feed = None
        if feed is not None:
            self._listeners.add(feed)
        progress = feed.progress if feed is not None else None
        try:
            return await self._request(
                lambda client: client.call_tool(tool, dict(arguments), progress_callback=progress)
            )
        finally:
            if feed is not None:
                self._listeners.discard(feed)

    async def aclose(self, timeout: float) -> None:
        """Ask the owner task to exit its context; cancel it if it does not within ``timeout``."""
        self._close_requested.set()
        task = self._task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=timeout)
        if not done:
            log.warning("MCP session '%s' did not close within %gs; cancelling it", self.server, timeout)
            task.cancel()
            await asyncio.wait({task}, timeout=timeout)

    async def _own(self, connection: Connection) -> None:
        try:
            async with create_session(connection) as client:
                self.info = await client.initialize()
                self._client = client
                self._ready.set()
                await self._close_requested.wait()
        except Exception as exc:
            # A broken transport surfaces here (the anyio task group of the transport raises into
            # its host task). It becomes the session's failure: callers in flight and later
            # callers get McpTransportError, and the opener gets McpServerUnavailableError.
            if not self._close_requested.is_set():
                log.info("MCP session '%s' ended: %s", self.server, describe_exception(exc))
            self._error = exc
        finally:
            self._client = None
            self._closed.set()
            self._ready.set()

    async def _request(self, send: Callable[[ClientSession], Awaitable[_T]]) -> _T:
        """Run one request, failing with ``McpTransportError`` if the session breaks meanwhile."""
        client = self._client
        if client is None or self._closed.is_set():
            raise McpTransportError(self.server, self.failure or "the session is closed")
        request = asyncio.ensure_future(send(client))
        closed = asyncio.ensure_future(self._closed.wait())
        try:
            await asyncio.wait({request, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            closed.cancel()
            if not request.done():
                self.abandoned = True
                request.cancel()
                await asyncio.wait({request})
        if request.cancelled():
            raise McpTransportError(self.server, self.failure or "the session closed during the request")
        try:
            return request.result()
        except McpError as exc:
            if exc.error.code == CONNECTION_CLOSED:
                raise McpTransportError(self.server, exc.error.message) from exc
            raise
        except TRANSPORT_ERRORS as exc:
            raise McpTransportError(self.server, describe_exception(exc)) from exc

    async def _on_log(self, params: LoggingMessageNotificationParams) -> None:
        # MCP log notifications name no request: every call in flight on this session sees them.
        for feed in list(self._listeners):
            feed.log_message(params)
