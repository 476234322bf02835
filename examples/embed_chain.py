"""Embedding TARSy: another app builds a TARSy chain graph and runs an alert through it.

The app brings everything TARSy's service would otherwise provide:

- its own configuration (here in code, through ``load_config_from_data``);
- its own checkpointer (LangGraph's ``InMemorySaver``; any ``BaseCheckpointSaver`` works);
- its own models, through a small class implementing TARSy's ``ModelProvider`` protocol;
- its own tools, plain LangChain ``@tool`` functions served under a server name by
  ``StaticToolExecutor``;
- a ``MemoryRecorder`` that keeps the stages, executions and timeline in memory.

Run it with ``.venv/bin/python examples/embed_chain.py``; it needs no database, network or keys.
See ``docs/embedding.md``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

from tarsy.config import load_config_from_data
from tarsy.graphs.compiler import build_chain_graph
from tarsy.llm.scripted import ScriptedChatModel
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.static import StaticToolExecutor

# --- 1. The app's chain: two agents in parallel, a synthesis, then a remediation stage. -----------

APP_CONFIG: dict[str, Any] = {
    "defaults": {"alert_type": "CheckoutLatency"},
    "mcp_servers": {
        # Declares the tool group `shop` that agents may use. Its transport is never started: the
        # app's ToolExecutor (below) serves these tools in-process.
        "shop": {
            "transport": {"type": "stdio", "command": "true"},
            "instructions": "Tools of the shop's observability stack. Always pass the service name.",
        }
    },
    "agents": {
        "MetricsAgent": {
            "mcp_servers": ["shop"],
            "custom_instructions": "Explain the alert from error rates and latency.",
        },
        "LogsAgent": {
            "mcp_servers": ["shop"],
            "custom_instructions": "Explain the alert from the service's error logs.",
        },
        "RemediationAgent": {"custom_instructions": "Turn the assessment into concrete next steps."},
    },
    "agent_chains": {
        "checkout-latency": {
            "alert_types": ["CheckoutLatency"],
            "stages": [
                {"name": "investigate", "agents": ["MetricsAgent", "LogsAgent"], "success_policy": "any"},
                {"name": "remediate", "agent": "RemediationAgent"},
            ],
        }
    },
}

ALERT = {
    "alert_type": "CheckoutLatency",
    "data": {"service": "checkout-api", "p99_ms": 2400, "threshold_ms": 800, "since": "2026-01-15T10:40:00Z"},
    "runbook": None,
}


# --- 2. The app's tools: plain LangChain tools, grouped under the server name `shop`. -------------


@tool
def error_rate(service: str) -> str:
    """The 5xx error rate of a service over the last 15 minutes, in percent."""
    return f"{service}: 5xx rate 12.5% (baseline 0.2%); p99 latency 2400ms; pool wait time 1900ms"


@tool
def recent_errors(service: str, limit: int = 3) -> str:
    """The most recent error log lines of a service."""
    lines = [
        f"10:41:02 ERROR {service} db pool exhausted (20/20 connections in use), waited 2000ms",
        f"10:41:05 ERROR {service} timeout acquiring connection for order 81734",
        f"10:41:09 WARN  {service} slow query: SELECT ... FROM inventory (1830ms)",
    ]
    return "\n".join(lines[:limit])


# --- 3. The app's models: any LangChain chat model; this one plays a script, so it runs offline. ---

SCRIPT: dict[str, Any] = {
    "agents": {
        # Scripted turns are routed by agent name; tool calls use wire names (`server__tool`).
        "MetricsAgent": [
            {"tool_calls": [{"name": "shop__error_rate", "args": {"service": "checkout-api"}, "id": "m1"}]},
            {"text": "Metrics: 5xx at 12.5% and p99 2400ms, driven by 1900ms of connection-pool wait."},
        ],
        "LogsAgent": [
            {"tool_calls": [{"name": "shop__recent_errors", "args": {"service": "checkout-api"}, "id": "l1"}]},
            {"text": "Logs: the database pool is exhausted (20/20) behind a slow inventory query."},
        ],
        "SynthesisAgent": [
            {
                "text": "Root cause (confidence HIGH): a slow inventory query holds database connections, "
                "exhausting the pool; requests wait ~2s for a connection. Metrics and logs agree."
            }
        ],
        "RemediationAgent": [
            {"text": "1. Add an index for the inventory query. 2. Raise the pool to 40 meanwhile. 3. Alert on waits."}
        ],
        "ExecSummaryAgent": [
            {"text": "checkout-api is slow because a slow inventory query exhausts the DB pool; index it."}
        ],
    }
}


class AppModels:
    """This app's ``ModelProvider``: agents name a provider (here the default, ``google-default``)
    and the app decides which model object stands behind the name.

    A real app would return ``ChatOpenAI(...)``, ``ChatAnthropic(...)`` or its gateway's client here.
    """

    def __init__(self) -> None:
        self._model = ScriptedChatModel(script=SCRIPT, model_name="app-scripted")

    def model_for(self, provider_name: str) -> BaseChatModel:
        return self._model

    def model_name(self, provider_name: str) -> str:
        return self._model.model_name


# --- 4. Build the graph with the app's checkpointer and run the alert. ----------------------------


def print_timeline(recorder: MemoryRecorder) -> None:
    """The recorded stages, executions and timeline events, in the order they happened."""
    stages: dict[str, str] = {}
    agents: dict[str, str] = {}
    for event in recorder.events:
        data = event.data
        if event.kind == "stage.started":
            stages[data["stage_id"]] = data["name"]
            print(f"stage {data['stage_index']} {data['name']!r} ({data['stage_type']}) started")
        elif event.kind == "stage.finished":
            print(f"stage {stages[data['stage_id']]!r} {data['status']}")
        elif event.kind == "execution.started":
            agents[data["execution_id"]] = data["agent"]
            print(f"  {data['agent']} started")
        elif event.kind == "execution.finished":
            print(f"  {agents[data['execution_id']]} {data['status']}")
        elif event.kind == "timeline.completed":
            entry = recorder.timeline[data["event_id"]]
            who = agents.get(entry["execution_id"] or "", "session")
            first_line = entry["content"].strip().splitlines()[0] if entry["content"].strip() else ""
            tool_name = entry["metadata"].get("tool")
            label = f"{entry['event_type']} {tool_name}" if tool_name else entry["event_type"]
            print(f"    [{who}] {label}: {first_line[:100]}")


async def main() -> None:
    config = load_config_from_data(tarsy=APP_CONFIG)
    checkpointer = InMemorySaver()
    graph = build_chain_graph(config, "checkout-latency", checkpointer=checkpointer)

    recorder = MemoryRecorder()
    context = RunContext(
        session_id="embedded-1",
        config=config,
        recorder=recorder,
        models=AppModels(),
        tools=StaticToolExecutor({"shop": [error_rate, recent_errors]}),
    )
    run_config: RunnableConfig = {"configurable": {"thread_id": "embedded-1"}}
    result = await graph.ainvoke({"alert": ALERT}, run_config, context=context)

    if result.get("error"):
        raise SystemExit(f"the session failed: {result['error']}")
    print("== Final analysis ==")
    print(result["final_analysis"])
    print("\n== Executive summary ==")
    print(result["executive_summary"])
    print("\n== Timeline ==")
    print_timeline(recorder)
    checkpoints = [c async for c in checkpointer.alist(run_config)]
    print(f"\n{len(checkpoints)} checkpoints saved for thread embedded-1 by the app's checkpointer")


if __name__ == "__main__":
    asyncio.run(main())
