"""The trace endpoints over hand-written interaction rows, including a call repeated after a crash."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from tests.integration.api.conftest import SeededTarsy
from tests.integration.api.seed import BASE

pytestmark = [pytest.mark.integration]

SYSTEM = {"role": "system", "content": "You are KubernetesAgent, an agent of TARSy."}
USER = {"role": "user", "content": "Investigate: pod api-1 CrashLoopBackOff"}


def assistant(text: str, *calls: tuple[str, str, dict[str, Any]]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": text}
    if calls:
        message["tool_calls"] = [{"id": i, "name": n, "arguments": a} for i, n, a in calls]
    return message


def tool(call_id: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "content": content, "tool_call_id": call_id, "name": "srv__pods"}


@dataclass
class Scenario:
    """Rows of one session with two agents in one stage, written with increasing timestamps."""

    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    stage_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    first: str = field(default_factory=lambda: str(uuid.uuid4()))
    second: str = field(default_factory=lambda: str(uuid.uuid4()))
    llm: dict[str, str] = field(default_factory=dict)
    mcp: dict[str, str] = field(default_factory=dict)
    rows: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    clock: int = 0

    def _at(self) -> Any:
        self.clock += 1
        return BASE + timedelta(seconds=self.clock)

    def call(self, name: str, execution: str | None, offset: int, request: list[Any], response: Any) -> None:
        self.llm[name] = str(uuid.uuid4())
        self.rows.append(
            (
                "INSERT INTO llm_interactions (id, session_id, stage_id, execution_id, interaction_type, provider,"
                " model, conversation_offset, request_messages, response, thinking, input_tokens, output_tokens,"
                " thinking_tokens, total_tokens, duration_ms, error, created_at)"
                " VALUES (%s, %s, %s, %s, 'iteration', 'gemini', 'g-pro', %s, %s, %s, %s, %s, %s, 7, %s, 42, %s, %s)",
                (
                    self.llm[name],
                    self.session_id,
                    self.stage_id if execution else None,
                    execution,
                    offset,
                    json.dumps(request),
                    None if response is None else json.dumps(response),
                    f"thinking of {name}",
                    len(name) * 10,
                    len(name),
                    len(name) * 11,
                    "provider timed out" if response is None else None,
                    self._at(),
                ),
            )
        )

    def tool_call(self, name: str, execution: str, tool_name: str | None, *, is_error: bool = False) -> None:
        self.mcp[name] = str(uuid.uuid4())
        listing = tool_name is None
        self.rows.append(
            (
                "INSERT INTO mcp_interactions (id, session_id, stage_id, execution_id, interaction_type, server, tool,"
                " arguments, result, is_error, available_tools, duration_ms, created_at)"
                " VALUES (%s, %s, %s, %s, %s, 'srv', %s, %s, %s, %s, %s, 5, %s)",
                (
                    self.mcp[name],
                    self.session_id,
                    self.stage_id,
                    execution,
                    "tool_list" if listing else "tool_call",
                    tool_name,
                    json.dumps({} if listing else {"namespace": "prod"}),
                    None if listing else f"result of {name}",
                    is_error,
                    json.dumps([{"name": "pods", "description": "List pods"}]) if listing else None,
                    self._at(),
                ),
            )
        )


def build_scenario() -> Scenario:
    sc = Scenario()
    call_1 = assistant("", ("c1", "srv__pods", {"namespace": "prod"}))
    call_2_abandoned = assistant("", ("c2", "srv__pods", {"namespace": "dev"}))
    call_2 = assistant("", ("c2b", "srv__pods", {"namespace": "staging"}))
    sc.tool_call("listing", sc.first, None)
    sc.call("one", sc.first, 0, [SYSTEM, USER], call_1)
    sc.call("other-agent", sc.second, 0, [SYSTEM, {"role": "user", "content": "other"}], assistant("done"))
    sc.tool_call("pods", sc.first, "pods")
    sc.call("two-abandoned", sc.first, 3, [tool("c1", "3 pods")], call_2_abandoned)
    # The worker died here; the resumed run repeats the call from the same offset.
    sc.call("two", sc.first, 3, [tool("c1", "3 pods")], call_2)
    sc.tool_call("pods-again", sc.first, "pods", is_error=True)
    sc.call("three", sc.first, 5, [tool("c2b", "Error: forbidden")], assistant("Root cause: OOM"))
    sc.call("failed", None, 0, [{"role": "user", "content": "summarize"}], None)
    return sc


@pytest.fixture(scope="module")
def scenario(seeded_database: tuple[str, Any]) -> Scenario:
    import psycopg

    url, _ = seeded_database
    sc = build_scenario()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO alert_sessions (id, alert_type, chain_id, status, alert_data, created_at)"
            " VALUES (%s, 'kubernetes', 'k8s-chain', 'completed', '{}', %s)",
            (sc.session_id, BASE),
        )
        conn.execute(
            "INSERT INTO stages (id, session_id, stage_index, name, status)"
            " VALUES (%s, %s, 0, 'investigate', 'completed')",
            (sc.stage_id, sc.session_id),
        )
        for index, execution in enumerate((sc.first, sc.second)):
            conn.execute(
                "INSERT INTO agent_executions (id, session_id, stage_id, agent_name, agent_index, strategy,"
                " llm_provider, model, status)"
                " VALUES (%s, %s, %s, %s, %s, 'native-thinking', 'gemini', 'g', 'completed')",
                (execution, sc.session_id, sc.stage_id, f"Agent{index}", index),
            )
        for sql, params in sc.rows:
            conn.execute(sql, params)  # type: ignore[arg-type]
    return sc


async def test_trace_groups_by_stage_and_execution_in_time_order(seeded: SeededTarsy, scenario: Scenario) -> None:
    body = (await seeded.tarsy.client.get(f"/api/v1/sessions/{scenario.session_id}/trace")).json()
    assert body["session_id"] == scenario.session_id
    [stage] = body["stages"]
    assert (stage["stage_id"], stage["stage_index"], stage["name"]) == (scenario.stage_id, 0, "investigate")
    first, second = stage["executions"]
    assert (first["execution_id"], first["agent_name"], first["agent_index"]) == (scenario.first, "Agent0", 0)
    ids = {v: k for k, v in {**scenario.llm, **scenario.mcp}.items()}
    assert [(ids[i["id"]], i["kind"]) for i in first["interactions"]] == [
        ("listing", "mcp"),
        ("one", "llm"),
        ("pods", "mcp"),
        ("two-abandoned", "llm"),
        ("two", "llm"),
        ("pods-again", "mcp"),
        ("three", "llm"),
    ]
    assert [ids[i["id"]] for i in second["interactions"]] == ["other-agent"]
    assert [ids[i["id"]] for i in body["session_interactions"]] == ["failed"]
    llm = first["interactions"][1]
    assert llm["provider"] == "gemini" and llm["model"] == "g-pro" and llm["server"] is None
    assert (llm["input_tokens"], llm["output_tokens"], llm["duration_ms"]) == (30, 3, 42)
    assert llm["interaction_type"] == "iteration" and llm["is_error"] is False
    mcp = first["interactions"][5]
    assert (mcp["server"], mcp["tool"], mcp["is_error"], mcp["input_tokens"]) == ("srv", "pods", True, None)
    assert first["interactions"][0]["interaction_type"] == "tool_list"
    failed = body["session_interactions"][0]
    assert failed["is_error"] is True and failed["error"] == "provider timed out"


async def llm_detail(env: SeededTarsy, sc: Scenario, name: str) -> dict[str, Any]:
    resp = await env.tarsy.client.get(f"/api/v1/sessions/{sc.session_id}/trace/llm/{sc.llm[name]}")
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


def normalized(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the optional keys that are null, so stored dicts and API messages compare directly."""
    return [{k: v for k, v in m.items() if v is not None} for m in messages]


