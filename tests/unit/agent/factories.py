"""Test data for the agent-loop tests: a small config, canned tools, a scripted model, one run.

Everything is real except the outside world: the config goes through ``load_config_from_data``,
models come from ``ModelFactory`` (a ``scripted`` provider reading a JSON script), tools run through
``StaticToolExecutor`` and records land in a ``MemoryRecorder``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool

from tarsy.config import TarsyConfig, load_config_from_data
from tarsy.llm.factory import ModelFactory
from tarsy.llm.messages import messages_to_dicts
from tarsy.nodes.agent import build_agent_graph
from tarsy.nodes.context import LLMInteraction, MemoryAccess, RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.nodes.prompts import AgentTask
from tarsy.tools.static import StaticToolExecutor

AGENT = "TestAgent"
SERVER = "k8s"
CHAIN = "test-chain"
PROVIDER = "test-scripted"
MODEL = "scripted-test-model"
ALERT_TYPE = "PodCrashLooping"

SERVER_INSTRUCTIONS = "Always pass the namespace from the alert."
AGENT_INSTRUCTIONS = "You investigate pods that keep restarting."
POD_REPORT = "web-1 Running 5 restarts, last state OOMKilled"


def wire(tool: str) -> str:
    """The function name the model sends for ``k8s.<tool>``."""
    return f"{SERVER}__{tool}"


def call(tool: str, call_id: str, **args: Any) -> dict[str, Any]:
    """One native tool call of a script turn."""
    return {"name": wire(tool), "args": args, "id": call_id}


def react_action(tool: str, thought: str = "I need more facts.", **args: Any) -> str:
    return f"Thought: {thought}\nAction: {SERVER}.{tool}\nAction Input: {json.dumps(args)}"


STRATEGIES = ["native-thinking", "react"]


def tool_turn(
    strategy: str, call_id: str, *, tool: str = "pods_list", thinking: str = "", text: str = "", **args: Any
) -> dict[str, Any]:
    """A script turn that calls ``k8s.<tool>`` the way ``strategy`` reads tool calls."""
    if strategy == "react":
        return {"thinking": thinking, "text": react_action(tool, **args)}
    return {"thinking": thinking, "text": text, "tool_calls": [call(tool, call_id, **args)]}


def answer_turn(strategy: str, answer: str, *, thinking: str = "") -> dict[str, Any]:
    """A script turn that ends the investigation with ``answer``."""
    text = f"Thought: I know enough.\nFinal Answer: {answer}" if strategy == "react" else answer
    return {"thinking": thinking, "text": text}


def observation(
    strategy: str, content: str, *, call_id: str, tool: str = "pods_list", error: bool = False
) -> dict[str, Any]:
    """The stored form of the message that carries a tool result back to the model."""
    if strategy == "react":
        return {
            "role": "user",
            "content": f"Observation ({SERVER}.{tool} {'error' if error else 'result'}):\n{content}",
        }
    return {"role": "tool", "content": content, "tool_call_id": call_id, "name": wire(tool)}


@dataclass
class CannedTools:
    """The ``k8s`` server: ``pods_list`` answers, ``pod_logs`` always fails. Calls are logged."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def executor(self) -> StaticToolExecutor:
        return StaticToolExecutor({SERVER: self.tools()})

    def tools(self) -> list[BaseTool]:
        async def pods_list(namespace: str) -> str:
            self.calls.append(("pods_list", {"namespace": namespace}))
            return f"{POD_REPORT} (namespace {namespace})"

        async def pod_logs(pod: str) -> str:
            self.calls.append(("pod_logs", {"pod": pod}))
            raise ConnectionError("kubelet unreachable")

        return [
            StructuredTool.from_function(coroutine=pods_list, name="pods_list", description="List pods."),
            StructuredTool.from_function(coroutine=pod_logs, name="pod_logs", description="Read a pod's logs."),
        ]


