"""Every composed prompt shape, pinned as a golden file under ``tests/golden/prompts``.

Regenerate with ``TARSY_UPDATE_GOLDENS=1`` (see ``conftest.py``) and review the diff like code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tarsy.config import (
    TarsyConfig,
    load_config_from_data,
    resolve_agent,
    resolve_chat,
    resolve_exec_summary,
    resolve_synthesis,
)
from tarsy.graphs.chat import context_entries
from tarsy.graphs.stages import alert_task
from tarsy.graphs.state import AlertInput, SessionState
from tarsy.nodes import prompts
from tarsy.nodes.memory_tools import memory_tool_specs
from tests.unit.agent.factories import (
    ALERT_TYPE,
    CHAIN,
    MODEL,
    PROVIDER,
    AgentRun,
    CannedTools,
    answer_turn,
    conversation,
    make_config,
    tarsy_doc,
    tool_turn,
    write_script,
)
from tests.unit.agent.goldens import GOLDEN_DIR, Goldens
from tests.unit.agent.memory_fakes import MEMORIES, FakeMemory

ALERT: AlertInput = {
    "alert_type": ALERT_TYPE,
    "data": {"namespace": "shop", "pod": "web-1", "reason": "CrashLoopBackOff", "message": "Back-off 5m0s — ünïcode"},
    "runbook": "1. Check the pod's last state.\n2. Compare memory usage with the limit.",
}
EARLIER = [{"stage_name": "triage", "agent_name": "TriageAgent", "text": "The alert is real: 14 restarts in 1h."}]
FINDINGS = [
    {"stage_name": "analysis", "agent_name": "TestAgent-1", "text": "OOMKilled: the limit is 256Mi.  "},
    {"stage_name": "analysis", "agent_name": "TestAgent-2", "text": "A bad config rollout at 10:02."},
]


def render(messages: list[dict[str, Any]]) -> str:
    """Messages as reviewable text: a header per message with its role and tool metadata, then the content."""
    parts = []
    for message in messages:
        header = message["role"]
        if message.get("tool_calls"):
            header += " → " + "; ".join(
                f"{c['name']}({json.dumps(c['arguments'], sort_keys=True)}) [{c['id']}]" for c in message["tool_calls"]
            )
        if message["role"] == "tool":
            header += f" {message.get('name', '')} [{message['tool_call_id']}]"
        parts.append(f"===== {header} =====\n{message['content']}\n")
    return "\n".join(parts)


def investigation() -> prompts.AgentTask:
    return alert_task(SessionState(alert=ALERT), kind="investigation", stage_name="analysis", previous=EARLIER)


async def composed(name: str) -> str:
    """The system and user message of one prompt shape, built the way the loop builds them."""
    strategy = "react" if name in ("react", "memories") else "native-thinking"
    config = make_config(strategy=strategy)
    state: SessionState = {"alert": ALERT}
    if name == "skills":
        config = skilled_config()
    if name in ("react", "native", "skills", "memories"):
        agent, task = resolve_agent(config, CHAIN, 0, 0), investigation()
    elif name == "synthesis":
        agent = resolve_synthesis(config, CHAIN, 0)
        task = alert_task(
            state, kind="synthesis", stage_name="analysis - Synthesis", previous=EARLIER, findings=FINDINGS
        )
    elif name == "executive_summary":
        agent = resolve_exec_summary(config, CHAIN)
        results = [*EARLIER, {"stage_name": "analysis", "agent_name": "TestAgent", "text": "Root cause: OOMKilled."}]
        task = alert_task(state, kind="exec_summary", previous=results)
    else:
        agent = resolve_chat(config, CHAIN)
        investigated = {"alert": ALERT, "stage_results": EARLIER, "final_analysis": "Root cause: OOMKilled."}
        previous = context_entries({**investigated, "executive_summary": "web-1 is OOMKilled."}, [])
        task = alert_task(state, kind="chat", question="Which limit should we set?", previous=previous)
    tools = await CannedTools().executor().list_tools(agent)
    if name == "memories":
        memory = FakeMemory(MEMORIES)
        system = prompts.system_prompt(config, agent, [*tools, *memory_tool_specs(memory)], memory.prompt)
    else:
        system = prompts.system_prompt(config, agent, tools)
    return render([{"role": "system", "content": system}, {"role": "user", "content": prompts.user_prompt(task)}])


SHAPES = ["react", "native", "skills", "memories", "synthesis", "executive_summary", "chat"]

SKILLS = {
    "oom-triage": "---\nname: oom-triage\ndescription: Tell a memory leak from an undersized limit\n---\n"
    "1. Compare the working set with the limit over the last day.\n2. A steady climb is a leak.\n",
    "rollback": "---\nname: rollback\ndescription: Undo a bad rollout safely\n---\nUse `kubectl rollout undo`.\n",
    "dns": "---\nname: dns\ndescription: CoreDNS checks\n---\nQuery kube-dns.\n",
}


def skilled_config() -> TarsyConfig:
    """The native shape's config, its agent with one required skill and two it may load."""
    doc = tarsy_doc(agent={"skills": ["dns", "rollback"], "required_skills": ["oom-triage"]})
    providers = {"llm_providers": {PROVIDER: {"type": "scripted", "script": "demo", "model": MODEL}}}
    return load_config_from_data(doc, providers, env={}, skills=SKILLS)


@pytest.mark.parametrize("name", SHAPES)
async def test_composed_prompt_matches_golden(goldens: Goldens, name: str) -> None:
    goldens.check(name, await composed(name))


@pytest.mark.parametrize("strategy", ["native-thinking", "react"])
async def test_forced_conclusion_messages_match_golden(goldens: Goldens, tmp_path: Path, strategy: str) -> None:
    turns = [
        tool_turn(strategy, "call-1", namespace="shop", text="Listing the pods."),
        answer_turn(strategy, "Best guess: OOMKilled."),
    ]
    config = make_config(write_script(tmp_path, turns), strategy=strategy, max_iterations=1)
    run = await AgentRun(config).run(investigation())

    *earlier, forced = run.llm_calls
    assert forced.interaction_type == "forced_conclusion"
    goldens.check(
        f"forced_conclusion_{strategy.split('-')[0]}", render(conversation(earlier) + forced.request_messages)
    )


def test_every_golden_file_belongs_to_a_shape() -> None:
    expected = {*SHAPES, "forced_conclusion_native", "forced_conclusion_react"}
    assert {path.stem for path in GOLDEN_DIR.glob("*.txt")} == expected


@pytest.mark.parametrize("name", ["synthesis", "executive_summary"])
async def test_agents_without_tools_are_not_told_to_call_functions(name: str) -> None:
    assert "Call the available functions" not in await composed(name)
