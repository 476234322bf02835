"""What both job runners (sessions and chat messages) are built from, and their graph cache."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver

from tarsy.config import TarsyConfig
from tarsy.events.publisher import EventPublisher
from tarsy.graphs.compiler import SessionGraph
from tarsy.llm.pricing import Pricer, config_pricer
from tarsy.memory.service import MemoryService
from tarsy.nodes.context import ModelProvider
from tarsy.observability.metrics import Metrics
from tarsy.observability.tracing import DISABLED, Tracing
from tarsy.runtime.recorder import StoreRecorder
from tarsy.runtime.run_tools import RunTools
from tarsy.runtime.traced_recorder import TracedRecorder
from tarsy.store.db import Pool

GraphBuilder = Callable[..., SessionGraph]


@dataclass(frozen=True)
class RunnerDeps:
    pool: Pool
    publisher: EventPublisher
    checkpointer: BaseCheckpointSaver[Any]
    config: TarsyConfig
    models: ModelProvider
    tools: RunTools
    metrics: Metrics | None = None
    tracing: Tracing = DISABLED
    memory: MemoryService | None = None
    """Investigation memory on the workers' pool; None while ``memory.enabled`` is off."""

    def recorder(self, session_id: str) -> StoreRecorder:
        interval = float(self.config.system.database.record_flush_interval)
        if self.tracing.enabled:
            return TracedRecorder(
                self.pool,
                self.publisher,
                session_id,
                self.metrics,
                self.tracing,
                flush_interval=interval,
                pricer=self.pricer,
            )
        return StoreRecorder(
            self.pool, self.publisher, session_id, self.metrics, flush_interval=interval, pricer=self.pricer
        )

    @cached_property
    def pricer(self) -> Pricer:
        """The price table with this configuration's overrides, read once."""
        return config_pricer(self.config)


@dataclass
class GraphCache:
    """One compiled graph per chain, built on first use with the shared checkpointer."""

    build: GraphBuilder
    deps: RunnerDeps
    _graphs: dict[str, SessionGraph] = field(default_factory=dict)

    def __call__(self, chain_id: str) -> SessionGraph:
        graph = self._graphs.get(chain_id)
        if graph is None:
            graph = self._graphs[chain_id] = self.build(self.deps.config, chain_id, checkpointer=self.deps.checkpointer)
        return graph
