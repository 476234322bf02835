"""The precedence table: defaults → agent definition → chain → stage → stage-agent entry."""

from __future__ import annotations

from typing import Any

import pytest

from tarsy.config import (
    TarsyConfig,
    load_config_from_data,
    resolve_agent,
    resolve_chat,
    resolve_exec_summary,
    resolve_success_policy,
    resolve_synthesis,
    stage_agent_count,
)

LAYERS = ("defaults", "agent", "chain", "stage", "entry")
ITERATIONS = {layer: number for number, layer in enumerate(LAYERS, start=1)}


def _providers() -> dict[str, Any]:
    return {"llm_providers": {f"p-{layer}": {"type": "scripted", "script": layer} for layer in LAYERS}}


def _server(name: str) -> dict[str, Any]:
    return {"transport": {"type": "stdio", "command": name}}


def _layered_config(set_in: set[str], servers: dict[str, list[str] | None] | None = None) -> TarsyConfig:
    """A chain whose layers named in ``set_in`` set provider, iterations and strategy.

    The highest layer in ``set_in`` sets strategy ``react`` and every lower one ``native-thinking``,
    so the winner is visible for all three settings.
    """
    top = max(set_in, key=LAYERS.index)

    def settings(layer: str) -> dict[str, Any]:
        if layer not in set_in:
            return {}
        strategy = "react" if layer == top else "native-thinking"
        return {"llm_provider": f"p-{layer}", "max_iterations": ITERATIONS[layer], "strategy": strategy}

    servers = servers or {}

    def with_servers(layer: str) -> dict[str, Any]:
        return {"mcp_servers": servers[layer]} if layer in servers else {}

    tarsy = {
        "defaults": {**settings("defaults"), "alert_type": "layered"},
        "mcp_servers": {f"s-{layer}": _server(layer) for layer in LAYERS[1:]},
        "agents": {"Investigator": {**settings("agent"), **with_servers("agent")}},
        "agent_chains": {
            "layered": {
                "alert_types": ["layered"],
                **settings("chain"),
                **with_servers("chain"),
                "stages": [
                    {
                        "name": "only",
                        **settings("stage"),
                        **with_servers("stage"),
                        "agents": [{"name": "Investigator", **settings("entry"), **with_servers("entry")}],
                    }
                ],
            }
        },
    }
    return load_config_from_data(tarsy, _providers(), env={})


@pytest.mark.parametrize(
    ("set_in", "winner"),
    [
        ({"defaults"}, "defaults"),
        ({"defaults", "agent"}, "agent"),
        ({"defaults", "chain"}, "chain"),
        ({"defaults", "stage"}, "stage"),
        ({"defaults", "entry"}, "entry"),
        ({"defaults", "agent", "chain"}, "chain"),
        ({"defaults", "agent", "stage"}, "stage"),
        ({"defaults", "chain", "stage"}, "stage"),
        ({"defaults", "agent", "chain", "stage"}, "stage"),
        ({"defaults", "agent", "entry"}, "entry"),
        ({"defaults", "agent", "chain", "stage", "entry"}, "entry"),
    ],
)
def test_highest_layer_that_sets_a_value_wins(set_in: set[str], winner: str) -> None:
    config = _layered_config(set_in)

    resolved = resolve_agent(config, "layered", 0, 0)

    assert resolved.llm_provider == f"p-{winner}"
    assert resolved.provider == config.provider(f"p-{winner}")
    assert resolved.max_iterations == ITERATIONS[winner]
    assert resolved.strategy == "react"


