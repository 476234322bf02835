"""``McpPools``: the warm process pools of one TARSy process, one per stdio server in use.

Only servers that some configured chain's agents use (investigation, synthesis and chat agents,
through the configuration hierarchy) or that are marked ``required`` get a pool; an alert's ``mcp``
override can only narrow that set. Any other server is never started: not at start-up, not by the
health monitor. Remote servers (http, sse) have no processes and no pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from tarsy.config import StdioTransport, TarsyConfig, UnknownNameError
from tarsy.tools.connections import connection_for
from tarsy.tools.errors import McpServerUnavailableError
from tarsy.tools.limits import McpSettings
from tarsy.tools.pool import PoolStats, ServerPool
from tarsy.tools.selection import chain_grants
from tarsy.tools.server_session import ServerSession

log = logging.getLogger(__name__)


def servers_in_use(config: TarsyConfig) -> frozenset[str]:
    """The servers some chain's agents use, and those marked ``required``."""
    used = {name for name, server in config.mcp_servers.items() if server.required}
    for chain_id in config.agent_chains:
        try:
            used.update(chain_grants(config, chain_id).servers)
        except UnknownNameError as exc:
            # Only a config built without ``load_config``'s reference checks gets here; a server of
            # such a chain has no pool and is spawned per run, as it would be without pools.
            log.warning("MCP pools: chain '%s' is left out: %s", chain_id, exc)
    return frozenset(used)


async def open_server(name: str, config: TarsyConfig, settings: McpSettings, env: Mapping[str, str]) -> ServerSession:
    """Spawn or connect to server ``name`` and initialize; raises ``McpServerUnavailableError``."""
    server = config.mcp_servers.get(name)
    if server is None:
        raise McpServerUnavailableError(name, "no such server in mcp_servers")
    try:
        return await ServerSession.open(
            name,
            lambda on_log: connection_for(name, server, env=env, logging_callback=on_log),
            open_timeout=settings.open_timeout,
            close_timeout=settings.close_timeout,
        )
    except McpServerUnavailableError as exc:
        if isinstance(server.transport, StdioTransport) and "Connection closed" in exc.reason:
            reason = f"{exc.reason} (the process exited during start-up; its stderr is in TARSy's log)"
            raise McpServerUnavailableError(name, reason) from None
        raise


class McpPools:
    def __init__(self, config: TarsyConfig, *, env: Mapping[str, str], settings: McpSettings | None = None) -> None:
        self.config = config
        self.settings = settings or McpSettings()
        environ = env  # handed down from Settings.environ by the manager (docs/configuration.md)
        self.in_use = servers_in_use(config)
        self._pools = {
            name: ServerPool(
                name,
                lambda name=name: open_server(name, config, self.settings, environ),  # type: ignore[misc]
                config.pool_of(name),
                reuse=server.process == "pooled",
                close_timeout=self.settings.close_timeout,
                ping_timeout=self.settings.health_timeout,
                max_backoff=self.settings.health_max_backoff,
            )
            for name, server in config.mcp_servers.items()
            if name in self.in_use and isinstance(server.transport, StdioTransport)
        }

    def get(self, server: str) -> ServerPool | None:
        """The pool of stdio ``server``; ``None`` for a remote server or one no chain uses."""
        return self._pools.get(server)

    def start(self) -> None:
        """Start every pool's ``size`` processes, in the background."""
        for pool in self._pools.values():
            pool.start()

    async def ready(self) -> None:
        """Until the processes being started have started (or failed)."""
        await asyncio.gather(*(pool.ready() for pool in self._pools.values()))

    def stats(self) -> dict[str, PoolStats]:
        return {name: pool.stats() for name, pool in self._pools.items()}

    async def aclose(self) -> None:
        """Stop every process of every pool."""
        await asyncio.gather(*(pool.aclose() for pool in self._pools.values()))
