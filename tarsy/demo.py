"""The offline demo: the built-in chain with a simulated cluster behind it and a scripted model.

In demo mode (no LLM credentials and no user config, or ``TARSY_DEMO=1`` with the built-in config)
the built-in ``kubernetes-server`` is served by TARSy's own demo MCP server, so a newcomer sees
real tool calls, masking and summarization without a cluster. The scripted model
(``tarsy/llm/scripts/demo.json``) drives the tools; every answer says it is a demo.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from tarsy.config import TarsyConfig, load_config_from_data

DEMO_SERVER_INSTRUCTIONS = (
    "DEMO: a simulated Kubernetes cluster (namespaces checkout and monitoring). "
    "Start with pods_list in the alert's namespace, then look at the failing pod, its previous logs "
    "and the namespace events."
)


def demo_config(env: Mapping[str, str] | None = None) -> TarsyConfig:
    overlay = {
        "mcp_servers": {
            "kubernetes-server": {
                "transport": {"type": "stdio", "command": sys.executable, "args": ["-m", "tarsy.tools.demo_server"]},
                "instructions": DEMO_SERVER_INSTRUCTIONS,
                "data_masking": {"pattern_groups": ["kubernetes", "cloud", "security"]},
                "summarization": {"size_threshold_tokens": 400, "summary_max_token_limit": 300},
            }
        }
    }
    return load_config_from_data(tarsy=overlay, env=env)
