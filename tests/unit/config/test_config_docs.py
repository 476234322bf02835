"""The example in docs/configuration.md loads and resolves as the text says."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tarsy.config import load_config_from_data, resolve_agent, resolve_chat, resolve_exec_summary

DOC = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"


def _example(file_name: str) -> dict[str, object]:
    example = DOC.read_text(encoding="utf-8").split("## Example", 1)[1]
    match = re.search(rf"`{re.escape(file_name)}`:\n\n```yaml\n(.*?)```", example, re.DOTALL)
    assert match is not None, f"no {file_name} example in {DOC}"
    data = yaml.safe_load(match.group(1))
    assert isinstance(data, dict)
    return data


def test_documented_example_loads_and_resolves_as_described() -> None:
    config = load_config_from_data(_example("tarsy.yaml"), _example("llm-providers.yaml"), env={})

    metrics = resolve_agent(config, "pod-crash", 0, 1)
    replica = resolve_agent(config, "pod-crash", 1, 1)

    assert (metrics.name, metrics.llm_provider, metrics.strategy, metrics.mcp_servers, metrics.tools) == (
        "MetricsAgent",
        "openai-default",
        "react",
        ("prometheus",),
        ("prometheus.query*",),
    )
    assert (replica.display_name, replica.max_iterations, replica.llm_provider) == (
        "KubernetesAgent-2",
        10,
        "google-default",
    )
    assert resolve_chat(config, "pod-crash").mcp_servers == ("kubernetes-server", "prometheus")
    assert resolve_exec_summary(config, "pod-crash").llm_provider == "local-llama"
    assert config.defaults.max_iterations == 20
