"""The offline demo: a scripted model, and a simulated cluster behind the built-in tools.

The rule (README "Try it", docs/operations.md), whatever the config folder:

- ``TARSY_DEMO=1`` forces demo mode, even when provider keys are set (the banner says it is forced);
- ``TARSY_DEMO=0`` forbids it: without credentials for the default provider, start-up refuses;
- unset: demo mode exactly when no LLM provider of the active config has credentials. When some
  provider has a key but the default provider has none, start-up refuses and says which is which,
  never a silent fall back to the script.

In demo mode every agent is served by the scripted demo model (``tarsy/demo/script.json``),
and when the active config still has the built-in ``kubernetes-server`` it is served by TARSy's own
demo MCP server, so a newcomer sees real tool calls, masking and summarization without a cluster.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass

from tarsy.config import (
    LLMProviderConfig,
    ScriptedProviderConfig,
    TarsyConfig,
    VertexAIProviderConfig,
    load_config,
    load_config_from_data,
)
from tarsy.errors import TarsyError

DEMO_SERVER_INSTRUCTIONS = (
    "DEMO: a simulated Kubernetes cluster (namespaces checkout and monitoring). "
    "Start with pods_list in the alert's namespace, then look at the failing pod, its previous logs "
    "and the namespace events."
)
DEMO_SERVER = "kubernetes-server"

NO_CREDENTIALS = "no LLM provider has credentials"
FORCED = "forced by TARSY_DEMO=1"


class DemoModeError(TarsyError):
    """Start-up cannot decide between a real model and the demo: the message says what to set."""

    code = "demo_mode_undecided"


@dataclass(frozen=True)
class DemoDecision:
    demo: bool
    reason: str
    """Why (``NO_CREDENTIALS`` or ``FORCED`` ...), for the banner, the log and ``/health``."""


def credential_env(provider: LLMProviderConfig) -> str:
    """The environment variable a provider's credentials come from (for messages)."""
    if isinstance(provider, VertexAIProviderConfig):
        return provider.project_env
    return provider.api_key_env or "?"


def keyed_providers(config: TarsyConfig, env: Mapping[str, str]) -> list[str]:
    """The configured real (not scripted) providers whose credentials ``env`` holds, sorted."""
    return sorted(
        name
        for name, provider in config.llm_providers.items()
        if not isinstance(provider, ScriptedProviderConfig) and provider.credentials_present(env)
    )


def decide_demo(forced: bool | None, config: TarsyConfig, env: Mapping[str, str]) -> DemoDecision:
    """Demo mode or not, by the rule in the module docstring; raises :class:`DemoModeError`."""
    keyed = keyed_providers(config, env)
    if forced is True:
        ignored = f"; credentials for {', '.join(keyed)} are ignored" if keyed else ""
        return DemoDecision(True, FORCED + ignored)
    name = config.defaults.llm_provider
    provider = config.provider(name)
    if provider.credentials_present(env):
        return DemoDecision(False, f"default LLM provider '{name}' has credentials")
    variable = credential_env(provider)
    if keyed:
        raise DemoModeError(
            f"the default LLM provider '{name}' has no credentials ({variable} is not set), while "
            f"{', '.join(repr(k) for k in keyed)} {'has' if len(keyed) == 1 else 'have'}. Set {variable}, "
            "or make a provider with credentials the default (defaults.llm_provider in tarsy.yaml), "
            "or set TARSY_DEMO=1 to run the scripted demo model."
        )
    if forced is False:
        raise DemoModeError(
            f"TARSY_DEMO=0 forbids demo mode, but no LLM provider has credentials: the default provider "
            f"'{name}' needs {variable}. Set it, or unset TARSY_DEMO to run the scripted demo model."
        )
    return DemoDecision(True, f"{NO_CREDENTIALS}; the default provider '{name}' needs {variable}")


def demo_banner(reason: str) -> str:
    return (
        "\n" + "=" * 78 + "\n"
        f"  TARSy is running in DEMO MODE ({reason}).\n"
        "  Every agent uses a SCRIPTED model that plays a canned investigation: nothing it\n"
        "  says is about your systems. Set a provider key (e.g. GOOGLE_API_KEY) and leave\n"
        "  TARSY_DEMO unset for real investigations.\n" + "=" * 78
    )


def demo_config(env: Mapping[str, str] | None = None) -> TarsyConfig:
    """The built-in config with ``kubernetes-server`` served by the demo MCP server."""
    overlay = {
        "mcp_servers": {
            DEMO_SERVER: {
                "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.demo.server"]},
                "instructions": DEMO_SERVER_INSTRUCTIONS,
                "data_masking": {"pattern_groups": ["kubernetes", "cloud", "security"]},
                "summarization": {"size_threshold_tokens": 400, "summary_max_token_limit": 300},
            }
        }
    }
    return load_config_from_data(tarsy=overlay, env=env)


def with_demo_cluster(config: TarsyConfig, env: Mapping[str, str] | None = None) -> TarsyConfig:
    """``config`` with the demo cluster in place of the built-in ``kubernetes-server``.

    A config folder that defines its own ``kubernetes-server`` (or none) keeps it: the demo never
    replaces a server the user configured.
    """
    server = config.mcp_servers.get(DEMO_SERVER)
    if server is None or server != load_config(None, env).mcp_servers.get(DEMO_SERVER):
        return config
    servers = {**config.mcp_servers, DEMO_SERVER: demo_config(env).mcp_servers[DEMO_SERVER]}
    return config.model_copy(update={"mcp_servers": servers})
