"""Sub-agents in an agent run (scripted models, in-memory records): dispatch in parallel, cancel,
time out, guardrails, results as messages, and a resumed parent that re-runs no finished sub-agent."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

from tarsy.actions.gate import ApprovalRefused
from tarsy.config import TarsyConfig, load_config_from_data, resolve_sub_agent
from tarsy.nodes.context import RunContext
from tarsy.nodes.memory_recorder import MemoryRecorder
from tarsy.nodes.orchestrator import CANCEL, DISPATCH, LIST
from tests.unit.agent.factories import AGENT, MODEL, PROVIDER, AgentRun, SentMessages, tarsy_doc

SUB_AGENTS = {
    name: {"description": f"{name} does one thing.", "custom_instructions": f"You are {name}."}
    for name in ("Fast", "Slow", "Hang")
}


def dispatch(name: str, task: str, call_id: str) -> dict[str, Any]:
    return {"name": "tarsy__dispatch_agent", "args": {"name": name, "task": task}, "id": call_id}


def config(tmp_path: Path, parent: list[dict[str, Any]], **orchestrator: Any) -> TarsyConfig:
    script = {
        "agents": {
            AGENT: parent,
            "Fast": [{"text": "Fast found: the limit is 256Mi."}],
            "Slow": [{"sleep_s": 30, "text": "never"}],
            "Hang": [{"sleep_s": 30, "text": "never"}],
        }
    }
    path = tmp_path / "script.json"
    path.write_text(json.dumps(script))
    doc = tarsy_doc(agent={"sub_agents": ["Fast", "Slow", "Hang"]})
    doc["agents"].update(SUB_AGENTS)
    doc["defaults"]["orchestrator"] = {"agent_timeout": "1s", **orchestrator}
    providers = {"llm_providers": {PROVIDER: {"type": "scripted", "script": str(path), "model": MODEL}}}
    return load_config_from_data(doc, providers, env={})


class RefusingRun(AgentRun):
    """The service's wiring: sub-agents get tools that refuse calls needing a person."""

    def context(self) -> RunContext:
        ctx = super().context()
        return dataclasses.replace(ctx, sub_agent_tools=ApprovalRefused(ctx.tools, self.config))


class FastWatch(MemoryRecorder):
    """Signals when the sub-agent Fast has finished."""

    def __init__(self) -> None:
        super().__init__()
        self.fast_done = asyncio.Event()

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        await super().execution_finished(execution_id, status, error)
        if finished(self).get("Fast") == "completed":
            self.fast_done.set()


def finished(recorder: MemoryRecorder) -> dict[str, str]:
    agents = {e.data["execution_id"]: e.data["agent"] for e in recorder.events if e.kind == "execution.started"}
    return {agents[e.data["execution_id"]]: e.data["status"] for e in recorder.events if e.kind == "execution.finished"}


def calls_of(recorder: MemoryRecorder, agent: str) -> int:
    agents = {e.data["execution_id"]: e.data["agent"] for e in recorder.events if e.kind == "execution.started"}
    return sum(1 for c in recorder.llm_calls if agents.get(c.execution_id or "") == agent)


