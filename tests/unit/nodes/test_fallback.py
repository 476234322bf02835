"""Provider fallback: resolution (agent > stage > chain > defaults), candidates, switch rules, deadlines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from langgraph.types import RetryPolicy

from tarsy.config import ConfigError, load_config_from_data, resolve_agent, resolve_chat, resolve_exec_summary
from tarsy.config.providers import StreamTimeouts
from tarsy.errors import ProviderError
from tarsy.nodes.fallback import ProviderRoute, candidates
from tests.unit.agent.factories import AGENT, AgentRun, answer_turn, tarsy_doc, tool_turn

PROVIDERS = {
    "llm_providers": {
        "main": {"type": "openai", "model": "m"},
        "spare": {"type": "openai", "model": "s"},
        "gemini": {"type": "google", "model": "g"},
        "claude": {"type": "anthropic", "model": "c"},
    }
}


def doc(*, defaults: Any = None, chain: Any = None, stage: Any = None, agent: Any = None) -> dict[str, Any]:
    stage_doc: dict[str, Any] = {"name": "s", "agent": "A"}
    chain_doc: dict[str, Any] = {"alert_types": ["X"], "stages": [stage_doc]}
    agent_doc: dict[str, Any] = {}
    for target, value in ((stage_doc, stage), (chain_doc, chain), (agent_doc, agent)):
        if value is not None:
            target["fallback_providers"] = value
    base = {"llm_provider": "main", **({"fallback_providers": defaults} if defaults is not None else {})}
    return {"defaults": base, "agents": {"A": agent_doc}, "agent_chains": {"c": chain_doc}}


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, ()),
        ({"defaults": ["spare"]}, ("spare",)),
        ({"defaults": ["spare"], "chain": ["gemini"]}, ("gemini",)),
        ({"chain": ["gemini"], "stage": ["claude"]}, ("claude",)),
        ({"stage": ["claude"], "agent": ["spare", "main", "spare"]}, ("spare",)),
        ({"defaults": ["spare"], "stage": []}, ()),
    ],
)
def test_the_nearest_level_that_sets_a_list_wins(levels: dict[str, Any], expected: tuple[str, ...]) -> None:
    config = load_config_from_data(doc(**levels), PROVIDERS, env={})
    assert resolve_agent(config, "c", 0, 0).fallback_providers == expected


def test_chat_and_the_executive_summary_use_chain_then_defaults() -> None:
    config = load_config_from_data(doc(defaults=["spare"], chain=["gemini"], stage=["claude"]), PROVIDERS, env={})
    assert resolve_chat(config, "c").fallback_providers == ("gemini",)
    assert resolve_exec_summary(config, "c").fallback_providers == ("gemini",)


def test_unknown_fallback_providers_stop_start_up() -> None:
    with pytest.raises(ConfigError) as raised:
        load_config_from_data(doc(defaults=["spair"], stage=["nope"]), PROVIDERS, env={})
    text = str(raised.value)
    assert "defaults.fallback_providers[0]: unknown LLM provider 'spair'" in text
    assert "agent_chains.c.stages[0].fallback_providers[0]: unknown LLM provider 'nope'" in text


def test_an_agent_with_native_tools_only_falls_back_to_google() -> None:
    config = load_config_from_data(doc(agent=["spare", "gemini", "claude"]), PROVIDERS, env={})
    agent = resolve_agent(config, "c", 0, 0)
    assert candidates(config, agent, frozenset()) == ["main", "spare", "gemini", "claude"]
    assert candidates(config, agent, frozenset({"google_search"})) == ["main", "gemini"]


def status_error(status: int, code: str | None = None) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://fake/v1/chat/completions")
    body = {"message": "x", "type": code or "error", "code": code}
    response = httpx.Response(status, request=request, json={"error": body})
    return openai.APIStatusError("x", response=response, body=body)


@pytest.mark.parametrize(
    ("error", "switches"),
    [
        (status_error(401), True),
        (status_error(429, "insufficient_quota"), True),
        (status_error(429, "rate_limit_exceeded"), True),
        (status_error(503), True),
        (TimeoutError(), True),
        (ProviderError("no key", "credentials"), True),
        (status_error(400), False),
        (status_error(404), False),
    ],
)
def test_which_failures_switch(error: Exception, switches: bool) -> None:
    assert ProviderRoute(["main", "spare"]).should_switch(error) is switches
    assert ProviderRoute(["main"]).should_switch(error) is False, "nothing to switch to"


def test_with_a_fallback_left_two_attempts_then_switch() -> None:
    base = RetryPolicy(max_attempts=5)
    route = ProviderRoute(["main", "spare"])
    assert route.policy(base).max_attempts == 2
    route.advance()
    assert route.current == "spare" and route.policy(base) is base


def test_a_resumed_execution_starts_where_it_was() -> None:
    assert ProviderRoute.starting_at(["main", "spare"], "spare").current == "spare"
    assert ProviderRoute.starting_at(["main", "spare"], "gone").current == "main"
    assert ProviderRoute.starting_at(["main", "spare"], None).current == "main"


def test_timeouts_double_per_provider_up_to_four_times() -> None:
    route = ProviderRoute(["main", "spare"])
    timeouts = StreamTimeouts(initial=10, stall=5)
    for _ in range(3):
        route.timed_out()
    deadlines = route.deadlines(timeouts)
    assert (deadlines.initial, deadlines.stall) == (40, 20)
    route.advance()
    assert route.deadlines(timeouts).stall == 5, "each provider has its own patience"


async def test_an_agent_run_switches_and_stays_on_the_backup(tmp_path: Path) -> None:
    """Scripted providers: the primary errors twice, the backup answers both calls of the execution."""
    primary = tmp_path / "primary.json"
    primary.write_text(json.dumps({"agents": {AGENT: [{"error": "garbled"}, {"error": "garbled"}]}}))
    backup = tmp_path / "backup.json"
    turns = [tool_turn("native-thinking", "c1", namespace="shop"), answer_turn("native-thinking", "OOMKilled.")]
    backup.write_text(json.dumps({"agents": {AGENT: turns}}))
    providers = {
        "llm_providers": {
            "test-scripted": {"type": "scripted", "script": str(primary), "model": "p-model"},
            "spare": {"type": "scripted", "script": str(backup), "model": "b-model"},
        }
    }
    tarsy = tarsy_doc()
    tarsy["defaults"]["fallback_providers"] = ["spare"]
    run = await AgentRun(load_config_from_data(tarsy, providers, env={})).run()

    assert run.answer == "OOMKilled."
    assert [(c.provider, c.error is None) for c in run.llm_calls] == [
        ("test-scripted", False),
        ("spare", True),
        ("spare", True),
    ], "one failed call recorded for the primary (two attempts), then every call on the backup"
    [event] = run.timeline("provider_fallback")
    assert event["metadata"]["category"] == "unknown" and event["metadata"]["to_model"] == "b-model"
    [switch] = [e for e in run.recorder.events if e.kind == "execution.fallback"]
    assert switch.data["from_provider"] == "test-scripted" and switch.data["to_provider"] == "spare"
