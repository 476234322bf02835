"""Running a chain graph in-process: a scripted model that answers every agent, canned demo tools.

The script is derived from the config: each agent of each stage (by display name, so replicas are
told apart), each synthesis, and the executive summary get a distinct answer; an agent that may use
``demo-cluster`` first calls its ``pods_list`` tool, in the form its strategy reads. Nothing here
needs a database, a network or an MCP server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool
from langgraph.checkpoint.base import BaseCheckpointSaver

from tarsy.config import (
    ResolvedAgent,
    TarsyConfig,
    resolve_agent,
    resolve_exec_summary,
    resolve_synthesis,
    stage_agent_count,
)
from tarsy.graphs.compiler import build_chain_graph
from tarsy.llm.scripted import ScriptedChatModel
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.static import StaticToolExecutor

DEMO_SERVER = "demo-cluster"
PODS = "checkout-api-7d9f8b6c5d-x2k4p 0/1 CrashLoopBackOff 14 restarts (last: OOMKilled, exit 137)"


def answer(agent: str, stage: str) -> str:
    return f"{agent} on {stage}: the checkout-api container is OOMKilled after the cache size change."


def _turns(agent: ResolvedAgent, text: str) -> list[dict[str, Any]]:
    react = agent.strategy == "react"
    final = {"text": f"Thought: I know enough.\nFinal Answer: {text}" if react else text}
    if DEMO_SERVER not in agent.mcp_servers:
        return [final]
    if react:
        action = f'Thought: list the pods.\nAction: {DEMO_SERVER}.pods_list\nAction Input: {{"namespace": "checkout"}}'
        return [{"text": action}, final]
    call = {"name": f"{DEMO_SERVER}__pods_list", "args": {"namespace": "checkout"}, "id": f"{agent.display_name}-1"}
    return [{"tool_calls": [call]}, final]


@dataclass
class ChainScript:
    """The script of one chain run and the answers it will produce, by display name."""

    script: dict[str, Any]
    answers: dict[str, str]
    stage_agents: list[list[str]]  # display names per stage
    synthesis: dict[int, str]  # stage index → synthesis agent display name
    exec_summary: str
    tool_users: list[str]  # stage agents that call demo-cluster.pods_list once


def script_for(config: TarsyConfig, chain_id: str) -> ChainScript:
    agents: dict[str, list[dict[str, Any]]] = {}
    answers: dict[str, str] = {}
    tool_users: list[str] = []
    stage_agents: list[list[str]] = []
    synthesis: dict[int, str] = {}
    for index, stage in enumerate(config.agent_chains[chain_id].stages):
        names = []
        for agent_index in range(stage_agent_count(stage)):
            agent = resolve_agent(config, chain_id, index, agent_index)
            answers[agent.display_name] = answer(agent.display_name, stage.name)
            agents[agent.display_name] = _turns(agent, answers[agent.display_name])
            names.append(agent.display_name)
            if DEMO_SERVER in agent.mcp_servers:
                tool_users.append(agent.display_name)
        stage_agents.append(names)
        if len(names) > 1:
            agent = resolve_synthesis(config, chain_id, index)
            answers[agent.display_name] = answer(agent.display_name, f"{stage.name} - Synthesis")
            agents[agent.display_name] = _turns(agent, answers[agent.display_name])
            synthesis[index] = agent.display_name
    summary = resolve_exec_summary(config, chain_id)
    answers[summary.display_name] = f"Executive summary: checkout-api OOMKilled ({chain_id})."
    agents[summary.display_name] = _turns(summary, answers[summary.display_name])
    return ChainScript({"agents": agents}, answers, stage_agents, synthesis, summary.display_name, tool_users)


class ScriptedModels:
    """A ``ModelProvider`` that answers every provider name with one scripted model."""

    def __init__(self, script: dict[str, Any]) -> None:
        self.model = ScriptedChatModel(script=script, model_name="scripted-examples")

    def model_for(self, provider_name: str) -> BaseChatModel:
        return self.model

    def model_name(self, provider_name: str) -> str:
        return f"{provider_name}/scripted"


@dataclass
class DemoTools:
    """``demo-cluster.pods_list`` as a canned tool; calls are logged."""

    calls: list[str] = field(default_factory=list)

    def executor(self) -> StaticToolExecutor:
        return StaticToolExecutor({DEMO_SERVER: self.tools()})

    def tools(self) -> list[BaseTool]:
        async def pods_list(namespace: str) -> str:
            self.calls.append(namespace)
            return PODS

        return [StructuredTool.from_function(coroutine=pods_list, name="pods_list", description="List pods.")]


@dataclass
class ChainRun:
    config: TarsyConfig
    chain_id: str
    script: ChainScript
    recorder: MemoryRecorder = field(default_factory=MemoryRecorder)
    tools: DemoTools = field(default_factory=DemoTools)
    output: dict[str, Any] = field(default_factory=dict)

    def stage_names(self) -> list[str]:
        return [e.data["name"] for e in self.recorder.events if e.kind == "stage.started"]

    def statuses(self, kind: str) -> list[str]:
        return [e.data["status"] for e in self.recorder.events if e.kind == kind]

    def prompts_of(self, agent: str) -> str:
        """Everything sent to the model on behalf of ``agent`` (display name), as JSON text."""
        executions = {
            e.data["execution_id"]
            for e in self.recorder.events
            if e.kind == "execution.started" and e.data["agent"] == agent
        }
        sent = [c.request_messages for c in self.recorder.llm_calls if c.execution_id in executions]
        return json.dumps(sent)


async def run_chain(
    config: TarsyConfig,
    chain_id: str,
    alert: dict[str, Any],
    *,
    script: ChainScript | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    thread_id: str = "session-1",
) -> ChainRun:
    """Run ``alert`` (an ``alert.json`` body) through the chain and keep everything it recorded."""
    run = ChainRun(config, chain_id, script or script_for(config, chain_id))
    graph = build_chain_graph(config, chain_id, checkpointer=checkpointer)
    context = RunContext(
        session_id=thread_id,
        config=config,
        recorder=run.recorder,
        models=ScriptedModels(run.script.script),
        tools=run.tools.executor(),
    )
    graph_input = {
        "alert": {
            "alert_type": alert.get("alert_type") or config.defaults.alert_type,
            "data": alert["data"],
            "runbook": None,
        }
    }
    cfg: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    run.output = dict(await graph.ainvoke(graph_input, cfg, context=context))
    return run
