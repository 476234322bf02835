"""Graph factories named in ``langgraph.json`` for ``langgraph dev`` / LangGraph Studio.

They compile the same chains the service runs, from the same config (``TARSY_CONFIG_DIR`` or the
built-ins). Runs started from Studio have no service around them, so the graph carries a default
context: records go to memory, and without credentials the scripted demo model answers.

The Agent Server calls a factory for every access, not only for runs: reading a thread's state,
drawing the graph, fetching schemas. Only a run (``runtime.execution_runtime`` set) gets MCP
sessions, opened for that run and closed (stdio servers stopped) when it ends; every other access
gets the same graph without tools, which is all those accesses need (the topology is identical).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from langgraph_sdk.runtime import ServerRuntime

from tarsy.config import TarsyConfig, load_config, resolve_agent, resolve_chat, stage_agent_count
from tarsy.demo import decide_demo, with_demo_cluster
from tarsy.graphs.chat import build_chat_graph
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.context import RunContext, ToolExecutor
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.settings import Settings
from tarsy.tools.manager import McpManager
from tarsy.tools.static import StaticToolExecutor

CHAT_GRAPH = "chat"


@dataclass(frozen=True)
class StudioSetup:
    config: TarsyConfig
    models: ModelFactory


@functools.cache
def studio_setup() -> StudioSetup:
    """Config and models, read once per process (blocking I/O: call it off the event loop)."""
    settings = Settings.from_env()
    config = load_config(settings.config_dir)
    demo = decide_demo(settings.demo, config, settings.environ).demo
    if demo:
        config = with_demo_cluster(config)
    return StudioSetup(config, ModelFactory(config, demo=demo))


def chain_graph(
    chain_id: str, tools: ToolExecutor | None = None, recorder: MemoryRecorder | None = None
) -> SessionGraph:
    """The chain's graph with a default context; builds every model the chain uses (blocking I/O)."""
    setup = studio_setup()
    for index, stage in enumerate(setup.config.agent_chains[chain_id].stages):
        for agent_index in range(stage_agent_count(stage)):
            setup.models.model_for(resolve_agent(setup.config, chain_id, index, agent_index).llm_provider)
    context = RunContext(
        session_id="studio",
        config=setup.config,
        recorder=recorder or MemoryRecorder(),
        models=setup.models,
        tools=tools or StaticToolExecutor(),
    )
    return build_chain_graph(setup.config, chain_id, default_context=context)


@asynccontextmanager
async def studio_graph(chain_id: str, *, execution: bool) -> AsyncIterator[SessionGraph]:
    """``chain_id``'s graph; with ``execution``, over MCP sessions that live as long as the block."""
    if not execution:
        yield await asyncio.to_thread(chain_graph, chain_id)
        return
    setup = await asyncio.to_thread(studio_setup)
    recorder = MemoryRecorder()
    manager = McpManager(setup.config, setup.models)
    async with manager.executor(recorder, context=f"Investigating a {chain_id} alert from LangGraph Studio") as tools:
        yield await asyncio.to_thread(chain_graph, chain_id, tools, recorder)


Factory = Callable[[ServerRuntime[Any]], AbstractAsyncContextManager[SessionGraph]]


def chain_factory(chain_id: str) -> Factory:
    """A ``langgraph.json`` factory for ``chain_id`` (MCP sessions only for runs, see above)."""

    @asynccontextmanager
    async def factory(runtime: ServerRuntime[Any]) -> AsyncIterator[SessionGraph]:
        async with studio_graph(chain_id, execution=runtime.execution_runtime is not None) as graph:
            yield graph

    factory.__name__ = factory.__qualname__ = f"chain_{chain_id}"
    return factory


def default_chain(config: TarsyConfig) -> str:
    """The chain of ``defaults.alert_type``: whose chat agent answers in Studio's ``chat`` graph."""
    return config.chain_for_alert_type(config.defaults.alert_type)[0]


def chat_graph(tools: ToolExecutor | None = None, recorder: MemoryRecorder | None = None) -> SessionGraph:
    """The follow-up chat graph of the default chain, with a default context (blocking I/O)."""
    setup = studio_setup()
    chain_id = default_chain(setup.config)
    setup.models.model_for(resolve_chat(setup.config, chain_id).llm_provider)
    context = RunContext(
        session_id="studio",
        config=setup.config,
        recorder=recorder or MemoryRecorder(),
        models=setup.models,
        tools=tools or StaticToolExecutor(),
    )
    return build_chat_graph(setup.config, chain_id, default_context=context)


@asynccontextmanager
async def chat(runtime: ServerRuntime[Any]) -> AsyncIterator[SessionGraph]:
    """The follow-up chat graph (thread ``<session id>:chat``); every chain's chat has its topology."""
    if runtime.execution_runtime is None:
        yield await asyncio.to_thread(chat_graph)
        return
    setup = await asyncio.to_thread(studio_setup)
    recorder = MemoryRecorder()
    manager = McpManager(setup.config, setup.models)
    async with manager.executor(recorder, context="Answering a follow-up question from LangGraph Studio") as tools:
        yield await asyncio.to_thread(chat_graph, tools, recorder)


def graph_factories(config: TarsyConfig) -> dict[str, Factory]:
    """Every chain of ``config`` by its id, plus ``chat``: what ``studio_graphs`` registers."""
    factories: dict[str, Factory] = {chain_id: chain_factory(chain_id) for chain_id in config.agent_chains}
    factories[CHAT_GRAPH] = chat
    return factories


kubernetes = chain_factory("kubernetes")
"""The built-in ``kubernetes`` chain (kept by name for ``langgraph.json`` files that point here)."""


@asynccontextmanager
async def checkpointer() -> AsyncIterator[BaseCheckpointSaver[Any]]:
    """``langgraph.json``'s checkpointer: TARSy's PostgreSQL when ``DATABASE_URL`` is set, so Studio
    opens real sessions' threads (thread id = session id); in memory without it."""
    url = Settings.from_env().database_url
    if url is None:
        yield InMemorySaver()
        return
    async with AsyncPostgresSaver.from_conn_string(url) as saver:
        yield saver