async def test_llm_call_returns_the_full_conversation(seeded: SeededTarsy, scenario: Scenario) -> None:
    one = await llm_detail(seeded, scenario, "one")
    assert normalized(one["messages"]) == [SYSTEM, USER]
    assert one["response"]["tool_calls"] == [{"id": "c1", "name": "srv__pods", "arguments": {"namespace": "prod"}}]
    assert one["thinking"] == "thinking of one"
    assert (one["input_tokens"], one["output_tokens"], one["thinking_tokens"], one["total_tokens"]) == (30, 3, 7, 33)
    assert (one["session_id"], one["stage_id"], one["execution_id"]) == (
        scenario.session_id,
        scenario.stage_id,
        scenario.first,
    )

    three = await llm_detail(seeded, scenario, "three")
    assert normalized(three["messages"]) == [
        SYSTEM,
        USER,
        assistant("", ("c1", "srv__pods", {"namespace": "prod"})),
        tool("c1", "3 pods"),
        # The repeated call replaced the abandoned one from the same offset.
        assistant("", ("c2b", "srv__pods", {"namespace": "staging"})),
        tool("c2b", "Error: forbidden"),
    ]
    assert normalized([three["response"]]) == [assistant("Root cause: OOM")]

    two = await llm_detail(seeded, scenario, "two-abandoned")
    assert normalized(two["messages"]) == [
        SYSTEM,
        USER,
        assistant("", ("c1", "srv__pods", {"namespace": "prod"})),
        tool("c1", "3 pods"),
    ]
    other = await llm_detail(seeded, scenario, "other-agent")
    assert normalized(other["messages"]) == [SYSTEM, {"role": "user", "content": "other"}]
    failed = await llm_detail(seeded, scenario, "failed")
    assert failed["response"] is None and failed["error"] == "provider timed out"
    assert normalized(failed["messages"]) == [{"role": "user", "content": "summarize"}]


