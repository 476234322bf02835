"""What the warm stdio process pool saves: MCP start-up per investigation, with and without the pool.

The server is TARSy's own demo MCP server (``python -m tarsy.demo.server``, FastMCP over
stdio). Two figures, each the median of ``--runs`` sequential investigations:

- **mcp**: what an investigation spends on MCP before it has its first tool result: get a session
  to the server (spawn + ``initialize``, or borrow a warm process), ``tools/list``, one
  ``pods_list`` call, then end the session (stop the process, or give it back).
- **e2e**: a one-tool investigation through the real agent graph: a zero-latency scripted model
  asks for ``pods_list``, gets the (masked) result and answers; records go to memory (no database).

Also printed: the CPU the server processes burn per investigation (children's user + system time,
read once every child has been stopped and reaped). Prints figures; asserts nothing.

    .venv/bin/python bench/mcp_pool.py [--runs 9] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tarsy.config import TarsyConfig, load_config_from_data
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.agent import build_agent_graph
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.manager import McpManager
from tarsy.tools.pools import McpPools
from tarsy.tools.sessions import McpSessions

SERVER = "demo-cluster"
TOOL_CALL = {"name": f"{SERVER}__pods_list", "args": {"namespace": "checkout"}, "id": "call-1"}


def _config(script: Path) -> TarsyConfig:
    script.write_text(
        json.dumps({"agents": {"*": [{"text": "", "tool_calls": [TOOL_CALL]}, {"text": "checkout-api is OOMKilled."}]}})
    )
    tarsy = {
        "defaults": {"llm_provider": "bench-scripted", "alert_type": "bench"},
        "mcp_servers": {
            SERVER: {
                "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
                "data_masking": {"pattern_groups": ["kubernetes", "cloud"]},
            }
        },
        "agents": {"Investigator": {"mcp_servers": [SERVER], "custom_instructions": "Investigate."}},
        "agent_chains": {"bench": {"alert_types": ["bench"], "stages": [{"name": "look", "agent": "Investigator"}]}},
    }
    providers = {"llm_providers": {"bench-scripted": {"type": "scripted", "script": str(script)}}}
    return load_config_from_data(tarsy=tarsy, llm_providers=providers, env={})


async def _mcp_once(config: TarsyConfig, pools: McpPools | None) -> None:
    async with McpSessions(config, pools=pools) as sessions:
        session = await sessions.session(SERVER)
        await session.list_tools(timeout=30)
        await session.call_tool("pods_list", {"namespace": "checkout"}, None)


async def _e2e_once(config: TarsyConfig, manager: McpManager) -> None:
    recorder = MemoryRecorder()
    models = ModelFactory(config, env={})
    task: dict[str, Any] = {
        "kind": "investigation",
        "alert_type": "bench",
        "data": {"namespace": "checkout"},
        "runbook": None,
        "stage_name": "look",
        "previous": [],
    }
    agent_input = {
        "agent": {"role": "investigation", "chain_id": "bench", "stage_index": 0, "agent_index": 0},
        "stage_id": "stage-1",
        "execution_id": "exec-1",
        "task": task,
    }
    async with manager.executor(recorder, context="bench alert") as tools:
        context = RunContext(session_id="bench", config=config, recorder=recorder, models=models, tools=tools)
        output = await build_agent_graph().ainvoke(agent_input, context=context)
    if "OOMKilled" not in output["final_answer"]:
        raise RuntimeError(f"unexpected answer: {output['final_answer']!r}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _measure(runs: int, once: Callable[[], Awaitable[None]]) -> list[float]:
    await once()  # warm-up: imports, caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await once()
        times.append(time.perf_counter() - start)
    return times


async def _figures(config: TarsyConfig, runs: int) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    models = ModelFactory(config, env={})
    for pooled in (False, True):
        label = "pool" if pooled else "no_pool"
        cpu = _children_cpu()
        manager = McpManager(config, models)
        if pooled:
            await manager.start()
            await manager.pools.ready()
        pools = manager.pools if pooled else None
        mcp = await _measure(runs, functools.partial(_mcp_once, config, pools))
        e2e = await _measure(runs, functools.partial(_e2e_once, config, manager))
        await manager.stop()
        investigations = 2 * (runs + 1)
        figures[label] = {
            "mcp_median_ms": statistics.median(mcp) * 1000,
            "e2e_median_ms": statistics.median(e2e) * 1000,
            "server_cpu_ms_per_investigation": (_children_cpu() - cpu) * 1000 / investigations,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true", help="one JSON object per mode")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        figures = asyncio.run(_figures(_config(Path(directory) / "script.json"), args.runs))
    if args.json:
        for mode, values in figures.items():
            print(json.dumps({"mode": mode, "runs": args.runs, **{k: round(v, 2) for k, v in values.items()}}))
        return
    print(f"stdio MCP server start-up per investigation (demo server), median of {args.runs}")
    print(f"{'mode':<10}{'mcp ms':>10}{'e2e ms':>10}{'server CPU ms/inv':>20}")
    for mode, values in figures.items():
        print(
            f"{mode:<10}{values['mcp_median_ms']:>10.1f}{values['e2e_median_ms']:>10.1f}"
            f"{values['server_cpu_ms_per_investigation']:>20.1f}"
        )
    saved = figures["no_pool"]["mcp_median_ms"] - figures["pool"]["mcp_median_ms"]
    print(f"the pool saves {saved:.0f} ms of MCP start-up per investigation")


if __name__ == "__main__":
    main()
