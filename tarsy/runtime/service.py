"""Building and tearing down everything a TARSy process runs, in order.

The FastAPI lifespan and the ``tarsy worker`` command both use this, so a serving replica and a
worker-only replica are wired identically.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk.trace.export import SpanExporter

from tarsy.actions.lifecycle import ExpirySweeper
from tarsy.config import DatabaseConfig, TarsyConfig, load_config
from tarsy.demo import DemoDecision, demo_banner, with_demo_cluster
from tarsy.demo import decide_demo as demo_rule
from tarsy.events.hub import EventHub
from tarsy.events.publisher import EventPublisher
from tarsy.integrations.runbooks import RunbookService
from tarsy.integrations.slack import SlackNotifier
from tarsy.llm.factory import ModelFactory
from tarsy.masking import build_policy, mask_text
from tarsy.masking.outbound import OutputMasking
from tarsy.memory.embedders import build_embedder
from tarsy.memory.embeddings import Embedder
from tarsy.memory.service import MemoryService
from tarsy.nodes.context import ToolExecutor
from tarsy.observability.metrics import Metrics
from tarsy.observability.tracing import Tracing, build_tracing
from tarsy.runtime.alerts import AlertMasker, alert_masker
from tarsy.runtime.chat_runner import ChatRunner
from tarsy.runtime.deps import RunnerDeps
from tarsy.runtime.retention import RetentionJob
from tarsy.runtime.run_tools import FixedTools, McpTools, RunTools
from tarsy.runtime.runner import SessionRunner
from tarsy.runtime.workers import WorkerPool
from tarsy.settings import Settings
from tarsy.store.checkpointer import PooledPostgresSaver
from tarsy.store.db import Pool, PoolSettings, max_connections, open_pool
from tarsy.store.embedded import EmbeddedPostgres
from tarsy.store.migrate import apply_migrations
from tarsy.tools.manager import McpManager

log = logging.getLogger(__name__)


def decide_demo(settings: Settings, config: TarsyConfig, env: Mapping[str, str]) -> DemoDecision:
    """Demo mode or not (rule in :mod:`tarsy.demo`); raises :class:`DemoModeError` with what to set."""
    return demo_rule(settings.demo, config, env)


@dataclass
class Services:
    settings: Settings
    config: TarsyConfig
    pool: Pool
    """The API's connections; the workers have their own (``worker_pool``), so they cannot starve it."""
    worker_pool: Pool
    publisher: EventPublisher
    hub: EventHub
    checkpointer: PooledPostgresSaver
    models: ModelFactory
    runner: SessionRunner
    workers: WorkerPool
    database_url: str
    demo: bool
    demo_reason: str
    mask_alert: AlertMasker
    metrics: Metrics
    runbooks: RunbookService
    slack: SlackNotifier
    mcp: McpManager
    embedded: EmbeddedPostgres | None = None
    memory: MemoryService | None = None
    """Investigation memory on the API's pool; None while ``memory.enabled`` is off."""
    env: Mapping[str, str] = field(default_factory=dict)  # the environment config was read with
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
    size = database.worker_pool_size or await _default_worker_pool_size(api, workers, database.api_pool_size)
    worker = await open_pool(
        url, settings=pool_settings(database, size=size, min_size=2 if workers else 0), name="workers"
    )
    stack.push_async_callback(worker.close)
    return api, worker


_RESERVED_CONNECTIONS = 10
"""Left to the event listener, migrations, ``psql`` and the server's superuser slots."""


async def _default_worker_pool_size(api: Pool, workers: int, api_size: int) -> int:
    """``queue.worker_count * 3 + 5``, but no more than the server's ``max_connections`` leaves after
    the API pool and a reserve: past that, connections fail with "too many clients" instead of
    waiting their turn in the pool (200 workers would ask for 605 of PostgreSQL's default 100)."""
    wanted = workers * 3 + 5
    available = await max_connections(api) - api_size - _RESERVED_CONNECTIONS
    size = max(5, min(wanted, available))
    if size < wanted:
        log.info("worker pool: %d connections (max_connections leaves no more; wanted %d)", size, wanted)
    return size


async def start_services(
    stack: AsyncExitStack,
    settings: Settings,
    *,
    config: TarsyConfig | None = None,
    env: Mapping[str, str] | None = None,
    tools: ToolExecutor | None = None,
    span_exporter: SpanExporter | None = None,
    embedder: Embedder | None = None,
) -> Services:
    """Start everything, its shutdown on ``stack``; ``embedder`` replaces the configured one (tests)."""
    environ = settings.environ if env is None else env
    cfg, decision = _config(settings, config, environ)
    url, embedded = _database(stack, settings)
    count = cfg.queue.worker_count if settings.workers is None else settings.workers
    pool, worker_pool = await _open_pools(stack, url, cfg, count)
    await apply_migrations(pool)
    checkpointer = await _checkpointer(worker_pool)
    publisher = EventPublisher(pool)
    hub = await _start_hub(stack, url, pool, cfg.system.database)
    models = ModelFactory(cfg, env=environ, demo=decision.demo)
    metrics = Metrics()
    tracing = _tracing(cfg, environ, span_exporter)
    stack.callback(tracing.shutdown)
    mcp = await _start_mcp(stack, cfg, models, environ)
    run_tools: RunTools = FixedTools(tools) if tools is not None else McpTools(mcp)
    runbooks, slack = _integrations(stack, cfg, environ)
    memory, worker_memory = _memory(cfg, pool, worker_pool, embedder, environ)  # None, None while memory is off
    deps = RunnerDeps(
        pool=worker_pool,
        publisher=publisher.with_pool(worker_pool),
        checkpointer=checkpointer,
        config=cfg,
        models=models,
        tools=run_tools,
        metrics=metrics,
        tracing=tracing,
        memory=worker_memory,
    )
    runner, workers = _start_workers(stack, deps, SessionRunner(deps, runbooks=runbooks, slack=slack), hub, count)
    await runner.scoring.resume_abandoned()  # runs whose process died while scoring
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
        demo=decision.demo,
        demo_reason=decision.reason,
        mask_alert=alert_masker(cfg, metrics),
        metrics=metrics,
        runbooks=runbooks,
        slack=slack,
        mcp=mcp,
        embedded=embedded,
        memory=memory,
        env=environ,
    )


