"""Classifying provider failures so a session's error says which provider failed and why."""

from __future__ import annotations

from typing import Literal

import anthropic
import httpx
import openai
from langchain_core import exceptions as lc

from tarsy.errors import ProviderError

Category = Literal["credentials", "rate_limit", "invalid_request", "timeout", "provider_down", "unknown"]

_ADVICE: dict[Category, str] = {
    "credentials": "check the API key (api_key_env) and its permissions",
    "rate_limit": "the provider is rate limiting; retries were exhausted",
    "invalid_request": "the provider rejected the request (model name, parameters or input)",
    "timeout": "the call exceeded the provider timeout",
    "provider_down": "the provider answered with a server error (5xx)",
    "unknown": "unexpected provider error",
}


def _status(exc: BaseException) -> int | None:
    for attr in ("status_code", "code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int) and 100 <= value < 600:
            return value
    response = getattr(exc, "response", None)
    value = getattr(response, "status_code", None)
    return value if isinstance(value, int) else None


_STANDARD: tuple[tuple[type[BaseException], Category], ...] = (
    (lc.ModelAuthenticationError, "credentials"),
    (lc.ModelPermissionDeniedError, "credentials"),
    (lc.ModelRateLimitError, "rate_limit"),
    (lc.ModelTimeoutError, "timeout"),
    (lc.ContextOverflowError, "invalid_request"),
    (lc.ModelInvalidRequestError, "invalid_request"),
    (lc.ModelNotFoundError, "invalid_request"),
    (lc.ModelConnectionError, "provider_down"),
    (lc.ModelAPIError, "provider_down"),
)


# Transport failures of the SDKs' HTTP clients, by type. Timeouts first: the SDKs' timeout errors
# subclass their connection errors.
_TIMEOUTS: tuple[type[BaseException], ...] = (
    TimeoutError,
    httpx.TimeoutException,
    openai.APITimeoutError,
    anthropic.APITimeoutError,
)
_UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    httpx.TransportError,
    openai.APIConnectionError,
    anthropic.APIConnectionError,
)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from (wrappers keep the SDK's error as the cause)."""
    found: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(found) < 5 and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def _by_status(status: int) -> Category:
    if status in (401, 403):
        return "credentials"
    if status == 429:
        return "rate_limit"
    if 400 <= status < 500:
        return "invalid_request"
    return "provider_down" if status >= 500 else "unknown"


def classify(exc: BaseException) -> Category:
    """The class of a provider failure, told by exception type and HTTP status, never by message words.

    LangChain's standard model errors first (some providers raise only these), then the HTTP status
    the SDK's error carries, then the transport errors of the SDKs and their HTTP client.
    """
    chain = _chain(exc)
    for error in chain:
        for kind, category in _STANDARD:
            if isinstance(error, kind):
                return category
    for error in chain:
        status = _status(error)
        if status is not None:
            return _by_status(status)
    for error in chain:
        if isinstance(error, _TIMEOUTS):
            return "timeout"
        if isinstance(error, _UNREACHABLE):
            return "provider_down"
    return "unknown"


def _detail(exc: BaseException) -> str:
    """The provider's own words: the SDK's error body when it has one (str(exc) may be just a code)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        message = error.get("message") if isinstance(error, dict) else error
        if message:
            return str(message)
    elif isinstance(body, str) and body.strip():
        return body
    return str(exc)


def provider_error(provider: str, model: str, exc: BaseException) -> ProviderError:
    category = classify(exc)
    text = _detail(exc).strip()
    detail = text.splitlines()[0][:300] if text else type(exc).__name__
    advice = _ADVICE[category]
    if category == "provider_down" and _status(exc) is None:
        # No HTTP answer at all: a refused, reset or unresolvable connection, not a 5xx.
        advice = "the provider could not be reached (connection refused, reset or name not resolved)"
    message = f"LLM provider '{provider}' ({model}) failed [{category}]: {advice}: {detail}"
    return ProviderError(message, category)
