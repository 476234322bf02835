"""Merging documents in order (built-ins first): later entries replace earlier ones by name.

Named entries (agents, chains, MCP servers, providers) are replaced whole, so a user entry never
inherits half of a built-in one; ``defaults``, ``queue``, ``system``, ``pricing`` and ``memory``
merge key by key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tarsy.config.documents import ConfigDocument
from tarsy.config.errors import BUILTIN_SOURCE, ConfigIssue

ENTRY_SECTIONS = ("mcp_servers", "agents", "agent_chains", "llm_providers")
SETTING_SECTIONS = ("defaults", "queue", "system", "pricing", "memory")


@dataclass(frozen=True)
class Provenance:
    """Which file each entry, or each key of a settings section, came from."""

    sources: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def file_for(self, section: str, name: str = "") -> str:
        """The file of ``section.name``; with no name, of the section as a whole."""
        return self.sources.get((section, name), BUILTIN_SOURCE)


@dataclass(frozen=True)
class MergedSections:
    sections: dict[str, dict[str, Any]]
    provenance: Provenance


def merge_documents(documents: Sequence[ConfigDocument]) -> tuple[MergedSections, list[ConfigIssue]]:
    sections: dict[str, dict[str, Any]] = {name: {} for name in (*ENTRY_SECTIONS, *SETTING_SECTIONS)}
    sources: dict[tuple[str, str], str] = {}
    issues: list[ConfigIssue] = []
    for document in documents:
        for section, body in document.data.items():
            if body is None:
                continue
            if not isinstance(body, dict):
                what = "a mapping of name to entry" if section in ENTRY_SECTIONS else "a mapping"
                issues.append(ConfigIssue(document.file, section, f"must be {what}; got {type(body).__name__}"))
                continue
            sources[(section, "")] = document.file
            for name, entry in body.items():
                if not isinstance(name, str):
                    issues.append(
                        ConfigIssue(document.file, f"{section}.{name}", "names must be strings; quote this key")
                    )
                    continue
                # Entries replace whole; settings keys replace one by one. Both end up as one dict.
                sections[section][name] = {} if entry is None and section in ENTRY_SECTIONS else entry
                sources[(section, name)] = document.file
    return MergedSections(sections, Provenance(sources)), issues
