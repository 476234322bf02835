"""Every kind of configuration mistake is reported with its file, key path and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tarsy.config import ConfigError, ConfigIssue, load_config

WriteConfig = Callable[..., Path]

KNOWN_AGENTS = "ChatAgent, ExecSummaryAgent, GeneralWorker, KubernetesAgent, SynthesisAgent, WebResearcher"
KNOWN_PROVIDERS = "anthropic-default, demo-scripted, google-default, openai-default, vertexai-default, xai-default"
T, P = "tarsy.yaml", "llm-providers.yaml"


def _chain(stage: str, extra: str = "") -> str:
    return f"""
agent_chains:
  pod-crash:
    alert_types: [pod-crash]
    stages:
      - {stage}
{extra}"""


CASES = [
    pytest.param(
        "agnets: {}\n",
        None,
        (
            T,
            "agnets",
            "unknown top-level key 'agnets'; allowed keys: mcp_servers, agents, agent_chains, defaults, queue, system",
        ),
        id="unknown-top-level-key",
    ),
    pytest.param(
        None,
        "providers: {}\n",
        (P, "providers", "unknown top-level key 'providers'; allowed keys: llm_providers"),
        id="unknown-top-level-key-providers-file",
    ),
    pytest.param(
        "agents:\n  A: {mcp_servers: [x]\n",
        None,
        (T, "", "invalid YAML at line 3, column 1"),
        id="yaml-syntax",
    ),
    pytest.param(
        "agents:\n  A: {}\n  A: {}\n",
        None,
        (T, "", "invalid YAML at line 3, column 3: duplicate key 'A'"),
        id="yaml-duplicate-key",
    ),
    pytest.param(
        "agents:\n  A: {custom_instruction: hi}\n",
        None,
        (
            T,
            "agents.A.custom_instruction",
            "unknown key 'custom_instruction'; allowed keys: approval, custom_instructions, "
            "description, fallback_providers, llm_provider, max_iterations, mcp_servers, native_tools, "
            "orchestrator, required_skills, skills, strategy, sub_agents, tools, type",
        ),
        id="unknown-agent-key",
    ),
    pytest.param(
        "agents:\n  A: {strategy: reAct}\n",
        None,
        (T, "agents.A.strategy", "invalid value 'reAct'; allowed values: 'react', 'native-thinking'"),
        id="invalid-literal",
    ),
    pytest.param(
        None,
        "llm_providers:\n  p: {type: gemini, model: x}\n",
        (
            P,
            "llm_providers.p",
            "unknown type 'gemini'; allowed types: google, openai, anthropic, xai, vertexai, scripted",
        ),
        id="unknown-provider-type",
    ),
    pytest.param(
        None,
        "llm_providers:\n  p: {model: x}\n",
        (P, "llm_providers.p", "missing key 'type'; allowed types: google, openai"),
        id="missing-provider-type",
    ),
    pytest.param(
        None,
        "llm_providers:\n  p: {type: google}\n",
        (P, "llm_providers.p.model", "missing required key"),
        id="missing-required-key",
    ),
    pytest.param(
        None,
        "llm_providers:\n  p: {type: openai, model: x, thinking_budget: 5}\n",
        (
            P,
            "llm_providers.p.thinking_budget",
            "unknown key 'thinking_budget'; allowed keys: api_key_env, "
            "base_url, max_retries, max_tokens, model, pricing, reasoning_effort, stream_timeouts, temperature, "
            "timeout, type",
        ),
        id="key-of-another-provider-type",
    ),
    pytest.param(
        "mcp_servers:\n  s: {transport: {type: websocket, url: 'ws://x'}}\n",
        None,
        (T, "mcp_servers.s.transport", "unknown type 'websocket'; allowed types: stdio, http, sse"),
        id="unknown-transport-type",
    ),
    pytest.param(
        "mcp_servers:\n  s: {transport: {type: stdio, command: x, url: 'http://x'}}\n",
        None,
        (T, "mcp_servers.s.transport.url", "unknown key 'url'; allowed keys: args, command, env, inherit_env, type"),
        id="key-of-another-transport",
    ),
    pytest.param(
        "mcp_servers:\n  s: {transport: {type: http, url: 'http://x', timeout: 5min}}\n",
        None,
        (T, "mcp_servers.s.transport.timeout", "invalid duration '5min'; use seconds (e.g. 30) or a string"),
        id="invalid-duration",
    ),
    pytest.param(
        "mcp_servers:\n  s:\n    transport: {type: stdio, command: x}\n"
        "    data_masking: {custom_patterns: [{pattern: '([a-z', replacement: X}]}\n",
        None,
        (T, "mcp_servers.s.data_masking.custom_patterns[0].pattern", "invalid regular expression '([a-z'"),
        id="invalid-regex",
    ),
    pytest.param(
        _chain("{name: a, agents: [KubernetesAgent, KubernetesAgent], replicas: 3}"),
        None,
        (T, "agent_chains.pod-crash.stages[0]", "replicas: 3 needs exactly one agent, got 2"),
        id="replicas-need-one-agent",
    ),
    pytest.param(
        _chain("{name: a, agents: []}"),
        None,
        (T, "agent_chains.pod-crash.stages[0].agents", "a stage needs at least one agent"),
        id="stage-without-agents",
    ),
    pytest.param(
        _chain("{name: a, agent: KubernetesAgent, agents: [KubernetesAgent]}"),
        None,
        (T, "agent_chains.pod-crash.stages[0]", "give either 'agent' or 'agents', not both"),
        id="agent-and-agents",
    ),
    pytest.param(
        _chain("{name: a, agent: KubernetesAgent}\n      - {name: a, agent: KubernetesAgent}"),
        None,
        (T, "agent_chains.pod-crash.stages", "stage name 'a' is used twice"),
        id="duplicate-stage-name",
    ),
    pytest.param(
        _chain("{name: a, agents: [KubernetesAgent, {name: Foo}]}"),
        None,
        (
            T,
            "agent_chains.pod-crash.stages[0].agents[1].name",
            f"unknown agent 'Foo'; known agents: {KNOWN_AGENTS}",
        ),
        id="unknown-stage-agent",
    ),
    pytest.param(
        _chain("{name: a, agents: [KubernetesAgent, KubernetesAgent], synthesis: {agent: ChatAgent}}"),
        None,
        (
            T,
            "agent_chains.pod-crash.stages[0].synthesis.agent",
            "agent 'ChatAgent' has type 'chat', but a synthesis agent must have type 'synthesis'",
        ),
        id="synthesis-agent-of-wrong-type",
    ),
    pytest.param(
        _chain("{name: a, agent: KubernetesAgent, mcp_servers: [k8s]}"),
        None,
        (
            T,
            "agent_chains.pod-crash.stages[0].mcp_servers[0]",
            "unknown MCP server 'k8s'; known MCP servers: kubernetes-server",
        ),
        id="unknown-mcp-server",
    ),
    pytest.param(
        _chain("{name: a, agents: [{name: KubernetesAgent, llm_provider: gpt}]}"),
        None,
        (
            T,
            "agent_chains.pod-crash.stages[0].agents[0].llm_provider",
            f"unknown LLM provider 'gpt'; known LLM providers: {KNOWN_PROVIDERS}",
        ),
        id="unknown-stage-agent-provider",
    ),
    pytest.param(
        _chain("{name: a, agent: KubernetesAgent}", "    executive_summary_provider: cheap\n"),
        None,
        (T, "agent_chains.pod-crash.executive_summary_provider", "unknown LLM provider 'cheap'"),
        id="unknown-exec-summary-provider",
    ),
    pytest.param(
        _chain("{name: a, agent: KubernetesAgent}", "    scoring: {enabled: true, llm_provider: judge}\n"),
        None,
        (T, "agent_chains.pod-crash.scoring.llm_provider", "unknown LLM provider 'judge'"),
        id="unknown-chain-scoring-provider",
    ),
    pytest.param(
        "defaults:\n  scoring: {enabled: true, llm_provider: judge}\n",
        None,
        (T, "defaults.scoring.llm_provider", "unknown LLM provider 'judge'"),
        id="unknown-default-scoring-provider",
    ),
    pytest.param(
        "memory:\n  enabled: true\n  reflection: {llm_provider: judge}\n",
        None,
        (T, "memory.reflection.llm_provider", "unknown LLM provider 'judge'"),
        id="unknown-reflection-provider",
    ),
    pytest.param(
        "memory:\n  retrieval: {top_k: 0}\n",
        None,
        (T, "memory.retrieval.top_k", "greater than or equal to 1"),
        id="memory-top-k-out-of-range",
    ),
    pytest.param(
        _chain("{name: a, agent: KubernetesAgent}", "    chat: {agent: Helper}\n"),
        None,
        (T, "agent_chains.pod-crash.chat.agent", f"unknown agent 'Helper'; known agents: {KNOWN_AGENTS}"),
        id="unknown-chat-agent",
    ),
    pytest.param(
        "mcp_servers:\n  s:\n    transport: {type: stdio, command: x}\n    summarization: {llm_provider: tiny}\n",
        None,
        (T, "mcp_servers.s.summarization.llm_provider", "unknown LLM provider 'tiny'"),
        id="unknown-summarization-provider",
    ),
    pytest.param(
        "defaults: {llm_provider: gemini}\n",
        None,
        (
            T,
            "defaults.llm_provider",
            f"unknown LLM provider 'gemini'; known LLM providers: {KNOWN_PROVIDERS}",
        ),
        id="unknown-default-provider",
    ),
    pytest.param(
        "defaults: {alert_type: k8s}\n",
        None,
        (T, "defaults.alert_type", "no chain serves alert type 'k8s'; served alert types: kubernetes"),
        id="default-alert-type-unserved",
    ),
    pytest.param(
        "agent_chains:\n  mine:\n    alert_types: [kubernetes]\n    stages: [{name: a, agent: KubernetesAgent}]\n",
        None,
        (
            T,
            "agent_chains.mine.alert_types[0]",
            "alert type 'kubernetes' is already served by chain 'kubernetes' (built-in)",
        ),
        id="alert-type-claimed-twice",
    ),
    pytest.param(
        "queue: {heartbeat_interval: 30s, orphan_threshold: 10s}\n",
        None,
        (T, "queue", "orphan_threshold (10s) must exceed heartbeat_interval (30s)"),
        id="orphan-threshold-below-heartbeat",
    ),
    pytest.param(
        "queue: {worker_count: 0}\n",
        None,
        (T, "queue.worker_count", "must be greater than or equal to 1; got 0"),
        id="count-below-minimum",
    ),
    pytest.param(
        "agents: [KubernetesAgent]\n",
        None,
        (T, "agents", "must be a mapping of name to entry; got list"),
        id="section-not-a-mapping",
    ),
    pytest.param(
        "agents:\n  A: {mcp_servers: kubernetes-server}\n",
        None,
        (T, "agents.A.mcp_servers", "must be a valid list; got 'kubernetes-server'"),
        id="wrong-value-type",
    ),
]


@pytest.mark.parametrize(("tarsy", "providers", "expected"), CASES)
def test_error_names_file_path_and_allowed_values(
    write_config: WriteConfig, tarsy: str | None, providers: str | None, expected: tuple[str, str, str]
) -> None:
    config_dir = write_config(tarsy=tarsy, providers=providers)

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})

    file, path, message = expected
    found = [(i.file, i.path, i.message) for i in caught.value.issues]
    assert any(f == file and p == path and message in m for f, p, m in found), found


def test_all_issues_are_collected_across_files(write_config: WriteConfig) -> None:
    config_dir = write_config(
        tarsy="""
        agents:
          A: {typo: 1, max_iterations: 0}
        agent_chains:
          pod-crash:
            alert_types: [pod-crash]
            stages:
              - {name: a, agents: [A, Missing]}
        """,
        providers="llm_providers:\n  p: {type: nope}\n",
    )

    with pytest.raises(ConfigError) as caught:
        load_config(config_dir, env={})

    paths = [(i.file, i.path) for i in caught.value.issues]
    assert paths == [
        ("tarsy.yaml", "agents.A.max_iterations"),
        ("tarsy.yaml", "agents.A.typo"),
        ("llm-providers.yaml", "llm_providers.p"),
        # 'A' failed validation but exists, so only 'Missing' is an unknown reference.
        ("tarsy.yaml", "agent_chains.pod-crash.stages[0].agents[1].name"),
    ]


def test_error_renders_one_line_per_issue() -> None:
    error = ConfigError(
        [
            ConfigIssue("tarsy.yaml", "agent_chains.pod-crash.stages[0].agents[1].name", "unknown agent 'Foo'"),
            ConfigIssue("/etc/tarsy", "", "config directory does not exist"),
        ]
    )

    assert str(error) == (
        "tarsy.yaml: agent_chains.pod-crash.stages[0].agents[1].name: unknown agent 'Foo'\n"
        "/etc/tarsy: config directory does not exist"
    )
    assert error.code == "invalid_config"
