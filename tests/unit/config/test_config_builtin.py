from __future__ import annotations

from tarsy.config import (
    CHAT_AGENT,
    EXEC_SUMMARY_AGENT,
    SYNTHESIS_AGENT,
    GoogleProviderConfig,
    ScriptedProviderConfig,
    StdioTransport,
    VertexAIProviderConfig,
    load_config,
    resolve_agent,
)


def test_builtins_load_without_any_environment() -> None:
    config = load_config(None, env={})

    assert set(config.agents) == {
        "KubernetesAgent",
        "WebResearcher",
        "GeneralWorker",
        CHAT_AGENT,
        SYNTHESIS_AGENT,
        EXEC_SUMMARY_AGENT,
    }
    assert {name: agent.type for name, agent in config.agents.items()} == {
        "KubernetesAgent": "investigation",
        "WebResearcher": "investigation",
        "GeneralWorker": "investigation",
        CHAT_AGENT: "chat",
        SYNTHESIS_AGENT: "synthesis",
        EXEC_SUMMARY_AGENT: "exec_summary",
    }
    assert config.agents["KubernetesAgent"].mcp_servers == ["kubernetes-server"]
    assert "HIGH" in config.agents[SYNTHESIS_AGENT].custom_instructions
    assert config.agents["WebResearcher"].native_tools == ["google_search"]
    assert config.agents["KubernetesAgent"].sub_agents is None, "no chain dispatches until configured"
    assert config.alert_types() == ["kubernetes"]
    chain_id, chain = config.chain_for_alert_type("kubernetes")
    assert chain_id == "kubernetes"
    assert [(s.name, [a.name for a in s.agents]) for s in chain.stages] == [("analysis", ["KubernetesAgent"])]


def test_builtin_providers() -> None:
    config = load_config(None, env={})

    models = {name: (p.type, p.model, p.api_key_env) for name, p in config.llm_providers.items()}
    assert models == {
        "google-default": ("google", "gemini-2.5-flash", "GOOGLE_API_KEY"),
        "openai-default": ("openai", "gpt-5.2", "OPENAI_API_KEY"),
        "anthropic-default": ("anthropic", "claude-sonnet-4-5", "ANTHROPIC_API_KEY"),
        "xai-default": ("xai", "grok-4", "XAI_API_KEY"),
        "vertexai-default": ("vertexai", "gemini-2.5-flash", None),
        "demo-scripted": ("scripted", "scripted", None),
    }
    google = config.provider("google-default")
    assert isinstance(google, GoogleProviderConfig)
    # Gemini's built-in tools are off unless an agent lists them; of the built-ins only the web
    # researcher does, a sub-agent that runs only where a chain's sub_agents names it.
    assert not hasattr(google, "native_tools")
    listing = {name for name, agent in config.agents.items() if agent.native_tools or agent.tools is not None}
    assert listing == {"WebResearcher"}
    vertex = config.provider("vertexai-default")
    assert isinstance(vertex, VertexAIProviderConfig)
    assert (vertex.project_env, vertex.location_env) == ("GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_LOCATION")
    scripted = config.provider("demo-scripted")
    assert isinstance(scripted, ScriptedProviderConfig)
    assert scripted.script == "demo"


def test_kubernetes_server_uses_kubeconfig_from_env_or_default() -> None:
    default = load_config(None, env={}).mcp_server("kubernetes-server")
    custom = load_config(None, env={"KUBECONFIG": "/etc/kube.yaml"}).mcp_server("kubernetes-server")

    assert isinstance(default.transport, StdioTransport)
    assert isinstance(custom.transport, StdioTransport)
    assert default.transport.command == "npx"
    assert default.transport.args == [
        "-y",
        "kubernetes-mcp-server@0.0.67",
        "--read-only",
        "--disable-destructive",
        "--kubeconfig",
        "~/.kube/config",
    ]
    assert custom.transport.args[-1] == "/etc/kube.yaml"
    assert default.data_masking.pattern_groups == ["kubernetes"]
    assert default.data_masking.patterns == ["certificate", "token", "email"]
    assert "configuration_contexts_list" in default.instructions


def test_builtin_chain_resolves_with_defaults() -> None:
    config = load_config(None, env={})

    resolved = resolve_agent(config, "kubernetes", 0, 0)

    assert (resolved.name, resolved.display_name, resolved.agent_type) == (
        "KubernetesAgent",
        "KubernetesAgent",
        "investigation",
    )
    assert (resolved.strategy, resolved.llm_provider, resolved.max_iterations) == (
        "native-thinking",
        "google-default",
        20,
    )
    assert resolved.mcp_servers == ("kubernetes-server",)
    assert resolved.provider == config.provider("google-default")
