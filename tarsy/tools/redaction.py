"""Masking of everything that comes out of an MCP server, with each server's own policy.

Tool results, error texts and live output are masked fail-closed (``mask_tool_result``): what cannot
be masked is replaced by a redaction notice. A server whose masking configuration cannot be built
gets every result redacted rather than none masked. Arguments are masked too before they are
stored: the model may have copied a secret into them from an alert that was stored unmasked.
"""

from __future__ import annotations

import logging
from typing import Any

from tarsy.config import TarsyConfig
from tarsy.masking import (
    TOOL_RESULT_REDACTED,
    MaskingConfigError,
    MaskingPolicy,
    StreamMasker,
    build_policy,
    mask_tool_result,
    stream_masker,
)
from tarsy.masking import mask_value as _mask_value

log = logging.getLogger(__name__)

ARGUMENTS_REDACTED = {"redacted": "[REDACTED: data masking failure — arguments could not be safely processed]"}


class ServerMasking:
    """Per-server masking policies, built once per configuration."""

    def __init__(self, config: TarsyConfig) -> None:
        self._policies: dict[str, MaskingPolicy | None] = {}
        self._window = config.system.masking.stream_window_chars
        for name in config.mcp_servers:
            masking = config.masking_of(name)
            if not masking.enabled:
                self._policies[name] = MaskingPolicy()
                continue
            try:
                self._policies[name] = build_policy(masking.pattern_groups, masking.patterns, masking.custom_patterns)
            except MaskingConfigError as exc:
                log.error("MCP server '%s' has an unusable data_masking config, its output is redacted: %s", name, exc)
                self._policies[name] = None

    def text(self, server: str, text: str) -> str:
        """``text`` masked with ``server``'s policy; the redaction notice if that is impossible."""
        policy = self._policy(server)
        if policy is None:
            return TOOL_RESULT_REDACTED if text else text
        return mask_tool_result(text, policy, on_error=lambda exc: _log_failure(server, exc))

    def stream(self, server: str) -> StreamMasker:
        """A windowed masker for one call's live output (a secret split across notifications is caught)."""
        policy = self._policy(server)
        if policy is None:
            return StreamMasker(lambda text: TOOL_RESULT_REDACTED if text else text, self._window)
        return stream_masker(policy, self._window, on_error=lambda exc: _log_failure(server, exc))

    def arguments(self, server: str, arguments: dict[str, Any]) -> dict[str, Any]:
        policy = self._policy(server)
        if policy is None:
            return dict(ARGUMENTS_REDACTED)
        try:
            masked: dict[str, Any] = _mask_value(arguments, policy)
        except Exception as exc:
            # Fail closed like results: the stored record loses the arguments, the call goes on.
            _log_failure(server, exc)
            return dict(ARGUMENTS_REDACTED)
        return masked

    def _policy(self, server: str) -> MaskingPolicy | None:
        # A server missing from the config has no policy: redact (fail closed) rather than guess.
        return self._policies.get(server)


def _log_failure(server: str, exc: Exception) -> None:
    # The exception type only: its text could quote the data that was being masked.
    log.error("masking output of MCP server '%s' failed (%s); it was redacted", server, type(exc).__name__)
