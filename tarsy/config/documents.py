"""Reading one config file into a checked top-level mapping (a :class:`ConfigDocument`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tarsy.config.errors import ConfigIssue

TARSY_FILE = "tarsy.yaml"
PROVIDERS_FILE = "llm-providers.yaml"
TARSY_SECTIONS = ("mcp_servers", "agents", "agent_chains", "defaults", "queue", "system", "pricing", "memory")
PROVIDER_SECTIONS = ("llm_providers",)
SECTIONS_BY_FILE = {TARSY_FILE: TARSY_SECTIONS, PROVIDERS_FILE: PROVIDER_SECTIONS}


@dataclass(frozen=True)
class ConfigDocument:
    """The top-level mapping of one file; ``file`` is how issues name it (``tarsy.yaml``, ``built-in``)."""

    file: str
    data: dict[str, Any]


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that rejects duplicate keys, which YAML would otherwise resolve silently."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, file: str) -> tuple[object, list[ConfigIssue]]:
    try:
        return yaml.load(text, Loader=_StrictLoader), []  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ConfigIssue(file, "", f"invalid YAML{where}: {problem}")]


def check_document(data: object, file: str, allowed: tuple[str, ...]) -> tuple[ConfigDocument, list[ConfigIssue]]:
    """Check the top level of ``data`` (a mapping of known section names); keep what is usable."""
    if data is None:
        return ConfigDocument(file, {}), []
    if not isinstance(data, dict):
        message = f"the file must be a mapping with keys: {', '.join(allowed)}; got {type(data).__name__}"
        return ConfigDocument(file, {}), [ConfigIssue(file, "", message)]
    issues = [
        ConfigIssue(file, str(key), f"unknown top-level key {key!r}; allowed keys: {', '.join(allowed)}")
        for key in data
        if key not in allowed
    ]
    return ConfigDocument(file, {k: v for k, v in data.items() if k in allowed}), issues


def read_document(path: Path, allowed: tuple[str, ...]) -> tuple[ConfigDocument, list[ConfigIssue]]:
    """Parse and check ``path``; a file that does not exist is an empty document."""
    if not path.is_file():
        return ConfigDocument(path.name, {}), []
    data, issues = parse_yaml(path.read_text(encoding="utf-8"), path.name)
    if issues:
        return ConfigDocument(path.name, {}), issues
    return check_document(data, path.name, allowed)
