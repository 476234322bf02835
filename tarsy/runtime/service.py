"""Building and tearing down everything a TARSy process runs, in order.

The FastAPI lifespan and the ``tarsy worker`` command both use this, so a serving replica and a
worker-only replica are wired identically.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

from tarsy.config import DatabaseConfig, TarsyConfig, load_config
from tarsy.demo import demo_config
from tarsy.events.hub import EventHub
from tarsy.events.publisher import EventPublisher
from tarsy.integrations.runbooks import RunbookService
from tarsy.integrations.slack import SlackNotifier
from tarsy.llm.factory import ModelFactory, credentials_present
from tarsy.nodes.context import ToolExecutor
from tarsy.observability.metrics import Metrics
from tarsy.runtime.alerts import AlertMasker, alert_masker
from tarsy.runtime.chat_runner import ChatRunner
from tarsy.runtime.deps import RunnerDeps
from tarsy.runtime.retention import RetentionJob
from tarsy.runtime.runner import SessionRunner
from tarsy.runtime.tools import FixedTools, McpTools, RunTools
from tarsy.runtime.workers import WorkerPool
from tarsy.settings import Settings
from tarsy.store.db import Pool, PoolSettings, open_pool
from tarsy.store.embedded import EmbeddedPostgres
from tarsy.store.migrate import apply_migrations
from tarsy.tools.manager import McpManager

log = logging.getLogger(__name__)

DEMO_BANNER = """
==============================================================================
  TARSy is running in DEMO MODE: no LLM credentials were found, so every agent
  uses a SCRIPTED model that plays a canned investigation. Nothing it says is
  about your systems. Set e.g. GOOGLE_API_KEY (or configure llm-providers.yaml
  via TARSY_CONFIG_DIR) for real investigations.
==============================================================================
"""


class DemoModeError(RuntimeError):
    pass


def decide_demo(settings: Settings, config: TarsyConfig, env: Mapping[str, str]) -> bool:
    """Demo mode only when asked for, or with the built-in config and no credentials.

    A user-supplied config without credentials is an error, never a silent fallback to a script.
    """
    if settings.demo is not None:
        return settings.demo
    if credentials_present(config, env):
        return False
    if settings.config_dir is None:
        return True
    provider = config.provider(config.defaults.llm_provider)
    raise DemoModeError(
        f"the default LLM provider '{config.defaults.llm_provider}' has no credentials "
        f"(environment variable {getattr(provider, 'api_key_env', None) or '?'} is not set). "
        "Set it, or set TARSY_DEMO=1 to run with the scripted demo model."
    )


@dataclass
class Services:
    settings: Settings
    config: TarsyConfig
    pool: Pool
    """The API's connections; the workers have their own (``worker_pool``), so they cannot starve it."""
    worker_pool: Pool
    publisher: EventPublisher
    hub: EventHub
    checkpointer: AsyncPostgresSaver
    models: ModelFactory
    runner: SessionRunner
    workers: WorkerPool
    database_url: str
    demo: bool
    mask_alert: AlertMasker
    metrics: Metrics
    runbooks: RunbookService
    slack: SlackNotifier
    mcp: McpManager
    embedded: EmbeddedPostgres | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def mcp_health_flags(self) -> dict[str, bool]:
        """Per configured MCP server: does it answer."""
        return self.mcp.health.flags()


def pool_settings(config: DatabaseConfig, *, size: int, min_size: int) -> PoolSettings:
    return PoolSettings(
        min_size=min(min_size, size),
        max_size=size,
        connect_timeout=config.connect_timeout,
        pool_timeout=config.pool_timeout,
        reconnect_backoff_max=config.reconnect_backoff_max,
    )


async def _open_pools(stack: AsyncExitStack, url: str, cfg: TarsyConfig, workers: int) -> tuple[Pool, Pool]:
    """The API's pool and the workers' (a worker-less replica keeps a small idle one for chat reads)."""
    database = cfg.system.database
    api = await open_pool(url, settings=pool_settings(database, size=database.api_pool_size, min_size=2), name="api")
    stack.push_async_callback(api.close)
    size = database.worker_pool_size or (workers * 3 + 5)
    worker = await open_pool(
        url, settings=pool_settings(database, size=size, min_size=2 if workers else 0), name="workers"
    )
    stack.push_async_callback(worker.close)
    return api, worker


async def start_services(
    stack: AsyncExitStack,
    settings: Settings,
    *,
    config: TarsyConfig | None = None,
    env: Mapping[str, str] | None = None,
    tools: ToolExecutor | None = None,
) -> Services:
    """Start everything and register its shutdown on ``stack`` (reverse order on exit)."""
    environ = os.environ if env is None else env
    cfg = config if config is not None else load_config(settings.config_dir, environ)
    demo = decide_demo(settings, cfg, environ)
    if demo:
        log.warning(DEMO_BANNER)
        if settings.config_dir is None:  # the built-in config: serve its cluster from the demo server
            cfg = demo_config(environ)

    embedded: EmbeddedPostgres | None = None
    url = settings.database_url
    if url is None:
        embedded = EmbeddedPostgres(settings.data_dir / "pgdata")
        stack.callback(embedded.stop)
        url = embedded.uri()

    count = cfg.queue.worker_count if settings.workers is None else settings.workers
    pool, worker_pool = await _open_pools(stack, url, cfg, count)
    await apply_migrations(pool)
    checkpointer = AsyncPostgresSaver(worker_pool)
    await checkpointer.setup()

    publisher = EventPublisher(pool)
    database = cfg.system.database
    hub = EventHub(url, pool, max_backoff=database.reconnect_backoff_max, connect_timeout=database.connect_timeout)
    await hub.start()
    stack.push_async_callback(hub.stop)

    models = ModelFactory(cfg, env=environ, demo=demo)
    metrics = Metrics()
    mcp = McpManager(cfg, models, env=environ)
    await mcp.start()  # a broken `required` server stops start-up here, with its name and error
    stack.push_async_callback(mcp.stop)
    run_tools: RunTools = FixedTools(tools) if tools is not None else McpTools(mcp)
    runbooks = RunbookService(cfg.system, environ)
    stack.push_async_callback(runbooks.aclose)
    slack = SlackNotifier(cfg.system, environ)
    deps = RunnerDeps(
        pool=worker_pool,
        publisher=publisher.with_pool(worker_pool),
        checkpointer=checkpointer,
        config=cfg,
        models=models,
        tools=run_tools,
        metrics=metrics,
    )
    runner = SessionRunner(deps, runbooks=runbooks, slack=slack)
    chat_runner = ChatRunner(deps, sessions=runner)
    workers = WorkerPool(
        pool=worker_pool,
        runner=runner,
        chat_runner=chat_runner,
        queue=cfg.queue,
        worker_count=count,
        database=database,
    )
    hub.on_cancel(workers.cancel_local)
    workers.start()
    retention = RetentionJob(worker_pool, cfg.system.retention)
    retention.start()
    stack.push_async_callback(retention.stop)
    stack.push_async_callback(workers.stop, float(cfg.queue.graceful_shutdown_timeout))
    log.info("TARSy started: %d workers, database %s", count, "embedded" if embedded else "external")
    return Services(
        settings=settings,
        config=cfg,
        pool=pool,
        worker_pool=worker_pool,
        publisher=publisher,
        hub=hub,
        checkpointer=checkpointer,
        models=models,
        runner=runner,
        workers=workers,
        database_url=url,
        demo=demo,
        mask_alert=alert_masker(cfg),
        metrics=metrics,
        runbooks=runbooks,
        slack=slack,
        mcp=mcp,
        embedded=embedded,
    )
