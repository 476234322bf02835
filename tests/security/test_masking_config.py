"""Masking configuration mistakes stop start-up with the file and key, instead of starting with
masking that is "enabled" but does nothing, or that redacts every result (holes: a server without
``data_masking`` had masking on with no patterns; a typo such as ``clouds`` started fine; a typo in
``defaults.alert_masking.pattern_group`` failed without the key path)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tarsy.config import MASKING_GROUPS, MASKING_PATTERNS, ConfigError, load_config
from tarsy.masking import KNOWN_NAMES, PATTERN_GROUPS, build_policy
from tarsy.tools.redaction import ServerMasking

AWS_KEY = "AKIAIOSFODNN7EXAMPLE"
SERVER = {"transport": {"type": "stdio", "command": "true"}}


def _load(tmp_path: Path, doc: dict[str, Any]) -> ConfigError:
    (tmp_path / "tarsy.yaml").write_text(yaml.safe_dump(doc))
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path, env={})
    return raised.value


@pytest.mark.parametrize(
    ("masking", "path", "words"),
    [
        (
            {"pattern_groups": ["clouds"]},
            "mcp_servers.s.data_masking.pattern_groups[0]",
            "unknown masking group 'clouds'",
        ),
        ({"patterns": ["tokens"]}, "mcp_servers.s.data_masking.patterns[0]", "unknown masking pattern 'tokens'"),
        ({"enabled": True}, "mcp_servers.s.data_masking", "enabled with nothing to apply"),
        ({}, "mcp_servers.s.data_masking", "enabled with nothing to apply"),
        (
            {"custom_patterns": [{"pattern": "x*", "replacement": "y"}]},
            "mcp_servers.s.data_masking.custom_patterns[0].pattern",
            "matches the empty string",
        ),
    ],
)
def test_a_bad_server_masking_config_names_file_and_key(
    tmp_path: Path, masking: dict[str, Any], path: str, words: str
) -> None:
    error = _load(tmp_path, {"mcp_servers": {"s": {**SERVER, "data_masking": masking}}})
    [issue] = [i for i in error.issues if i.path == path]
    assert issue.file.endswith("tarsy.yaml")
    assert words in issue.message


def test_a_typo_in_the_alert_masking_group_names_the_key(tmp_path: Path) -> None:
    error = _load(tmp_path, {"defaults": {"alert_masking": {"pattern_group": "securty"}}})
    [issue] = error.issues
    assert (Path(issue.file).name, issue.path) == ("tarsy.yaml", "defaults.alert_masking.pattern_group")
    assert "unknown masking group 'securty'" in issue.message


def test_a_typo_in_tool_masking_names_the_key(tmp_path: Path) -> None:
    error = _load(tmp_path, {"defaults": {"tool_masking": {"pattern_groups": ["al"]}}})
    assert [i.path for i in error.issues] == ["defaults.tool_masking.pattern_groups[0]"]


def test_a_server_without_data_masking_gets_the_default_tool_masking(tmp_path: Path) -> None:
    (tmp_path / "tarsy.yaml").write_text(yaml.safe_dump({"mcp_servers": {"s": SERVER}}))
    config = load_config(tmp_path, env={})
    assert config.masking_of("s") == config.defaults.tool_masking
    assert config.defaults.tool_masking.pattern_groups == ["all"]
    assert AWS_KEY not in ServerMasking(config).text("s", f"aws_access_key_id={AWS_KEY}")
    # Switched off, explicitly, it is off.
    doc = {"mcp_servers": {"s": {**SERVER, "data_masking": {"enabled": False}}}}
    (tmp_path / "tarsy.yaml").write_text(yaml.safe_dump(doc))
    assert ServerMasking(load_config(tmp_path, env={})).text("s", AWS_KEY) == AWS_KEY


def test_defaults_tool_masking_is_configurable(tmp_path: Path) -> None:
    doc = {"defaults": {"tool_masking": {"patterns": ["email"]}}, "mcp_servers": {"s": SERVER}}
    (tmp_path / "tarsy.yaml").write_text(yaml.safe_dump(doc))
    masking = ServerMasking(load_config(tmp_path, env={}))
    assert masking.text("s", "mail ops@example.com") == "mail [MASKED_EMAIL]"
    assert masking.text("s", f"key {AWS_KEY}") == f"key {AWS_KEY}"


def test_the_config_knows_exactly_the_names_masking_implements() -> None:
    assert set(PATTERN_GROUPS) == MASKING_GROUPS
    assert KNOWN_NAMES == MASKING_PATTERNS
    for group in MASKING_GROUPS:
        assert not build_policy([group]).is_empty
