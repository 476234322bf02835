"""Classifying provider failures so a session's error says which provider failed and why."""

from __future__ import annotations

from typing import Literal

import anthropic
import httpx
import openai
from google.auth import exceptions as google_auth
from langchain_core import exceptions as lc

from tarsy.errors import ProviderError, TarsyError

Category = Literal[
    "credentials", "quota_exhausted", "rate_limit", "invalid_request", "timeout", "provider_down", "unknown"
]

_ADVICE: dict[Category, str] = {
    "credentials": "check the API key (api_key_env) and its permissions",
    "quota_exhausted": "the account's quota or credit is used up (billing, or a daily limit)",
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
    # Vertex AI: Application Default Credentials missing, or their token refresh refused.
    (google_auth.DefaultCredentialsError, "credentials"),
    (google_auth.RefreshError, "credentials"),
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


class StreamTimeoutError(TarsyError, TimeoutError):
    """A streamed answer went silent: no first chunk, or no next chunk, within the provider's limit."""

    code = "stream_timeout"


# The codes vendors put in an error body when the account is out of quota or credit (not a burst
# limit that passes): OpenAI's ``insufficient_quota``, Anthropic's billing error. Gemini says
# ``RESOURCE_EXHAUSTED`` for both kinds; its quota failure details tell a daily quota (exhausted
# until tomorrow) from a per-minute one (a rate limit).
_QUOTA_CODES = frozenset({"insufficient_quota", "quota_exceeded", "billing_error"})


def _codes(exc: BaseException) -> set[str]:
    """The machine-readable codes an SDK error carries (attributes and the error body), lower-cased."""
    found: set[str] = set()
    for attr in ("code", "status", "type"):
        value = getattr(exc, attr, None)
        if isinstance(value, str):
            found.add(value.lower())
    body = getattr(exc, "body", None) or getattr(exc, "details", None)
    error = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(error, dict):
        found |= {str(error[k]).lower() for k in ("code", "status", "type") if isinstance(error.get(k), str)}
        if "resource_exhausted" in found and _daily_quota(error.get("details")):
            found.add("quota_exceeded")
    return found


def _daily_quota(details: object) -> bool:
    """Whether Gemini's ``QuotaFailure`` details name a per-day quota."""
    for detail in details if isinstance(details, list) else []:
        for violation in detail.get("violations", []) if isinstance(detail, dict) else []:
            if isinstance(violation, dict) and "PerDay" in str(violation.get("quotaId", "")):
                return True
    return False


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
    if isinstance(exc, ProviderError) and exc.category in _ADVICE:
        return exc.category  # already classified (e.g. a missing key)
    if any(_codes(error) & _QUOTA_CODES for error in chain):
        return "quota_exhausted"
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
