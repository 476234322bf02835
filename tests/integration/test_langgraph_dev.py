"""``langgraph dev`` serves the same chain graph offline, and an SDK client can run it."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import yaml
from langgraph_sdk import get_client

from tests.support.langgraph_dev import ROOT, langgraph_dev, studio_workdir

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_langgraph_dev_runs_the_kubernetes_chain(tmp_path: Path) -> None:
    workdir = studio_workdir(tmp_path)
    shutil.copy(ROOT / "langgraph.json", workdir / "langgraph.json")
    # The built-in config with the kubernetes-server served by the demo cluster through a wrapper
    # that notes every start of the server: proof that Studio runs get real MCP sessions.
    marker = tmp_path / "mcp-starts.log"
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    start = f"echo started >> {marker}; exec {sys.executable} -m tarsy.demo.server"
    server = {"transport": {"type": "stdio", "command": "sh", "args": ["-c", start]}}
    (config_dir / "tarsy.yaml").write_text(yaml.safe_dump({"mcp_servers": {"kubernetes-server": server}}))
    env = {"TARSY_DEMO": "1", "TARSY_CONFIG_DIR": str(config_dir)}
    async with langgraph_dev(workdir, env) as url:
        client = get_client(url=url)
        assistants = await client.assistants.search(graph_id="kubernetes")
        assert assistants, "the kubernetes graph is registered"
        thread = await client.threads.create()
        alert = {"alert": {"alert_type": "kubernetes", "data": {"pod": "api-1"}, "runbook": None}}
        chunks = [
            chunk
            async for chunk in client.runs.stream(
                thread["thread_id"], "kubernetes", input=alert, stream_mode=["values", "updates", "custom"]
            )
        ]
        state = await client.threads.get_state(thread["thread_id"])
    final = state["values"]
    assert "demo mode" in str(final.get("final_analysis", "")).lower()
    # The run opened one MCP session (the server started once for five tool calls); the state
    # reads and schema fetches around it opened none.
    assert marker.read_text().splitlines() == ["started"]
    # The agent runs in process inside its stage node (docs/agent-loop.md): each model call is a
    # ``custom`` stream chunk naming the agent and the call's number.
    iterations = [
        c.data["iteration"] for c in chunks if c.event == "custom" and c.data.get("agent") == "KubernetesAgent"
    ]
    assert iterations == [1, 2, 3, 4, 5], "the agent went through the demo's tool calls to its answer"
    assert state["values"]["stage_results"][0]["agent_name"] == "KubernetesAgent"
