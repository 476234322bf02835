"""TARSy's built-in configuration, shipped as YAML beside this module (``builtin/*.yaml``).

Built-ins go through the same expansion and validation as user files, so a user entry of the same
name can replace any of them without special cases.
"""

from __future__ import annotations

from importlib import resources

from tarsy.config.documents import (
    PROVIDER_SECTIONS,
    PROVIDERS_FILE,
    TARSY_FILE,
    TARSY_SECTIONS,
    ConfigDocument,
    check_document,
    parse_yaml,
)
from tarsy.config.errors import BUILTIN_SOURCE, ConfigIssue

CHAT_AGENT = "ChatAgent"
SYNTHESIS_AGENT = "SynthesisAgent"
EXEC_SUMMARY_AGENT = "ExecSummaryAgent"


def builtin_documents() -> tuple[list[ConfigDocument], list[ConfigIssue]]:
    """The built-in ``tarsy.yaml`` and ``llm-providers.yaml``, both reported as ``built-in``."""
    folder = resources.files("tarsy.config").joinpath("builtin")
    documents, issues = [], []
    for name, allowed in ((TARSY_FILE, TARSY_SECTIONS), (PROVIDERS_FILE, PROVIDER_SECTIONS)):
        data, parse_issues = parse_yaml(folder.joinpath(name).read_text(encoding="utf-8"), BUILTIN_SOURCE)
        document, check_issues = check_document(data, BUILTIN_SOURCE, allowed)
        documents.append(document)
        issues += parse_issues + check_issues
    return documents, issues
