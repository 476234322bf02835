from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from tarsy.config import (
    LLMProviderConfig,
    StageConfig,
    UnknownAlertTypeError,
    UnknownNameError,
    load_config,
    load_config_from_data,
    stage_agent_count,
)

_providers: TypeAdapter[LLMProviderConfig] = TypeAdapter(LLMProviderConfig)


@pytest.mark.parametrize(
    ("entry", "env", "present"),
    [
        ({"type": "google", "model": "m"}, {"GOOGLE_API_KEY": "k"}, True),
        ({"type": "google", "model": "m"}, {"GOOGLE_API_KEY": ""}, False),
        ({"type": "openai", "model": "m", "api_key_env": "MY_KEY"}, {"OPENAI_API_KEY": "k"}, False),
        ({"type": "openai", "model": "m", "api_key_env": "MY_KEY"}, {"MY_KEY": "k"}, True),
        ({"type": "openai", "model": "m", "api_key_env": None}, {"OPENAI_API_KEY": "k"}, False),
        ({"type": "anthropic", "model": "m"}, {"ANTHROPIC_API_KEY": "k"}, True),
        ({"type": "xai", "model": "m"}, {}, False),
        ({"type": "vertexai", "model": "m"}, {"GOOGLE_CLOUD_PROJECT": "proj"}, True),
        ({"type": "vertexai", "model": "m", "project_env": "P"}, {"GOOGLE_CLOUD_PROJECT": "proj"}, False),
        ({"type": "scripted", "script": "demo"}, {}, True),
    ],
)
def test_credentials_present(entry: dict[str, object], env: dict[str, str], present: bool) -> None:
    assert _providers.validate_python(entry).credentials_present(env) is present


def test_stage_shorthand_and_plain_agent_names() -> None:
    single = StageConfig.model_validate({"name": "s", "agent": "A"})
    listed = StageConfig.model_validate({"name": "s", "agents": ["A", {"name": "B", "max_iterations": 2}]})

    assert [a.name for a in single.agents] == ["A"]
    assert [(a.name, a.max_iterations) for a in listed.agents] == [("A", None), ("B", 2)]
    assert stage_agent_count(listed) == 2
    assert stage_agent_count(StageConfig.model_validate({"name": "s", "agent": "A", "replicas": 4})) == 4


def test_models_forbid_unknown_keys() -> None:
    with pytest.raises(ValidationError, match="extra"):
        StageConfig.model_validate({"name": "s", "agent": "A", "replica": 2})


def test_chain_lookup_by_alert_type() -> None:
    config = load_config_from_data(
        {
            "agent_chains": {
                "net": {
                    "alert_types": ["dns", "latency"],
                    "stages": [{"name": "s", "agent": "KubernetesAgent"}],
                }
            }
        },
        env={},
    )

    assert config.chain_for_alert_type("latency")[0] == "net"
    assert config.alert_types() == ["dns", "kubernetes", "latency"]
    with pytest.raises(UnknownAlertTypeError) as caught:
        config.chain_for_alert_type("disk")
    assert str(caught.value) == "unknown alert type 'disk'; known: dns, kubernetes, latency"
    assert (caught.value.code, caught.value.alert_type) == ("unknown_alert_type", "disk")


def test_unknown_names_list_the_known_ones() -> None:
    config = load_config(None, env={})

    with pytest.raises(UnknownNameError, match="unknown LLM provider 'gpt'; known: anthropic-default"):
        config.provider("gpt")
    with pytest.raises(UnknownNameError, match="unknown chain 'x'; known: kubernetes"):
        config.chain("x")
