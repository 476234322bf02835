"""The offline demo, in one package: the demo-mode rule (``mode``), the simulated cluster
(``cluster``) behind TARSy's demo MCP server (``server``, ``python -m tarsy.demo.server``) and the
script the scripted model plays in demo mode (``script.json``).

The scripted model itself is not here: it is an LLM provider type (``type: scripted``) that tests,
benchmarks, Studio and embedding apps use too, so it lives with the other models in
``tarsy.llm.scripted``.
"""

from __future__ import annotations

from tarsy.demo.mode import (
    DEMO_SERVER,
    FORCED,
    NO_CREDENTIALS,
    DemoDecision,
    DemoModeError,
    decide_demo,
    demo_banner,
    demo_config,
    with_demo_cluster,
)

__all__ = [
    "DEMO_SERVER",
    "FORCED",
    "NO_CREDENTIALS",
    "DemoDecision",
    "DemoModeError",
    "decide_demo",
    "demo_banner",
    "demo_config",
    "with_demo_cluster",
]