async def test_three_in_parallel_one_cancelled_one_timing_out(tmp_path: Path) -> None:
    parent = [
        {
            "text": "",
            "tool_calls": [
                dispatch("Fast", "check the limit", "d1"),
                dispatch("Slow", "x", "d2"),
                dispatch("Hang", "y", "d3"),
            ],
        },
        {"text": "", "tool_calls": [{"name": "tarsy__cancel_agent", "args": {"execution_id": "exec-2"}, "id": "c1"}]},
        {"text": "", "tool_calls": [{"name": "tarsy__list_agents", "args": {}, "id": "l1"}]},
        {"text": "Preliminary answer."},
        {"text": "Final: the limit is 256Mi."},
    ]
    watch = SentMessages()
    run = await AgentRun(config(tmp_path, parent, agent_timeout="3s")).run(watch=watch)

    assert run.answer == "Final: the limit is 256Mi."
    assert finished(run.recorder) == {"Fast": "completed", "Slow": "cancelled", "Hang": "timed_out"}
    started = [e.data for e in run.recorder.events if e.kind == "execution.started"]
    assert {(s["agent"], s["parent_execution_id"]) for s in started} == {
        ("Fast", "exec-under-test"),
        ("Slow", "exec-under-test"),
        ("Hang", "exec-under-test"),
    }
    assert {s["task"] for s in started} == {"check the limit", "x", "y"}
    tools = {c["metadata"]["tool"]: c["content"] for c in run.timeline("llm_tool_call")}
    assert tools[DISPATCH].startswith("Dispatched")
    assert tools[CANCEL] == "Cancelled Slow (exec-2)."
    assert "exec-3 Hang: running" in tools[LIST]
    delivered = {e["metadata"]["agent"]: e["metadata"]["status"] for e in run.timeline("sub_agent_result")}
    assert delivered == {"Fast": "completed", "Slow": "cancelled", "Hang": "timed_out"}
    last = "\n".join(str(m["content"]) for m in watch.calls[-1])
    assert "[Sub-agent Hang (exec-3) timed_out]\nTask: y\n\ntimed out after 3s" in last, (
        "the answer waited for the sub-agent still running"
    )
    assert "Fast found: the limit is 256Mi." in last
    assert calls_of(run.recorder, "Fast") == 1
    system = watch.calls[0][0]["content"]
    assert "## Sub-agents" in system and "- Fast: Fast does one thing." in system


async def test_budget_and_concurrency_are_enforced(tmp_path: Path) -> None:
    parent = [
        {"text": "", "tool_calls": [dispatch("Fast", "a", "d1"), dispatch("Slow", "b", "d2")]},
        {"sleep_s": 0.5, "text": "", "tool_calls": [dispatch("Fast", "c", "d3")]},  # Fast has ended by now
        {"text": "done"},
        {"text": "done, with results"},
    ]
    run = await AgentRun(config(tmp_path, parent, max_concurrent_agents=1, max_budget=2)).run()

    results = [c["content"] for c in run.timeline("llm_tool_call")]
    assert results[0].startswith("Dispatched Fast")
    assert results[1].startswith("Error: 1 sub-agents are running (the limit)")
    assert results[2].startswith("Dispatched Fast")
    assert [e.data["agent"] for e in run.recorder.events if e.kind == "execution.started"] == ["Fast", "Fast"]

    parent = [
        {
            "text": "",
            "tool_calls": [dispatch("Fast", "a", "d1"), dispatch("Fast", "b", "d2"), dispatch("Fast", "c", "d3")],
        },
        {"text": "done"},
    ]
    run = await AgentRun(config(tmp_path, parent, max_budget=2)).run()
    results = [c["content"] for c in run.timeline("llm_tool_call")]
    assert results[2].startswith("Error: the sub-agent budget is spent (2 dispatches)")


async def test_unknown_sub_agents_and_bad_tasks_are_tool_errors(tmp_path: Path) -> None:
    parent = [
        {"text": "", "tool_calls": [dispatch("Nope", "a", "d1"), dispatch("Fast", "", "d2")]},
        {"text": "done"},
    ]
    run = await AgentRun(config(tmp_path, parent)).run()
    results = [c["content"] for c in run.timeline("llm_tool_call")]
    assert results[0] == "Error: no sub-agent 'Nope'; you can dispatch: Fast, Slow, Hang"
    assert results[1].startswith("Error: give a task of 1 to")


