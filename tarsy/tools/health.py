"""Health of the configured MCP servers: a start-up check and a background monitor.

At start-up the servers marked ``required`` are contacted (initialize + ``tools/list``) before TARSy
serves; one that fails stops it with ``McpStartupError``. Every other server is checked by the
monitor's first round, right after, so an optional server that cannot start (the built-in
``kubernetes-server`` without a kubeconfig, say) never delays or stops TARSy: it becomes a system
warning, and chains that do not use it run as usual.

With the process pools (``McpPools``), only the servers in use are checked (a server no chain uses
is never started, so it stays ``unknown``), and a stdio server is checked on one of its pool's
running processes: an idle one (which keeps its idle time), else one lent to an investigation (a
read-only ``tools/list`` beside its calls); a process is started only when none runs, and not
even then for a server with ``pool.size: 0`` that is not ``required`` (it starts on first use). A process that
fails its check is stopped and replaced by the pool. Remote servers (and every server when no pools
are given) are checked over a session the monitor holds of its own; a failed check drops it and
the next check opens a fresh one. Success clears the warning. Unhealthy servers are re-checked less
and less often, up to ``health_max_backoff``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from mcp import McpError

from tarsy.config import TarsyConfig
from tarsy.tools.errors import McpServerUnavailableError, McpStartupError, McpTransportError, describe_exception
from tarsy.tools.limits import McpSettings
from tarsy.tools.pools import McpPools
from tarsy.tools.redaction import ServerMasking
from tarsy.tools.sessions import McpSessions
from tarsy.tools.warnings import MCP_SERVER_UNHEALTHY, SystemWarnings

log = logging.getLogger(__name__)

HealthState = Literal["healthy", "unhealthy", "unknown"]


@dataclass(frozen=True)
class ToolInfo:
    name: str
    description: str


@dataclass(frozen=True)
class ServerStatus:
    """What ``GET /api/v1/system/mcp-servers`` shows for one server.

    ``tools`` is the last successful listing: it stays while a server is briefly down.
    """

    server: str
    status: HealthState
    last_error: str | None
    last_checked: datetime | None
    tools: tuple[ToolInfo, ...]
    required: bool
    transport: str


class McpHealth:
    def __init__(
        self,
        config: TarsyConfig,
        *,
        settings: McpSettings | None = None,
        env: Mapping[str, str] | None = None,
        warnings: SystemWarnings | None = None,
        pools: McpPools | None = None,
    ) -> None:
        self._config = config
        self._settings = settings or McpSettings()
        self._sessions = McpSessions(config, settings=self._settings, env=env)
        self._pools = pools
        self._checked = frozenset(config.mcp_servers) if pools is None else pools.in_use
        self._warnings = warnings if warnings is not None else SystemWarnings()
        self._masking = ServerMasking(config)
        self._status = {
            name: ServerStatus(name, "unknown", None, None, (), server.required, server.transport.type)
            for name, server in config.mcp_servers.items()
        }
        self._failures: dict[str, int] = {}
        self._due: dict[str, float] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Check the required servers (raising ``McpStartupError`` if one fails), then start monitoring."""
        required = [name for name, server in self._config.mcp_servers.items() if server.required]
        # (every required server is in use: ``servers_in_use`` counts them)
        await self.check(required)
        statuses = [self._status[name] for name in required]
        failed = {s.server: s.last_error or "unknown error" for s in statuses if s.status != "healthy"}
        if failed:
            await self._sessions.aclose()
            raise McpStartupError(failed)
        self._task = asyncio.create_task(self._monitor(), name="mcp-health-monitor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})
        await self._sessions.aclose()

    def status(self) -> dict[str, ServerStatus]:
        return dict(self._status)

    def warnings(self) -> SystemWarnings:
        return self._warnings

    def known_tools(self, server: str) -> frozenset[str] | None:
        """Tool names from the server's last successful listing; ``None`` if it never listed."""
        status = self._status.get(server)
        if status is None or status.last_checked is None or (status.status != "healthy" and not status.tools):
            return None
        return frozenset(tool.name for tool in status.tools)

    def flags(self) -> dict[str, bool]:
        """Per server checked at least once: healthy at its last check. A server not checked yet (one
        no chain uses, a ``size: 0`` server not started yet) is left out rather than called down."""
        return {name: status.status == "healthy" for name, status in self._status.items() if status.last_checked}

    async def check(self, servers: Iterable[str] | None = None) -> dict[str, ServerStatus]:
        """Check ``servers`` (default: all in use) now, concurrently; returns their new status."""
        names = [n for n in self._status if n in self._checked] if servers is None else list(servers)
        async with asyncio.TaskGroup() as group:
            for name in names:
                group.create_task(self._check_one(name))
        return {name: self._status[name] for name in names}

    async def _monitor(self) -> None:
        interval = self._settings.health_interval
        while True:
            now = time.monotonic()
            due = [name for name in self._checked if self._due.get(name, 0.0) <= now]
            if due:
                try:
                    await self.check(due)
                except Exception:
                    # The monitor must outlive any bug in one round; the next round tries again.
                    log.exception("MCP health check round failed")
            await asyncio.sleep(interval)

    async def _check_one(self, server: str) -> None:
        """Connect if needed (bounded by ``open_timeout``), then list the tools (``health_timeout``)."""
        timeout = self._settings.health_timeout
        pool = self._pools.get(server) if self._pools is not None else None
        try:
            if pool is not None:
                start = pool.config.size > 0 or self._config.mcp_servers[server].required
                probed = await pool.probe(lambda session: session.list_tools(timeout=timeout), start=start)
                if probed is None:  # a `size: 0` server with no process running: nothing to check
                    self._due[server] = time.monotonic() + self._settings.health_interval
                    return
                tools = probed
            else:
                session = await self._sessions.session(server)
                tools = await session.list_tools(timeout=timeout)
        except Exception as exc:
            # Whatever fails, the answer is the same: the server is unhealthy for this reason. It is
            # kept in the status and the warning; one server's failure never stops the others' checks.
            if pool is None:
                await self._sessions.discard(server)
            # The reason can quote the server (a stderr line, a URL with credentials): masked with its policy.
            self._failed(server, self._masking.text(server, _reason(exc, timeout)))
            return
        previous = self._status[server]
        self._status[server] = replace(
            previous,
            status="healthy",
            last_error=None,
            last_checked=datetime.now(UTC),
            tools=tuple(ToolInfo(t.name, t.description or "") for t in tools),
        )
        self._failures.pop(server, None)
        self._due[server] = time.monotonic() + self._settings.health_interval
        if self._warnings.clear(MCP_SERVER_UNHEALTHY, server=server):
            log.info("MCP server '%s' is healthy again", server)

    def _failed(self, server: str, reason: str) -> None:
        previous = self._status[server]
        self._status[server] = replace(previous, status="unhealthy", last_error=reason, last_checked=datetime.now(UTC))
        count = self._failures[server] = self._failures.get(server, 0) + 1
        delay = min(self._settings.health_interval * 2 ** (count - 1), self._settings.health_max_backoff)
        self._due[server] = time.monotonic() + delay
        if previous.status != "unhealthy" or previous.last_error != reason:
            log.warning("MCP server '%s' is unhealthy: %s", server, reason)
        self._warnings.raise_warning(
            MCP_SERVER_UNHEALTHY,
            f"MCP server '{server}' is unhealthy: {reason}. Agents that use it run without its tools.",
            server=server,
        )


def _reason(exc: Exception, timeout: float) -> str:
    if isinstance(exc, McpServerUnavailableError | McpTransportError):
        return exc.reason
    if isinstance(exc, McpError):
        return f"listing its tools failed: {exc.error.message}"
    if isinstance(exc, TimeoutError):
        return f"listing its tools took longer than {timeout:g}s"
    return describe_exception(exc)
