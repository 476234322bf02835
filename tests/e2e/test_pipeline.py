"""The pipeline scenario: one session through every kind of stage, pinned by golden files.

Four configured stages over two real MCP servers (the simulated cluster and the tiny test server):

1. ``triage``: LogsAgent (react) and MetricsAgent (native-thinking, ``max_iterations: 1``, so it
   ends with a forced conclusion) in parallel, merged by the built-in SynthesisAgent;
2. ``scan``: two replicas of ScannerAgent, merged by a custom synthesis (Arbiter, native-thinking);
3. ``remediate``: RemediationAgent (native-thinking) reads the crashed container's log, a result
   big enough to be summarized, and calls the second server;
4. ``verify``: VerifierAgent (react) on the second server;

then the executive summary and one follow-up chat question that calls a tool.

Everything goes through the real HTTP API, real workers, the embedded PostgreSQL and the MCP
servers as subprocesses; the scripted models are routed by agent name so parallel branches are
deterministic. The goldens in ``tests/golden/pipeline/`` hold the session with its stages and
executions, the timeline, the trace and every LLM and MCP interaction in full, with ids and times
normalized. Regenerate with ``TARSY_UPDATE_GOLDENS=1`` and review the diff like code.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.goldens import GOLDEN_ROOT, check_golden
from tests.support.server import RunningTarsy, read_sse, running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

GOLDEN_DIR = GOLDEN_ROOT / "pipeline"
TINY_SERVER = Path(__file__).resolve().parents[1] / "fixtures" / "mcp" / "tiny_server.py"
POD = "checkout-api-7d9f8b6c5d-x2k4p"

CONFIG: dict[str, Any] = {
    "mcp_servers": {
        "kubernetes-server": {
            "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
            "instructions": "A simulated cluster: namespaces checkout and monitoring.",
            # The crashed container's log (~15k tokens) is summarized before the agent sees it.
            "summarization": {"enabled": True, "size_threshold_tokens": 2000, "summary_max_token_limit": 300},
        },
        "tiny": {
            "transport": {"type": "stdio", "command": sys.executable, "args": [str(TINY_SERVER)]},
            "instructions": "tiny echoes text; use it to record notes.",
        },
    },
    "agents": {
        "LogsAgent": {
            "mcp_servers": ["kubernetes-server"],
            "strategy": "react",
            "custom_instructions": "Read the workload's logs.",
        },
        "MetricsAgent": {
            "mcp_servers": ["tiny"],
            "strategy": "native-thinking",
            "custom_instructions": "Look at the numbers.",
        },
        "ScannerAgent": {
            "mcp_servers": ["kubernetes-server"],
            "strategy": "react",
            "custom_instructions": "Scan the namespace for anything else that is unhealthy.",
        },
        "Arbiter": {"type": "synthesis", "custom_instructions": "Merge the scans; keep only what both saw."},
        "RemediationAgent": {
            "mcp_servers": ["kubernetes-server", "tiny"],
            "strategy": "native-thinking",
            "custom_instructions": "Propose the fix from the evidence.",
        },
        "VerifierAgent": {
            "mcp_servers": ["tiny"],
            "strategy": "react",
            "custom_instructions": "Check the proposed fix is safe.",
        },
    },
    "agent_chains": {
        "kubernetes": {
            "alert_types": ["kubernetes"],
            "stages": [
                {"name": "triage", "agents": ["LogsAgent", {"name": "MetricsAgent", "max_iterations": 1}]},
                {
                    "name": "scan",
                    "agent": "ScannerAgent",
                    "replicas": 2,
                    "synthesis": {"agent": "Arbiter", "strategy": "native-thinking"},
                },
                {"name": "remediate", "agent": "RemediationAgent"},
                {"name": "verify", "agent": "VerifierAgent"},
            ],
            "chat": {"enabled": True},
        }
    },
}


def _react_call(thought: str, action: str, args: dict[str, Any]) -> dict[str, Any]:
    return {"text": f"Thought: {thought}\nAction: {action}\nAction Input: {json.dumps(args)}"}


SCRIPT: dict[str, Any] = {
    "chunk_chars": 40,
    "agents": {
        "LogsAgent": [
            _react_call("Find the crashing pod first.", "kubernetes-server.pods_list", {"namespace": "checkout"}),
            _react_call(
                "checkout-api restarts; read its state.",
                "kubernetes-server.pods_get",
                {"namespace": "checkout", "name": POD},
            ),
            {"text": "Thought: Enough.\nFinal Answer: checkout-api is OOMKilled (exit 137) on every start."},
        ],
        "MetricsAgent": [
            {
                "thinking": "Record the restart count before concluding.",
                "tool_calls": [{"name": "tiny__echo", "args": {"text": "restarts=14"}, "id": "call_echo"}],
            },
            # max_iterations 1: this turn answers the forced conclusion call, made without tools.
            {"thinking": "No more tool calls allowed.", "text": "14 restarts in the last hour; memory at the limit."},
        ],
        "SynthesisAgent": [
            {"text": "Both agents agree: checkout-api is OOMKilled at its memory limit. Confidence: HIGH."}
        ],
        "ScannerAgent": [
            _react_call("Look at recent events.", "kubernetes-server.events_list", {"namespace": "checkout"}),
            {"text": "Thought: Only checkout-api is unhealthy.\nFinal Answer: Only checkout-api is unhealthy."},
        ],
        "Arbiter": [
            {
                "thinking": "Both replicas found the same single unhealthy workload.",
                "text": "Both scans agree: only checkout-api is unhealthy. Confidence: HIGH.",
            }
        ],
        "RemediationAgent": [
            {
                "thinking": "The previous container's log should show what used the memory.",
                "tool_calls": [
                    {
                        "name": "kubernetes-server__pods_log",
                        "args": {"namespace": "checkout", "name": POD, "previous": True},
                        "id": "call_log",
                    }
                ],
            },
            {
                "thinking": "The summary says the eager cache warm-up runs out of memory; note the fix.",
                "tool_calls": [{"name": "tiny__echo", "args": {"text": "fix=cache", "times": 2}, "id": "call_note"}],
            },
            {"text": "Set CACHE_WARMUP=lazy or raise the memory limit to 1Gi, then roll out checkout-api."},
        ],
        "ToolResultSummarizer": [
            {"text": "The log shows an eager warm-up of 250000 products that ends in out of memory."}
        ],
        "VerifierAgent": [
            _react_call("Record the verification.", "tiny.echo", {"text": "verified"}),
            {"text": "Thought: Safe.\nFinal Answer: The fix is safe: lazy warm-up only defers cache loading."},
        ],
        "ExecSummaryAgent": [{"text": "checkout-api OOMKilled by eager cache warm-up; switch to lazy warm-up."}],
        "ChatAgent": [
            {
                "thinking": "Check the current memory limit before answering.",
                "tool_calls": [
                    {
                        "name": "kubernetes-server__pods_get",
                        "args": {"namespace": "checkout", "name": POD},
                        "id": "call_chat",
                    }
                ],
            },
            {"text": "The limit is 512Mi; 1Gi leaves room for the eager warm-up."},
        ],
    },
}

ALERT = {"namespace": "checkout", "pod": POD, "reason": "CrashLoopBackOff", "message": "Back-off restarting"}
QUESTION = "Why 1Gi and not 768Mi?"

# ---------------------------------------------------------------------------------------------
# Normalization: ids and times differ per run; everything else must not.

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_VOLATILE_KEYS = {"sequence", "created_at", "updated_at", "started_at", "completed_at"}
_LONG = 3000


class Normalizer:
    """Replaces each distinct id with ``<id-N>`` (numbered by first appearance) and times with
    ``<time>``; long strings keep their ends and a digest of the whole."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def id(self, value: str) -> str:
        return self.ids.setdefault(value, f"<id-{len(self.ids) + 1}>")

    def text(self, value: str) -> str:
        value = _UUID.sub(lambda m: self.id(m.group(0)), value)
        if len(value) > _LONG:
            digest = hashlib.sha256(value.encode()).hexdigest()[:16]
            value = f"{value[:1500]}\n…[{len(value)} chars, sha256 {digest}]…\n{value[-500:]}"
        return value

    def __call__(self, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: self._field(k, v) for k, v in data.items()}
        if isinstance(data, list):
            return [self(v) for v in data]
        if isinstance(data, str):
            return self.text(data)
        return data

    def _field(self, key: str, value: Any) -> Any:
        if (key in _VOLATILE_KEYS or key.endswith("_ms")) and value is not None:
            return "<volatile>"
        if isinstance(value, str) and _TIME.fullmatch(value):
            return "<time>"
        return self(value)