@pytest.mark.parametrize(
    ("servers", "expected"),
    [
        ({}, ()),
        ({"agent": ["s-agent"]}, ("s-agent",)),
        ({"agent": ["s-agent"], "chain": ["s-chain"]}, ("s-chain",)),
        ({"agent": ["s-agent"], "stage": ["s-stage", "s-chain"]}, ("s-stage", "s-chain")),
        (
            {"agent": ["s-agent"], "chain": ["s-chain"], "stage": ["s-stage"], "entry": ["s-entry"]},
            ("s-entry",),
        ),
        ({"agent": ["s-agent"], "entry": []}, ()),
        ({"agent": [], "chain": ["s-chain"]}, ("s-chain",)),
    ],
)
def test_mcp_servers_come_from_the_highest_layer_that_lists_them(
    servers: dict[str, list[str] | None], expected: tuple[str, ...]
) -> None:
    config = _layered_config({"defaults"}, servers)

    assert resolve_agent(config, "layered", 0, 0).mcp_servers == expected


def _stage_config(stage: dict[str, Any], **chain: Any) -> TarsyConfig:
    tarsy = {
        "agents": {"LogAgent": {"mcp_servers": ["kubernetes-server"], "custom_instructions": "Read logs."}},
        "agent_chains": {"c": {"alert_types": ["c"], "stages": [stage], **chain}},
    }
    return load_config_from_data(tarsy, env={})


def test_replicas_are_named_after_their_agent() -> None:
    config = _stage_config({"name": "s", "agent": "LogAgent", "replicas": 3, "llm_provider": "openai-default"})
    stage = config.chain("c").stages[0]

    runs = [resolve_agent(config, "c", 0, index) for index in range(stage_agent_count(stage))]

    assert [run.display_name for run in runs] == ["LogAgent-1", "LogAgent-2", "LogAgent-3"]
    assert {(run.name, run.llm_provider, run.custom_instructions) for run in runs} == {
        ("LogAgent", "openai-default", "Read logs.")
    }
    with pytest.raises(IndexError, match="3 agent run"):
        resolve_agent(config, "c", 0, 3)


def test_parallel_agents_keep_their_names_and_repeats_are_numbered() -> None:
    config = _stage_config(
        {
            "name": "s",
            "agents": [
                "KubernetesAgent",
                "LogAgent",
                {"name": "KubernetesAgent", "llm_provider": "xai-default"},
            ],
        }
    )

    runs = [resolve_agent(config, "c", 0, index) for index in range(3)]

    assert [run.display_name for run in runs] == ["KubernetesAgent-1", "LogAgent", "KubernetesAgent-2"]
    assert [run.llm_provider for run in runs] == ["google-default", "google-default", "xai-default"]


def test_synthesis_takes_model_settings_from_chain_and_stage_but_not_their_tools() -> None:
    stage = {"name": "s", "agents": ["KubernetesAgent", "LogAgent"], "llm_provider": "xai-default"}
    config = _stage_config(stage, mcp_servers=["kubernetes-server"], strategy="react")
    with_override = _stage_config(
        {**stage, "synthesis": {"llm_provider": "anthropic-default", "strategy": "native-thinking"}},
        strategy="react",
    )

    plain = resolve_synthesis(config, "c", 0)
    overridden = resolve_synthesis(with_override, "c", 0)

    assert (plain.name, plain.agent_type, plain.llm_provider, plain.strategy) == (
        "SynthesisAgent",
        "synthesis",
        "xai-default",
        "react",
    )
    assert plain.mcp_servers == ()
    assert (overridden.llm_provider, overridden.strategy) == ("anthropic-default", "native-thinking")


def test_chat_defaults_to_the_servers_of_the_chains_stages() -> None:
    config = _stage_config({"name": "s", "agents": ["LogAgent", {"name": "KubernetesAgent", "mcp_servers": []}]})
    explicit = _stage_config(
        {"name": "s", "agent": "LogAgent"},
        chat={"llm_provider": "openai-default", "max_iterations": 4, "mcp_servers": []},
        llm_provider="xai-default",
    )

    chat = resolve_chat(config, "c")
    explicit_chat = resolve_chat(explicit, "c")

    assert (chat.name, chat.agent_type, chat.mcp_servers) == ("ChatAgent", "chat", ("kubernetes-server",))
    assert (explicit_chat.llm_provider, explicit_chat.max_iterations, explicit_chat.mcp_servers) == (
        "openai-default",
        4,
        (),
    )


