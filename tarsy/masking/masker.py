"""Applying a policy: to text, to JSON-like values, and the two failure-handling entry points.

``mask_text`` and ``mask_value`` raise if something goes wrong. Callers outside this package
should use the wrappers, which decide what a failure means:

- ``mask_tool_result`` fails closed: a tool result that could not be masked is replaced by a
  redaction notice, because it is about to be shown to an LLM and stored.
- ``mask_alert_data`` fails open: an alert that could not be masked is kept as it came, because
  dropping an alert is worse than storing it unmasked; the error is returned for the caller to record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol, overload

from tarsy.masking.kubernetes_secret import SECRET_DATA_PLACEHOLDER
from tarsy.masking.patterns import lowered_if_ascii
from tarsy.masking.policy import CODE_MASKERS, KUBERNETES_SECRET, MaskingPolicy

TOOL_RESULT_REDACTED: Final = "[REDACTED: data masking failure — tool result could not be safely processed]"

_SECRET_FIELDS: Final = ("data", "stringData")


class Masker(Protocol):
    """Masks one piece of text under a policy; ``mask_text`` is the implementation.

    The seam other code depends on (and tests replace with a fake). It may raise.
    """

    def __call__(self, text: str, policy: MaskingPolicy, /) -> str: ...


def mask_text(text: str, policy: MaskingPolicy) -> str:
    """Structural maskers first (they need the text intact to parse it), then every regex in order."""
    if type(text) is not str:
        text = str.__str__(text)  # a str subclass (an enum, a model's text type): libyaml wants a plain str
    for name in policy.code_maskers:
        text = CODE_MASKERS[name](text)
    lowered = lowered_if_ascii(text)
    for pattern in policy.patterns:
        # A pattern whose keywords are all absent cannot match: skip its (much dearer) substitution.
        if pattern.could_match(text, lowered):
            masked = pattern.apply(text)
            if masked is not text:  # re.sub returns its argument itself when nothing matched
                text, lowered = masked, lowered_if_ascii(masked)
    return text


def mask_value(value: Any, policy: MaskingPolicy, *, masker: Masker = mask_text) -> Any:
    """Mask every string in a JSON-like value, returning a new value (the input is not changed).

    A string under a key is masked with its key in view, as it would be in the serialised JSON, so
    ``{"password": "hunter22"}`` is caught although ``"hunter22"`` alone is not a secret. A mapping
    whose ``kind`` is ``Secret`` has its ``data``/``stringData`` replaced when the policy includes
    ``kubernetes_secret``. Keys themselves are never changed; non-string leaves are kept as they are.
    """
    return _mask_any(value, policy, masker, policy.uses(KUBERNETES_SECRET))


def mask_tool_result(
    text: str,
    policy: MaskingPolicy,
    *,
    masker: Masker = mask_text,
    on_error: Callable[[Exception], None] | None = None,
) -> str:
    """Mask an MCP tool result; on any failure return ``TOOL_RESULT_REDACTED`` (fail closed)."""
    if not text or policy.is_empty:
        return text
    try:
        return masker(text, policy)
    except Exception as exc:
        # Fail closed: whatever broke (a bug, a pathological input, a custom pattern), unmasked tool
        # output must not reach the LLM or the store. The model sees the redaction notice; the error
        # itself goes to ``on_error`` so the caller can log it.
        if on_error is not None:
            on_error(exc)
        return TOOL_RESULT_REDACTED


@overload
def mask_alert_data(data: str, policy: MaskingPolicy, *, masker: Masker = ...) -> tuple[str, str | None]: ...


@overload
def mask_alert_data(
    data: dict[str, Any], policy: MaskingPolicy, *, masker: Masker = ...
) -> tuple[dict[str, Any], str | None]: ...


def mask_alert_data(
    data: str | dict[str, Any], policy: MaskingPolicy, *, masker: Masker = mask_text
) -> tuple[str | dict[str, Any], str | None]:
    """Mask an alert payload; on failure return it unchanged with an error message (fail open).

    The message names the exception type only: its text could quote the payload being masked.
    """
    try:
        if isinstance(data, str):
            return (masker(data, policy) if data and not policy.is_empty else data), None
        masked: dict[str, Any] = mask_value(data, policy, masker=masker)
        return masked, None
    except Exception as exc:
        # Fail open: an alert is accepted even if masking breaks, since losing the alert is worse
        # than storing it unmasked. The error goes back to the caller, who records it on the session.
        return data, f"alert data masking failed ({type(exc).__name__}); the alert was stored unmasked"


def _mask_any(value: Any, policy: MaskingPolicy, masker: Masker, secrets: bool) -> Any:
    if isinstance(value, str):
        return masker(value, policy)
    if isinstance(value, Mapping):
        return _mask_mapping(value, policy, masker, secrets)
    if isinstance(value, list | tuple):
        return type(value)(_mask_any(item, policy, masker, secrets) for item in value)
    return value


def _mask_mapping(mapping: Mapping[Any, Any], policy: MaskingPolicy, masker: Masker, secrets: bool) -> dict[Any, Any]:
    is_secret = secrets and mapping.get("kind") == "Secret"
    masked: dict[Any, Any] = {}
    for key, value in mapping.items():
        if is_secret and key in _SECRET_FIELDS:
            masked[key] = SECRET_DATA_PLACEHOLDER
        elif isinstance(key, str) and isinstance(value, str):
            masked[key] = _mask_keyed_string(key, value, policy, masker)
        else:
            masked[key] = _mask_any(value, policy, masker, secrets)
    return masked


_encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder, not one per call


def _mask_keyed_string(key: str, value: str, policy: MaskingPolicy, masker: Masker) -> str:
    """Mask ``value`` alone, then as the JSON fragment ``{"key": "value"}`` to catch key/value rules."""
    value = masker(value, policy)
    fragment = f"{{{_encode(key)}: {_encode(value)}}}"  # json.dumps({key: value}, ensure_ascii=False)
    masked = masker(fragment, policy)
    if masked == fragment:
        return value
    try:
        parsed = json.loads(masked)
    except ValueError:
        # A custom pattern rewrote the JSON punctuation; the value was still masked on its own.
        return value
    if isinstance(parsed, dict) and len(parsed) == 1 and isinstance(parsed.get(key), str):
        return str(parsed[key])
    return value
