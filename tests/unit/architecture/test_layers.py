"""Dependencies point one way (docs/architecture.md): a module may import only from its own layer
or the layers below it. Checked on the source, so a new import that breaks the rule fails here
rather than surfacing later as an import cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[3] / "tarsy"

# Each layer may import the layers listed after it, never those before it.
LAYERS = ["cli", "evals", "api", "runtime", "actions", "integrations", "graphs", "nodes", "tools", "llm", "masking"]
LEAVES = {"config", "store", "observability", "contracts", "errors", "settings", "events", "demo", "jsonsafe"}
ABOVE: dict[str, set[str]] = {layer: set(LAYERS[: i + 1]) - {layer} for i, layer in enumerate(LAYERS)}


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tarsy" else None


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def _violations() -> list[str]:
    problems: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        own = rel.parts[1].removesuffix(".py") if len(rel.parts) > 1 else ""
        forbidden = ABOVE.get(own, set(LAYERS)) if own not in LEAVES else set(LAYERS)
        for lineno, module in _imports(path):
            target = _layer(module)
            if target is not None and target != own and target in forbidden:
                problems.append(f"{rel}:{lineno} imports {module} ({own} may not depend on {target})")
    return problems


def test_dependencies_point_one_way() -> None:
    problems = _violations()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("layer", LAYERS)
def test_every_layer_exists(layer: str) -> None:
    assert (PACKAGE / layer).exists() or (PACKAGE / f"{layer}.py").exists()
