"""Loading and re-writing the masking corpus: one YAML file per case under ``corpus/``.

A case holds an ``input``, the exact ``expected`` output under its ``groups``/``patterns`` (group
``all`` when neither is given), the ``secrets`` that must not survive group ``all``, and
``near_miss: true`` when nothing in it may be masked at all. ``TARSY_UPDATE_GOLDEN=1`` makes the
corpus test rewrite ``expected`` from the current behaviour; review the diff before keeping it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.goldens import updating

CORPUS_DIR = Path(__file__).parent / "corpus"
UPDATE_GOLDEN = updating()


@dataclass(frozen=True)
class Case:
    path: Path
    description: str
    input: str
    expected: str | None
    groups: tuple[str, ...]
    patterns: tuple[str, ...]
    secrets: tuple[str, ...]
    near_miss: bool

    @property
    def name(self) -> str:
        return self.path.stem


def load_cases() -> list[Case]:
    return [_load(path) for path in sorted(CORPUS_DIR.glob("*.yaml"))]


def _load(path: Path) -> Case:
    raw: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    patterns = tuple(raw.get("patterns", ()))
    return Case(
        path=path,
        description=raw["description"],
        input=raw["input"],
        expected=raw.get("expected"),
        groups=tuple(raw.get("groups", () if patterns else ("all",))),
        patterns=patterns,
        secrets=tuple(raw.get("secrets", ())),
        near_miss=bool(raw.get("near_miss", False)),
    )


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks so that inputs and outputs read like the text they are."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_str)


def write_expected(case: Case, expected: str) -> None:
    raw: dict[str, Any] = yaml.safe_load(case.path.read_text(encoding="utf-8"))
    raw["expected"] = expected
    dump(case.path, raw)


def dump(path: Path, raw: dict[str, Any]) -> None:
    text = yaml.dump(raw, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)
    path.write_text(text, encoding="utf-8")
