"""Studio sees every chain and the chat graph, with real schemas, and opens a real session's thread."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client

from tests.support.langgraph_dev import ROOT, langgraph_dev, studio_workdir
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHAINS: dict[str, Any] = {
    "agents": {"Investigator": {"mcp_servers": ["kubernetes-server"]}},
    "agent_chains": {
        "triage": {"alert_types": ["triage"], "stages": [{"name": "look", "agent": "Investigator"}]},
    },
}
SCRIPT: dict[str, Any] = {
    "agents": {
        "KubernetesAgent": [{"text": "Root cause: pod api-1 is OOMKilled."}],
        "ExecSummaryAgent": [{"text": "api-1 OOMKilled."}],
        "*": [{"text": "unused"}],
    }
}


def _write_studio_json(workdir: Path, config_dir: Path) -> None:
    env = {"TARSY_CONFIG_DIR": str(config_dir), "PYTHONPATH": str(ROOT), "PATH": ""}
    subprocess.run(
        [sys.executable, "-m", "tarsy.graphs.studio_graphs", str(workdir / "langgraph.studio.json")],
        env=env,
        check=True,
    )


async def test_studio_serves_every_chain_and_a_real_sessions_thread(tmp_path: Path, database_url: str) -> None:
    config_dir = write_config(tmp_path / "config", script=SCRIPT, tarsy=CHAINS)
    async with running_tarsy(config_dir, database_url, workers=1) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed"})
    workdir = studio_workdir(tmp_path)
    _write_studio_json(workdir, config_dir)
    env = {"TARSY_CONFIG_DIR": str(config_dir), "DATABASE_URL": database_url}
    async with langgraph_dev(workdir, env, config="langgraph.studio.json") as url:
        client = get_client(url=url)
        assistants = {a["graph_id"]: a["assistant_id"] for a in await client.assistants.search(limit=50)}
        schemas = await client.assistants.get_schemas(assistants["kubernetes"])
        chat_schemas = await client.assistants.get_schemas(assistants["chat"])
        await client.threads.create(thread_id=session_id, graph_id="kubernetes")
        state = await client.threads.get_state(session_id)
        thread = await client.threads.create()
        with pytest.raises(Exception, match=r"input\.alert\.alert_type is required") as failed:
            await client.runs.wait(thread["thread_id"], "triage", input={"alert": {"data": {"pod": "api-1"}}})
    assert set(assistants) == {"kubernetes", "triage", "chat"}
    assert schemas["input_schema"]["required"] == ["alert"]
    assert "final_analysis" in schemas["output_schema"]["properties"]
    assert "message" in chat_schemas["input_schema"]["properties"]
    # The thread is the session: its final state comes from TARSy's own checkpoints in PostgreSQL.
    assert state["values"]["final_analysis"] == session["final_analysis"]
    assert "KeyError" not in str(failed.value)
