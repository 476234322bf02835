"""Data masking: hide secrets in tool results and alert payloads before an LLM or the store sees them.

Pure functions over a frozen ``MaskingPolicy``; see ``docs/masking.md`` for the patterns, groups,
ordering and failure behaviour.
"""

from tarsy.masking.kubernetes_secret import SECRET_DATA_PLACEHOLDER, mask_kubernetes_secrets
from tarsy.masking.masker import (
    TOOL_RESULT_REDACTED,
    Masker,
    mask_alert_data,
    mask_text,
    mask_tool_result,
    mask_value,
)
from tarsy.masking.patterns import BUILTIN_PATTERNS, MaskingPattern
from tarsy.masking.policy import (
    CODE_MASKERS,
    KNOWN_NAMES,
    KUBERNETES_SECRET,
    PATTERN_GROUPS,
    CustomPattern,
    CustomPatternSpec,
    MaskingConfigError,
    MaskingPolicy,
    build_policy,
)
from tarsy.masking.stream import DEFAULT_WINDOW, STREAM_WITHHELD, StreamMasker, stream_masker

__all__ = [
    "BUILTIN_PATTERNS",
    "CODE_MASKERS",
    "DEFAULT_WINDOW",
    "KNOWN_NAMES",
    "KUBERNETES_SECRET",
    "PATTERN_GROUPS",
    "SECRET_DATA_PLACEHOLDER",
    "STREAM_WITHHELD",
    "TOOL_RESULT_REDACTED",
    "CustomPattern",
    "CustomPatternSpec",
    "Masker",
    "MaskingConfigError",
    "MaskingPattern",
    "MaskingPolicy",
    "StreamMasker",
    "build_policy",
    "mask_alert_data",
    "mask_kubernetes_secrets",
    "mask_text",
    "mask_tool_result",
    "mask_value",
    "stream_masker",
]
