"""Loading and re-writing the masking corpus: one YAML file per case under ``corpus/``.

A case holds an ``input``, the exact ``expected`` output under its ``groups``/``patterns`` (group
``all`` when neither is given), the ``secrets`` that must survive neither the case's own policy nor
group ``all``, the ``secrets_beyond_policy`` that its narrower policy leaves on purpose but group
``all`` must catch, and ``near_miss: true`` when nothing in it may be masked at all.
``TARSY_UPDATE_GOLDENS=1`` makes the corpus test rewrite ``expected`` from the current behaviour
and fail (``tests/support/goldens.py``); the secret tests never rewrite anything, so a leak recorded
as ``expected`` still fails them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.goldens import rewrite, updating

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
    secrets_beyond_policy: tuple[str, ...]
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
        secrets_beyond_policy=tuple(raw.get("secrets_beyond_policy", ())),
        near_miss=bool(raw.get("near_miss", False)),
    )


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as ``|`` blocks so that inputs and outputs read like the text they are."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _represent_str)


def write_expected(case: Case, expected: str) -> None:
    """Update mode: record ``expected``; a change fails the test (``tests/support/goldens.py``)."""
    if expected == case.expected:
        return
    raw: dict[str, Any] = yaml.safe_load(case.path.read_text(encoding="utf-8"))
    raw["expected"] = expected
    rewrite(case.path, dumps(raw))


def dumps(raw: dict[str, Any]) -> str:
    return yaml.dump(raw, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=200)
