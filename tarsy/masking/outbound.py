"""Masking of what TARSy itself writes and says: model output, errors, chat, runbooks, records.

A model's reply can repeat anything it was shown, and errors, runbooks and chat questions come from
outside. Whatever leaves the process (a stored row, a live event, a prompt, a Slack message) is
masked with the *outbound* policy: the union of every policy the configuration applies to an input
(``defaults.alert_masking``, ``defaults.tool_masking`` and each MCP server's masking), so that a
secret that any input would have had masked is masked on the way out as well.

Masking here fails closed, like tool results: text that cannot be masked is replaced by a notice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Final

from tarsy.config import DataMaskingConfig, TarsyConfig
from tarsy.masking.masker import mask_tool_result, mask_value
from tarsy.masking.policy import CustomPattern, MaskingPolicy, build_policy
from tarsy.masking.stream import StreamMasker, stream_masker

log = logging.getLogger(__name__)

OUTPUT_REDACTED: Final = "[REDACTED: data masking failure — text could not be safely processed]"


def outbound_policy(config: TarsyConfig) -> MaskingPolicy:
    """The union of the alert policy, the default tool policy and every server's enabled policy."""
    groups: list[str] = []
    patterns: list[str] = []
    custom: list[CustomPattern] = []
    if config.defaults.alert_masking.enabled:
        groups.append(config.defaults.alert_masking.pattern_group)
    settings: list[DataMaskingConfig] = [config.defaults.tool_masking]
    settings += [config.masking_of(name) for name in config.mcp_servers]
    for masking in settings:
        if not masking.enabled:
            continue
        groups += masking.pattern_groups
        patterns += masking.patterns
        custom += [CustomPattern(p.pattern, p.replacement, p.description) for p in masking.custom_patterns]
    unique = list(dict.fromkeys(custom))
    return build_policy(sorted(set(groups)), sorted(set(patterns)), unique)


@dataclass(frozen=True)
class OutputMasking:
    """The outbound policy and the ways to apply it; built once per configuration."""

    policy: MaskingPolicy
    window: int

    @classmethod
    def from_config(cls, config: TarsyConfig) -> OutputMasking:
        return cls(outbound_policy(config), config.system.masking.stream_window_chars)

    def text(self, text: str) -> str:
        """``text`` masked; the redaction notice if masking failed (the failure is logged)."""
        return mask_tool_result(text, self.policy, on_error=_log_failure)

    def optional(self, text: str | None) -> str | None:
        return None if text is None else self.text(text)

    def value(self, value: Any) -> Any:
        """Every string in a JSON-like value masked (keys kept); a notice in place of what failed."""
        if self.policy.is_empty:
            return value
        try:
            return mask_value(value, self.policy)
        except Exception as exc:
            # Fail closed: the value is replaced by the notice; the error type goes to the log.
            _log_failure(exc)
            return OUTPUT_REDACTED

    def stream(self) -> StreamMasker:
        """A windowed masker for one stream of text (a secret split across chunks is caught)."""
        return stream_masker(self.policy, self.window, on_error=_log_failure)


def _log_failure(exc: Exception) -> None:
    # The exception type only: its text could quote the data that was being masked.
    log.error("masking outgoing text failed (%s); it was redacted", type(exc).__name__)