async def test_a_resumed_parent_does_not_run_finished_sub_agents_again(tmp_path: Path) -> None:
    """The parent is stopped (as a crash would) after Fast finished and while Slow runs; run again on
    the same records, Fast makes no model call and the parent's finished steps are not redone."""
    parent = [
        {"text": "", "tool_calls": [dispatch("Fast", "a", "d1"), dispatch("Slow", "b", "d2")]},
        {"text": "", "tool_calls": [{"name": "tarsy__list_agents", "args": {}, "id": "l1"}]},
        {"text": "answer"},
        {"text": "answer with results"},
    ]
    cfg = config(tmp_path, parent, agent_timeout="30s")
    first = AgentRun(cfg, recorder=FastWatch())
    task = asyncio.create_task(first.run())
    await first.recorder.fast_done.wait()
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    parent_calls = sum(1 for c in first.recorder.llm_calls if c.execution_id == "exec-under-test")

    script = json.loads((tmp_path / "script.json").read_text())
    script["agents"]["Slow"] = [{"text": "Slow found it."}]  # the second time round, Slow answers
    (tmp_path / "script.json").write_text(json.dumps(script))
    second = AgentRun(cfg, recorder=first.recorder)
    await second.run()

    assert second.answer == "answer with results"
    assert calls_of(second.recorder, "Fast") == 1, "Fast finished before the stop: never asked again"
    assert calls_of(second.recorder, "Slow") == 1
    resumed_parent = sum(1 for c in second.recorder.llm_calls if c.execution_id == "exec-under-test")
    assert resumed_parent - parent_calls == len(parent) - parent_calls, "only the parent's later calls were made"
    assert finished(second.recorder)["Slow"] == "completed"


async def test_a_sub_agent_cannot_wait_for_approval(tmp_path: Path) -> None:
    """An action tool that needs a person is refused to a sub-agent (the parent may still ask)."""
    parent = [
        {"text": "", "tool_calls": [dispatch("Fast", "restart it", "d1")]},
        {"sleep_s": 0.3, "text": "done"},
        {"text": "done, with results"},
    ]
    config(tmp_path, parent)  # writes the script
    script = json.loads((tmp_path / "script.json").read_text())
    script["agents"]["Fast"] = [
        {"text": "", "tool_calls": [{"name": "k8s__pods_list", "args": {"namespace": "shop"}, "id": "t1"}]},
        {"text": "I could not restart it."},
    ]
    (tmp_path / "script.json").write_text(json.dumps(script))
    doc = tarsy_doc(agent={"sub_agents": ["Fast"]})
    doc["agents"].update({"Fast": {**SUB_AGENTS["Fast"], "mcp_servers": ["k8s"]}})
    doc["mcp_servers"]["k8s"]["actions"] = ["pods_list"]
    providers = {
        "llm_providers": {PROVIDER: {"type": "scripted", "script": str(tmp_path / "script.json"), "model": MODEL}}
    }
    cfg = load_config_from_data(doc, providers, env={})

    run = await RefusingRun(cfg).run()

    refused = [c for c in run.timeline("llm_tool_call") if c["metadata"]["tool"] == "k8s.pods_list"]
    assert refused and refused[0]["content"].startswith("Not run: k8s.pods_list changes the system")
    assert run.tools.calls == [], "the action never ran"
    assert finished(run.recorder) == {"Fast": "completed"}


def test_sub_agents_inherit_the_dispatching_agents_skills_unless_they_list_their_own() -> None:
    skills = {n: f"---\nname: {n}\ndescription: {n} steps\n---\nDo {n}.\n" for n in ("dns", "oom", "rollback")}
    doc = tarsy_doc(agent={"sub_agents": ["Fast", "Slow"], "skills": ["dns"], "required_skills": ["oom"]})
    doc["agents"].update({"Fast": SUB_AGENTS["Fast"], "Slow": {**SUB_AGENTS["Slow"], "skills": ["rollback"]}})
    providers = {"llm_providers": {PROVIDER: {"type": "scripted", "script": "demo", "model": MODEL}}}
    cfg = load_config_from_data(doc, providers, env={}, skills=skills)
    parent = (["dns"], ["oom"])

    fast = resolve_sub_agent(cfg, "Fast", parent)
    assert (fast.skills, fast.required_skills) == (("dns",), ("oom",))
    slow = resolve_sub_agent(cfg, "Slow", parent)
    assert (slow.skills, slow.required_skills) == (("rollback",), ())
    assert resolve_sub_agent(cfg, "Fast").skills == ("dns", "oom", "rollback"), "no parent: its own (all)"
