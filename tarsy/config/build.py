"""Validating merged sections into a :class:`TarsyConfig`, one entry at a time.

Validating entry by entry lets every issue name the file its entry came from, and lets the
valid entries go on to the cross-reference checks while the broken ones are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from tarsy.config.agents import AgentConfig
from tarsy.config.chains import ChainConfig
from tarsy.config.errors import ConfigIssue
from tarsy.config.mcp import MCPServerConfig
from tarsy.config.memory import MemoryConfig
from tarsy.config.merge import MergedSections, Provenance
from tarsy.config.models import TarsyConfig
from tarsy.config.pricing import PricingConfig
from tarsy.config.providers import LLMProviderConfig
from tarsy.config.pydantic_issues import issues_from_validation_error
from tarsy.config.sections import DefaultsConfig, QueueConfig, SystemConfig

_ENTRY_TYPES: dict[str, Any] = {
    "mcp_servers": MCPServerConfig,
    "agents": AgentConfig,
    "agent_chains": ChainConfig,
    "llm_providers": LLMProviderConfig,
}
_SETTING_TYPES: dict[str, Any] = {
    "defaults": DefaultsConfig,
    "queue": QueueConfig,
    "system": SystemConfig,
    "pricing": PricingConfig,
    "memory": MemoryConfig,
}


@dataclass(frozen=True)
class BuildResult:
    config: TarsyConfig
    """The settings and every entry that validated (broken ones left out, settings defaulted)."""
    broken: Mapping[str, frozenset[str]]
    """Names that exist but failed validation, per section: references to them are not 'unknown'."""
    issues: list[ConfigIssue]


def build_config(merged: MergedSections) -> BuildResult:
    issues: list[ConfigIssue] = []
    values: dict[str, Any] = {}
    broken: dict[str, frozenset[str]] = {}
    for section, entry_type in _ENTRY_TYPES.items():
        adapter: TypeAdapter[Any] = TypeAdapter(entry_type)
        valid: dict[str, Any] = {}
        failed: set[str] = set()
        for name, raw in merged.sections[section].items():
            file = merged.provenance.file_for(section, name)
            try:
                valid[name] = adapter.validate_python(raw)
            except ValidationError as exc:
                issues += issues_from_validation_error(exc, entry_type, file, (section, name))
                failed.add(name)
        values[section] = valid
        broken[section] = frozenset(failed)
    for section, settings_type in _SETTING_TYPES.items():
        raw = merged.sections[section]
        try:
            values[section] = settings_type.model_validate(raw)
        except ValidationError as exc:
            issues += _settings_issues(exc, section, settings_type, merged.provenance)
    return BuildResult(TarsyConfig(**values), broken, issues)


def _settings_issues(
    error: ValidationError, section: str, settings_type: Any, provenance: Provenance
) -> list[ConfigIssue]:
    """Settings merge key by key, so each issue is blamed on the file that set its key."""
    issues: list[ConfigIssue] = []
    for issue in issues_from_validation_error(error, settings_type, "", (section,)):
        key = issue.path.removeprefix(f"{section}.").split(".")[0].split("[")[0]
        name = key if issue.path != section else ""
        issues.append(ConfigIssue(provenance.file_for(section, name), issue.path, issue.message))
    return issues
