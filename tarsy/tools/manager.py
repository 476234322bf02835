"""``McpManager``: the MCP tool layer of one TARSy process, built in the lifespan and passed down.

It owns the warm process pools of the stdio servers in use (``McpPools``: started with TARSy, stopped
with it) and the health monitor, and hands out one ``McpToolExecutor`` per investigation (or chat
run), each over sessions of its own that end with the run: a stdio process goes back to its pool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tarsy.config import TarsyConfig
from tarsy.contracts import ModelProvider, Recorder
from tarsy.settings import process_environment
from tarsy.tools.executor import McpToolExecutor
from tarsy.tools.health import McpHealth
from tarsy.tools.limits import McpSettings
from tarsy.tools.pools import McpPools
from tarsy.tools.selection import McpOverride, validate_mcp_override
from tarsy.tools.sessions import McpSessions
from tarsy.tools.warnings import SystemWarnings


class McpManager:
    def __init__(
        self,
        config: TarsyConfig,
        models: ModelProvider,
        *,
        settings: McpSettings | None = None,
        env: Mapping[str, str] | None = None,
        warnings: SystemWarnings | None = None,
    ) -> None:
        self._config = config
        self._models = models
        self._settings = settings or McpSettings()
        self._env = process_environment() if env is None else env
        self.pools = McpPools(config, settings=self._settings, env=self._env)
        self._pooled = False
        """Whether runs borrow from the pools: only between ``start`` and ``stop`` (a manager that is
        never started, as in Studio, spawns per run and stops the processes with the run)."""
        self.health = McpHealth(config, settings=self._settings, env=self._env, warnings=warnings, pools=self.pools)

    async def start(self) -> None:
        """Start the pools' processes, check the required servers (raises ``McpStartupError``,
        with every process stopped), then start the monitor."""
        self.pools.start()
        self._pooled = True
        try:
            await self.health.start()
        except BaseException:
            self._pooled = False
            await self.pools.aclose()
            raise

    async def stop(self) -> None:
        """Stop the monitor, then every process of the pools."""
        self._pooled = False
        await self.health.stop()
        await self.pools.aclose()

    def validate_override(
        self, override: McpOverride | Mapping[str, Any], *, alert_type: str | None = None
    ) -> McpOverride:
        """Check an alert's ``mcp`` field against its chain; raises ``InvalidInputError`` naming the
        unknown server or tool, or what it would widen."""
        return validate_mcp_override(self._config, override, self.health, alert_type=alert_type)

    @asynccontextmanager
    async def executor(
        self, recorder: Recorder, *, override: McpOverride | None = None, context: str | None = None
    ) -> AsyncIterator[McpToolExecutor]:
        """A tool executor for one run; its MCP sessions end with the block (stdio processes go back
        to their pools)."""
        pools = self.pools if self._pooled else None
        async with McpSessions(self._config, settings=self._settings, env=self._env, pools=pools) as sessions:
            yield McpToolExecutor(self._config, sessions, recorder, self._models, override, context=context)
