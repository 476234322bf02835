"""Which scoring settings and provider a chain's sessions get: the chain's ``scoring``, else the defaults'."""

from __future__ import annotations

from tarsy.config import load_config
from tarsy.runtime.scoring import scoring_config, scoring_provider
from tests.unit.config.conftest import WriteConfig

TARSY = """
defaults:
  scoring: {enabled: true}
agent_chains:
  own:
    alert_types: [own]
    llm_provider: openai-default
    scoring: {enabled: false, llm_provider: xai-default}
    stages:
      - {name: a, agent: KubernetesAgent}
  inherits:
    alert_types: [inherits]
    llm_provider: openai-default
    stages:
      - {name: a, agent: KubernetesAgent}
"""


def test_scoring_is_off_by_default(write_config: WriteConfig) -> None:
    config = load_config(write_config(), env={})
    assert scoring_config(config, "kubernetes").enabled is False
    assert scoring_provider(config, "kubernetes") == config.defaults.llm_provider


def test_a_chain_scoring_replaces_the_defaults(write_config: WriteConfig) -> None:
    config = load_config(write_config(tarsy=TARSY), env={})
    assert scoring_config(config, "own").enabled is False
    assert scoring_provider(config, "own") == "xai-default"
    assert scoring_config(config, "inherits").enabled is True
    assert scoring_provider(config, "inherits") == "openai-default"  # the chain's provider
    assert scoring_config(config, "gone").enabled is True  # a chain no longer configured: the defaults
