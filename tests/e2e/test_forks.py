"""Fork and replay over real HTTP, PostgreSQL and workers: a fork reuses the records before its fork
point (no model call for them), runs the rest live (with another provider when asked), forks of
forks work, and the parent is left exactly as it was."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
import yaml
from langchain_core.callbacks import AsyncCallbackHandler
from langchain_core.messages import BaseMessage, SystemMessage
from psycopg.rows import dict_row

from tarsy.llm.scripted import agent_of
from tests.support.server import RunningTarsy, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

CHAIN: dict[str, Any] = {
    "agents": {
        "Collector": {"custom_instructions": "Collect facts.", "mcp_servers": ["kubernetes-server"]},
        "Analyst": {"custom_instructions": "Explain the root cause."},
    },
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "collect", "agent": "Collector"}, {"name": "analyse", "agent": "Analyst"}],
        }
    },
}

LISTING = {"name": "kubernetes-server__namespaces_list", "args": {}, "id": "call_ns"}
MAIN = {
    "agents": {
        "Collector": [
            {"thinking": "List the namespaces first.", "tool_calls": [LISTING]},
            {"text": "Facts: pod api-1 restarted 12 times, exit code 137."},
        ],
        "Analyst": [{"text": "Root cause: OOMKilled (exit code 137)."}],
        "ExecSummaryAgent": [{"text": "OOMKilled pod api-1; raise its memory limit."}],
    }
}
ALT = {
    "agents": {
        "Collector": [{"tool_calls": [LISTING]}, {"text": "ALT facts: api-1 is out of memory."}],
        "Analyst": [{"text": "ALT root cause: the memory limit is too low."}],
        "ExecSummaryAgent": [{"text": "ALT summary: raise api-1's memory limit."}],
        "ChatAgent": [{"text": "ALT chat: yes, 1Gi is enough."}],
    }
}


class CallCounter(AsyncCallbackHandler):
    """Counts the model calls a provider's model really makes, by agent (a LangChain callback)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.system_prompts: list[str] = []

    async def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **_: Any
    ) -> None:
        for conversation in messages:
            self.calls[(agent_of(conversation) or ["?"])[0]] += 1
            self.system_prompts += [m.text for m in conversation if isinstance(m, SystemMessage)]


def _config(
    tmp_path: Path, main: dict[str, Any] = MAIN, alt: dict[str, Any] = ALT, chain: dict[str, Any] = CHAIN
) -> Path:
    """A config whose default provider plays ``main`` and whose ``alt-scripted`` provider plays ``alt``."""
    directory = write_config(tmp_path / "cfg", script=main, tarsy=chain)
    (directory / "alt.json").write_text(json.dumps(alt))
    providers = yaml.safe_load((directory / "llm-providers.yaml").read_text())
    providers["llm_providers"]["alt-scripted"] = {
        "type": "scripted",
        "script": str(directory / "alt.json"),
        "model": "alt",
    }
    (directory / "llm-providers.yaml").write_text(yaml.safe_dump(providers))
    return directory


def _counters(tarsy: RunningTarsy) -> dict[str, CallCounter]:
    counters = {name: CallCounter() for name in ("test-scripted", "alt-scripted")}
    for name, counter in counters.items():
        tarsy.services.models.model_for(name).callbacks = [counter]
    return counters


def _reset(counters: dict[str, CallCounter]) -> None:
    for counter in counters.values():
        counter.calls.clear()
        counter.system_prompts.clear()


TABLES = {
    "alert_sessions": "id = %s",
    "stages": "session_id = %s ORDER BY stage_index",
    "agent_executions": "session_id = %s ORDER BY id",
    "timeline_events": "session_id = %s ORDER BY seq",
    "llm_interactions": "session_id = %s ORDER BY created_at, id",
    "mcp_interactions": "session_id = %s ORDER BY created_at, id",
    "events": "session_id = %s ORDER BY id",
}


async def _dump(database_url: str, session_id: str) -> dict[str, list[dict[str, Any]]]:
    async with await psycopg.AsyncConnection.connect(database_url, row_factory=dict_row) as conn:
        dump = {}
        for table, where in TABLES.items():
            cur = await conn.execute(f"SELECT * FROM {table} WHERE {where}", (session_id,))
            dump[table] = await cur.fetchall()
    return dump


