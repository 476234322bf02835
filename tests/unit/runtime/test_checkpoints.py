"""Resume points derived from a session's records, and the rows a fork from each one copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tarsy.errors import NotFoundError
from tarsy.runtime.checkpoints import checkpoints, find, parse_id, record_copy
from tarsy.store.forks import SessionRecords
from tarsy.store.records import step_event_id

T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


class Session:
    """A factory of record rows in the shape ``tarsy.store.forks.session_records`` returns them."""

    def __init__(self) -> None:
        self.records = SessionRecords([], [], [], [], [])
        self.clock = 0
        self.seq = 0

    def tick(self) -> datetime:
        self.clock += 1
        return T0 + timedelta(seconds=self.clock)

    def stage(self, index: int, name: str, status: str = "completed", stage_type: str = "investigation") -> str:
        row = {"id": f"s{index}", "stage_index": index, "name": name, "stage_type": stage_type, "status": status}
        self.records.stages.append({**row, "started_at": self.tick(), "completed_at": None})
        return str(row["id"])

    def execution(self, stage_id: str, agent_index: int, name: str, status: str = "completed") -> str:
        execution_id = f"{stage_id}e{agent_index}"
        row = {"id": execution_id, "stage_id": stage_id, "agent_name": name, "agent_index": agent_index}
        self.records.executions.append({**row, "status": status, "llm_provider": "p", "model": "m"})
        return execution_id

    def event(self, stage_id: str, execution_id: str, event_type: str, step: str | None) -> str:
        self.seq += 1
        event_id = f"ev{self.seq}"
        row = {"id": event_id, "stage_id": stage_id, "execution_id": execution_id, "event_type": event_type}
        self.records.events.append({**row, "seq": self.seq, "step": step})
        return event_id

    def call(self, stage_id: str, execution_id: str, iteration: int, reply: str, tools: list[str] = []) -> None:  # noqa: B006
        self.event(stage_id, execution_id, "llm_response", str(iteration))
        row: dict[str, Any] = {"id": f"c{len(self.records.calls)}", "stage_id": stage_id, "execution_id": execution_id}
        row |= {"created_at": self.tick(), "provider": "p", "answered": True, "reply": reply, "tool_names": tools}
        self.records.calls.append(row)
        for index, _ in enumerate(tools):
            event_id = self.event(stage_id, execution_id, "llm_tool_call", f"{iteration}.{index}")
            tool = {"id": f"t{event_id}", "stage_id": stage_id, "execution_id": execution_id}
            self.records.tools.append({**tool, "timeline_event_id": event_id, "created_at": self.tick()})


def _parallel_session() -> Session:
    """collect (one agent, a tool round) → scan (two agents interleaved) → synthesis → summary."""
    s = Session()
    collect = s.stage(0, "collect")
    collector = s.execution(collect, 0, "Collector")
    s.call(collect, collector, 0, "Listing.\nmore", ["k8s__pods_list"])
    s.call(collect, collector, 1, "Facts.")
    scan = s.stage(1, "scan")
    a, b = s.execution(scan, 0, "Scanner-1"), s.execution(scan, 1, "Scanner-2")
    s.call(scan, a, 0, "A looks", ["k8s__events"])
    s.call(scan, b, 0, "B looks", ["k8s__logs"])
    s.call(scan, a, 1, "A looks again", ["k8s__events"])
    s.event(scan, a, "mcp_tool_summary", None)  # a summary of A's second tool result, before A's next call
    s.call(scan, b, 1, "B done.")
    s.call(scan, a, 2, "A done.")
    synthesis = s.stage(2, "scan - Synthesis", stage_type="synthesis")
    s.call(synthesis, s.execution(synthesis, 0, "SynthesisAgent"), 0, "Both agree.")
    summary = s.stage(3, "Executive Summary", stage_type="exec_summary")
    s.call(summary, s.execution(summary, 0, "ExecSummaryAgent"), 0, "Summary.")
    return s


def _in_order(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: row["created_at"])


def test_points_are_every_stage_boundary_and_every_call_but_a_final_answer() -> None:
    points = checkpoints(_parallel_session().records)
    assert [p.id for p in points] == [
        "stage-0",
        "stage-0-agent-0-call-1",
        "stage-1",
        "stage-1-agent-0-call-1",
        "stage-1-agent-0-call-2",
        "stage-1-agent-1-call-1",
        "stage-2",
        "stage-3",
    ]
    first = points[1]
    assert (first.kind, first.agent_name, first.iteration, first.model_calls, first.tool_calls) == (
        "agent_iteration",
        "Collector",
        1,
        1,
        1,
    )
    assert (first.last_reply, first.last_tool_calls) == ("Listing.", ["k8s__pods_list"])
    assert points[6].stages_completed == ["collect", "scan"]
    assert (points[6].model_calls, points[6].tool_calls) == (2 + 5, 1 + 3)


def test_a_parallel_sibling_keeps_what_it_had_recorded_before_the_fork_point() -> None:
    records = _parallel_session().records
    # A's second call is reused, its third (made after B finished) is the first live one: B is reused whole.
    point, chosen = find(records, "stage-1-agent-0-call-2")
    assert point.model_calls == 2 + 2 + 2
    scan_calls = [(c["execution_id"], c["reply"]) for c in _in_order(chosen.calls) if c["stage_id"] == "s1"]
    assert scan_calls == [("s1e0", "A looks"), ("s1e1", "B looks"), ("s1e0", "A looks again"), ("s1e1", "B done.")]
    kinds = [(e["execution_id"], e["event_type"], e["step"]) for e in chosen.events if e["stage_id"] == "s1"]
    assert ("s1e0", "mcp_tool_summary", None) in kinds
    assert ("s1e0", "llm_response", "2") not in kinds
    assert chosen.reopened == {"s1", "s1e0", "s1e1"}  # the cut stage runs again, finishing what is missing

    # A's first call only: B had made one call before A's second, so it keeps that one and its tool call.
    _, chosen = find(records, "stage-1-agent-0-call-1")
    scan_calls = [(c["execution_id"], c["reply"]) for c in _in_order(chosen.calls) if c["stage_id"] == "s1"]
    assert scan_calls == [("s1e0", "A looks"), ("s1e1", "B looks")]
    steps = sorted(str(e["step"]) for e in chosen.events if e["execution_id"] == "s1e1")
    assert steps == ["0", "0.0"]
    assert [t["execution_id"] for t in chosen.tools if t["stage_id"] == "s1"] == ["s1e0", "s1e1"]


def test_a_boundary_copies_whole_stages_and_a_step_event_gets_the_new_executions_id() -> None:
    _, chosen = find(_parallel_session().records, "stage-2")
    assert [s["name"] for s in chosen.stages] == ["collect", "scan"]
    assert chosen.reopened == set()
    copy = record_copy(chosen)
    tool_event = next(e for e in chosen.events if e["event_type"] == "llm_tool_call")
    new_execution = copy.ids[str(tool_event["execution_id"])]
    assert copy.ids[str(tool_event["id"])] == step_event_id(new_execution, "llm_tool_call", str(tool_event["step"]))
    assert len(set(copy.ids.values())) == len(copy.ids)


def test_points_after_an_unfinished_stage_are_not_offered() -> None:
    s = Session()
    collect = s.stage(0, "collect", status="failed")
    execution = s.execution(collect, 0, "Collector", status="failed")
    s.call(collect, execution, 0, "Looking.", ["k8s__pods_list"])
    s.stage(1, "analyse", status="cancelled")
    ids = [p.id for p in checkpoints(s.records)]
    assert ids == ["stage-0", "stage-0-agent-0-call-1"]  # a failed agent's last call is a point: it runs again
    with pytest.raises(NotFoundError):
        find(s.records, "stage-1")


@pytest.mark.parametrize("bad", ["", "stage-", "stage-1-agent-0", "stage-1-agent-0-call-x", "x" * 200])
def test_malformed_ids_are_not_found(bad: str) -> None:
    with pytest.raises(NotFoundError):
        parse_id(bad)
