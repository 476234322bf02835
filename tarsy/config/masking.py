"""Masking settings: ``mcp_servers.<name>.data_masking``, ``defaults.tool_masking``, ``defaults.alert_masking``.

The names of the pattern groups and patterns are listed here, not imported from ``tarsy.masking``:
config is a leaf that imports no layer. ``tests/unit/masking/test_masking_config_names.py`` holds
these lists equal to what ``tarsy.masking`` implements. Checking names while the config loads
turns a typo (``clouds``) into a start-up error naming the file and key, instead of a server whose
every result is redacted at run time.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import AfterValidator, Field, field_validator, model_validator

from tarsy.config.base import StrictModel

MASKING_GROUPS: Final = frozenset({"basic", "secrets", "security", "kubernetes", "cloud", "all"})
"""Group names of ``tarsy.masking.PATTERN_GROUPS``."""

MASKING_PATTERNS: Final = frozenset(
    {
        "kubernetes_secret",
        "certificate",
        "ssh_key",
        "certificate_authority_data",
        "aws_access_key",
        "aws_secret_key",
        "github_token",
        "slack_token",
        "private_key",
        "secret_key",
        "token",
        "api_key",
        "password",
        "email",
        "base64_secret",
        "base64_short",
    }
)
"""Pattern names of ``tarsy.masking.KNOWN_NAMES`` (the structural masker and the 15 regexes)."""


def _known_group(name: str) -> str:
    if name not in MASKING_GROUPS:
        raise ValueError(f"unknown masking group {name!r}; allowed: {', '.join(sorted(MASKING_GROUPS))}")
    return name


def _known_pattern(name: str) -> str:
    if name not in MASKING_PATTERNS:
        raise ValueError(f"unknown masking pattern {name!r}; allowed: {', '.join(sorted(MASKING_PATTERNS))}")
    return name


GroupName = Annotated[str, AfterValidator(_known_group)]
PatternName = Annotated[str, AfterValidator(_known_pattern)]


class CustomMaskingPattern(StrictModel):
    pattern: str = Field(min_length=1)
    replacement: str
    description: str = ""

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        if regex.match("") is not None:
            raise ValueError(f"regular expression {pattern!r} matches the empty string")
        return pattern

    @model_validator(mode="after")
    def _replacement_fits(self) -> CustomMaskingPattern:
        try:
            # ``re`` parses the template on every call, so this rejects bad escapes and group
            # references the regex does not have (as ``tarsy.masking.build_policy`` does).
            re.compile(self.pattern).sub(self.replacement, "")
        except (re.error, IndexError) as exc:
            raise ValueError(f"invalid replacement {self.replacement!r}: {exc}") from None
        return self


class DataMaskingConfig(StrictModel):
    """Masking of a server's tool results, errors, arguments and live output (fails closed).

    ``enabled: true`` with nothing to apply is an error: it reads as "masked" and masks nothing.
    ``enabled: false`` switches masking off for the server, explicitly.
    """

    enabled: bool = True
    pattern_groups: list[GroupName] = Field(default_factory=list)
    patterns: list[PatternName] = Field(default_factory=list)
    custom_patterns: list[CustomMaskingPattern] = Field(default_factory=list)

    @model_validator(mode="after")
    def _something_to_apply(self) -> DataMaskingConfig:
        if self.enabled and not (self.pattern_groups or self.patterns or self.custom_patterns):
            raise ValueError(
                "masking is enabled with nothing to apply: name pattern_groups (e.g. [all]), patterns or "
                "custom_patterns, or set enabled: false to switch masking off for this server"
            )
        return self


def default_tool_masking() -> DataMaskingConfig:
    """``defaults.tool_masking`` unless configured: every pattern (group ``all``)."""
    return DataMaskingConfig(pattern_groups=["all"])


class AlertMaskingConfig(StrictModel):
    """Masking of incoming alert payloads (fail-open, unlike tool results: failures are logged and counted)."""

    enabled: bool = True
    pattern_group: GroupName = "security"


class StreamMaskingConfig(StrictModel):
    """``system.masking``: how streamed text (live tool output, model output) is masked."""

    stream_window_chars: int = Field(default=256, ge=64, le=65536)
    """Characters of streamed text held back until the next chunk or the end, so that a secret split
    across chunks is masked whole (see docs/masking.md, "Streamed text")."""
