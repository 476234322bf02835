from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tarsy.config import (
    ConfigError,
    ConfigIssue,
    OpenAIProviderConfig,
    config_dir_from_env,
    load_config,
    load_config_from_data,
)

WriteConfig = Callable[..., Path]


def test_user_entries_replace_builtins_by_name(write_config: WriteConfig) -> None:
    config_dir = write_config(
        tarsy="""
        agents:
          KubernetesAgent:
            custom_instructions: Only look at pods.
          LogAgent:
            mcp_servers: [kubernetes-server]
        agent_chains:
          kubernetes:
            alert_types: [kubernetes, pod-crash]
            stages:
              - {name: logs, agent: LogAgent}
        """,
        providers="""
        llm_providers:
          google-default:
            type: openai
            model: local-llama
            base_url: http://localhost:11434/v1
        """,
    )

    config = load_config(config_dir, env={})

    # The whole entry is replaced: the built-in's mcp_servers are not inherited.
    assert config.agents["KubernetesAgent"].mcp_servers == []
    assert config.agents["KubernetesAgent"].custom_instructions == "Only look at pods."
    assert list(config.agents)[:6] == [
        "KubernetesAgent",
        "WebResearcher",
        "GeneralWorker",
        "ChatAgent",
        "SynthesisAgent",
        "ExecSummaryAgent",
    ]
    assert config.alert_types() == ["kubernetes", "pod-crash"]
    assert config.chain("kubernetes").stages[0].agents[0].name == "LogAgent"
    provider = config.provider("google-default")
    assert isinstance(provider, OpenAIProviderConfig)
    assert provider.base_url == "http://localhost:11434/v1"
    assert "anthropic-default" in config.llm_providers


def test_settings_sections_merge_key_by_key(write_config: WriteConfig) -> None:
    config_dir = write_config(
        tarsy="""
        defaults:
          max_iterations: 7
        queue:
          worker_count: 2
          session_timeout: 1h
        system:
          dashboard_url: https://tarsy.example.com
        """
    )

    config = load_config(config_dir, env={})

    assert config.defaults.max_iterations == 7
    assert config.defaults.llm_provider == "google-default"
    assert config.defaults.alert_masking.pattern_group == "security"
    assert (config.queue.worker_count, config.queue.session_timeout) == (2, 3600.0)
    assert config.queue.max_concurrent_sessions == 5
    assert config.system.dashboard_url == "https://tarsy.example.com"
    assert config.system.max_alert_data_bytes == 1_048_576


def test_either_file_is_optional(write_config: WriteConfig) -> None:
    empty = write_config()
    assert load_config(empty, env={}) == load_config(None, env={})

    only_providers = write_config(providers="llm_providers:\n  mine: {type: xai, model: grok-4}\n")
    assert "mine" in load_config(only_providers, env={}).llm_providers


def test_empty_files_are_allowed(write_config: WriteConfig) -> None:
    config_dir = write_config(tarsy="", providers="# nothing yet\n")
    assert load_config(config_dir, env={}).alert_types() == ["kubernetes"]


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError) as caught:
        load_config(missing, env={})
    assert caught.value.issues == [ConfigIssue(str(missing), "", "config directory does not exist")]


def test_config_dir_from_env(tmp_path: Path) -> None:
    assert config_dir_from_env({}) is None
    assert config_dir_from_env({"TARSY_CONFIG_DIR": ""}) is None
    assert config_dir_from_env({"TARSY_CONFIG_DIR": str(tmp_path)}) == tmp_path


def test_load_from_data_matches_load_from_files(write_config: WriteConfig) -> None:
    config_dir = write_config(tarsy="defaults:\n  max_iterations: 3\n")
    from_files = load_config(config_dir, env={})
    from_data = load_config_from_data({"defaults": {"max_iterations": 3}}, env={})
    assert from_files == from_data


def test_config_is_frozen() -> None:
    config = load_config(None, env={})
    with pytest.raises(ValueError, match="frozen"):
        config.defaults.max_iterations = 3  # type: ignore[misc]


def test_issues_in_builtin_entries_name_built_in_as_their_file(write_config: WriteConfig) -> None:
    # Turning KubernetesAgent into a chat agent breaks the built-in chain that runs it in a stage.
    config_dir = write_config(tarsy="agents:\n  KubernetesAgent: {type: chat}\n")

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})

    assert [(i.file, i.path) for i in caught.value.issues] == [
        ("built-in", "agent_chains.kubernetes.stages[0].agents[0].name")
    ]
    assert "must have type 'investigation'" in caught.value.issues[0].message


def test_unreadable_file_does_not_cascade_into_reference_errors(write_config: WriteConfig) -> None:
    config_dir = write_config(
        tarsy="defaults:\n  llm_provider: mine\n",
        providers="llm_providers:\n  mine: {type: xai, model: grok-4\n",
    )

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})

    assert [(i.file, i.path) for i in caught.value.issues] == [("llm-providers.yaml", "")]
    assert caught.value.issues[0].message.startswith("invalid YAML at line")
