"""Skills in the configuration: both layouts, every bad file named with its line, references checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarsy.config import ConfigError, load_config, load_config_from_data, resolve_agent, resolve_exec_summary
from tarsy.config.skills import MAX_SKILL_BYTES, load_skills

GOOD = "---\nname: oom-triage\ndescription: Tell a leak from a small limit\n---\n"
GOOD += "1. Compare the limit.\n2. Look at trends.\n"

CHAIN_DOC = {
    "defaults": {"llm_provider": "p"},
    "mcp_servers": {"k8s": {"transport": {"type": "stdio", "command": "true"}}},
    "agents": {"Investigator": {"mcp_servers": ["k8s"]}},
    "agent_chains": {"c": {"alert_types": ["A"], "stages": [{"name": "s", "agent": "Investigator"}]}},
}
PROVIDERS = {"llm_providers": {"p": {"type": "scripted", "script": "demo", "model": "m"}}}


def skill(name: str, description: str = "d", body: str = "Do the thing.") -> str:
    return f"---\nname: {name}\ndescription: {description}\n---\n{body}\n"


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_both_layouts_load_with_their_sources(tmp_path: Path) -> None:
    write(tmp_path, "skills/oom-triage/SKILL.md", GOOD)
    write(tmp_path, "skills/dns.md", skill("dns", "CoreDNS checks"))
    write(tmp_path, "skills/notes/README.md", "a folder without SKILL.md is not a skill")
    skills, issues = load_skills(tmp_path)
    assert issues == []
    assert sorted(skills) == ["dns", "oom-triage"]
    assert skills["oom-triage"].source == "skills/oom-triage/SKILL.md"
    assert skills["oom-triage"].description == "Tell a leak from a small limit"
    assert skills["oom-triage"].body == "1. Compare the limit.\n2. Look at trends."
    assert skills["dns"].source == "skills/dns.md"


def test_no_skills_folder_means_no_skills(tmp_path: Path) -> None:
    assert load_skills(tmp_path) == ({}, [])


BAD_FILES = [
    ("no front matter at all", "just text\n", "line 1", "starts with a '---' line"),
    ("unclosed front matter", "---\nname: x\ndescription: y\nbody\n", "line 4", "no closing '---'"),
    ("bad YAML", "---\nname: x\ndescription: [unclosed\n---\nbody\n", "line", "not valid YAML"),
    ("missing description", "---\nname: x\n---\nbody\n", "line 2", "'description:'"),
    ("empty description", "---\nname: x\ndescription: ''\n---\nbody\n", "line 3", "'description:'"),
    ("wrong name", "---\ndescription: y\nname: other\n---\nbody\n", "line 3", "does not match"),
    ("bad name characters", "---\nname: Bad_Name\ndescription: y\n---\nbody\n", "line 2", "use a-z"),
    ("unknown key", "---\nname: x\ndescription: y\nowner: me\n---\nbody\n", "line 2", "owner"),
    ("no body", "---\nname: x\ndescription: y\n---\n\n", "line 4", "no body"),
]


@pytest.mark.parametrize(("case", "text", "line", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_skill_file_is_named_with_its_line(tmp_path: Path, case: str, text: str, line: str, message: str) -> None:
    write(tmp_path, "skills/x/SKILL.md", text)
    write(tmp_path, "skills/fine/SKILL.md", skill("fine"))
    skills, issues = load_skills(tmp_path)
    assert list(skills) == ["fine"], "a bad skill does not hide the good ones"
    assert len(issues) == 1
    issue = issues[0]
    assert issue.file == "skills/x/SKILL.md"
    assert issue.path.startswith(line)
    assert message in issue.message


def test_a_yaml_error_points_at_the_line_in_the_file(tmp_path: Path) -> None:
    write(tmp_path, "skills/x/SKILL.md", "---\nname: x\ndescription: fine\nbroken: : :\n---\nbody\n")
    _, issues = load_skills(tmp_path)
    assert issues[0].path == "line 4"


def test_an_oversized_skill_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "skills/big.md", skill("big", body="x" * MAX_SKILL_BYTES))
    _, issues = load_skills(tmp_path)
    assert issues and "larger than" in issues[0].message


def test_the_same_name_in_both_layouts_is_an_issue(tmp_path: Path) -> None:
    write(tmp_path, "skills/dns/SKILL.md", skill("dns"))
    write(tmp_path, "skills/dns.md", skill("dns"))
    _, issues = load_skills(tmp_path)
    assert len(issues) == 1 and "also defined by" in issues[0].message


def test_load_config_reads_skills_and_reports_a_bad_one_with_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "skills/dns/SKILL.md", "---\nname: dns\n---\nbody\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, env={})
    assert "skills/dns/SKILL.md: line 2: front matter needs a non-empty 'description:' text" in str(raised.value)


def test_agents_see_every_skill_unless_they_list_some() -> None:
    skills = {"dns": skill("dns"), "oom": skill("oom")}
    config = load_config_from_data(CHAIN_DOC, PROVIDERS, env={}, skills=skills)
    agent = resolve_agent(config, "c", 0, 0)
    assert agent.skills == ("dns", "oom") and agent.required_skills == ()
    assert resolve_exec_summary(config, "c").skills == (), "the executive summary gets no skills"

    limited = {
        **CHAIN_DOC,
        "agents": {"Investigator": {"mcp_servers": ["k8s"], "skills": [], "required_skills": ["oom"]}},
    }
    agent = resolve_agent(load_config_from_data(limited, PROVIDERS, env={}, skills=skills), "c", 0, 0)
    assert agent.skills == () and agent.required_skills == ("oom",)


def test_unknown_skill_references_and_the_reserved_server_are_issues() -> None:
    doc = {
        **CHAIN_DOC,
        "mcp_servers": {**CHAIN_DOC["mcp_servers"], "tarsy": {"transport": {"type": "stdio", "command": "true"}}},
        "agents": {"Investigator": {"mcp_servers": ["k8s"], "skills": ["dsn"], "required_skills": ["nope"]}},
    }
    with pytest.raises(ConfigError) as raised:
        load_config_from_data(doc, PROVIDERS, env={}, skills={"dns": skill("dns")})
    text = str(raised.value)
    assert "agents.Investigator.skills[0]: unknown skill 'dsn'; known skills: dns" in text
    assert "agents.Investigator.required_skills[0]: unknown skill 'nope'" in text
    assert "mcp_servers.tarsy: the server id 'tarsy' is reserved" in text
