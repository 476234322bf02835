"""Cost through the whole product: a real session (scripted model reporting chosen usage, real
PostgreSQL) priced from the ``pricing`` section, read back from the list, the detail, the trace,
the usage summary and /metrics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.integration]

# KubernetesAgent's one call: 10,000 prompt tokens (4,000 from the cache), 1,000 answer tokens
# (200 of them thinking). The other agents' calls report no usage: estimated, and marked so.
SCRIPT: dict[str, Any] = {
    "agents": {
        "KubernetesAgent": [
            {
                "text": "The pod runs out of memory.",
                "usage": {"input_tokens": 10_000, "output_tokens": 1_000, "cache_read": 4_000, "reasoning": 200},
            }
        ],
        "*": [{"text": "Summary: out of memory.", "usage": None}],
    }
}
PRICING = {"models": {"test-model": {"input": 2.0, "cached_input": 0.5, "output": 8.0}}}
# 6,000 x 2 + 4,000 x 0.5 + 1,000 x 8 (thinking is billed as output) = 22,000 per million tokens
AGENT_COST = 0.022


def _calls(trace: dict[str, Any]) -> list[dict[str, Any]]:
    nested = [i for s in trace["stages"] for e in s["executions"] for i in e["interactions"]]
    return [i for i in nested + trace["session_interactions"] if i["kind"] == "llm"]


def _estimate(call: dict[str, Any]) -> float:
    return (call["input_tokens"] * 2.0 + call["output_tokens"] * 8.0) / 1e6


async def test_a_session_s_cost_in_the_list_detail_trace_summary_and_metrics(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT, tarsy={"pricing": PRICING})
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed"})
        trace = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/trace")).json()
        listing = (await tarsy.client.get("/api/v1/sessions")).json()
        summaries = {
            group: (await tarsy.client.get("/api/v1/usage/summary", params={"group_by": group})).json()
            for group in ("day", "chain", "model", "author")
        }
        metrics = (await tarsy.client.get("/metrics")).text

    calls = _calls(trace)
    agent_call = next(c for c in calls if c["interaction_type"] == "iteration")
    assert agent_call["cost_usd"] == pytest.approx(AGENT_COST)
    assert (agent_call["cost_estimated"], agent_call["cost_note"]) == (False, None)
    others = [c for c in calls if c is not agent_call]
    assert others, "the executive summary is a model call too"
    assert all(c["cost_estimated"] and c["input_tokens"] > 0 for c in others)
    for call in others:
        assert call["cost_usd"] == pytest.approx(_estimate(call))
    total = AGENT_COST + sum(_estimate(c) for c in others)

    assert session["cost_usd"] == pytest.approx(total)
    assert session["cost_estimated"] is True
    assert session["unpriced_calls"] == 0
    assert session["cached_tokens"] == 4_000
    agent_stage = next(s for s in session["stages"] if s["executions"][0]["agent_name"] == "KubernetesAgent")
    assert agent_stage["cost_usd"] == pytest.approx(AGENT_COST)
    assert agent_stage["executions"][0]["cost_usd"] == pytest.approx(AGENT_COST)
    assert agent_stage["executions"][0]["cost_estimated"] is False

    item = next(i for i in listing["items"] if i["id"] == session_id)
    assert item["cost_usd"] == pytest.approx(total)
    assert item["cost_estimated"] is True

    for group, summary in summaries.items():
        assert summary["totals"]["cost_usd"] == pytest.approx(total), group
        assert summary["totals"]["calls"] == len(calls)
        assert summary["totals"]["estimated_calls"] == len(others)
        assert summary["totals"]["cached_tokens"] == 4_000
        assert [g["key"] for g in summary["groups"]] == [
            {"day": datetime.now(UTC).date().isoformat(), "chain": session["chain_id"], "model": "test-model"}.get(
                group, session["author"]
            )
        ]
        assert summary["groups"][0]["cost_usd"] == pytest.approx(total)

    line = next(x for x in metrics.splitlines() if x.startswith("tarsy_llm_cost_usd_total{"))
    assert 'model="test-model"' in line and 'provider="test-scripted"' in line
    assert float(line.rsplit(" ", 1)[1]) == pytest.approx(total)


async def test_an_unpriced_model_has_a_null_cost_with_the_reason(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT)  # test-model is in no price table
    async with running_tarsy(config, database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed"})
        trace = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/trace")).json()

    calls = _calls(trace)
    assert all(c["cost_usd"] is None and "test-model" in c["cost_note"] for c in calls)
    assert session["cost_usd"] is None
    assert session["unpriced_calls"] == len(calls)


async def test_the_summary_refuses_bad_ranges_and_groupings(tmp_path: Path, database_url: str) -> None:
    config = write_config(tmp_path / "config", script=SCRIPT)
    now = datetime.now(UTC)
    async with running_tarsy(config, database_url, workers=0) as tarsy:
        get = tarsy.client.get
        backwards = await get(
            "/api/v1/usage/summary", params={"from": now.isoformat(), "to": (now - timedelta(1)).isoformat()}
        )
        too_long = await get("/api/v1/usage/summary", params={"from": (now - timedelta(400)).isoformat()})
        grouping = await get("/api/v1/usage/summary", params={"group_by": "team"})
        number = await get("/api/v1/usage/summary", params={"from": "1700000000"})
        empty = await get(
            "/api/v1/usage/summary",
            params={"from": "2001-01-01T00:00:00Z", "to": "2001-01-02T00:00:00Z", "group_by": "model"},
        )

    assert backwards.status_code == 400 and "before" in backwards.json()["error"]["message"]
    assert too_long.status_code == 400 and "366 days" in too_long.json()["error"]["message"]
    assert grouping.status_code == 422
    assert number.status_code == 422
    assert empty.status_code == 200
    assert empty.json()["totals"]["calls"] == 0 and empty.json()["groups"] == []