def test_exec_summary_provider_beats_the_chain_provider() -> None:
    stage = {"name": "s", "agent": "LogAgent"}
    chain_only = _stage_config(stage, llm_provider="xai-default")
    dedicated = _stage_config(stage, llm_provider="xai-default", executive_summary_provider="openai-default")

    assert resolve_exec_summary(chain_only, "c").llm_provider == "xai-default"
    summary = resolve_exec_summary(dedicated, "c")
    assert (summary.name, summary.agent_type, summary.llm_provider) == (
        "ExecSummaryAgent",
        "exec_summary",
        "openai-default",
    )
    assert summary.mcp_servers == ()


def test_success_policy_falls_back_to_defaults() -> None:
    config = _stage_config({"name": "s", "agents": ["LogAgent", "KubernetesAgent"]})
    strict = _stage_config({"name": "s", "agents": ["LogAgent", "KubernetesAgent"], "success_policy": "all"})

    assert resolve_success_policy(config, "c", 0) == "any"
    assert resolve_success_policy(strict, "c", 0) == "all"


def test_the_tools_allow_list_comes_from_the_highest_layer_that_sets_it() -> None:
    def config(stage: dict[str, Any], **chain: Any) -> TarsyConfig:
        tarsy = {
            "agents": {
                "LogAgent": {
                    "mcp_servers": ["kubernetes-server"],
                    "tools": ["kubernetes-server.pods_log"],
                    "native_tools": ["google_search"],
                }
            },
            "agent_chains": {"c": {"alert_types": ["c"], "stages": [stage], **chain}},
        }
        return load_config_from_data(tarsy, env={})

    own = resolve_agent(config({"name": "s", "agent": "LogAgent"}), "c", 0, 0)
    chain = resolve_agent(config({"name": "s", "agent": "LogAgent"}, tools=["kubernetes-server.*"]), "c", 0, 0)
    stage = config({"name": "s", "agent": "LogAgent", "tools": []}, tools=["kubernetes-server.*"])
    entry = config(
        {"name": "s", "agents": [{"name": "LogAgent", "tools": ["kubernetes-server.events_*"]}], "tools": []}
    )

    assert (own.tools, own.native_tools) == (("kubernetes-server.pods_log",), frozenset({"google_search"}))
    assert chain.tools == ("kubernetes-server.*",)
    assert resolve_agent(stage, "c", 0, 0).tools == ()
    assert resolve_agent(entry, "c", 0, 0).tools == ("kubernetes-server.events_*",)
    assert resolve_agent(config({"name": "s", "agent": "KubernetesAgent"}), "c", 0, 0).tools is None


def test_a_chat_on_the_stage_servers_keeps_their_allow_lists() -> None:
    limited = _stage_config(
        {"name": "s", "agents": ["KubernetesAgent", {"name": "LogAgent", "tools": ["kubernetes-server.pods_log"]}]}
    )
    unlimited = _stage_config({"name": "s", "agents": ["KubernetesAgent", "LogAgent"]})
    own = _stage_config(
        {"name": "s", "agents": [{"name": "LogAgent", "tools": ["kubernetes-server.pods_log"]}]},
        chat={"tools": ["kubernetes-server.events_list"]},
    )

    assert resolve_chat(limited, "c").tools == ("kubernetes-server.*", "kubernetes-server.pods_log")
    assert resolve_chat(unlimited, "c").tools is None
    assert resolve_chat(own, "c").tools == ("kubernetes-server.events_list",)


def test_the_executive_summary_never_gets_native_tools() -> None:
    tarsy = {"agents": {"ExecSummaryAgent": {"type": "exec_summary", "native_tools": ["google_search"]}}}
    config = load_config_from_data(tarsy, env={})
    assert resolve_exec_summary(config, "kubernetes").native_tools == frozenset()
