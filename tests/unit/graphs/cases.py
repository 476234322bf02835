"""The chains whose graphs are pinned: every built-in chain and every example in ``deploy/config/examples``.

Each example directory is a config directory (``tarsy.yaml``, optional ``llm-providers.yaml``) plus
an ``alert.json``. Loading one merges it over the built-ins, so only the chains its own
``tarsy.yaml`` defines belong to the example; the built-in chains are pinned once, as ``builtin``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tarsy.config import TarsyConfig, load_config

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES_DIR = ROOT / "deploy" / "config" / "examples"
GOLDEN_DIR = ROOT / "tests" / "golden" / "graphs"
BUILTIN = "builtin"


def example_dirs() -> list[Path]:
    return sorted(path for path in EXAMPLES_DIR.iterdir() if (path / "tarsy.yaml").is_file())


def own_chains(example: Path) -> list[str]:
    """The chain ids the example's ``tarsy.yaml`` defines (not the built-ins it is merged over)."""
    data = yaml.safe_load((example / "tarsy.yaml").read_text(encoding="utf-8"))
    return list(data.get("agent_chains", {}))


def load_example(name: str) -> TarsyConfig:
    """An example's config; ``${VAR:-default}`` values take their defaults."""
    return load_config(EXAMPLES_DIR / name, env={})


@dataclass(frozen=True)
class ChainCase:
    source: str  # ``builtin`` or the example's directory name
    chain_id: str

    @property
    def id(self) -> str:
        return f"{self.source}__{self.chain_id}"

    @property
    def golden(self) -> Path:
        return GOLDEN_DIR / f"{self.id}.mmd"

    def config(self) -> TarsyConfig:
        return load_config(None, env={}) if self.source == BUILTIN else load_example(self.source)


def chain_cases() -> list[ChainCase]:
    cases = [ChainCase(BUILTIN, chain_id) for chain_id in load_config(None, env={}).agent_chains]
    for example in example_dirs():
        cases += [ChainCase(example.name, chain_id) for chain_id in own_chains(example)]
    return cases
