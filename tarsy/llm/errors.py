"""Classifying provider failures so a session's error says which provider failed and why."""

from __future__ import annotations

from typing import Literal

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


def classify(exc: BaseException) -> Category:
    # LangChain's standard model errors first (some providers raise only these), then the
    # status code and class name of the SDK's own exception.
    for kind, category in _STANDARD:
        if isinstance(exc, kind):
            return category
    name = type(exc).__name__.lower()
    status = _status(exc)
    if status in (401, 403) or "authentication" in name or "permission" in name:
        return "credentials"
    if status == 429 or "ratelimit" in name or "resourceexhausted" in name:
        return "rate_limit"
    if "timeout" in name or isinstance(exc, TimeoutError):
        return "timeout"
    if status is not None and 400 <= status < 500:
        return "invalid_request"
    if (status is not None and status >= 500) or "connection" in name or "unavailable" in name:
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
