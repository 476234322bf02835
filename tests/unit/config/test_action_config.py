"""Action agents and approvals in config: stage placement, approval patterns, and the policy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tarsy.actions.policy import rule_for
from tarsy.config import ConfigError, load_config, resolve_agent


def _write(tmp_path: Path, stages: list[dict[str, object]], approval: dict[str, object] | None = None) -> Path:
    fixer: dict[str, object] = {"type": "action", "mcp_servers": ["ops"]}
    if approval is not None:
        fixer["approval"] = approval
    doc = {
        "mcp_servers": {"ops": {"transport": {"type": "stdio", "command": "ops"}, "actions": ["restart_*"]}},
        "agents": {"Looker": {"mcp_servers": ["ops"]}, "Fixer": fixer},
        "agent_chains": {"k": {"alert_types": ["ops-alert"], "stages": stages}},
    }
    (tmp_path / "tarsy.yaml").write_text(yaml.safe_dump(doc))
    return tmp_path


def test_action_stage_first_and_mixed_stages_are_errors_naming_the_key(tmp_path: Path) -> None:
    config_dir = _write(tmp_path, [{"name": "fix", "agent": "Fixer"}, {"name": "both", "agents": ["Looker", "Fixer"]}])
    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})
    found = {(i.file, i.path): i.message for i in caught.value.issues}
    assert "runs action agents first" in found[("tarsy.yaml", "agent_chains.k.stages[0]")]
    assert "mixes action and investigation agents" in found[("tarsy.yaml", "agent_chains.k.stages[1].agents")]


def test_approval_tools_name_configured_servers(tmp_path: Path) -> None:
    stages = [{"name": "look", "agent": "Looker"}, {"name": "fix", "agent": "Fixer"}]
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, stages, {"tools": ["nope.restart_x"]}), env={})
    [issue] = caught.value.issues
    assert issue.path == "agents.Fixer.approval.tools[0]" and "unknown MCP server 'nope'" in issue.message


def test_only_action_tools_wait_and_approval_tools_narrow_them(tmp_path: Path) -> None:
    stages = [{"name": "look", "agent": "Looker"}, {"name": "fix", "agent": "Fixer"}]
    config = load_config(_write(tmp_path, stages, {"tools": ["ops.restart_web*"], "timeout": "10m"}), env={})
    fixer = resolve_agent(config, "k", 1, 0)
    looker = resolve_agent(config, "k", 0, 0)
    assert rule_for(config, fixer, "ops.get_pods") is None  # read-only never waits
    assert rule_for(config, fixer, "ops.restart_db") is None  # an action tool the block leaves out
    rule = rule_for(config, fixer, "ops.restart_web")
    assert rule is not None and rule.timeout_s == 600 and rule.on_timeout == "reject"
    default = rule_for(config, looker, "ops.restart_db")  # no approval block: every action tool, 1h
    assert default is not None and default.timeout_s == 3600