async def _fork(tarsy: RunningTarsy, session_id: str, **body: Any) -> dict[str, Any]:
    resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/fork", json=body)
    assert resp.status_code == 202, resp.text
    fork_id = resp.json()["session_id"]
    return await tarsy.wait_status(fork_id, {"completed", "failed"}, timeout=60)


async def _responses(tarsy: RunningTarsy, session_id: str) -> list[str]:
    timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
    return [e["content"] for e in timeline if e["event_type"] == "llm_response" and e["status"] == "completed"]


@dataclass
class Run:
    """The server, its model-call counters, the parent and a dump of its rows before any fork."""

    tarsy: RunningTarsy
    counters: dict[str, CallCounter]
    database_url: str
    parent_id: str
    before: dict[str, list[dict[str, Any]]]

    def calls(self, provider: str) -> Counter[str]:
        return self.counters[provider].calls

    async def fork(self, session_id: str, **body: Any) -> dict[str, Any]:
        _reset(self.counters)
        return await _fork(self.tarsy, session_id, **body)


async def _check_listing(run: Run) -> None:
    listed = (await run.tarsy.client.get(f"/api/v1/sessions/{run.parent_id}/checkpoints")).json()
    assert [c["id"] for c in listed] == ["stage-0", "stage-0-agent-0-call-1", "stage-1", "stage-2"]
    by_id = {c["id"]: c for c in listed}
    iteration = by_id["stage-0-agent-0-call-1"]
    assert (iteration["kind"], iteration["agent_name"], iteration["iteration"]) == ("agent_iteration", "Collector", 1)
    assert (iteration["model_calls"], iteration["tool_calls"]) == (1, 1)
    assert iteration["last_tool_calls"] == ["kubernetes-server__namespaces_list"]
    assert by_id["stage-1"]["stages_completed"] == ["collect"]
    assert (by_id["stage-1"]["model_calls"], by_id["stage-1"]["tool_calls"]) == (2, 1)
    assert by_id["stage-2"]["stages_completed"] == ["collect", "analyse"]
    assert by_id["stage-2"]["stage_type"] == "exec_summary"
    refusals = [
        ({"checkpoint_id": "stage-9"}, 404, "not_found"),
        ({"checkpoint_id": "bogus"}, 404, "not_found"),
        ({"checkpoint_id": "stage-1-agent-0-call-1"}, 404, "not_found"),  # the Analyst's only (final) call
        ({"checkpoint_id": "stage-1", "llm_provider": "nope"}, 400, "invalid_input"),
    ]
    for body, status, code in refusals:
        resp = await run.tarsy.client.post(f"/api/v1/sessions/{run.parent_id}/fork", json=body)
        assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), (body, resp.text)


async def _fork_at_stage_boundary(run: Run) -> dict[str, Any]:
    """Another model from the second stage on: collect is reused, the rest asks the other provider."""
    fork = await run.fork(run.parent_id, checkpoint_id="stage-1", llm_provider="alt-scripted")
    assert fork["status"] == "completed", fork
    assert run.calls("test-scripted") == {}
    assert run.calls("alt-scripted") == {"Analyst": 1, "ExecSummaryAgent": 1}
    assert fork["final_analysis"] == "ALT root cause: the memory limit is too low."
    origin = {"session_id": run.parent_id, "checkpoint_id": "stage-1", "llm_provider": "alt-scripted"}
    assert fork["forked_from"] == {**origin, "instructions": None}
    assert await _responses(run.tarsy, fork["id"]) == [
        "Facts: pod api-1 restarted 12 times, exit code 137.",
        "ALT root cause: the memory limit is too low.",
        "ALT summary: raise api-1's memory limit.",
    ]
    executions = [e for s in fork["stages"] for e in s["executions"]]
    assert [(e["agent_name"], e["llm_provider"]) for e in executions] == [
        ("Collector", "test-scripted"),
        ("Analyst", "alt-scripted"),
        ("ExecSummaryAgent", "alt-scripted"),
    ]
    _reset(run.counters)  # the fork's follow-up chat is answered by the fork's model too
    path = f"/api/v1/sessions/{fork['id']}/chat"
    assert (await run.tarsy.client.post(f"{path}/messages", json={"content": "Is 1Gi enough?"})).status_code == 202
    deadline = asyncio.get_running_loop().time() + 60
    while (chat := (await run.tarsy.client.get(path)).json())["messages"][-1]["status"] not in ("completed", "failed"):
        assert asyncio.get_running_loop().time() < deadline, chat
        await asyncio.sleep(0.05)
    assert chat["messages"][-1]["answer"] == "ALT chat: yes, 1Gi is enough."
    assert (run.calls("alt-scripted"), run.calls("test-scripted")) == ({"ChatAgent": 1}, {})
    return fork


