"""``langgraph dev`` serves the same chain graph offline, and an SDK client can run it."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from langgraph_sdk import get_client

from tests.support.server import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


async def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"langgraph dev exited with {proc.returncode}")
            try:
                if (await client.get(f"{url}/ok", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("langgraph dev did not become ready")
            await asyncio.sleep(0.3)


async def test_langgraph_dev_runs_the_kubernetes_chain(tmp_path: Path) -> None:
    workdir = tmp_path / "studio"
    workdir.mkdir()
    shutil.copy(ROOT / "langgraph.json", workdir / "langgraph.json")
    (workdir / "tarsy").symlink_to(ROOT / "tarsy")
    # The built-in config with the kubernetes-server served by the demo cluster through a wrapper
    # that notes every start of the server: proof that Studio runs get real MCP sessions.
    marker = tmp_path / "mcp-starts.log"
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    start = f"echo started >> {marker}; exec {sys.executable} -m tarsy.demo.server"
    server = {"transport": {"type": "stdio", "command": "sh", "args": ["-c", start]}}
    (config_dir / "tarsy.yaml").write_text(yaml.safe_dump({"mcp_servers": {"kubernetes-server": server}}))
    port = free_port()
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "1",
        "LANGSMITH_TRACING": "false",
        "TARSY_DEMO": "1",
        "PYTHONPATH": str(ROOT),
    }
    env["TARSY_CONFIG_DIR"] = str(config_dir)
    cli = Path(sys.executable).with_name("langgraph")
    log = (tmp_path / "langgraph-dev.log").open("wb")  # outside the watched folder
    proc = subprocess.Popen(
        [str(cli), "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await _wait_ready(url, proc)
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
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        print((tmp_path / "langgraph-dev.log").read_text()[-4000:])
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
