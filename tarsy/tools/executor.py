"""``McpToolExecutor``: how agents call MCP tools, for one investigation.

Per call: resolve ``server.tool`` against what the agent may use, check the arguments against the
tool's schema, call it on the investigation's session (bounded by a timeout; a broken session is
recreated and the call retried once), turn the result into text, mask it, store it, and summarize
it when it is too large. Masking comes before anything leaves this module: the stored interaction,
the live output, the summarizer's prompt and the model all see masked text only.

A tool's own failure (``isError``, a timeout, an unreachable server) is an error observation for
the model, never an exception; only the recorder's failures (infrastructure) propagate.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from mcp import McpError
from mcp.types import Tool

from tarsy.config import ResolvedAgent, TarsyConfig
from tarsy.contracts import MCPInteraction, ModelProvider, Recorder, ToolOutcome, ToolRequest, ToolScope, ToolSpec
from tarsy.tools.arguments import ArgumentChecker, invalid_arguments_message
from tarsy.tools.catalog import ToolCatalog
from tarsy.tools.connections import call_timeout
from tarsy.tools.errors import McpServerUnavailableError, McpTransportError, describe_exception
from tarsy.tools.live_output import LiveOutput, live_output
from tarsy.tools.names import ToolNameError, join_canonical, split_canonical, to_wire
from tarsy.tools.redaction import ServerMasking
from tarsy.tools.results import result_text
from tarsy.tools.selection import McpOverride, ToolFilter, allowed_servers
from tarsy.tools.sessions import McpSessions
from tarsy.tools.summarize import Summarizer, SummaryRequest, needs_summary

log = logging.getLogger(__name__)

NO_OUTPUT = "(the tool returned no output)"


@dataclass(frozen=True)
class _Called:
    """What came back from a call, before masking."""

    text: str
    is_error: bool
    error: str | None = None


class McpToolExecutor:
    """A ``ToolExecutor`` over the MCP sessions of one investigation.

    ``context`` (the alert and runbook, say) is given to the summarizer so that it knows what
    matters in a long result.
    """

    def __init__(
        self,
        config: TarsyConfig,
        sessions: McpSessions,
        recorder: Recorder,
        models: ModelProvider,
        override: McpOverride | None = None,
        *,
        context: str | None = None,
    ) -> None:
        self._config = config
        self._sessions = sessions
        self._recorder = recorder
        self._override = override
        self._settings = sessions.settings
        self._masking = ServerMasking(config)
        self._catalog = ToolCatalog(sessions, recorder, mask=self._masking.text)
        self._checker = ArgumentChecker()
        self._summarizer = Summarizer(
            models, recorder, context=context, fallback_max_chars=self._settings.fallback_max_chars
        )

    async def list_tools(self, agent: ResolvedAgent) -> list[ToolSpec]:
        specs: list[ToolSpec] = []
        for server, allowed in allowed_servers(agent, self._override).items():
            try:
                tools = await self._catalog.tools(server)
            except McpServerUnavailableError as exc:
                log.warning("%s: its tools are left out for agent %s", exc.message, agent.display_name)
                continue
            specs.extend(_spec(server, tool) for tool in tools.values() if _usable(server, tool, allowed))
        return specs

    async def execute(self, agent: ResolvedAgent, request: ToolRequest, scope: ToolScope) -> ToolOutcome:
        try:
            server, tool_name = split_canonical(request.name)
        except ToolNameError as exc:
            return ToolOutcome(f"Error: {exc}", is_error=True)
        allowed = allowed_servers(agent, self._override)
        if server not in allowed:
            servers = ", ".join(sorted(allowed)) or "none"
            return ToolOutcome(
                f"Error: tool '{request.name}' is not available: server '{server}' is not one of your MCP servers "
                f"({servers}).",
                is_error=True,
            )
        started = time.monotonic()
        try:
            tools = await self._catalog.tools(server)
        except McpServerUnavailableError as exc:
            return await self._failed(server, tool_name, request, scope, started, f"Error: {exc.message}")
        tool = tools.get(tool_name)
        if tool is None or not _usable(server, tool, allowed[server]):
            names = ", ".join(sorted(join_canonical(server, t) for t in tools if _usable_name(t, allowed[server])))
            message = f"Error: unknown tool '{request.name}'. Tools of server '{server}': {names or 'none'}."
            return await self._failed(server, tool_name, request, scope, started, message)
        problems = self._checker.problems(request.name, tool.inputSchema, request.arguments)
        if problems:
            message = invalid_arguments_message(request.name, problems, tool.inputSchema)
            return await self._failed(server, tool_name, request, scope, started, message)
        called = await self._call(server, tool_name, request, scope)
        masked = self._masking.text(server, called.text)
        await self._record(server, tool_name, request, scope, started, masked, called)
        if called.is_error:
            return ToolOutcome(masked, is_error=True)
        summarization = self._config.mcp_servers[server].summarization
        if needs_summary(masked, summarization):
            summary = SummaryRequest(
                name=request.name,
                server=server,
                tool=tool_name,
                arguments=self._masking.arguments(server, request.arguments),
                text=masked,
                provider=summarization.llm_provider or agent.llm_provider,
                max_tokens=summarization.summary_max_token_limit,
                fallbacks=agent.fallback_providers,
            )
            return await self._summarizer.summarize(summary, scope)
        return ToolOutcome(masked or NO_OUTPUT)

    async def _call(self, server: str, tool: str, request: ToolRequest, scope: ToolScope) -> _Called:
        timeout = call_timeout(self._config.mcp_servers[server], self._settings.call_timeout)
        async with live_output(scope.on_progress, self._masking.stream(server)) as feed:
            try:
                async with asyncio.timeout(timeout):
                    return await self._call_with_retry(server, tool, request.arguments, feed)
            except TimeoutError:
                return _Called(
                    f"Error: {request.name} did not finish within {timeout:g}s and was abandoned. Try narrower "
                    "arguments or another tool.",
                    is_error=True,
                    error=f"timed out after {timeout:g}s",
                )
            except (McpServerUnavailableError, McpTransportError) as exc:
                return _Called(f"Error: {exc.message}", is_error=True, error=exc.message)
            except McpError as exc:
                text = f"Error: {request.name} failed: {exc.error.message}"
                return _Called(text, is_error=True, error=exc.error.message)
            except Exception as exc:
                # Anything else the client raises for one call (e.g. a result that does not match the
                # tool's output schema) is that tool's failure: the model gets it as an error.
                reason = describe_exception(exc)
                return _Called(f"Error: {request.name} failed: {reason}", is_error=True, error=reason)

    async def _call_with_retry(self, server: str, tool: str, arguments: dict[str, Any], feed: LiveOutput) -> _Called:
        session = await self._sessions.session(server)
        try:
            result = await session.call_tool(tool, arguments, feed)
        except McpTransportError as exc:
            log.warning("%s; recreating the session and retrying once", exc.message)
            session = await self._sessions.recreate(server, session)
            try:
                result = await session.call_tool(tool, arguments, feed)
            except McpTransportError as again:
                message = f"{again.message} (after recreating the session and retrying once)"
                return _Called(f"Error: {message}", is_error=True, error=message)
        text = result_text(result)
        return _Called(text, is_error=result.isError, error="the tool reported an error" if result.isError else None)

    async def _failed(
        self, server: str, tool: str, request: ToolRequest, scope: ToolScope, started: float, message: str
    ) -> ToolOutcome:
        """A call refused before it reached the server: recorded, and the model told why."""
        masked = self._masking.text(server, message)
        await self._record(server, tool, request, scope, started, None, _Called(masked, True, masked))
        return ToolOutcome(masked, is_error=True)

    async def _record(
        self,
        server: str,
        tool: str,
        request: ToolRequest,
        scope: ToolScope,
        started: float,
        result: str | None,
        called: _Called,
    ) -> None:
        await self._recorder.mcp_interaction(
            MCPInteraction(
                stage_id=scope.stage_id,
                execution_id=scope.execution_id,
                server=server,
                tool=tool,
                arguments=self._masking.arguments(server, request.arguments),
                result=result,
                is_error=called.is_error,
                error=self._masking.text(server, called.error) if called.error else None,
                duration_ms=int((time.monotonic() - started) * 1000),
                timeline_event_id=scope.timeline_event_id,
            )
        )


def _usable_name(tool: str, allowed: ToolFilter) -> bool:
    return allowed is None or tool in allowed


def _usable(server: str, tool: Tool, allowed: ToolFilter) -> bool:
    """Allowed by the selection, and nameable both canonically and as a function name."""
    if not _usable_name(tool.name, allowed):
        return False
    try:
        to_wire(join_canonical(server, tool.name))
    except ToolNameError as exc:
        log.warning("MCP tool '%s' of server '%s' is left out: %s", tool.name, server, exc)
        return False
    return True


def _spec(server: str, tool: Tool) -> ToolSpec:
    return ToolSpec(
        name=join_canonical(server, tool.name), description=tool.description or "", parameters=tool.inputSchema
    )
