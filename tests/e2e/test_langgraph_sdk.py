"""The official ``langgraph-sdk`` clients, unchanged, drive TARSy under ``/langgraph``."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langgraph_sdk import get_client, get_sync_client
from langgraph_sdk.errors import ConflictError, UnprocessableEntityError

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

CHAIN: dict[str, Any] = {
    "mcp_servers": {},
    "agents": {"Investigator": {"mcp_servers": []}, "Checker": {"mcp_servers": []}},
    "agent_chains": {
        "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "investigate", "agent": "Investigator"}]},
        # Only drawn here: a parallel stage's synthesis is a node of the graph.
        "checkout": {
            "alert_types": ["checkout"],
            "stages": [{"name": "investigate", "agents": [{"name": "Investigator"}, {"name": "Checker"}]}],
        },
    },
}
SCRIPT: dict[str, Any] = {
    "agents": {
        "Investigator": [{"text": "Root cause: pod api-1 is OOMKilled."}],
        "ExecSummaryAgent": [{"text": "api-1 OOMKilled."}],
        "ChatAgent": [{"text": "Raise the memory limit above 512Mi."}],
    }
}
ALERT = {"alert_type": "kubernetes", "data": {"pod": "api-1", "reason": "CrashLoopBackOff"}}


async def test_async_client_streams_a_run_and_chats_on_its_thread(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path, script=SCRIPT, tarsy=CHAIN)
    async with running_tarsy(config, database_url, workers=1) as tarsy:
        client = get_client(url=f"{tarsy.base_url}/langgraph")
        assistants = {a["assistant_id"] for a in await client.assistants.search()}
        schemas = await client.assistants.get_schemas("kubernetes")
        drawn = await client.assistants.get_graph("kubernetes")
        parallel = await client.assistants.get_graph("checkout")
        thread = await client.threads.create()
        tid = thread["thread_id"]
        parts = [
            part
            async for part in client.runs.stream(
                tid, "kubernetes", input=ALERT, stream_mode=["values", "updates", "messages", "events"]
            )
        ]
        state = await client.threads.get_state(tid)
        history = await client.threads.get_history(tid, limit=3)
        chat = await client.runs.wait(tid, "chat", input={"content": "How do I fix it?"})
        sessions = (await tarsy.client.get("/api/v1/sessions")).json()
        found = await client.threads.search()
    assert {"kubernetes", "chat"} <= assistants
    assert schemas["input_schema"]["required"] == ["alert"]
    assert "stage_results" in schemas["state_schema"]["properties"]
    assert any(node["id"] == "stage_0" for node in drawn["nodes"])
    assert not any(node["id"].endswith("_synthesis") for node in drawn["nodes"])
    assert [node["id"] for node in parallel["nodes"]] == [
        "__start__",
        "stage_0",
        "stage_0_agent",
        "stage_0_join",
        "stage_0_synthesis",
        "exec_summary",
        "finalize",
        "__end__",
    ]
    edges = {(e["source"], e["target"], e.get("data")) for e in parallel["edges"]}
    assert {
        ("stage_0_agent", "stage_0_join", None),
        ("stage_0_join", "stage_0_synthesis", "next"),
        ("stage_0_join", "finalize", "failed"),
        ("stage_0_synthesis", "exec_summary", "next"),
        ("stage_0_synthesis", "finalize", "failed"),
    } <= edges
    events = [p.event for p in parts]
    assert events[0] == "metadata"
    assert {"values", "updates", "events", "messages/complete"} <= set(events)
    final = [p.data for p in parts if p.event == "values"][-1]
    assert final["final_analysis"] == "Root cause: pod api-1 is OOMKilled."
    assert final["executive_summary"] == "api-1 OOMKilled."
    assert state["values"]["final_analysis"] == final["final_analysis"]
    assert history and history[0]["checkpoint"]["thread_id"] == tid
    assert chat["answer"] == "Raise the memory limit above 512Mi."
    # The run is a TARSy session with the thread's id: the dashboard's list shows it.
    assert tid in [s["id"] for s in sessions["items"]]
    assert tid in [t["thread_id"] for t in found]


def _sync_checks(base_url: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    client = get_sync_client(url=f"{base_url}/langgraph")
    thread = client.threads.create()
    with pytest.raises(UnprocessableEntityError) as missing:
        client.runs.create(thread["thread_id"], "kubernetes", input={"data": {"pod": "api-1"}})
    run = client.runs.create(thread["thread_id"], "kubernetes", input=ALERT)
    joined = client.runs.join(thread["thread_id"], run["run_id"])
    with pytest.raises(ConflictError) as resumed:  # the chain has no action agent: nothing waits
        client.runs.create(thread["thread_id"], "kubernetes", command={"resume": {"decision": "approve"}})
    return joined, client.threads.get(thread["thread_id"]), f"{missing.value} {resumed.value}"


async def test_sync_client_validates_joins_and_refuses_a_resume(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path, script=SCRIPT, tarsy=CHAIN)
    async with running_tarsy(config, database_url, workers=1) as tarsy:
        joined, thread, errors = await asyncio.to_thread(_sync_checks, tarsy.base_url)
    assert joined["final_analysis"] == "Root cause: pod api-1 is OOMKilled."
    assert thread["status"] == "idle"
    assert "alert_type" in errors
    assert "no pending approval" in errors