def _check_golden(name: str, data: Any) -> None:
    check_golden(
        GOLDEN_DIR / f"{name}.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n", produced="this run"
    )


# ---------------------------------------------------------------------------------------------


def _timeline_in_stage_order(session: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parallel branches interleave differently on every run: order events by stage, then by the
    execution's agent index, keeping each execution's (and the session's own) order."""
    rank: dict[str | None, tuple[int, int]] = {}
    for s_pos, stage in enumerate(session["stages"]):
        rank[stage["id"]] = (s_pos, -1)
        for execution in stage["executions"]:
            rank[execution["id"]] = (s_pos, execution["agent_index"])
    last = (len(session["stages"]), 0)

    def key(event: dict[str, Any]) -> tuple[int, int, int]:
        owner = event["execution_id"] or event["stage_id"]
        return (*rank.get(owner, last), event["sequence"])

    return sorted(events, key=key)


async def _interactions(tarsy: RunningTarsy, session_id: str, trace: dict[str, Any]) -> list[dict[str, Any]]:
    details: list[dict[str, Any]] = []
    items = [i for s in trace["stages"] for e in s["executions"] for i in e["interactions"]]
    items += trace["session_interactions"]
    for item in items:
        resp = await tarsy.client.get(f"/api/v1/sessions/{session_id}/trace/{item['kind']}/{item['id']}")
        assert resp.status_code == 200, resp.text
        details.append({"kind": item["kind"], **resp.json()})
    return details


async def _wait_chat(tarsy: RunningTarsy, session_id: str) -> dict[str, Any]:
    for _ in range(600):
        chat: dict[str, Any] = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/chat")).json()
        if chat["messages"] and chat["messages"][-1]["status"] in {"completed", "failed", "cancelled"}:
            return chat
        await asyncio.sleep(0.05)
    raise AssertionError("the chat answer never finished")


async def test_pipeline_matches_its_goldens(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT, tarsy=CONFIG)
    async with running_tarsy(config, database_url, workers=1) as tarsy:
        session_id = await tarsy.submit(data=ALERT)
        session = await tarsy.wait_status(session_id, {"completed", "failed"}, timeout=120)
        assert session["status"] == "completed", session["error_message"]
        stream = await read_sse(tarsy.client, f"/api/v1/sessions/{session_id}/events")

        resp = await tarsy.client.post(f"/api/v1/sessions/{session_id}/chat/messages", json={"content": QUESTION})
        assert resp.status_code == 202, resp.text
        chat = await _wait_chat(tarsy, session_id)

        session = (await tarsy.client.get(f"/api/v1/sessions/{session_id}")).json()
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        trace = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/trace")).json()
        # Tool lists outside any stage run concurrently, one per server: order them by server, stably.
        trace["session_interactions"].sort(key=lambda i: (i["kind"], i["server"] or "", i["interaction_type"]))
        interactions = await _interactions(tarsy, session_id, trace)
        summary = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/summary")).json()

    # The shape, asserted directly so a failure reads plainly before any golden diff.
    shape = [(s["name"], s["stage_type"], s["parallel_type"], s["status"]) for s in session["stages"]]
    assert shape == [
        ("triage", "investigation", "multi_agent", "completed"),
        ("triage - Synthesis", "synthesis", "single", "completed"),
        ("scan", "investigation", "replica", "completed"),
        ("scan - Synthesis", "synthesis", "single", "completed"),
        ("remediate", "investigation", "single", "completed"),
        ("verify", "investigation", "single", "completed"),
        ("Executive Summary", "exec_summary", "single", "completed"),
        ("Chat: api-client", "chat", "single", "completed"),
    ], shape
    agents = [[(e["agent_name"], e["strategy"]) for e in s["executions"]] for s in session["stages"][:4]]
    assert agents == [
        [("LogsAgent", "react"), ("MetricsAgent", "native-thinking")],
        [("SynthesisAgent", "native-thinking")],
        [("ScannerAgent-1", "react"), ("ScannerAgent-2", "react")],
        [("Arbiter", "native-thinking")],
    ]
    assert session["final_analysis"].startswith("The fix is safe")
    assert session["executive_summary"].startswith("checkout-api OOMKilled")
    assert chat["messages"][-1]["answer"] == "The limit is 512Mi; 1Gi leaves room for the eager warm-up."

    llm_types = [(d["interaction_type"]) for d in interactions if d["kind"] == "llm"]
    assert "forced_conclusion" in llm_types and "summarization" in llm_types, llm_types
    servers = {d["server"] for d in interactions if d["kind"] == "mcp" and d["interaction_type"] == "tool_call"}
    assert servers == {"kubernetes-server", "tiny"}
    summarized = next(d for d in interactions if d["kind"] == "mcp" and d["tool"] == "pods_log")
    seen_by_agents = [
        m["content"] for d in interactions if d["kind"] == "llm" for m in d["messages"] if m["role"] == "tool"
    ]
    assert any("eager warm-up of 250000 products" in t for t in seen_by_agents), "the agent saw the summary"
    assert not any("cache warm-up started" in t for t in seen_by_agents), "and not the raw log"
    assert len(summarized["result"] or "") > 20_000, "the stored interaction keeps the full result"

    # Every stage's status streamed live; the stream's terminal event is the session's.
    kinds = [e["event"] for e in stream]
    assert kinds.count("stage.status") >= 2 * 7 and kinds[-1] == "session.status"

    normalize = Normalizer()
    _check_golden("session", normalize(session))
    _check_golden("timeline", normalize(_timeline_in_stage_order(session, timeline)))
    _check_golden("trace", normalize(trace))
    _check_golden("interactions", normalize(interactions))
    _check_golden("summary", normalize(summary))
    _check_golden("chat", normalize(chat))
