"""History and trace of a real session: what the trace rebuilds is exactly what the model received."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage, message_chunk_to_message
from langchain_core.outputs import LLMResult
from langchain_core.tools import tool
from langchain_core.tracers.context import register_configure_hook

from tarsy.llm.messages import message_to_dict, messages_to_dicts
from tarsy.tools.static import StaticToolExecutor
from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

CHAIN: dict[str, Any] = {
    "mcp_servers": {"srv": {"transport": {"type": "stdio", "command": "true"}}},
    "agents": {"Investigator": {"mcp_servers": ["srv"]}},
    "agent_chains": {
        "kubernetes": {"alert_types": ["kubernetes"], "stages": [{"name": "investigate", "agent": "Investigator"}]}
    },
}

SCRIPT: dict[str, Any] = {
    "agents": {
        "Investigator": [
            {
                "thinking": "Check the memory limit first.",
                "tool_calls": [{"id": "c1", "name": "srv__memory_limit", "args": {"pod": "api-1"}}],
            },
            {
                "text": "Comparing with a sibling and the events.",
                "tool_calls": [
                    {"id": "c2", "name": "srv__memory_limit", "args": {"pod": "api-2"}},
                    {"id": "c3", "name": "srv__pod_events", "args": {"pod": "api-1"}},
                ],
            },
            {"thinking": "Enough evidence.", "text": "Root cause: api-1 is OOMKilled; raise its memory limit."},
        ],
        "ExecSummaryAgent": [{"text": "api-1 OOMKilled; raise the limit."}],
    }
}


@tool
def memory_limit(pod: str) -> str:
    """The memory limit of a pod."""
    return f"{pod}: limits.memory=256Mi"


@tool
def pod_events(pod: str) -> str:
    """Recent events of a pod."""
    raise PermissionError(f"events of {pod} are forbidden")


class ModelInputs(BaseCallbackHandler):
    """Records every conversation a chat model is called with, and its reply, as stored dicts."""

    run_inline = True  # keep call order

    def __init__(self) -> None:
        self.sent: list[list[dict[str, Any]]] = []
        self.replies: list[dict[str, Any]] = []

    def on_chat_model_start(self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **_: Any) -> None:
        self.sent.append(messages_to_dicts(messages[0]))

    def on_llm_end(self, response: LLMResult, **_: Any) -> None:
        generation: Any = response.generations[0][0]
        self.replies.append(message_to_dict(message_chunk_to_message(generation.message)))


# Every runnable configured while this is set (the workers inherit it from the test) reports here.
_model_inputs: ContextVar[ModelInputs | None] = ContextVar("tarsy_test_model_inputs", default=None)
register_configure_hook(_model_inputs, inheritable=True)


def _plain(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in m.items() if v is not None} for m in messages]


async def test_summary_and_trace_of_a_tool_calling_session(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT, tarsy=CHAIN)
    seen = ModelInputs()
    token = _model_inputs.set(seen)
    try:
        async with running_tarsy(
            config, database_url, tools=StaticToolExecutor({"srv": [memory_limit, pod_events]})
        ) as tarsy:
            session_id = await tarsy.submit()
            session = await tarsy.wait_status(session_id, {"completed"})
            client = tarsy.client
            summary = (await client.get(f"/api/v1/sessions/{session_id}/summary")).json()
            trace = (await client.get(f"/api/v1/sessions/{session_id}/trace")).json()
            timeline = (await client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
            calls = [i for s in trace["stages"] for e in s["executions"] for i in e["interactions"]]
            details = [(await client.get(f"/api/v1/sessions/{session_id}/trace/llm/{c['id']}")).json() for c in calls]
            listed = (await client.get("/api/v1/sessions", params={"search": "256Mi"})).json()
            by_analysis = (await client.get("/api/v1/sessions", params={"search": "oomkilled"})).json()
    finally:
        _model_inputs.reset(token)

    # The trace: one investigation agent with three calls, then the executive summary's one.
    assert [(s["stage_type"], [e["agent_name"] for e in s["executions"]]) for s in trace["stages"]] == [
        ("investigation", ["Investigator"]),
        ("exec_summary", ["ExecSummaryAgent"]),
    ]
    assert [(c["kind"], c["interaction_type"], c["model"]) for c in calls] == [
        ("llm", "iteration", "test-model"),
        ("llm", "iteration", "test-model"),
        ("llm", "iteration", "test-model"),
        ("llm", "executive_summary", "test-model"),
    ]
    assert trace["session_interactions"] == []

    # Each call's rebuilt conversation is what the model was sent, and its response what it replied.
    assert len(seen.sent) == len(details) == 4
    assert [_plain(d["messages"]) for d in details] == seen.sent
    assert [_plain([d["response"]])[0] for d in details] == seen.replies
    roles = [(m["role"], len(m.get("tool_calls") or [])) for m in details[2]["messages"]]
    assert roles == [
        ("system", 0),
        ("user", 0),
        ("assistant", 1),
        ("tool", 0),
        ("assistant", 2),
        ("tool", 0),
        ("tool", 0),
    ]
    tool_messages = [m for m in details[2]["messages"] if m["role"] == "tool"]
    assert [(m["tool_call_id"], m["content"]) for m in tool_messages] == [
        ("c1", "api-1: limits.memory=256Mi"),
        ("c2", "api-2: limits.memory=256Mi"),
        ("c3", "Error: PermissionError: events of api-1 are forbidden"),
    ]
    assert details[0]["thinking"] == "Check the memory limit first."
    assert details[2]["response"]["content"] == session["final_analysis"]
    assert details[0]["tools"] == ["srv.memory_limit", "srv.pod_events"]

    # The summary's figures agree with the trace and the session.
    assert summary["status"] == "completed"
    tokens = {
        "input": sum(d["input_tokens"] for d in details),
        "output": sum(d["output_tokens"] for d in details),
        "thinking": sum(d["thinking_tokens"] for d in details),
        "total": sum(d["total_tokens"] for d in details),
    }
    assert summary["tokens"] == tokens and tokens["total"] > 0
    assert [(s["stage_type"], s["status"], len(s["agents"])) for s in summary["stages"]] == [
        ("investigation", "completed", 1),
        ("exec_summary", "completed", 1),
    ]
    assert summary["stages"][0]["tokens"]["total"] == sum(d["total_tokens"] for d in details[:3])
    assert summary["counts"] == {
        "stages": 2,
        "executions": 2,
        "llm_calls": 4,
        "mcp_calls": 0,  # StaticToolExecutor records no MCP interactions
        "timeline_events": len(timeline),
    }
    durations = summary["durations"]
    assert durations["run_ms"] == session["duration_ms"]
    assert durations["total_ms"] >= durations["queue_ms"] + durations["run_ms"] - 1

    # Search reaches the tool results in the timeline (flagged) and the final analysis (not flagged).
    assert [(i["id"], i["matched_in_timeline"]) for i in listed["items"]] == [(session_id, True)]
    assert [(i["id"], i["matched_in_timeline"]) for i in by_analysis["items"]] == [(session_id, False)]
    item = by_analysis["items"][0]
    assert (item["total_tokens"], item["stage_count"], item["duration_ms"]) == (
        tokens["total"],
        1,
        session["duration_ms"],
    )
