"""Demo mode whenever no LLM provider has a key, whatever the config folder (tarsy/demo/mode.py).

Decided on real config folders (an empty one, each example, the built-ins) through the same
``Settings.from_env`` + ``load_config`` + ``decide_demo`` path ``tarsy serve`` takes, and once over
the real ``tarsy serve`` command for the refusal.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tarsy.config import load_config
from tarsy.demo import DemoDecision, DemoModeError, demo_banner, with_demo_cluster
from tarsy.runtime.service import decide_demo
from tarsy.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted(p for p in (ROOT / "deploy/config/examples").iterdir() if p.is_dir())


def _decide(config_dir: Path | None, **env: str) -> DemoDecision:
    environ = {**env, **({"TARSY_CONFIG_DIR": str(config_dir)} if config_dir is not None else {})}
    settings = Settings.from_env(environ)
    return decide_demo(settings, load_config(settings.config_dir, environ), environ)


def test_empty_config_folder_without_keys_is_demo(tmp_path: Path) -> None:
    decision = _decide(tmp_path)
    assert decision.demo is True
    assert "no LLM provider has credentials" in decision.reason
    assert "GOOGLE_API_KEY" in decision.reason


def test_empty_config_folder_in_demo_mode_gets_the_demo_cluster(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    server = with_demo_cluster(config, {}).mcp_servers["kubernetes-server"]
    assert server.transport.type == "stdio"
    assert server.transport.args == ["-m", "tarsy.demo.server"]


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_config_folder_without_keys_is_demo(example: Path) -> None:
    assert _decide(example).demo is True


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_demo_cluster_leaves_the_servers_a_folder_defines(example: Path) -> None:
    config = load_config(example, {})
    demo = with_demo_cluster(config, {})
    assert demo.mcp_servers["demo-cluster"] == config.mcp_servers["demo-cluster"]
    assert demo.agent_chains == config.agent_chains


def test_a_user_kubernetes_server_is_never_replaced_by_the_demo_cluster(tmp_path: Path) -> None:
    (tmp_path / "tarsy.yaml").write_text(
        "mcp_servers:\n  kubernetes-server:\n    transport: {type: http, url: 'http://127.0.0.1:9/mcp'}\n"
    )
    config = load_config(tmp_path, {})
    assert with_demo_cluster(config, {}) is config


def test_builtin_config_without_keys_is_demo() -> None:
    assert _decide(None).demo is True


@pytest.mark.parametrize("config_dir", [None, *EXAMPLES], ids=lambda p: "builtin" if p is None else p.name)
def test_key_of_the_default_provider_means_not_demo(config_dir: Path | None) -> None:
    decision = _decide(config_dir, GOOGLE_API_KEY="key")
    assert decision.demo is False


def test_vertex_project_counts_as_a_key(tmp_path: Path) -> None:
    (tmp_path / "tarsy.yaml").write_text("defaults:\n  llm_provider: vertexai-default\n")
    assert _decide(tmp_path, GOOGLE_CLOUD_PROJECT="p").demo is False


def test_forced_demo_with_keys_says_it_is_forced() -> None:
    decision = _decide(None, TARSY_DEMO="1", GOOGLE_API_KEY="key", OPENAI_API_KEY="key")
    assert decision.demo is True
    assert decision.reason == ("forced by TARSY_DEMO=1; credentials for google-default, openai-default are ignored")
    banner = demo_banner(decision.reason)
    assert "forced by TARSY_DEMO=1" in banner
    assert "no LLM credentials" not in banner and "no LLM provider has credentials" not in banner


def test_forced_demo_without_keys(tmp_path: Path) -> None:
    assert _decide(tmp_path, TARSY_DEMO="1") == DemoDecision(True, "forced by TARSY_DEMO=1")


@pytest.mark.parametrize("config_dir", [None, EXAMPLES[0]], ids=["builtin", EXAMPLES[0].name])
def test_demo_forbidden_without_keys_is_a_clear_refusal(config_dir: Path | None) -> None:
    with pytest.raises(DemoModeError) as caught:
        _decide(config_dir, TARSY_DEMO="0")
    assert str(caught.value) == (
        "TARSY_DEMO=0 forbids demo mode, but no LLM provider has credentials: the default provider "
        "'google-default' needs GOOGLE_API_KEY. Set it, or unset TARSY_DEMO to run the scripted demo model."
    )


def test_demo_forbidden_with_the_default_key_runs_live() -> None:
    assert _decide(None, TARSY_DEMO="0", GOOGLE_API_KEY="key").demo is False


def test_a_key_for_another_provider_only_is_a_refusal_naming_both(tmp_path: Path) -> None:
    with pytest.raises(DemoModeError) as caught:
        _decide(tmp_path, ANTHROPIC_API_KEY="key")
    message = str(caught.value)
    assert "the default LLM provider 'google-default' has no credentials (GOOGLE_API_KEY is not set)" in message
    assert "'anthropic-default' has" in message
    assert "defaults.llm_provider" in message and "TARSY_DEMO=1" in message


def test_scripted_default_provider_is_live_not_demo(tmp_path: Path) -> None:
    (tmp_path / "tarsy.yaml").write_text("defaults:\n  llm_provider: demo-scripted\n")
    assert _decide(tmp_path).demo is False


def test_serve_refuses_with_the_message_when_demo_is_forbidden(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "TARSY_DEMO": "0", "TARSY_CONFIG_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "tarsy.cli", "serve"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert "TARSY_DEMO=0 forbids demo mode" in done.stderr