def tarsy_doc(
    *,
    strategy: str = "native-thinking",
    max_iterations: int = 20,
    agent: dict[str, Any] | None = None,
    stage: dict[str, Any] | None = None,
    chain: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``tarsy.yaml`` with one server, one agent and one single-stage chain; overrides merge in."""
    stage = {"name": "analysis", **({} if stage and "agents" in stage else {"agent": AGENT}), **(stage or {})}
    return {
        "defaults": {"llm_provider": PROVIDER, "strategy": strategy, "max_iterations": max_iterations},
        "mcp_servers": {
            SERVER: {"transport": {"type": "stdio", "command": "true"}, "instructions": SERVER_INSTRUCTIONS}
        },
        "agents": {AGENT: {"mcp_servers": [SERVER], "custom_instructions": AGENT_INSTRUCTIONS, **(agent or {})}},
        "agent_chains": {
            CHAIN: {
                "alert_types": [ALERT_TYPE],
                "stages": [stage],
                **(chain or {}),
            }
        },
    }


def make_config(script: str = "demo", **tarsy: Any) -> TarsyConfig:
    """The config of :func:`tarsy_doc`, its provider playing ``script`` (a JSON path or bundled name)."""
    providers = {"llm_providers": {PROVIDER: {"type": "scripted", "script": script, "model": MODEL}}}
    return load_config_from_data(tarsy=tarsy_doc(**tarsy), llm_providers=providers, env={})


def write_script(directory: Path, turns: list[dict[str, Any]], **other_agents: list[dict[str, Any]]) -> str:
    """Write a scripted-model script that plays ``turns`` for :data:`AGENT`; returns its path."""
    path = directory / "script.json"
    path.write_text(json.dumps({"chunk_chars": 7, "agents": {AGENT: turns, **other_agents}}), encoding="utf-8")
    return str(path)


def investigation_task(**extra: Any) -> AgentTask:
    task: AgentTask = {
        "kind": "investigation",
        "alert_type": ALERT_TYPE,
        "data": {"namespace": "shop", "pod": "web-1", "reason": "CrashLoopBackOff"},
        "runbook": None,
        "stage_name": "analysis",
        "previous": [],
    }
    task.update(extra)  # type: ignore[typeddict-item]
    return task


def agent_input(task: AgentTask | None = None, *, role: str = "investigation") -> dict[str, Any]:
    return {
        "agent": {"role": role, "chain_id": CHAIN, "stage_index": 0, "agent_index": 0},
        "stage_id": "stage-under-test",
        "execution_id": "exec-under-test",
        "task": task or investigation_task(),
    }


@dataclass
class AgentRun:
    """One agent-graph run and everything it left behind."""

    config: TarsyConfig
    recorder: MemoryRecorder = field(default_factory=MemoryRecorder)
    tools: CannedTools = field(default_factory=CannedTools)
    output: dict[str, Any] = field(default_factory=dict)
    memory: MemoryAccess | None = None

    def context(self) -> RunContext:
        return RunContext(
            session_id="session-under-test",
            config=self.config,
            recorder=self.recorder,
            models=ModelFactory(self.config, env={}),
            tools=self.tools.executor(),
            memory=self.memory,
        )

    async def run(self, task: AgentTask | None = None, *, watch: SentMessages | None = None) -> AgentRun:
        graph = build_agent_graph()
        config: RunnableConfig = {"callbacks": [watch]} if watch else {}
        self.output = dict(await graph.ainvoke(agent_input(task), config, context=self.context()))
        return self

    @property
    def answer(self) -> str | None:
        return self.output.get("final_answer")

    @property
    def llm_calls(self) -> list[LLMInteraction]:
        return self.recorder.llm_calls

    def timeline(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.recorder.timeline.values() if e["event_type"] == event_type]


class SentMessages(AsyncCallbackHandler):
    """Every conversation a chat model was actually sent, seen through LangChain's callbacks."""

    def __init__(self, *, signal_at: int = 0) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.signal_at = signal_at
        self.reached = asyncio.Event()  # set when call number ``signal_at`` starts

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        self.calls.append(messages_to_dicts(messages[0]))
        if len(self.calls) == self.signal_at:
            self.reached.set()


async def run_script(
    tmp_path: Path,
    turns: list[dict[str, Any]],
    *,
    strategy: str = "native-thinking",
    watch: SentMessages | None = None,
    **tarsy: Any,
) -> AgentRun:
    """Run :data:`AGENT` on the investigation task with a model that plays ``turns``."""
    config = make_config(write_script(tmp_path, turns), strategy=strategy, **tarsy)
    return await AgentRun(config).run(watch=watch)


def conversation(calls: list[LLMInteraction]) -> list[dict[str, Any]]:
    """The whole conversation rebuilt from linearly stored calls: each call's new messages, then its reply."""
    messages: list[dict[str, Any]] = []
    for interaction in calls:
        assert interaction.conversation_offset == len(messages), "a call must start where the previous one ended"
        messages += interaction.request_messages
        if interaction.response is not None:
            messages.append(interaction.response)
    return messages