def _memory(
    cfg: TarsyConfig, pool: Pool, worker_pool: Pool, embedder: Embedder | None, environ: Mapping[str, str]
) -> tuple[MemoryService | None, MemoryService | None]:
    """Investigation memory for the API and for the workers (one embedder), or None when it is off."""
    if not cfg.memory.enabled:
        return None, None
    model = embedder if embedder is not None else build_embedder(cfg.memory.embedding, environ)
    mask = OutputMasking.from_config(cfg).text
    return MemoryService(pool, model, cfg.memory, mask), MemoryService(worker_pool, model, cfg.memory, mask)


def _config(
    settings: Settings, config: TarsyConfig | None, environ: Mapping[str, str]
) -> tuple[TarsyConfig, DemoDecision]:
    """The active configuration (the demo cluster in place of the built-in one in demo mode)."""
    cfg = config if config is not None else load_config(settings.config_dir, environ)
    decision = decide_demo(settings, cfg, environ)
    if decision.demo:
        log.warning(demo_banner(decision.reason))
        cfg = with_demo_cluster(cfg, environ)  # the built-in cluster is served by the demo server
    return cfg, decision


async def _start_mcp(
    stack: AsyncExitStack, cfg: TarsyConfig, models: ModelFactory, environ: Mapping[str, str]
) -> McpManager:
    """The MCP manager; a broken ``required`` server stops start-up here, with its name and error."""
    mcp = McpManager(cfg, models, env=environ)
    await mcp.start()
    stack.push_async_callback(mcp.stop)
    return mcp


def _integrations(
    stack: AsyncExitStack, cfg: TarsyConfig, environ: Mapping[str, str]
) -> tuple[RunbookService, SlackNotifier]:
    runbooks = RunbookService(cfg.system, environ)
    stack.push_async_callback(runbooks.aclose)
    return runbooks, SlackNotifier(cfg.system, environ)


async def _checkpointer(pool: Pool) -> PooledPostgresSaver:
    """LangGraph's PostgreSQL checkpointer on the workers' pool, its tables created if missing."""
    checkpointer = PooledPostgresSaver(pool)
    await checkpointer.setup()
    return checkpointer


async def _start_hub(stack: AsyncExitStack, url: str, pool: Pool, database: DatabaseConfig) -> EventHub:
    """The process's LISTEN connection, stopped with the stack."""
    hub = EventHub(url, pool, max_backoff=database.reconnect_backoff_max, connect_timeout=database.connect_timeout)
    await hub.start()
    stack.push_async_callback(hub.stop)
    return hub


def _database(stack: AsyncExitStack, settings: Settings) -> tuple[str, EmbeddedPostgres | None]:
    """``DATABASE_URL``, or an embedded PostgreSQL in the data directory (stopped with the stack)."""
    if settings.database_url is not None:
        return settings.database_url, None
    embedded = EmbeddedPostgres(settings.data_dir / "pgdata")
    stack.callback(embedded.stop)
    return embedded.uri(), embedded


def _start_workers(
    stack: AsyncExitStack, deps: RunnerDeps, runner: SessionRunner, hub: EventHub, count: int
) -> tuple[SessionRunner, WorkerPool]:
    """The worker pool (sessions and chat answers) and the retention job, stopped with the stack."""
    config = deps.config
    workers = WorkerPool(
        pool=deps.pool,
        runner=runner,
        chat_runner=ChatRunner(deps, sessions=runner),
        queue=config.queue,
        worker_count=count,
        database=config.system.database,
    )
    hub.on_cancel(workers.cancel_local)
    workers.start()
    retention = RetentionJob(deps.pool, config.system.retention)
    retention.start()
    stack.push_async_callback(retention.stop)
    stack.push_async_callback(runner.scoring.close)  # after the workers stopped (they may start runs)
    if count > 0:  # workers enforce approval timeouts (every replica; each expiry is resolved once)
        sweeper = ExpirySweeper(deps.pool, deps.publisher, runner.masking, float(config.queue.approval_sweep_interval))
        sweeper.on_resolved.append(workers.nudge)
        sweeper.start()
        stack.push_async_callback(sweeper.stop)
    stack.push_async_callback(workers.stop, float(config.queue.graceful_shutdown_timeout))
    return runner, workers


def _tracing(config: TarsyConfig, env: Mapping[str, str], exporter: SpanExporter | None) -> Tracing:
    settings = config.system.tracing
    policy = build_policy(groups=["all"])
    return build_tracing(
        env,
        enabled=settings.enabled,
        include_content=settings.include_content,
        service_name=settings.service_name,
        mask=lambda text: mask_text(text, policy),
        exporter=exporter,
    )
