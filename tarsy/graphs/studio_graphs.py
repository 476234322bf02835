"""What ``langgraph dev`` loads: one graph factory per chain of the active config, plus ``chat``.

``langgraph.json`` names graphs as ``file:variable`` and the server reads the variable from the
module's namespace, so this module puts a factory under every chain id of the active config
(built-ins and ``TARSY_CONFIG_DIR``) when it is imported. It is imported by the Agent Server and by
``python -m tarsy.graphs.studio_graphs`` (which prints a ``langgraph.json`` naming them all: what
``make studio`` serves) and by nothing else in TARSy.

Run as a script: ``python -m tarsy.graphs.studio_graphs [OUT]`` writes that ``langgraph.json``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tarsy.graphs import studio as _studio

ENTRY = "./tarsy/graphs/studio_graphs.py"
CHECKPOINTER = "tarsy.graphs.studio.checkpointer"


def langgraph_json(graph_ids: list[str]) -> dict[str, Any]:
    """A ``langgraph.json`` serving ``graph_ids`` from this module, with TARSy's checkpointer."""
    return {
        "dependencies": ["."],
        "graphs": {graph_id: f"{ENTRY}:{graph_id}" for graph_id in graph_ids},
        "checkpointer": {"path": CHECKPOINTER},
        "env": {},
    }


_FACTORIES = _studio.graph_factories(_studio.studio_setup().config)
globals().update({name: factory for name, factory in _FACTORIES.items() if name not in globals()})


def main(argv: list[str]) -> int:
    text = json.dumps(langgraph_json(list(_FACTORIES)), indent=2) + "\n"
    if argv:
        Path(argv[0]).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
