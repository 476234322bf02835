"""Skills through the whole product: SKILL.md files in the config directory, loaded by an agent of a
real session (scripted model), shown in the timeline, listed by GET /api/v1/system/skills."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.server import running_tarsy, write_config

pytestmark = [pytest.mark.e2e]

SCRIPT: dict[str, Any] = {
    "agents": {
        "KubernetesAgent": [
            {"text": "", "tool_calls": [{"name": "tarsy__load_skill", "args": {"names": ["oom-triage"]}, "id": "s1"}]},
            {"text": "Followed oom-triage: the limit is too small."},
        ],
        "*": [{"text": "Summary: the limit is too small."}],
    }
}


def config_with_skills(tmp_path: Path) -> Path:
    config = write_config(tmp_path / "config", script=SCRIPT)
    folder = config / "skills" / "oom-triage"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text(
        "---\nname: oom-triage\ndescription: Tell a leak from a small limit\n---\n"
        "Compare the working set with the limit. Token: ghp_abcdefghijklmnopqrstuvwxyz0123456789\n"
    )
    (config / "skills" / "rollback.md").write_text("---\nname: rollback\ndescription: Undo a rollout\n---\nUndo it.\n")
    return config


async def test_an_agent_loads_a_skill_in_a_real_session(tmp_path: Path, database_url: str) -> None:
    async with running_tarsy(config_with_skills(tmp_path), database_url) as tarsy:
        session_id = await tarsy.submit()
        session = await tarsy.wait_status(session_id, {"completed"})
        timeline = (await tarsy.client.get(f"/api/v1/sessions/{session_id}/timeline")).json()
        listing = await tarsy.client.get("/api/v1/system/skills")

    assert "Followed oom-triage" in session["final_analysis"]
    loaded = [e for e in timeline if e["event_type"] == "skill_loaded"]
    assert [e["content"] for e in loaded] == ["oom-triage"]
    call = next(e for e in timeline if e["event_type"] == "llm_tool_call")
    assert call["metadata"]["tool"] == "tarsy.load_skill"
    assert "Compare the working set" in call["content"]
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in call["content"], "skill bodies are masked"

    assert listing.status_code == 200, listing.text
    skills = {s["name"]: s for s in listing.json()}
    assert sorted(skills) == ["oom-triage", "rollback"]
    assert skills["rollback"]["source"] == "skills/rollback.md"
    assert "KubernetesAgent" in skills["oom-triage"]["used_by"]
    assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in skills["oom-triage"]["body"]