async def test_mcp_call_details(seeded: SeededTarsy, scenario: Scenario) -> None:
    client = seeded.tarsy.client
    call = (await client.get(f"/api/v1/sessions/{scenario.session_id}/trace/mcp/{scenario.mcp['pods']}")).json()
    assert call == {
        "id": scenario.mcp["pods"],
        "interaction_type": "tool_call",
        "server": "srv",
        "tool": "pods",
        "arguments": {"namespace": "prod"},
        "result": "result of pods",
        "is_error": False,
        "error": None,
        "available_tools": None,
        "duration_ms": 5,
        "created_at": call["created_at"],
        "stage_id": scenario.stage_id,
        "execution_id": scenario.first,
    }
    listing = (await client.get(f"/api/v1/sessions/{scenario.session_id}/trace/mcp/{scenario.mcp['listing']}")).json()
    assert listing["available_tools"] == [{"name": "pods", "description": "List pods"}]
    assert listing["tool"] is None


async def test_trace_not_found_names_what_is_missing(seeded: SeededTarsy, scenario: Scenario) -> None:
    client = seeded.tarsy.client
    base = f"/api/v1/sessions/{scenario.session_id}/trace"
    missing = str(uuid.uuid4())
    other_session = seeded.seeded.sessions[0].id
    cases = [
        (f"/api/v1/sessions/{missing}/trace", f"session '{missing}'"),
        (f"{base}/llm/{missing}", f"LLM interaction '{missing}'"),
        (f"{base}/llm/nonsense", "LLM interaction 'nonsense'"),
        (f"{base}/llm/{scenario.mcp['pods']}", "LLM interaction"),  # an MCP id on the LLM path
        (f"{base}/mcp/{scenario.llm['one']}", "MCP interaction"),
        (f"/api/v1/sessions/{other_session}/trace/llm/{scenario.llm['one']}", other_session),
        (f"/api/v1/sessions/{missing}/trace/mcp/{scenario.mcp['pods']}", f"session '{missing}'"),
    ]
    for path, needle in cases:
        resp = await client.get(path)
        assert resp.status_code == 404, path
        assert needle in resp.json()["error"]["message"], (path, resp.text)


async def test_trace_of_a_session_without_interactions(seeded: SeededTarsy) -> None:
    session = next(
        s for s in seeded.seeded.sessions if s.status == "failed" and s.stages and len(s.stages[0].executions) == 2
    )
    body = (await seeded.tarsy.client.get(f"/api/v1/sessions/{session.id}/trace")).json()
    assert [s["stage_id"] for s in body["stages"]] == [s.id for s in session.stages]
    assert [e["execution_id"] for e in body["stages"][0]["executions"]] == [e.id for e in session.stages[0].executions]
    assert all(e["interactions"] == [] for s in body["stages"] for e in s["executions"])
    assert body["session_interactions"] == []
