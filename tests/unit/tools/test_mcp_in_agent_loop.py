"""The MCP executor inside the real agent loop: a tool that prints secrets leaks nothing anywhere.

A scripted model calls the tiny server's ``secret`` tool (a Kubernetes Secret and an AWS key pair)
and then answers. Every record the run leaves (timeline, LLM and MCP interactions, including the
messages sent to the model) must be free of the secret values.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tarsy.config import TarsyConfig, load_config_from_data
from tarsy.llm.factory import ModelFactory
from tarsy.nodes.agent import build_agent_graph
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.tools.manager import McpManager
from tests.fixtures.mcp.tiny_server import AWS_KEY, AWS_SECRET, DB_PASSWORD
from tests.unit.tools.factories import stdio_server

SECRETS = (AWS_KEY, AWS_SECRET, DB_PASSWORD, base64.b64encode(DB_PASSWORD.encode()).decode())


def _config(tmp_path: Path) -> TarsyConfig:
    script = {
        "agents": {
            "Investigator": [
                {"text": "", "tool_calls": [{"name": "k8s__secret", "args": {}, "id": "call-1"}]},
                {"text": "The database Secret exists; credentials are present."},
            ]
        }
    }
    (tmp_path / "script.json").write_text(json.dumps(script))
    tarsy = {
        "defaults": {"llm_provider": "test-scripted", "strategy": "native-thinking"},
        "mcp_servers": {"k8s": stdio_server(data_masking={"pattern_groups": ["kubernetes", "cloud"]})},
        "agents": {"Investigator": {"mcp_servers": ["k8s"], "custom_instructions": "Investigate."}},
        "agent_chains": {
            "chain": {"alert_types": ["SecretCheck"], "stages": [{"name": "look", "agent": "Investigator"}]}
        },
    }
    providers = {"llm_providers": {"test-scripted": {"type": "scripted", "script": str(tmp_path / "script.json")}}}
    return load_config_from_data(tarsy=tarsy, llm_providers=providers, env={})


async def test_an_investigation_over_a_secret_printing_tool_leaks_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path)
    recorder = MemoryRecorder()
    models = ModelFactory(config, env={})
    task: dict[str, Any] = {
        "kind": "investigation",
        "alert_type": "SecretCheck",
        "data": {"namespace": "prod"},
        "runbook": None,
        "stage_name": "look",
        "previous": [],
    }
    agent_input = {
        "agent": {"role": "investigation", "chain_id": "chain", "stage_index": 0, "agent_index": 0},
        "stage_id": "stage-1",
        "execution_id": "exec-1",
        "task": task,
    }
    async with McpManager(config, models).executor(recorder, context="SecretCheck in prod") as tools:
        context = RunContext(session_id="s-1", config=config, recorder=recorder, models=models, tools=tools)
        output = await build_agent_graph().ainvoke(agent_input, context=context)

    assert output["final_answer"] == "The database Secret exists; credentials are present."
    [call] = [r for r in recorder.mcp_calls if r.interaction_type == "tool_call"]
    assert (call.server, call.tool, call.timeline_event_id) == ("k8s", "secret", _tool_event(recorder))
    assert "[MASKED_AWS_KEY]" in (call.result or "")
    sent_to_model = json.dumps([m for llm in recorder.llm_calls for m in llm.request_messages])
    assert "[MASKED_AWS_SECRET]" in sent_to_model, "the model saw the (masked) tool result"
    everything = repr((recorder.events, recorder.timeline, recorder.llm_calls, recorder.mcp_calls))
    assert [secret for secret in SECRETS if secret in everything] == []


def _tool_event(recorder: MemoryRecorder) -> str:
    [event_id] = [eid for eid, event in recorder.timeline.items() if event["event_type"] == "llm_tool_call"]
    return event_id