async def _fork_inside_an_agent(run: Run) -> dict[str, Any]:
    """After the Collector's first call, with instructions: its tool call is replayed, not run again."""
    fork = await run.fork(run.parent_id, checkpoint_id="stage-0-agent-0-call-1", instructions="Check the memory limit.")
    assert fork["status"] == "completed", fork
    assert run.calls("test-scripted") == {"Collector": 1, "Analyst": 1, "ExecSummaryAgent": 1}
    assert run.calls("alt-scripted") == {}
    prompts = run.counters["test-scripted"].system_prompts
    assert all("Operator instructions for this run:\nCheck the memory limit." in p for p in prompts)
    assert fork["final_analysis"] == "Root cause: OOMKilled (exit code 137)."
    rows = await _dump(run.database_url, fork["id"])
    assert len(rows["llm_interactions"]) == 4  # one copied, three made
    [tool_event] = [e for e in rows["timeline_events"] if e["event_type"] == "llm_tool_call"]
    [parent_tool] = [e for e in run.before["timeline_events"] if e["event_type"] == "llm_tool_call"]
    assert parent_tool["metadata"]["is_error"] is False, parent_tool["content"]
    # A tool call run again would reset its event (updated_at = now()); the copy keeps the parent's.
    assert tool_event["id"] != parent_tool["id"]
    assert (tool_event["content"], tool_event["updated_at"]) == (parent_tool["content"], parent_tool["updated_at"])
    [parent_call] = [c for c in run.before["mcp_interactions"] if c["interaction_type"] == "tool_call"]
    [fork_call] = [c for c in rows["mcp_interactions"] if c["interaction_type"] == "tool_call"]  # the copy only
    assert (fork_call["result"], fork_call["timeline_event_id"]) == (parent_call["result"], tool_event["id"])
    return fork


async def _check_parent(run: Run, forks: list[dict[str, Any]], second: dict[str, Any]) -> None:
    assert await _dump(run.database_url, run.parent_id) == run.before, "the parent's rows and events are unchanged"
    detail = (await run.tarsy.client.get(f"/api/v1/sessions/{run.parent_id}")).json()
    assert detail["forked_from"] is None
    assert [(f["session_id"], f["checkpoint_id"], f["llm_provider"]) for f in detail["forks"]] == [
        (forks[0]["id"], "stage-1", "alt-scripted"),
        (forks[1]["id"], "stage-0-agent-0-call-1", None),
    ]
    listing = (await run.tarsy.client.get("/api/v1/sessions", params={"page_size": 10})).json()["items"]
    origins = {item["id"]: item["forked_from"] for item in listing}
    expected = {run.parent_id: None, forks[0]["id"]: run.parent_id, forks[1]["id"]: run.parent_id}
    assert origins == {**expected, second["id"]: forks[0]["id"]}


