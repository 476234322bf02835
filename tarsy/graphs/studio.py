"""Graph factories named in ``langgraph.json`` for ``langgraph dev`` / LangGraph Studio.

They compile the same chains the service runs, from the same config (``TARSY_CONFIG_DIR`` or the
built-ins). Runs started from Studio have no service around them, so the graph carries a default
context: records go to memory, and without credentials the scripted demo model answers.
"""

from __future__ import annotations

import asyncio
import os

from tarsy.config import load_config, resolve_agent, stage_agent_count
from tarsy.demo import demo_config
from tarsy.graphs.compiler import SessionGraph, build_chain_graph
from tarsy.llm.factory import ModelFactory, credentials_present
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.settings import Settings
from tarsy.tools.static import StaticToolExecutor


def chain_graph(chain_id: str) -> SessionGraph:
    """Build synchronously (reads config files and builds models: blocking I/O)."""
    settings = Settings.from_env()
    config = load_config(settings.config_dir)
    demo = settings.demo if settings.demo is not None else not credentials_present(config, os.environ)
    if demo and settings.config_dir is None:
        config = demo_config()
    models = ModelFactory(config, demo=demo)
    for index, stage in enumerate(config.agent_chains[chain_id].stages):
        for agent_index in range(stage_agent_count(stage)):
            models.model_for(resolve_agent(config, chain_id, index, agent_index).llm_provider)
    context = RunContext(
        session_id="studio",
        config=config,
        recorder=MemoryRecorder(),
        models=models,
        tools=StaticToolExecutor(),
    )
    return build_chain_graph(config, chain_id, default_context=context)


async def kubernetes() -> SessionGraph:
    """The built-in ``kubernetes`` chain (built off the event loop: Studio forbids blocking I/O)."""
    return await asyncio.to_thread(chain_graph, "kubernetes")
