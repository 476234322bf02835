"""Investigation memory in an agent run: the prompt tier, the two memory tools, masking, and the
executive summary left without them (docs/memory.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tarsy.nodes.memory_tools import RECALL, SEARCH_SESSIONS
from tests.unit.agent.factories import AgentRun, SentMessages, answer_turn, make_config, write_script
from tests.unit.agent.memory_fakes import MEMORIES, FakeMemory

SLACK_TOKEN = "xoxb-5555555555-6666666666666-QwErTyUiOpAsDfGhJkLzXcVb"


def call(name: str, call_id: str, **args: Any) -> dict[str, Any]:
    return {"text": "", "tool_calls": [{"name": name.replace(".", "__"), "args": args, "id": call_id}]}


async def test_the_agent_sees_its_memories_and_uses_both_tools(tmp_path: Path) -> None:
    turns = [
        call(RECALL, "c1", query="web OOMKilled"),
        call(SEARCH_SESSIONS, "c2", query="shop web-1"),
        answer_turn("native-thinking", "OOMKilled again."),
    ]
    memory = FakeMemory(MEMORIES)
    watch = SentMessages()
    run = await AgentRun(make_config(write_script(tmp_path, turns)), memory=memory).run(watch=watch)
    assert run.answer == "OOMKilled again."
    system = watch.calls[0][0]["content"]
    assert "## Lessons from past investigations" in system and "512Mi has held since March" in system
    assert memory.recalled == ["web OOMKilled"] and memory.searched == ["shop web-1"]
    recalled, searched = watch.calls[1][-1]["content"], watch.calls[2][-1]["content"]
    assert MEMORIES[0].id in recalled and "score 90/100" in searched
    calls = [e["metadata"]["tool"] for e in run.timeline("llm_tool_call")]
    assert calls == [RECALL, SEARCH_SESSIONS]


async def test_memory_answers_are_masked_and_bad_calls_explained(tmp_path: Path) -> None:
    class Leaky(FakeMemory):
        async def recall(self, query: str) -> str:
            return f"token={SLACK_TOKEN}"

    turns = [call(RECALL, "c1", query="x"), call(RECALL, "c2", nothing=1), answer_turn("native-thinking", "Done.")]
    watch = SentMessages()
    await AgentRun(make_config(write_script(tmp_path, turns)), memory=Leaky([])).run(watch=watch)
    masked, refused = watch.calls[1][-1]["content"], watch.calls[2][-1]["content"]
    assert SLACK_TOKEN not in masked and "MASKED" in masked
    assert 'with {"query"' in refused
    assert "## Lessons from past investigations" not in watch.calls[0][0]["content"]  # no memories, no tier


async def test_without_memory_there_are_no_memory_tools(tmp_path: Path) -> None:
    turns = [call(RECALL, "c1", query="x"), answer_turn("native-thinking", "Done.")]
    watch = SentMessages()
    run = await AgentRun(make_config(write_script(tmp_path, turns))).run(watch=watch)
    assert run.answer == "Done."
    assert "memory is off" in watch.calls[1][-1]["content"]
