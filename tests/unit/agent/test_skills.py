"""Skills in an agent run: the catalog and required bodies in the prompt, ``tarsy.load_skill``, allow-lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tarsy.config import TarsyConfig, load_config_from_data
from tarsy.nodes.skills import LOAD_SKILL
from tests.unit.agent.factories import (
    MODEL,
    PROVIDER,
    AgentRun,
    SentMessages,
    answer_turn,
    tarsy_doc,
    write_script,
)

SKILLS = {
    "oom-triage": (
        "---\nname: oom-triage\ndescription: Tell a leak from a small limit\n---\nCompare working set and limit.\n"
    ),
    "dns": "---\nname: dns\ndescription: CoreDNS checks\n---\nQuery kube-dns with password=hunter2hunter2.\n",
    "rollback": "---\nname: rollback\ndescription: Undo a bad rollout\n---\nUse rollout undo.\n",
}


def load_turn(*names: str, call_id: str = "skill-1") -> dict[str, Any]:
    return {"text": "", "tool_calls": [{"name": "tarsy__load_skill", "args": {"names": list(names)}, "id": call_id}]}


def config(tmp_path: Path, turns: list[dict[str, Any]], **agent: Any) -> TarsyConfig:
    providers = {
        "llm_providers": {PROVIDER: {"type": "scripted", "script": write_script(tmp_path, turns), "model": MODEL}}
    }
    return load_config_from_data(tarsy_doc(agent=agent), providers, env={}, skills=SKILLS)


async def run(cfg: TarsyConfig) -> tuple[AgentRun, SentMessages]:
    watch = SentMessages()
    return await AgentRun(cfg).run(watch=watch), watch


async def test_the_agent_loads_a_skill_from_its_catalog(tmp_path: Path) -> None:
    cfg = config(tmp_path, [load_turn("oom-triage"), answer_turn("native-thinking", "Limit too small.")])
    result, watch = await run(cfg)
    assert result.answer == "Limit too small."
    system = watch.calls[0][0]["content"]
    assert "## Skills" in system and "- oom-triage: Tell a leak from a small limit" in system
    assert "Compare working set" not in system, "a catalog entry is a description, not the body"
    tool_message = watch.calls[1][-1]
    assert (
        tool_message["role"] == "tool"
        and "# Skill: oom-triage\nCompare working set and limit." in tool_message["content"]
    )
    loaded = result.timeline("skill_loaded")
    assert [e["content"] for e in loaded] == ["oom-triage"]
    assert loaded[0]["metadata"]["sources"] == ["skills/oom-triage/SKILL.md"]
    calls = result.timeline("llm_tool_call")
    assert calls[0]["metadata"]["tool"] == LOAD_SKILL and calls[0]["status"] == "completed"
    assert result.llm_calls[0].tools[-1] == LOAD_SKILL
    assert result.tools.calls == [], "no MCP tool ran for it"


async def test_a_skill_body_is_masked_on_its_way_to_the_model(tmp_path: Path) -> None:
    cfg = config(tmp_path, [load_turn("dns"), answer_turn("native-thinking", "ok")])
    _, watch = await run(cfg)
    content = watch.calls[1][-1]["content"]
    assert "hunter2hunter2" not in content and "[MASKED" in content


async def test_asking_for_a_skill_outside_the_allow_list_is_an_error_the_model_can_fix(tmp_path: Path) -> None:
    turns = [load_turn("rollback"), answer_turn("native-thinking", "done")]
    result, watch = await run(config(tmp_path, turns, skills=["dns", "oom-triage"]))
    content = watch.calls[1][-1]["content"]
    assert content.startswith("Error: no skill 'rollback' for you; skills you can load: dns, oom-triage")
    assert result.timeline("skill_loaded") == []
    assert "rollback" not in watch.calls[0][0]["content"]


async def test_no_skills_means_no_catalog_and_no_tool(tmp_path: Path) -> None:
    result, watch = await run(config(tmp_path, [answer_turn("native-thinking", "done")], skills=[]))
    assert "## Skills" not in watch.calls[0][0]["content"]
    assert LOAD_SKILL not in result.llm_calls[0].tools


async def test_required_skills_are_in_the_prompt_up_front_and_not_in_the_catalog(tmp_path: Path) -> None:
    turns = [answer_turn("native-thinking", "done")]
    result, watch = await run(config(tmp_path, turns, skills=["oom-triage"], required_skills=["rollback"]))
    system = watch.calls[0][0]["content"]
    assert "## Skill: rollback\nUse rollout undo." in system
    assert "- oom-triage:" in system and "- rollback:" not in system
    assert LOAD_SKILL in result.llm_calls[0].tools


async def test_with_only_required_skills_there_is_nothing_left_to_load(tmp_path: Path) -> None:
    turns = [answer_turn("native-thinking", "done")]
    result, watch = await run(config(tmp_path, turns, skills=["rollback"], required_skills=["rollback"]))
    assert "## Skill: rollback" in watch.calls[0][0]["content"]
    assert LOAD_SKILL not in result.llm_calls[0].tools


@pytest.mark.parametrize("arguments", [{}, {"names": []}, {"names": [1]}, {"names": "x" * 3}])
async def test_malformed_arguments_get_a_usage_error(tmp_path: Path, arguments: dict[str, Any]) -> None:
    turn = {"text": "", "tool_calls": [{"name": "tarsy__load_skill", "args": arguments, "id": "c1"}]}
    _, watch = await run(config(tmp_path, [turn, answer_turn("native-thinking", "done")]))
    assert watch.calls[1][-1]["content"].startswith("Error:")


async def test_a_react_agent_sees_the_tool_in_its_tool_list(tmp_path: Path) -> None:
    react = f'Thought: read the procedure\nAction: {LOAD_SKILL}\nAction Input: {{"names": ["oom-triage"]}}'
    turns = [{"text": react}, answer_turn("react", "Limit too small.")]
    cfg = config(tmp_path, turns, strategy="react")
    result, watch = await run(cfg)
    assert f"- {LOAD_SKILL}(names: array)" in watch.calls[0][0]["content"]
    assert "Compare working set and limit." in watch.calls[1][-1]["content"]
    assert result.answer == "Limit too small."