async def test_fork_reuses_records_before_the_fork_point(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(_config(tmp_path), database_url) as tarsy:
        counters = _counters(tarsy)
        parent_id = await tarsy.submit()
        parent = await tarsy.wait_status(parent_id, {"completed", "failed"}, timeout=60)
        assert parent["status"] == "completed", parent
        assert counters["test-scripted"].calls == {"Collector": 2, "Analyst": 1, "ExecSummaryAgent": 1}
        run = Run(tarsy, counters, database_url, parent_id, await _dump(database_url, parent_id))
        await _check_listing(run)
        at_boundary = await _fork_at_stage_boundary(run)
        inside = await _fork_inside_an_agent(run)

        # A fork of a fork: only the executive summary runs again.
        second = await run.fork(at_boundary["id"], checkpoint_id="stage-2")
        assert second["status"] == "completed", second
        assert (run.calls("test-scripted"), run.calls("alt-scripted")) == ({"ExecSummaryAgent": 1}, {})
        assert second["forked_from"]["session_id"] == at_boundary["id"]
        assert second["final_analysis"] == "ALT root cause: the memory limit is too low."
        assert second["executive_summary"] == "OOMKilled pod api-1; raise its memory limit."

        await _check_parent(run, [at_boundary, inside], second)


async def test_fork_refusals(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(_config(tmp_path), database_url, workers=0) as tarsy:
        pending = await tarsy.submit()
        unknown = str(UUID(int=7))
        cases = [
            (unknown, {"checkpoint_id": "stage-0"}, 404, "not_found"),
            ("not-a-uuid", {"checkpoint_id": "stage-0"}, 404, "not_found"),
            (pending, {"checkpoint_id": "stage-0"}, 409, "conflict"),
            (pending, {}, 422, "validation_error"),
            (pending, {"checkpoint_id": "stage-0", "model": "x"}, 422, "validation_error"),
            (pending, {"checkpoint_id": "stage-0", "instructions": "x" * 4001}, 422, "validation_error"),
        ]
        for session_id, body, status, code in cases:
            resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/fork", json=body)
            assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), (body, resp.text)
        resp = await tarsy.client.get(f"/api/v1/sessions/{unknown}/checkpoints")
        assert resp.status_code == 404
        assert (await tarsy.client.get(f"/api/v1/sessions/{pending}/checkpoints")).json() == []


PARALLEL_CHAIN: dict[str, Any] = {
    "agents": {name: {"custom_instructions": f"You are the {name}."} for name in ("Logs", "Metrics", "Fixer")},
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [{"name": "triage", "agents": ["Logs", "Metrics"]}, {"name": "fix", "agent": "Fixer"}],
        }
    },
}


async def test_a_failed_session_is_retried_from_its_failed_stage_with_another_model(
    tmp_path: Path, database_url: str
) -> None:
    main = {
        "agents": {
            "Logs": [{"text": "logs: OOMKilled at 12:03"}],
            "Metrics": [{"text": "metrics: memory at the limit"}],
            "SynthesisAgent": [{"text": "Synthesis: OOM, HIGH confidence"}],
            "Fixer": [{"error": "the model is overloaded"}],
        }
    }
    alt = {
        "agents": {
            "Fixer": [{"text": "Raise the memory limit to 1Gi."}],
            "ExecSummaryAgent": [{"text": "OOM; raise the limit."}],
        }
    }
    directory = _config(tmp_path, main, alt, PARALLEL_CHAIN)
    async with running_tarsy(directory, database_url) as tarsy:
        counters = _counters(tarsy)
        parent_id = await tarsy.submit()
        parent = await tarsy.wait_status(parent_id, {"completed", "failed"}, timeout=60)
        assert parent["status"] == "failed", parent
        listed = (await tarsy.client.get(f"/api/v1/sessions/{parent_id}/checkpoints")).json()
        assert [c["id"] for c in listed] == ["stage-0", "stage-1", "stage-2"]  # nothing after the failed stage
        assert listed[1]["stage_type"] == "synthesis"
        _reset(counters)

        fork = await _fork(tarsy, parent_id, checkpoint_id="stage-2", llm_provider="alt-scripted")

        assert fork["status"] == "completed", fork
        assert counters["test-scripted"].calls == {}, "the parallel agents and the synthesis are replayed"
        assert counters["alt-scripted"].calls == {"Fixer": 1, "ExecSummaryAgent": 1}
        assert fork["final_analysis"] == "Raise the memory limit to 1Gi."
        assert [(s["name"], s["status"]) for s in fork["stages"]] == [
            ("triage", "completed"),
            ("triage - Synthesis", "completed"),
            ("fix", "completed"),
            ("Executive Summary", "completed"),
        ]
        assert fork["stages"][1]["referenced_stage_id"] == fork["stages"][0]["id"]
